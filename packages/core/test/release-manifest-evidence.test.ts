import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildReleaseManifest,
  diffReleaseManifests,
  DEPLOYED_FIELDS,
  EVIDENCE_END,
  EVIDENCE_START,
  evidenceFromTestReport,
  findEvidenceSection,
  parseEvidenceSection,
  parseTestReport,
  readTestReportEvidence,
  renderEvidenceSection,
  replaceEvidenceSection,
  sameEvidenceSection,
  sameRelease,
  type ReleaseManifest,
} from '../src/release-manifest.ts';
import { UserError } from '../src/errors.ts';
import { MANIFEST as FIXTURE } from './fixtures.ts';

const MANIFEST: ReleaseManifest = { ...FIXTURE, model: { ...FIXTURE.model, id: 'azureml:fraud:7' } };

const NEXT: ReleaseManifest = {
  ...MANIFEST,
  model: { ...MANIFEST.model, version: '8' },
  image: { name: 'ghcr.io/octo-org/scorer', digest: `sha256:${'cd'.repeat(32)}` },
  source: { ...MANIFEST.source, commit: 'e'.repeat(40) },
  createdAt: '2026-11-22T09:00:00.000Z',
};

const REPORT = {
  endpoint: 'fraud-staging',
  deployment: 'blue',
  passed: true,
  casesPassed: 3,
  casesTotal: 3,
  cases: [{ name: 'a', passed: true, status: 200, latencyMs: 10, problems: [], answer: '[1]', answeredBy: 'blue' }],
  load: {
    requests: 200,
    errors: 0,
    errorRate: 0,
    p50Ms: 12.5,
    p95Ms: 40,
    p99Ms: 55.25,
    statuses: { '200': 200 },
    durationMs: 2000,
    throughputRps: 100,
    maxMs: 60,
  },
  comparison: undefined,
  gates: [],
  reasons: [],
  testedAt: '2026-11-21T10:00:00.000Z',
};

describe('diffing release manifests', () => {
  it('lists changed fields in a stable order and ignores createdAt', () => {
    expect(diffReleaseManifests(MANIFEST, NEXT)).toEqual([
      { field: 'model.version', before: '7', after: '8' },
      { field: 'image.digest', before: MANIFEST.image?.digest, after: NEXT.image?.digest },
      { field: 'source.commit', before: 'c'.repeat(40), after: 'e'.repeat(40) },
    ]);
    expect(diffReleaseManifests(MANIFEST, NEXT, { ignore: [] }).map((c) => c.field)).toContain('createdAt');
  });

  it('treats a missing "before" as everything new, and can limit to what runs', () => {
    const all = diffReleaseManifests(undefined, MANIFEST);
    expect(all.every((c) => c.before === undefined)).toBe(true);
    const deployed = diffReleaseManifests(undefined, MANIFEST, { only: DEPLOYED_FIELDS });
    expect(deployed.map((c) => c.field.split('.')[0])).not.toContain('evidence');
    expect(deployed.map((c) => c.field)).toContain('environment.name');
  });

  it('sameRelease: equal up to createdAt; different evidence is a different release record', () => {
    expect(sameRelease(MANIFEST, { ...MANIFEST, createdAt: '2030-01-01T00:00:00.000Z' })).toBe(true);
    expect(sameRelease(MANIFEST, { ...MANIFEST, evidence: { ...MANIFEST.evidence!, p95Ms: 41 } })).toBe(false);
    expect(sameRelease(undefined, MANIFEST)).toBe(false);
    expect(sameRelease(undefined, undefined)).toBe(true);
  });
});

