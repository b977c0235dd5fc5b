import type { ReleaseManifest } from '../src/release-manifest.ts';

/** A complete, valid release manifest as staging writes it. */
export const MANIFEST: ReleaseManifest = {
  schema: 1,
  model: {
    name: 'fraud',
    version: '7',
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/versions/7',
  },
  environment: { name: 'sklearn', version: '3' },
  image: { name: 'ghcr.io/octo-org/scorer', digest: `sha256:${'ab'.repeat(32)}` },
  source: { repository: 'octo-org/ml-service', commit: 'c'.repeat(40), ref: 'refs/heads/integration' },
  evidence: {
    endpoint: 'fraud-staging',
    deployment: 'blue',
    passed: true,
    casesPassed: 3,
    casesTotal: 3,
    requests: 200,
    p50Ms: 12.5,
    p95Ms: 40,
    errorRate: 0,
    testedAt: '2026-11-21T10:00:00.000Z',
  },
  run: { url: 'https://github.com/octo-org/ml-service/actions/runs/1', id: '1', attempt: 1 },
  createdAt: '2026-11-21T10:00:05.000Z',
};
