/**
 * open-promotion-pr end to end: the bundled action, run as the runner runs it, against the loopback GitHub
 * server (REST validated by GitHub's OpenAPI description, GraphQL by its schema). Outputs come from GITHUB_OUTPUT.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseManifestFromTest, type EndpointTestReport } from '../../packages/core/src/aml/endpoint-test.ts';
import { GitHubServer, type Repository } from '../github-server/index.ts';
import { leakedSecrets, runAction, type RunResult } from '../support/run-action.ts';

// Each test starts a server and, end to end, runs the bundled action as a child process: slower than jest's 5 s default.
jest.setTimeout(60_000);

const JOB_TOKEN = 'ghs_jobtoken000000000000000000000000000001';
const APP_TOKEN = 'ghs_apptoken000000000000000000000000000002';
const PAT = 'github_pat_11AAAAAAA0000000000000_000000000000000000000000000000000000000000000000000000000';
const CLASSIC_PAT = 'ghp_classic0000000000000000000000000000003';
const SECRETS = [JOB_TOKEN, APP_TOKEN, PAT, CLASSIC_PAT];
const REPO = 'octo-org/ml-service';

const REPORT = {
  endpoint: 'credit-staging',
  deployment: 'green',
  model: { name: 'credit-risk', version: '7', id: 'azureml:credit-risk:7' },
  environmentId: undefined,
  passed: true,
  casesPassed: 12,
  casesTotal: 12,
  cases: [],
  load: {
    requests: 500,
    errors: 0,
    errorRate: 0,
    p50Ms: 21.4,
    p95Ms: 48.9,
    p99Ms: 80.2,
    statuses: { '200': 500 },
    durationMs: 5000,
    throughputRps: 100,
  },
  comparison: null,
  gates: [],
  reasons: [],
  tested: {
    deployment: 'green',
    result: 'passed',
    model: 'credit-risk:7',
    instanceType: 'Standard_DS3_v2',
    specHash: `sha256:${'5e'.repeat(32)}`,
    testedAt: '2025-03-01T10:00:00.000Z',
  },
  testedAt: '2025-03-01T10:00:00.000Z',
};

let github: GitHubServer;
let repo: Repository;
let workspace: string;
/** The commit staging deployed and tested: integration's tip when the test ran. */
let stagingSha: string;

function manifestFor(version: string, extra: Record<string, unknown> = {}) {
  return {
    schema: 1,
    model: { name: 'credit-risk', version },
    image: { name: 'ghcr.io/octo-org/credit-risk', digest: `sha256:${'b'.repeat(64)}` },
    source: { repository: REPO, commit: stagingSha, ref: 'refs/heads/integration' },
    evidence: {
      endpoint: 'credit-staging',
      deployment: 'green',
      passed: true,
      casesPassed: 12,
      casesTotal: 12,
      p50Ms: 21.4,
      p95Ms: 48.9,
      errorRate: 0,
      testedAt: '2025-03-01T10:00:00.000Z',
    },
    run: { url: `https://github.com/${REPO}/actions/runs/4242`, id: '4242', attempt: 1 },
    createdAt: '2025-03-01T10:05:00.000Z',
    ...extra,
  };
}