describe('the evidence section', () => {
  it('renders the release, the test figures, the production diff and the run link between the markers', () => {
    const section = renderEvidenceSection(NEXT, { production: MANIFEST });
    expect(section.startsWith(EVIDENCE_START)).toBe(true);
    expect(section.endsWith(EVIDENCE_END)).toBe(true);
    expect(section).toContain('| model | `fraud` version `8` |');
    expect(section).toContain('| environment | `sklearn:3` |');
    expect(section).toContain('`sha256:cdcdcdcdcdcd`…');
    expect(section).toContain(
      '[`eeeeeee`](https://github.com/octo-org/ml-service/commit/' + 'e'.repeat(40) + ') (`integration`)',
    );
    expect(section).toContain('✅ passed: 3/3 cases');
    expect(section).toContain('p50 12.5 ms · p95 40 ms over 200 requests');
    expect(section).toContain('| error rate | 0.00 % |');
    expect(section).toContain('[run 1](https://github.com/octo-org/ml-service/actions/runs/1)');
    expect(section).toContain('| model.version | `7` | `8` |');
    expect(section).toContain('| source.commit | `ccccccc` | `eeeeeee` |');
    // Deterministic: the same inputs give the same text.
    expect(renderEvidenceSection(NEXT, { production: MANIFEST })).toBe(section);
  });

  it('says so when production has no manifest, or it is unknown, or nothing that runs changes', () => {
    expect(renderEvidenceSection(NEXT, { production: null })).toContain('first promotion');
    expect(renderEvidenceSection(NEXT)).toContain('unknown');
    const retest = { ...MANIFEST, evidence: { ...MANIFEST.evidence!, p95Ms: 39 } };
    expect(renderEvidenceSection(retest, { production: MANIFEST })).toContain('Nothing that runs changes');
  });

  it('says when there is no test evidence, and uses the server URL for links', () => {
    const { evidence: _evidence, ...bare } = MANIFEST;
    const section = renderEvidenceSection(bare, { serverUrl: 'https://ghe.example.com/' });
    expect(section).toContain('no test evidence');
    expect(section).toContain('https://ghe.example.com/octo-org/ml-service/commit/');
  });

  it('parses the manifest back from a pull request body, CRLF line endings included', () => {
    const body = `Intro\r\n\r\n${renderEvidenceSection(NEXT, { production: MANIFEST }).replace(/\n/g, '\r\n')}\r\n\r\nOutro`;
    expect(parseEvidenceSection(body)).toEqual(NEXT);
    expect(parseEvidenceSection('no section here')).toBeUndefined();
    expect(parseEvidenceSection(null)).toBeUndefined();
    expect(parseEvidenceSection(`${EVIDENCE_START}\nedited away\n${EVIDENCE_END}`)).toBeUndefined();
    expect(() => parseEvidenceSection(`${EVIDENCE_START}\n\`\`\`json\n{"schema": 1}\n\`\`\`\n${EVIDENCE_END}`)).toThrow(
      UserError,
    );
  });

  it('replaces only the section, keeping the rest byte for byte; appends when there is none', () => {
    const old = renderEvidenceSection(MANIFEST, { production: null });
    const fresh = renderEvidenceSection(NEXT, { production: MANIFEST });
    const above = 'Risk sign-off: RISK-42\r\n\r\n';
    const below = '\r\n\r\n> merge after 18:00\r\n';
    const replaced = replaceEvidenceSection(above + old.replace(/\n/g, '\r\n') + below, fresh);
    expect(replaced).toBe(above + fresh + below);
    expect(replaceEvidenceSection('Just text\n\n', fresh)).toBe(`Just text\n\n${fresh}`);
    expect(replaceEvidenceSection('', fresh)).toBe(fresh);
    expect(replaceEvidenceSection(null, fresh)).toBe(fresh);
    expect(findEvidenceSection(replaced)?.text).toBe(fresh);
    // A start marker without an end is no section: the new one is appended rather than eating the text.
    expect(replaceEvidenceSection(`${EVIDENCE_START} half`, fresh)).toBe(`${EVIDENCE_START} half\n\n${fresh}`);
  });

  it('compares sections regardless of line endings', () => {
    const section = renderEvidenceSection(NEXT);
    expect(sameEvidenceSection(section.replace(/\n/g, '\r\n'), section)).toBe(true);
    expect(sameEvidenceSection(undefined, section)).toBe(false);
  });
});

