/**
 * The release command (scripts/release.ts, run by .github/workflows/release.yml) against the loopback GitHub server:
 * a draft, then published (GitHub creates vX.Y.Z at the commit), then the major tag vX created or moved; a version
 * already released, one that would move vX back, or one the changelog does not describe is refused before any change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GitHubServer, type Repository } from '../github-server/index.ts';
import { registerReleases, releasesOf } from '../github-server/releases.ts';
import { REPO_ROOT } from '../support/run-action.ts';

const TOKEN = 'ghs_release0123456789abcdefghijklmnopqrstu';
const CHANGELOG = [
  '# Changelog',
  '',
  '## Unreleased',
  '',
  '## v1.1.0',
  '',
  '- `hold-at` for canaries.',
  '',
  '## v1.0.0',
  '',
  '- The first release.',
  '',
].join('\n');

let github: GitHubServer;
let repo: Repository;
let workspace: string;

beforeAll(async () => {
  github = await GitHubServer.start();
  registerReleases(github);
  github.addToken(TOKEN, { kind: 'github-token', permissions: { contents: 'write', metadata: 'read' } });
  repo = github.repository('octo-org/mlops-actions');
  repo.extensions.set('immutable-releases', true);
  workspace = mkdtempSync(join(tmpdir(), 'release-'));
  writeFileSync(join(workspace, 'CHANGELOG.md'), CHANGELOG);
});

afterEach(() => {
  github.assertValid();
  github.reset();
});

afterAll(async () => {
  rmSync(workspace, { recursive: true, force: true });
  await github?.close();
});

/** Runs the command as the workflow does, in a child process (the server answers from this one meanwhile). */
function release(version: string, sha: string): Promise<{ exitCode: number | null; output: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'release.ts'), '--version', version], {
    env: {
      PATH: process.env['PATH'],
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: repo.fullName,
      GITHUB_SHA: sha,
      GITHUB_API_URL: github.url,
      GITHUB_WORKSPACE: workspace,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

const writes = () => github.calls().filter((call) => !call.startsWith('GET '));
const tag = (name: string) => repo.refs.get(`tags/${name}`);

describe('release', () => {
  let first: string;
  let second: string;

  it('publishes v1.0.0 from a draft with the changelog as notes, and creates v1 at the same commit', async () => {
    first = repo.commitFiles('main', { 'README.md': '# mlops-actions\n' });
    const result = await release('1.0.0', first);
    expect(result.output).toContain('release: v1.0.0 and v1 → ' + first);
    expect(result.exitCode).toBe(0);
    expect(writes()).toEqual(['POST repos/create-release', 'PATCH repos/update-release', 'POST git/create-ref']);
    const created = github.log.find((r) => r.operation === 'repos/create-release');
    expect(created?.requestBody).toMatchObject({ tag_name: 'v1.0.0', target_commitish: first, draft: true });
    expect(releasesOf(repo)).toEqual([
      expect.objectContaining({ tag: 'v1.0.0', draft: false, body: '- The first release.' }),
    ]);
    expect(tag('v1.0.0')).toBe(first);
    expect(tag('v1')).toBe(first);
  });

  it('refuses the same version again, changing nothing', async () => {
    const result = await release('1.0.0', first);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('v1.0.0 is already released: a release is never replaced');
    expect(writes()).toEqual([]);
  });

  it('moves v1 to the next release and leaves the earlier (immutable) tag where it was', async () => {
    second = repo.commitFiles('main', { 'CHANGELOG.md': CHANGELOG });
    const result = await release('1.1.0', second);
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('Moved v1 → ' + second);
    expect(writes()).toEqual(['POST repos/create-release', 'PATCH repos/update-release', 'PATCH git/update-ref']);
    expect(tag('v1.1.0')).toBe(second);
    expect(tag('v1.0.0')).toBe(first);
    expect(tag('v1')).toBe(second);
  });

  it('refuses a version below a release of the same major (v1 would move back)', async () => {
    const result = await release('1.0.1', first);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('v1.1.0 is newer than v1.0.1: releasing it would move v1 back');
    expect(writes()).toEqual([]);
  });

  it('refuses a version the changelog has no section for, and a version that is not X.Y.Z', async () => {
    const missing = await release('2.0.0', second);
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toContain("CHANGELOG.md has no section for v2.0.0: add '## v2.0.0'");
    const bad = await release('2.0', second);
    expect(bad.exitCode).toBe(1);
    expect(bad.output).toContain("Version '2.0' is not X.Y.Z");
    expect(writes()).toEqual([]);
  });

  it('publishes the draft an interrupted run left instead of drafting a second one', async () => {
    writeFileSync(join(workspace, 'CHANGELOG.md'), `${CHANGELOG}\n## v2.0.0\n\n- Breaking: node24 only.\n`);
    const third = repo.commitFiles('main', { 'a.txt': 'a\n' });
    releasesOf(repo).push({
      id: 1,
      tag: 'v2.0.0',
      target: third,
      name: 'v2.0.0',
      body: '',
      draft: true,
      prerelease: false,
      author: github.state.account('github-actions[bot]'),
      createdAt: '2026-01-01T00:00:00Z',
      publishedAt: null,
    });
    const result = await release('2.0.0', third);
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('Reusing the draft release v2.0.0');
    expect(writes()).toEqual(['PATCH repos/update-release', 'POST git/create-ref']);
    expect(releasesOf(repo).filter((r) => r.tag === 'v2.0.0')).toEqual([
      expect.objectContaining({ draft: false, body: '- Breaking: node24 only.' }),
    ]);
    expect(tag('v2')).toBe(third);
  });
});

describe('the release workflow', () => {
  const workflow = parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', 'release.yml'), 'utf8'));
  const runs: string[] = workflow.jobs.release.steps.map((step: { run?: string }) => step.run ?? '');

  it('is run by hand with a version, from main only', () => {
    expect(workflow.on.workflow_dispatch.inputs.version.required).toBe(true);
    expect(workflow.jobs.release.if).toBe("github.ref == 'refs/heads/main'");
  });

  it('checks that dist is current and the tests pass before it releases', () => {
    const releaseAt = runs.findIndex((run) => run.includes('npm run release'));
    expect(releaseAt).toBeGreaterThan(runs.indexOf('npm run check-dist'));
    expect(releaseAt).toBeGreaterThan(runs.indexOf('npm test'));
    expect(runs.indexOf('npm run check-dist')).toBeGreaterThan(-1);
  });
});