function writeWorkspaceFile(name: string, content: unknown): string {
  writeFileSync(join(workspace, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return name;
}

async function promote(inputs: Record<string, string>, options: { token?: string } = {}): Promise<RunResult> {
  const result = await runAction('open-promotion-pr', {
    inputs: { ...(options.token && { token: options.token }), ...inputs },
    github: {
      apiUrl: github.url,
      graphqlUrl: github.graphqlUrl,
      token: JOB_TOKEN,
      repository: REPO,
      sha: stagingSha,
      workspace,
    },
  });
  expect(leakedSecrets(result, SECRETS)).toEqual([]);
  return result;
}

function expectSuccess(result: RunResult): void {
  if (result.exitCode !== 0) throw new Error(`the action failed:\n${result.log}`);
}

beforeEach(async () => {
  github = await GitHubServer.start();
  github.addToken(JOB_TOKEN, { kind: 'github-token' });
  github.addToken(APP_TOKEN, { kind: 'app', login: 'release-bot' });
  github.addToken(PAT, { kind: 'fine-grained-pat', login: 'mona' });
  github.addToken(CLASSIC_PAT, { kind: 'classic-pat', login: 'mona' });
  repo = github.repository(REPO);
  for (const login of ['alice', 'bob', 'mona']) repo.collaborators.add(login);
  repo.team('ml-reviewers');
  repo.commitFiles(
    'main',
    { 'README.md': '# ml-service\n', 'score.py': 'def run(x):\n    return x\n' },
    'Initial commit',
  );
  stagingSha = repo.commitFiles(
    'integration',
    { 'score.py': 'def run(x):\n    return [x]\n' },
    'Return a list',
    'main',
  );
  workspace = mkdtempSync(join(tmpdir(), 'promotion-workspace-'));
});

afterEach(async () => {
  try {
    github.assertValid();
  } finally {
    await github.close();
  }
});

describe('open-promotion-pr', () => {
  test('no pull request yet → created, with the manifest committed through the Git Data API first', async () => {
    const result = await promote({
      model: 'credit-risk',
      'model-version': '7',
      'model-id': 'azureml:credit-risk:7',
      deployment: 'green',
      'test-report': writeWorkspaceFile('report.json', REPORT),
      image: `ghcr.io/octo-org/credit-risk@sha256:${'a'.repeat(64)}`,
      'manifest-path': 'release/manifest.json',
      labels: 'promotion, production',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('created');
    expect(result.outputs['number']).toBe('1');
    expect(result.outputs['url']).toBe(`https://github.com/${REPO}/pull/1`);
    expect(result.outputs['token-kind']).toBe('github-token');

    const pull = repo.pull(1);
    expect(pull.title).toBe('Promote credit-risk version 7 to production');
    expect(pull.user.login).toBe('github-actions[bot]');
    expect(pull.labels).toEqual(['promotion', 'production']);
    expect(pull.body).toContain('<!-- mlops-actions:evidence:start -->');
    expect(pull.body).toContain('`credit-risk` version `7`');
    expect(pull.body).toContain('12/12 cases');
    expect(pull.body).toContain('p95 48.9 ms');
    expect(pull.body).toContain('Production has no release manifest yet');

    // The manifest commit: blob → tree → commit on the old head → fast-forward (never forced) ref update.
    const commitSha = result.outputs['manifest-commit'] as string;
    expect(repo.branch('integration')).toBe(commitSha);
    expect(result.outputs['head-sha']).toBe(commitSha);
    const committed = JSON.parse(repo.readFile('integration', 'release/manifest.json') as string);
    expect(committed.model).toEqual({ name: 'credit-risk', version: '7', id: 'azureml:credit-risk:7' });
    expect(committed.evidence).toMatchObject({ deployment: 'green', casesPassed: 12, p99Ms: 80.2, requests: 500 });
    // What the test recorded about the slot travels with the evidence, and shows in the pull request.
    expect(committed.evidence).toMatchObject({ specHash: REPORT.tested.specHash, instanceType: 'Standard_DS3_v2' });
    expect(pull.body).toContain(`| deployment spec | \`${REPORT.tested.specHash}\` on \`Standard_DS3_v2\` |`);
    expect(committed.source.commit).toBe(stagingSha);
    expect(JSON.parse(result.outputs['manifest'] as string)).toEqual(committed);
    const calls = github.calls();
    const writes = calls.filter((c) => c.includes('git/create') || c.includes('update-ref'));
    expect(writes).toEqual([
      'POST git/create-blob',
      'POST git/create-tree',
      'POST git/create-commit',
      'PATCH git/update-ref',
    ]);
    const commitRequest = github.log.find((r) => r.operation === 'git/create-commit')?.requestBody as {
      parents: string[];
    };
    const headBefore = github.log.find((r) => r.operation === 'git/get-ref')?.responseBody as {
      object: { sha: string };
    };
    expect(commitRequest.parents).toEqual([headBefore.object.sha]);
    expect(github.log.find((r) => r.operation === 'git/update-ref')?.requestBody).toEqual({
      sha: commitSha,
      force: false,
    });

    expect(result.summary).toContain('Promotion pull request opened: #1');
    expect(result.summary).toContain('Approve workflows to run');
  });

  test('one full run: the GitHub requests it makes, counted by the server', async () => {
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
      labels: 'promotion',
      reviewers: 'alice',
      'team-reviewers': 'octo-org/ml-reviewers',
      assignees: 'bob',
      'auto-merge': 'true',
      'merge-method': 'squash',
    });
    expectSuccess(result);
    expect(github.calls()).toEqual([
      'GET pulls/list',
      'GET git/get-ref',
      'GET repos/get-content',
      'GET repos/get-content',
      'GET git/get-commit',
      'POST git/create-blob',
      'POST git/create-tree',
      'POST git/create-commit',
      'PATCH git/update-ref',
      'POST pulls/create',
      'POST issues/add-labels',
      'POST pulls/request-reviewers',
      'POST issues/add-assignees',
      'POST graphql:enablePullRequestAutoMerge',
    ]);
    expect(result.summary).toContain('| GitHub requests | 14 |');
    console.log(
      `open-promotion-pr: one full run (create + manifest commit + labels + reviewers + assignees + auto-merge) made ${github.log.length} GitHub requests`,
    );
  });

  test('an existing pull request with human edits: only the marked section changes', async () => {
    repo.commitFiles('main', { 'release/manifest.json': JSON.stringify(manifestFor('6')) }, 'Production manifest');
    const human = await promote({ manifest: writeWorkspaceFile('manifest.json', manifestFor('6')) });
    expectSuccess(human); // integration has a commit main lacks: a pull request is opened for version 6
    const pull = repo.pull(1);
    // People edit the title and the text around the section in GitHub's editor (which stores CRLF line ends).
    const section = (pull.body as string).slice((pull.body as string).indexOf('<!-- mlops-actions:evidence:start -->'));
    pull.title = 'Release credit-risk — reviewed by the risk team';
    const above = 'Risk sign-off: see ticket RISK-42.\r\n\r\n- [x] fairness report attached\r\n\r\n';
    const below = '\r\n\r\n> Merge only after 18:00 UTC.\r\n';
    pull.body = above + section.replace(/\n/g, '\r\n') + below;

    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('updated');
    expect(result.outputs['number']).toBe('1');
    expect(pull.title).toBe('Release credit-risk — reviewed by the risk team');
    const body = pull.body as string;
    expect(body.startsWith(above)).toBe(true);
    expect(body.endsWith(below)).toBe(true);
    expect(body).toContain('`credit-risk` version `7`');
    expect(body).not.toContain('version `6`</');
    // What changes in production, against the manifest on main.
    expect(body).toMatch(/\| model\.version \| `6` \| `7` \|/);
    expect(repo.openPulls()).toHaveLength(1);
  });

  test('the same evidence again → unchanged, and nothing is written', async () => {
    const inputs = {
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
      labels: 'promotion',
      reviewers: 'alice',
    };
    expectSuccess(await promote(inputs));
    github.reset();
    // The same release re-recorded later (new createdAt) is still the same evidence.
    const again = await promote({
      ...inputs,
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7', { createdAt: '2025-03-02T08:00:00.000Z' })),
    });
    expectSuccess(again);
    expect(again.outputs['operation']).toBe('unchanged');
    expect(again.outputs['manifest-commit']).toBe('');
    expect(github.calls().every((c) => c.startsWith('GET'))).toBe(true);
    // integration is now the tested commit plus the manifest commit: compared once to see it carries nothing else.
    expect(github.calls()).toHaveLength(6);
    expect(again.summary).toContain('already up to date');
  });

  test('nothing to promote (head has no commits beyond base, manifest unchanged) → skipped', async () => {
    const manifest = manifestFor('7');
    // The tested commit was promoted and merged already; integration is back in step with main.
    repo.createBranch('main', 'integration');
    repo.commitFiles(
      'main',
      { 'release/manifest.json': JSON.stringify(manifest, null, 2) + '\n' },
      'Production manifest',
    );
    repo.createBranch('integration', 'main');
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifest),
      'manifest-path': 'release/manifest.json',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('skipped');
    expect(result.outputs['number']).toBe('');
    expect(repo.pulls.size).toBe(0);
    expect(repo.branch('integration')).toBe(repo.branch('main'));
    expect(result.log).toContain('nothing to promote');
    expect(result.summary).toContain('Nothing to promote');

    // Without a manifest path: no commits beyond base is enough.
    github.reset();
    const plain = await promote({ manifest: writeWorkspaceFile('manifest.json', manifest) });
    expect(plain.outputs['operation']).toBe('skipped');
  });

  test('labels are added and removed; reviewers, team reviewers, assignees and draft', async () => {
    const existing = repo.openPullRequest({
      head: 'integration',
      base: 'main',
      title: 'Promotion',
      body: 'Hand-written',
      user: github.state.account('mona'),
      labels: ['staging-failed', 'keep-me'],
    });
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      labels: 'promotion\nready-for-production',
      'remove-labels': 'staging-failed, not-there',
      reviewers: 'alice, mona',
      'team-reviewers': 'ml-reviewers',
      assignees: 'bob',
      draft: 'true',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('updated');
    expect(existing.labels).toEqual(['keep-me', 'promotion', 'ready-for-production']);
    // mona opened it: GitHub refuses to ask the author, so she is skipped, with a note.
    expect(existing.requestedReviewers).toEqual(['alice']);
    expect(existing.requestedTeams).toEqual(['ml-reviewers']);
    expect(existing.assignees).toEqual(['bob']);
    expect(existing.draft).toBe(false);
    expect(existing.body).toMatch(/^Hand-written\n\n<!-- mlops-actions:evidence:start -->/);
    expect(result.log).toContain('mona opened the pull request and cannot be asked to review it');
    expect(github.calls().filter((c) => c === 'DELETE issues/remove-label')).toHaveLength(1);

    // A new pull request as a draft.
    repo.pull(existing.number).state = 'closed';
    const draft = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      draft: 'true',
      reviewers: 'alice',
    });
    expectSuccess(draft);
    const created = repo.pull(Number(draft.outputs['number']));
    expect(created.draft).toBe(true);
    expect(created.requestedReviewers).toEqual(['alice']);
  });

  test('auto-merge through GraphQL enablePullRequestAutoMerge, with the merge method, pinned to the tested head', async () => {
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'auto-merge': 'true',
      'merge-method': 'rebase',
    });
    expectSuccess(result);
    const pull = repo.pull(1);
    expect(pull.autoMerge).toMatchObject({ mergeMethod: 'rebase', expectedHeadOid: repo.branch('integration') });
    expect(pull.autoMerge?.enabledBy.login).toBe('github-actions[bot]');
    github.reset();
    const again = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'auto-merge': 'true',
      'merge-method': 'rebase',
    });
    expect(again.outputs['operation']).toBe('unchanged');
    expect(github.calls()).not.toContain('POST graphql:enablePullRequestAutoMerge');
  });

  test('auto-merge not allowed in the repository → the setting to change', async () => {
    repo.allowAutoMerge = false;
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'auto-merge': 'true',
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('Settings → General → Pull Requests → "Allow auto-merge"');
  });

  test('the branch moved while the manifest was being committed → a clear failure, nothing forced', async () => {
    let moved = '';
    github.intercept('git/create-commit', () => {
      moved = repo.commitFiles(
        'integration',
        { 'score.py': 'def run(x):\n    return {"y": x}\n' },
        'Someone pushed meanwhile',
      );
    });
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(
      /'integration' moved from [0-9a-f]{7} to [0-9a-f]{7} while the release manifest was being committed/,
    );
    expect(result.log).toContain('nothing was forced');
    expect(result.log).toContain('Update is not a fast forward');
    expect(repo.branch('integration')).toBe(moved);
    expect(repo.readFile('integration', 'release/manifest.json')).toBeUndefined();
    expect(repo.pulls.size).toBe(0);
    expect(github.log.find((r) => r.operation === 'git/update-ref')?.requestBody).toMatchObject({ force: false });
  });

  test('integration moved before promotion (an untested commit pushed after the test) → skipped, nothing committed', async () => {
    const untested = repo.commitFiles('integration', { 'score.py': 'def run(x):\n    return None\n' }, 'Untested');
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
      labels: 'promotion',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('skipped');
    // Empty: the workflow's next step reports `staging` on this sha, and it must not be the untested one.
    expect(result.outputs['head-sha']).toBe('');
    expect(result.outputs['manifest-commit']).toBe('');
    expect(result.log).toMatch(
      /'integration' is now at [0-9a-f]{7}, 1 commit beyond the tested commit [0-9a-f]{7}, changing score\.py/,
    );
    expect(repo.branch('integration')).toBe(untested);
    expect(repo.pulls.size).toBe(0);
    expect(github.calls().filter((c) => !c.startsWith('GET'))).toEqual([]);
    expect(result.summary).toContain('Nothing to promote');
  });

  test('the tested commit plus earlier manifest commits only → promoted, fast-forwarded from there', async () => {
    const earlier = repo.commitFiles(
      'integration',
      { 'release/manifest.json': JSON.stringify(manifestFor('6'), null, 2) + '\n' },
      'Release manifest: credit-risk version 6',
    );
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('created');
    const commit = repo.commits.get(result.outputs['manifest-commit'] as string);
    expect(commit?.parents).toEqual([earlier]);
    expect(result.outputs['head-sha']).toBe(result.outputs['manifest-commit']);
  });

  test('integration no longer contains the tested commit (force-pushed) → refused, nothing changed', async () => {
    repo.createBranch('integration', 'main');
    repo.commitFiles('integration', { 'score.py': 'def run(x):\n    return -x\n' }, 'Rewritten history');
    const before = repo.branch('integration');
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/'integration' \([0-9a-f]{7}\) does not contain the tested commit [0-9a-f]{7}/);
    expect(repo.branch('integration')).toBe(before);
    expect(repo.pulls.size).toBe(0);
  });

  test("a manifest of another repository's commit is refused", async () => {
    const result = await promote({
      manifest: writeWorkspaceFile(
        'manifest.json',
        manifestFor('7', { source: { repository: 'someone/fork', commit: stagingSha } }),
      ),
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain("The release manifest's source is someone/fork, not octo-org/ml-service");
    expect(repo.pulls.size).toBe(0);
  });

  test('403 "GitHub Actions is not permitted to create or approve pull requests" → the setting to change', async () => {
    repo.actionsCanCreatePullRequests = false;
    const result = await promote({ manifest: writeWorkspaceFile('manifest.json', manifestFor('7')) });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('Settings → Actions → General → Workflow permissions');
    expect(result.log).toContain('Allow GitHub Actions to create and approve pull requests');
    expect(result.log).toContain('[GitHub: 403 on pulls/create');
    expect(result.outputs['operation']).toBeUndefined();
  });

  test('403 for a read-only GITHUB_TOKEN → the permissions: the job needs', async () => {
    github.addToken(JOB_TOKEN, {
      kind: 'github-token',
      permissions: { contents: 'read', pull_requests: 'read', metadata: 'read' },
    });
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      'manifest-path': 'release/manifest.json',
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain("The job's GITHUB_TOKEN lacks contents: write");
    expect(result.log).toMatch(
      /permissions:%0A {2}contents: write%0A {2}pull-requests: write|permissions:\n {2}contents: write\n {2}pull-requests: write/,
    );
    expect(result.log).toContain('[GitHub: 403 on git/create-blob: "Resource not accessible by integration"');
  });

  test('403 for a GitHub App token without the pull requests permission → what to grant the App', async () => {
    github.addToken(APP_TOKEN, {
      kind: 'app',
      login: 'release-bot',
      permissions: { contents: 'write', metadata: 'read' },
    });
    const result = await promote(
      { manifest: writeWorkspaceFile('manifest.json', manifestFor('7')) },
      { token: APP_TOKEN },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('"Pull requests: Read-only"');
    expect(result.log).toContain('permission-pull-requests: read');
  });

  test('422 from GitHub → explained (reviewers who are not collaborators)', async () => {
    const result = await promote({
      manifest: writeWorkspaceFile('manifest.json', manifestFor('7')),
      reviewers: 'mallory',
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('Reviews may only be requested from collaborators');
    expect(result.log).toContain('teams are given by slug');
    expect(result.log).toContain('[GitHub: 422 on pulls/request-reviewers');
  });

  test('a GitHub App installation token: recognised, its checks run at once', async () => {
    const result = await promote(
      { manifest: writeWorkspaceFile('manifest.json', manifestFor('7')) },
      { token: APP_TOKEN },
    );
    expectSuccess(result);
    expect(result.outputs['token-kind']).toBe('app-installation');
    expect(repo.pull(1).user.login).toBe('release-bot[bot]');
    expect(result.summary).toContain('a GitHub App installation token (release-bot\\[bot\\])');
    expect(result.summary).toContain('start at once');
    expect(result.summary).not.toContain('Approve workflows to run');
  });

  test('personal access tokens: fine-grained and classic are told apart', async () => {
    const fine = await promote({ manifest: writeWorkspaceFile('manifest.json', manifestFor('7')) }, { token: PAT });
    expectSuccess(fine);
    expect(fine.outputs['token-kind']).toBe('fine-grained-pat');
    expect(fine.summary).toContain('acts as a person (mona)');
    repo.pull(1).state = 'closed';
    const classic = await promote(
      { manifest: writeWorkspaceFile('manifest.json', manifestFor('7')) },
      { token: CLASSIC_PAT },
    );
    expectSuccess(classic);
    expect(classic.outputs['token-kind']).toBe('classic-pat');
  });

  test("aml-endpoint-test's manifest output is promoted as is, checked against the deploy outputs", async () => {
    const manifest = releaseManifestFromTest(
      REPORT as unknown as EndpointTestReport,
      {
        repository: REPO,
        commit: stagingSha,
        ref: 'refs/heads/integration',
        runId: '4242',
        runAttempt: 1,
        runUrl: `https://github.com/${REPO}/actions/runs/4242`,
      },
      { name: 'ghcr.io/octo-org/credit-risk', digest: `sha256:${'a'.repeat(64)}` },
    );
    const path = writeWorkspaceFile('release-manifest.json', manifest);
    const result = await promote({
      manifest: join(workspace, path), // the test action's output is an absolute path in the workspace
      model: 'credit-risk',
      'model-version': '7',
      deployment: 'green',
      'manifest-path': 'release/manifest.json',
    });
    expectSuccess(result);
    expect(result.outputs['operation']).toBe('created');
    expect(JSON.parse(repo.readFile('integration', 'release/manifest.json') as string)).toEqual(manifest);

    const mismatch = await promote({ manifest: join(workspace, path), 'model-version': '6' });
    expect(mismatch.exitCode).toBe(1);
    expect(mismatch.log).toContain("Input 'model-version' is '6' but the release manifest records '7'");
  });

  test('a failed staging test is never promoted', async () => {
    const result = await promote({
      model: 'credit-risk',
      'model-version': '7',
      'test-report': writeWorkspaceFile('report.json', { ...REPORT, passed: false, casesPassed: 11 }),
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('records a failed staging test (11/12 cases on green): nothing is promoted');
    expect(github.log).toHaveLength(0);
  });

  test('evidence about another slot than the one deployed is refused', async () => {
    const result = await promote({
      model: 'credit-risk',
      'model-version': '7',
      deployment: 'blue',
      'test-report': writeWorkspaceFile('report.json', REPORT),
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain("The test report is about deployment 'green' but the deploy step deployed 'blue'");
  });
});