describe('evidence from the aml-endpoint-test report', () => {
  it('takes the manifest evidence from the report', () => {
    expect(evidenceFromTestReport(JSON.stringify(REPORT))).toEqual({
      endpoint: 'fraud-staging',
      deployment: 'blue',
      passed: true,
      casesPassed: 3,
      casesTotal: 3,
      requests: 200,
      p50Ms: 12.5,
      p95Ms: 40,
      p99Ms: 55.25,
      errorRate: 0,
      testedAt: '2026-11-21T10:00:00.000Z',
    });
  });

  it('also reads what the tested slot runs (model and environment, from its tags)', () => {
    const withModel = {
      ...REPORT,
      model: { name: 'fraud', version: '8', id: null },
      environmentId: 'azureml:sklearn:3',
    };
    expect(parseTestReport(JSON.stringify(withModel))).toMatchObject({
      model: { name: 'fraud', version: '8' },
      environmentId: 'azureml:sklearn:3',
    });
    expect(parseTestReport(JSON.stringify(REPORT)).model).toBeUndefined();
  });

  it('carries what the test recorded: the spec hash, instance type and image of the tested deployment', () => {
    const tested = {
      deployment: 'blue',
      result: 'passed',
      model: 'fraud:8',
      image: 'mcr.microsoft.com/azureml/minimal-py312-inference:latest',
      instanceType: 'Standard_DS3_v2',
      specHash: `sha256:${'ab'.repeat(32)}`,
      testedAt: REPORT.testedAt,
    };
    expect(evidenceFromTestReport(JSON.stringify({ ...REPORT, tested }))).toMatchObject({
      specHash: tested.specHash,
      instanceType: 'Standard_DS3_v2',
      environmentImage: tested.image,
    });
  });

  it('accepts a report without a load phase', () => {
    const evidence = evidenceFromTestReport(JSON.stringify({ ...REPORT, load: undefined }));
    expect(evidence.p50Ms).toBeUndefined();
    expect(evidence.casesTotal).toBe(3);
  });

  it('names the problem and the file when the report is not one', () => {
    expect(() => evidenceFromTestReport('{', 'report.json')).toThrow(/report.json is not valid JSON/);
    expect(() => evidenceFromTestReport('{"passed": "yes"}', 'report.json')).toThrow(
      /not an aml-endpoint-test report: .*passed/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    writeFileSync(join(dir, 'r.json'), JSON.stringify(REPORT));
    expect(readTestReportEvidence(join(dir, 'r.json')).deployment).toBe('blue');
    expect(() => readTestReportEvidence(join(dir, 'missing.json'))).toThrow(/cannot be read.*'report' output/);
  });
});

describe('building a manifest', () => {
  it('builds and validates from the deploy and test outputs', () => {
    const manifest = buildReleaseManifest({
      model: { name: 'fraud', version: '8', id: undefined },
      image: `ghcr.io/octo-org/scorer@sha256:${'cd'.repeat(32)}`,
      source: { repository: 'octo-org/ml-service', commit: 'e'.repeat(40), ref: undefined },
      evidence: evidenceFromTestReport(JSON.stringify(REPORT)),
      run: { url: 'https://github.com/octo-org/ml-service/actions/runs/2', id: '2', attempt: undefined },
      createdAt: '2026-11-22T09:00:00.000Z',
    });
    expect(manifest.image).toEqual({ name: 'ghcr.io/octo-org/scorer', digest: `sha256:${'cd'.repeat(32)}` });
    expect(manifest.model).toEqual({ name: 'fraud', version: '8' });
    expect(manifest.run).toEqual({ url: 'https://github.com/octo-org/ml-service/actions/runs/2', id: '2' });
  });

  it('refuses an image without a digest, "latest", and a short commit, naming the field', () => {
    const base = { model: { name: 'fraud', version: '8' }, source: { repository: 'o/r', commit: 'e'.repeat(40) } };
    expect(() => buildReleaseManifest({ ...base, image: 'ghcr.io/o/r:latest' })).toThrow(/has no digest/);
    expect(() => buildReleaseManifest({ ...base, model: { name: 'fraud', version: 'latest' } })).toThrow(
      /model.version: must be an exact version/,
    );
    expect(() => buildReleaseManifest({ ...base, source: { repository: 'o/r', commit: 'abc' } })).toThrow(
      /source.commit/,
    );
  });
});
