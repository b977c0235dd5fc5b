/**
 * open-promotion-pr `mode: verify` end to end: the bundled action, run as production's first step runs it, against
 * the loopback GitHub server (REST validated by GitHub's OpenAPI description). The arrangement is what the
 * pipelines leave: staging tested commit T in run R, committed the manifest on top (M), reported `staging` on M,
 * and the promotion pull request was approved by a person and merged into main (MC). Each fault row changes one
 * thing and names the check that must fail; production then deploys nothing.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubServer, type Repository } from '../github-server/index.ts';
import {
  addCheckRun,
  addCommitStatus,
  addReview,
  addWorkflowRun,
  mergePullRequest,
  recordsOf,
  registerPromotionRecords,
  type WorkflowRunRecord,
} from '../github-server/promotion-records.ts';
import { leakedSecrets, runAction, type RunResult } from '../support/run-action.ts';

jest.setTimeout(60_000);

const JOB_TOKEN = 'ghs_verifytoken00000000000000000000000001';
const REPO = 'octo-org/ml-service';
const MANIFEST_PATH = 'examples/release/manifest.json';

let github: GitHubServer;
let repo: Repository;
let workspace: string;
/** The commit staging tested (T), its run (R), the manifest commit (M) and the merge commit on main (MC). */
let tested: string;
let run: WorkflowRunRecord;
let manifestCommit: string;

const runUrl = (id: number) => `https://github.com/${REPO}/actions/runs/${id}`;

function manifest(runId: number, commit = tested) {
  return {
    schema: 1,
    model: { name: 'credit-risk', version: '7' },
    source: { repository: REPO, commit, ref: 'refs/heads/integration' },
    evidence: {
      endpoint: 'credit-staging',
      deployment: 'green',
      passed: true,
      casesPassed: 3,
      casesTotal: 3,
      testedAt: '2025-03-01T10:00:00.000Z',
    },
    run: { url: runUrl(runId), id: String(runId), attempt: 1 },
    createdAt: '2025-03-01T10:05:00.000Z',
  };
}

/** Staging's part: test T in a run, commit the manifest (M), report `staging` on M, open the pull request. */
function stage(options: { runOverrides?: Partial<WorkflowRunRecord> } = {}): number {
  tested = repo.commitFiles('integration', { 'score.py': 'def run(x):\n    return [x]\n' }, 'Return a list', 'main');
  run = addWorkflowRun(repo, { headSha: tested, ...options.runOverrides });
  manifestCommit = repo.commitFiles(
    'integration',
    { [MANIFEST_PATH]: JSON.stringify(manifest(run.id), null, 2) + '\n' },
    'Release manifest: credit-risk version 7, tested in staging',
  );
  addCommitStatus(repo, { sha: manifestCommit, context: 'staging', targetUrl: runUrl(run.id) });
  return repo.openPullRequest({
    head: 'integration',
    base: 'main',
    title: 'Promote credit-risk version 7 to production',
    user: github.state.account('github-actions[bot]'),
  }).number;
}

function approveAndMerge(number: number): string {
  addReview(repo, number, { user: github.state.account('alice'), state: 'APPROVED' });
  return mergePullRequest(repo, number, github.state.account('alice'));
}

async function verify(commit: string, inputs: Record<string, string> = {}): Promise<RunResult> {
  const result = await runAction('open-promotion-pr', {
    inputs: { mode: 'verify', 'manifest-path': MANIFEST_PATH, ...inputs },
    github: {
      apiUrl: github.url,
      graphqlUrl: github.graphqlUrl,
      token: JOB_TOKEN,
      repository: REPO,
      sha: commit,
      workspace,
    },
  });
  expect(leakedSecrets(result, [JOB_TOKEN])).toEqual([]);
  return result;
}

