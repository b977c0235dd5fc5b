/**
 * The promotion logic: the pure planning helpers, and openPromotionPullRequest in-process against the loopback
 * GitHub server (real Octokit over HTTP; every request and response validated by GitHub's OpenAPI description).
 */
import { afterEach, beforeEach, describe, expect, jest, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubServer, type Repository } from '../../../../test/github-server/index.ts';
import {
  fillTemplate,
  openPromotionPullRequest,
  planAssignees,
  planLabels,
  planReviewers,
  promotionSummary,
  requiredJobPermissions,
  resolvePromotionManifest,
  type PromotionOptions,
} from '../../src/github/index.ts';
import { EVIDENCE_END, EVIDENCE_START, type ReleaseManifest } from '../../src/release-manifest.ts';

// Each test starts a server; the first compiles the OpenAPI validators and builds GitHub's GraphQL schema (seconds).
jest.setTimeout(60_000);

const TOKEN = 'ghs_job00000000000000000000000000000000000';
const MANIFEST: ReleaseManifest = {
  schema: 1,
  model: { name: 'fraud', version: '8' },
  source: { repository: 'octo-org/ml-service', commit: 'e'.repeat(40) },
  evidence: {
    endpoint: 'fraud-staging',
    deployment: 'blue',
    passed: true,
    casesPassed: 3,
    casesTotal: 3,
    testedAt: '2026-11-21T10:00:00.000Z',
  },
  createdAt: '2026-11-22T09:00:00.000Z',
};

describe('planning', () => {
  it('labels: add the missing, remove the present, case-insensitively; adding wins over removing', () => {
    expect(
      planLabels(
        ['Promotion', 'staging-failed', 'keep'],
        ['promotion', 'ready', ''],
        ['STAGING-FAILED', 'absent', 'ready'],
      ),
    ).toEqual({
      add: ['ready'],
      remove: ['staging-failed'],
    });
  });

  it('reviewers: not the author, not those already asked; team slugs with or without the org', () => {
    const pull = { author: { login: 'mona', type: 'User' }, requestedReviewers: ['alice'], requestedTeams: ['ops'] };
    expect(planReviewers(pull, ['alice', 'Mona', 'bob', 'bob'], ['octo-org/ml', 'ops'])).toEqual({
      reviewers: ['bob'],
      teams: ['ml'],
      skippedAuthor: true,
    });
  });

  it('assignees, templates and the permissions a run needs', () => {
    expect(planAssignees(['Bob'], ['bob', 'carol'])).toEqual(['carol']);
    expect(fillTemplate('Promote {model} v{version} ({model})', MANIFEST)).toBe('Promote fraud v8 (fraud)');
    expect(requiredJobPermissions({})).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(requiredJobPermissions({ manifestPath: 'release/m.json' })).toEqual({
      contents: 'write',
      'pull-requests': 'write',
    });
    expect(requiredJobPermissions({ autoMerge: 'squash' }).contents).toBe('write');
  });
});

