/**
 * The hostile-input suite, open-promotion-pr and build-container: a release manifest whose every free-text field
 * carries runner commands and markup (and a javascript: run link), against the loopback GitHub server; secrets in
 * build-container's inputs. The pull request body and the summary must render none of it; no secret may show. The
 * first test proves the scan itself catches raw output.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVIDENCE_END } from '../../packages/core/src/release-manifest.ts';
import { GitHubServer, type Repository } from '../github-server/index.ts';
import { runAction, type RunResult } from '../support/run-action.ts';
import { CLEAN, COMMANDS, HOSTILE, MARKUP, renderedMarkup, scan } from './hostile.ts';

const JOB_TOKEN = 'ghs_jobtoken000000000000000000000000000001';
const REPO = 'octo-org/ml-service';

let github: GitHubServer;
let repo: Repository;
let workspace: string;
/** The integration head staging tested: the commit the manifest names. */
let testedSha: string;

beforeAll(async () => {
  github = await GitHubServer.start();
  github.addToken(JOB_TOKEN, { kind: 'github-token' });
  repo = github.repository(REPO);
  repo.commitFiles('main', { 'README.md': '# ml-service\n' }, 'Initial commit');
  testedSha = repo.commitFiles('integration', { 'score.py': 'def run(x):\n    return x\n' }, 'Change', 'main');
  workspace = mkdtempSync(join(tmpdir(), 'hostile-workspace-'));
});

afterAll(async () => {
  await github?.close();
});

describe('the scan', () => {
  it('catches crafted commands printed raw and crafted markup rendered raw', () => {
    const raw = { log: `ok\n${COMMANDS}`, outputs: {}, summary: MARKUP } as unknown as RunResult;
    const found = scan(raw, ['s3cret-value'], []);
    expect(found.injected.length).toBeGreaterThanOrEqual(6);
    expect(found.rendered).toEqual(
      expect.arrayContaining([
        '<img src="https://tracker.example/p.gif">',
        'link to https://phish.example/login',
        'link to https://phish.example/autolink',
      ]),
    );
    expect(scan({ ...raw, summary: 'key s3cret-value' }, ['s3cret-value']).leaked).toEqual(['s3cret-value']);
  });
});

describe('open-promotion-pr with a crafted release manifest', () => {
  it('the pull request body and the summary render none of it', async () => {
    const manifest = {
      schema: 1,
      model: { name: `fraud ${HOSTILE}`, version: '7 ``` </details>', id: MARKUP },
      environment: { name: MARKUP, version: '1', image: 'img`` <img src=x>' },
      image: { name: `ghcr.io/x/y ${MARKUP}`, digest: `sha256:${'b'.repeat(64)}` },
      source: {
        repository: REPO,
        commit: testedSha,
        ref: `refs/heads/integration <!-- mlops-actions:evidence:end -->`,
      },
      evidence: {
        endpoint: MARKUP,
        deployment: `green\n${COMMANDS}`,
        passed: true,
        casesPassed: 1,
        casesTotal: 1,
        testedAt: '2025-03-01T10:00:00.000Z',
      },
      run: { url: 'javascript:alert(document.cookie)', id: `4242 ${MARKUP}` },
      createdAt: '2025-03-01T10:05:00.000Z',
    };
    writeFileSync(join(workspace, 'manifest.json'), JSON.stringify(manifest));
    const result = await runAction('open-promotion-pr', {
      inputs: { manifest: 'manifest.json', token: JOB_TOKEN },
      github: {
        apiUrl: github.url,
        graphqlUrl: github.graphqlUrl,
        token: JOB_TOKEN,
        repository: REPO,
        sha: testedSha,
        workspace,
      },
    });
    if (result.exitCode !== 0) throw new Error(result.log);
    expect(scan(result, [JOB_TOKEN])).toEqual(CLEAN);
    const body = repo.pull(1).body ?? '';
    expect(renderedMarkup(body)).toEqual([]);
    // The manifest reads back whole from the body: no value closed its fence or forged the end marker.
    expect(body.split(EVIDENCE_END)).toHaveLength(2);
    const json = /```json\n([\s\S]*?)\n```/.exec(body)?.[1] ?? '';
    expect(JSON.parse(json)).toMatchObject({ model: manifest.model, run: manifest.run });
  });
});

describe('build-container with secrets in its inputs', () => {
  it('a secrets line without a key is refused without being shown', async () => {
    const secret = 'ghp_pastedWithoutItsKey0000000000000000001';
    const result = await runAction('build-container', {
      inputs: { image: 'ml-service', secrets: `NPM_TOKEN=npm_ok000000000000000000001\n${secret}` },
      github: { workspace },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain("Input 'secrets' has line 2 (not shown: it may hold a secret)");
    expect(scan(result, [secret, 'npm_ok000000000000000000001'])).toEqual(CLEAN);
  });

  it('an image name with commands and markup is refused with an annotation that cannot inject', async () => {
    const result = await runAction('build-container', {
      inputs: { image: `x\n${COMMANDS}\n${MARKUP}`, push: 'false' },
      github: { workspace },
    });
    expect(result.exitCode).not.toBe(0);
    expect(scan(result, [])).toEqual(CLEAN);
  });
});