beforeEach(async () => {
  github = await GitHubServer.start();
  registerPromotionRecords(github);
  // cd-production's job permissions for the verification step.
  github.addToken(JOB_TOKEN, {
    kind: 'github-token',
    permissions: {
      contents: 'read',
      pull_requests: 'read',
      actions: 'read',
      checks: 'read',
      statuses: 'read',
      metadata: 'read',
    },
  });
  repo = github.repository(REPO);
  for (const login of ['alice', 'mona']) repo.collaborators.add(login);
  repo.commitFiles('main', { 'README.md': '# ml-service\n', 'score.py': 'def run(x):\n    return x\n' }, 'Initial');
  workspace = mkdtempSync(join(tmpdir(), 'verify-workspace-'));
});

afterEach(async () => {
  try {
    github.assertValid();
  } finally {
    await github.close();
  }
});

describe('open-promotion-pr mode: verify', () => {
  test('an approved, merged promotion of a tested commit → verified, with every check shown', async () => {
    const merge = approveAndMerge(stage());
    const result = await verify(merge);
    if (result.exitCode !== 0) throw new Error(result.log);
    expect(result.outputs['verified']).toBe('true');
    expect(result.outputs['number']).toBe('1');
    expect(JSON.parse(result.outputs['manifest'] as string).source.commit).toBe(tested);
    for (const line of [
      '✓ merged promotion pull request: #1 integration → main',
      '✓ approval: 1 of 1 approval by someone other than the author (github-actions[bot])',
      '✓ release manifest',
      '✓ tested code',
      `✓ staging run: run ${run.id} (push) of .github/workflows/cd-staging.yml`,
      `✓ required check: \`staging\` succeeded, posted by GitHub Actions from run ${run.id}`,
    ])
      expect(result.log).toContain(line);
    expect(result.summary).toContain('Promotion verified');
    // Read-only: the verification changes nothing in GitHub, in 8 reads.
    expect(github.calls().every((c) => c.startsWith('GET'))).toBe(true);
    expect(github.calls()).toHaveLength(8);
  });

  test('`staging` as a GitHub Actions check run of the staging run → verified', async () => {
    const number = stage();
    recordsOf(repo).statuses.length = 0;
    addCheckRun(repo, { sha: manifestCommit, name: 'staging', detailsUrl: `${runUrl(run.id)}/job/77` });
    const result = await verify(approveAndMerge(number));
    if (result.exitCode !== 0) throw new Error(result.log);
    expect(result.log).toContain(
      `✓ required check: \`staging\` succeeded, reported by GitHub Actions for run ${run.id}`,
    );
  });

  // The fault table: each row breaks one promise; the step fails with the check that caught it and GitHub is unchanged.
  const FAULTS: { fault: string; arrange: () => string; failing: RegExp }[] = [
    {
      fault: 'pushed to main directly, not through the promotion pull request',
      arrange: () => {
        stage();
        return repo.commitFiles('main', { [MANIFEST_PATH]: JSON.stringify(manifest(run.id)) }, 'Direct push');
      },
      failing: /✗ merged promotion pull request: [0-9a-f]{7} is not the merge of a pull request integration → main/,
    },
    {
      fault: 'merged without any approval',
      arrange: () => mergePullRequest(repo, stage(), github.state.account('mona')),
      failing: /✗ approval: 0 of 1 approval by someone other than the author/,
    },
    {
      fault: 'approved only by its author',
      arrange: () => {
        const number = stage();
        repo.pull(number).user = github.state.account('mona');
        addReview(repo, number, { user: github.state.account('mona'), state: 'APPROVED' });
        return mergePullRequest(repo, number, github.state.account('mona'));
      },
      failing: /✗ approval: 0 of 1 .*not counted: mona \(the author\)/,
    },
    {
      fault: 'approved by a bot (GitHub Actions may approve pull requests when allowed)',
      arrange: () => {
        const number = stage();
        repo.pull(number).user = github.state.account('mona');
        addReview(repo, number, { user: github.state.account('release-bot[bot]'), state: 'APPROVED' });
        return mergePullRequest(repo, number, github.state.account('mona'));
      },
      failing: /not counted: release-bot\[bot\] \(not a person\)/,
    },
    {
      fault: 'integration moved before promotion: an untested commit rode along in the merge',
      arrange: () => {
        const number = stage();
        addReview(repo, number, { user: github.state.account('alice'), state: 'APPROVED' });
        repo.commitFiles('integration', { 'score.py': 'def run(x):\n    return None\n' }, 'Untested');
        addReview(repo, number, { user: github.state.account('alice'), state: 'APPROVED' });
        return mergePullRequest(repo, number, github.state.account('alice'));
      },
      failing:
        /✗ tested code: the merged head [0-9a-f]{7} has \d commit\(s\) beyond the tested [0-9a-f]{7} changing score\.py/,
    },
    {
      fault: 'the staging run is a run of another workflow',
      arrange: () => approveAndMerge(stage({ runOverrides: { path: '.github/workflows/anything.yml' } })),
      failing:
        /✗ staging run: run \d+ ran "\.github\/workflows\/anything\.yml", not \.github\/workflows\/cd-staging\.yml/,
    },
    {
      fault: 'the staging run failed',
      arrange: () => approveAndMerge(stage({ runOverrides: { conclusion: 'failure' } })),
      failing: /✗ staging run: run \d+ is completed \(failure\), not a success/,
    },
    {
      fault: 'the staging run ran on another commit',
      arrange: () => approveAndMerge(stage({ runOverrides: { headSha: 'f'.repeat(40) } })),
      failing: /✗ staging run: run \d+ ran on fffffff, not [0-9a-f]{7}/,
    },
    {
      fault: 'the manifest names a run this repository does not have',
      arrange: () => {
        const number = stage();
        recordsOf(repo).runs.length = 0;
        return approveAndMerge(number);
      },
      failing: /✗ staging run: run \d+ does not exist in octo-org\/ml-service/,
    },
    {
      fault: '`staging` reported by a person, not by GitHub Actions',
      arrange: () => {
        const number = stage();
        recordsOf(repo).statuses.length = 0;
        addCommitStatus(repo, {
          sha: manifestCommit,
          context: 'staging',
          creator: github.state.account('mona'),
          targetUrl: runUrl(run.id),
        });
        return approveAndMerge(number);
      },
      failing:
        /✗ required check: no successful `staging` from GitHub Actions \(app 15368\).*a status \(success, by mona, linking run \d+\)/,
    },
    {
      fault: '`staging` posted by GitHub Actions from another run (a URL that merely contains the id)',
      arrange: () => {
        const number = stage();
        recordsOf(repo).statuses.length = 0;
        addCommitStatus(repo, { sha: manifestCommit, context: 'staging', targetUrl: `${runUrl(run.id)}0` });
        return approveAndMerge(number);
      },
      failing: /✗ required check: .*a status \(success, by github-actions\[bot\], not linking the staging run\)/,
    },
    {
      fault: '`staging` as a check run of another app',
      arrange: () => {
        const number = stage();
        recordsOf(repo).statuses.length = 0;
        addCheckRun(repo, {
          sha: manifestCommit,
          name: 'staging',
          app: { id: 99, slug: 'lookalike', name: 'Lookalike' },
          detailsUrl: runUrl(run.id),
        });
        return approveAndMerge(number);
      },
      failing: /✗ required check: .*a check run \(success, app 99, linking run \d+\)/,
    },
  ];

  test.each(FAULTS)('$fault → not verified, nothing deployed', async ({ arrange, failing }) => {
    const commit = arrange();
    const result = await verify(commit);
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(failing);
    expect(result.outputs['verified']).toBe('false');
    expect(result.log).toContain('is not verified, so production deploys nothing');
    expect(result.summary).toContain('Promotion not verified');
    expect(github.calls().every((c) => c.startsWith('GET'))).toBe(true);
  });

  test('a token without actions: read → the permission to add, not a verdict', async () => {
    const merge = approveAndMerge(stage());
    github.addToken(JOB_TOKEN, { kind: 'github-token', permissions: { contents: 'read', pull_requests: 'read' } });
    const result = await verify(merge);
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('Resource not accessible by integration');
  });
});