describe('the release manifest source', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads a manifest file from the workspace, or inline JSON, and checks it against model inputs', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'ws-'));
    process.env['GITHUB_WORKSPACE'] = workspace;
    writeFileSync(join(workspace, 'm.json'), JSON.stringify(MANIFEST));
    expect(resolvePromotionManifest({ manifest: 'm.json' })).toEqual(MANIFEST);
    expect(resolvePromotionManifest({ manifest: JSON.stringify(MANIFEST), model: 'fraud', modelVersion: '8' })).toEqual(
      MANIFEST,
    );
    expect(() => resolvePromotionManifest({ manifest: 'm.json', modelVersion: '9' })).toThrow(
      /Input 'model-version' is '9' but the release manifest records '8'/,
    );
    expect(() => resolvePromotionManifest({ manifest: '/etc/passwd' })).toThrow(/outside the workspace/);
    expect(() => resolvePromotionManifest({ manifest: 'missing.json' })).toThrow(/cannot be read/);
  });

  it('takes the model from the test report, and refuses inputs or a manifest that disagree with what was tested', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'ws-'));
    Object.assign(process.env, {
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'octo-org/ml-service',
      GITHUB_SHA: 'f'.repeat(40),
    });
    const report = {
      endpoint: 'fraud-staging',
      deployment: 'blue',
      model: { name: 'fraud', version: '8', id: 'azureml:fraud:8' },
      environmentId: 'azureml:sklearn:3',
      passed: true,
      casesPassed: 3,
      casesTotal: 3,
      testedAt: '2026-11-21T10:00:00.000Z',
    };
    writeFileSync(join(workspace, 'report.json'), JSON.stringify(report));
    const manifest = resolvePromotionManifest({ testReport: 'report.json' });
    expect(manifest.model).toEqual({ name: 'fraud', version: '8', id: 'azureml:fraud:8' });
    expect(manifest.environment).toEqual({ id: 'azureml:sklearn:3' });
    expect(manifest.evidence?.casesPassed).toBe(3);
    expect(() => resolvePromotionManifest({ testReport: 'report.json', modelVersion: '7' })).toThrow(
      /Input 'model-version' is '7' but deployment 'blue' that was tested runs '8'/,
    );
    writeFileSync(join(workspace, 'm.json'), JSON.stringify(MANIFEST));
    expect(() => resolvePromotionManifest({ manifest: 'm.json', deployment: 'green' })).toThrow(
      /Input 'deployment' is 'green' but the release manifest records 'blue'/,
    );
  });

  it('builds one from the deploy outputs and the run, and names what is missing', () => {
    Object.assign(process.env, {
      GITHUB_REPOSITORY: 'octo-org/ml-service',
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_RUN_ID: '9',
      GITHUB_SERVER_URL: 'https://github.com',
    });
    const manifest = resolvePromotionManifest({ model: 'fraud', modelVersion: '8' });
    expect(manifest.source).toMatchObject({ repository: 'octo-org/ml-service', commit: 'f'.repeat(40) });
    expect(manifest.run?.url).toBe('https://github.com/octo-org/ml-service/actions/runs/9');
    expect(manifest.evidence).toBeUndefined();
    expect(() => resolvePromotionManifest({ modelVersion: '8' })).toThrow(/Input 'model' is required/);
    expect(() => resolvePromotionManifest({ model: 'fraud' })).toThrow(/Input 'model-version' is required/);
  });
});

describe('openPromotionPullRequest against the loopback GitHub server', () => {
  let github: GitHubServer;
  let repo: Repository;
  let lines: string[];
  /** The release this run promotes: MANIFEST, of integration's tested tip. */
  let tested: ReleaseManifest;
  const options = (extra: Partial<PromotionOptions> = {}): PromotionOptions => ({
    token: TOKEN,
    jobToken: TOKEN,
    repository: 'octo-org/ml-service',
    head: 'integration',
    base: 'main',
    manifest: tested,
    apiUrl: github.url,
    graphqlUrl: github.graphqlUrl,
    serverUrl: 'https://github.com',
    log: (line) => lines.push(line),
    ...extra,
  });

  beforeEach(async () => {
    lines = [];
    github = await GitHubServer.start();
    github.addToken(TOKEN, { kind: 'github-token' });
    repo = github.repository('octo-org/ml-service');
    repo.commitFiles('main', { 'a.txt': '1' }, 'Initial');
    const commit = repo.commitFiles('integration', { 'a.txt': '2' }, 'Change', 'main');
    tested = { ...MANIFEST, source: { ...MANIFEST.source, commit } };
  });
  afterEach(async () => {
    try {
      github.assertValid();
    } finally {
      await github.close();
    }
  });

  it('updates the pull request another run opened meanwhile instead of failing', async () => {
    github.intercept('pulls/create', () => {
      repo.openPullRequest({
        head: 'integration',
        base: 'main',
        title: 'Opened by a concurrent run',
        user: github.state.account('github-actions[bot]'),
      });
    });
    const result = await openPromotionPullRequest(options());
    expect(result.operation).toBe('updated');
    expect(result.number).toBe(1);
    expect(repo.pull(1).title).toBe('Opened by a concurrent run');
    expect(repo.pull(1).body).toContain(EVIDENCE_START);
    expect(lines.join('\n')).toContain('opened meanwhile by another run');
    expect(github.calls()).toEqual([
      'GET pulls/list',
      'GET git/get-ref',
      'GET repos/compare-commits-with-basehead',
      'POST pulls/create',
      'GET pulls/list',
      'PATCH pulls/update',
    ]);
  });

  it('rewrites a hand-edited evidence section that no longer parses, keeping the rest', async () => {
    repo.openPullRequest({
      head: 'integration',
      base: 'main',
      title: 'Mine',
      body: `Top\n${EVIDENCE_START}\nsomeone typed here\n${EVIDENCE_END}\nBottom`,
      user: github.state.account('mona'),
    });
    const result = await openPromotionPullRequest(options());
    expect(result.operation).toBe('updated');
    const body = repo.pull(1).body as string;
    expect(body.startsWith(`Top\n${EVIDENCE_START}\n## Staging evidence`)).toBe(true);
    expect(body.endsWith(`${EVIDENCE_END}\nBottom`)).toBe(true);
  });

  it('keeps the recorded manifest of an existing pull request when it is the same release (no manifest path)', async () => {
    expect((await openPromotionPullRequest(options())).operation).toBe('created');
    const again = await openPromotionPullRequest(
      options({ manifest: { ...tested, createdAt: '2030-01-01T00:00:00.000Z' } }),
    );
    expect(again.operation).toBe('unchanged');
    expect(again.manifest.createdAt).toBe(MANIFEST.createdAt);
  });

  it('refuses a missing head branch, head equal to base, and a failed test, before changing anything', async () => {
    await expect(openPromotionPullRequest(options({ head: 'nope' }))).rejects.toThrow(
      "The head branch 'nope' does not exist in octo-org/ml-service",
    );
    await expect(openPromotionPullRequest(options({ head: 'main' }))).rejects.toThrow(
      "'head' and 'base' are both 'main'",
    );
    await expect(
      openPromotionPullRequest(
        options({ manifest: { ...tested, evidence: { ...MANIFEST.evidence!, passed: false } } }),
      ),
    ).rejects.toThrow('failed staging test');
    expect(repo.pulls.size).toBe(0);
  });

  it('auto-merge: refused with draft, left off (with a note) on an existing draft', async () => {
    await expect(openPromotionPullRequest(options({ draft: true, autoMerge: 'squash' }))).rejects.toThrow(
      "Input 'auto-merge' and 'draft' are both set",
    );
    repo.openPullRequest({
      head: 'integration',
      base: 'main',
      title: 'Draft',
      user: github.state.account('mona'),
      draft: true,
    });
    const result = await openPromotionPullRequest(options({ autoMerge: 'squash' }));
    expect(repo.pull(1).autoMerge).toBeNull();
    expect(result.changes).not.toContainEqual(expect.stringContaining('auto-merge'));
    expect(lines.join('\n')).toContain('#1 is a draft, and GitHub does not enable auto-merge on drafts');
  });

  it('treats an invalid production manifest as absent, with a warning', async () => {
    repo.commitFiles('main', { 'release/manifest.json': '{ not json' }, 'Broken manifest');
    repo.createBranch('integration', 'main');
    const commit = repo.commitFiles('integration', { 'a.txt': '3' }, 'Change again');
    tested = { ...tested, source: { ...tested.source, commit } };
    const result = await openPromotionPullRequest(options({ manifestPath: 'release/manifest.json' }));
    expect(result.operation).toBe('created');
    expect(result.production).toBeUndefined();
    expect(lines.join('\n')).toMatch(
      /Warning: release\/manifest.json on main:1:3 is not valid JSON .* It is treated as absent/,
    );
  });

  it('summarises what it did, what changes in production and what the token means', async () => {
    repo.commitFiles(
      'main',
      {
        'release/manifest.json': JSON.stringify({
          ...MANIFEST,
          model: { name: 'fraud', version: '7' },
          source: { ...MANIFEST.source, commit: 'd'.repeat(40) },
        }),
      },
      'Production manifest',
    );
    repo.createBranch('integration', 'main');
    const commit = repo.commitFiles('integration', { 'a.txt': '4' }, 'Change');
    tested = { ...tested, source: { ...tested.source, commit } };
    const result = await openPromotionPullRequest(
      options({ manifestPath: 'release/manifest.json', labels: ['promotion'] }),
    );
    const markdown = promotionSummary(result).markdown();
    expect(markdown).toContain('## 🚀 Promotion pull request opened: #1');
    expect(markdown).toContain('| model.version | `7` | `8` |');
    expect(markdown).toContain(`| source.commit | \`ddddddd\` | \`${commit.slice(0, 7)}\` |`);
    expect(markdown).toContain('- added label promotion');
    expect(markdown).toContain('Approve workflows to run');
    expect(markdown).toContain(`| GitHub requests | ${result.requests} |`);
    expect(result.requests).toBe(github.log.length);
  });
});
