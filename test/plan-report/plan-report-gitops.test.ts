/**
 * The drift loop across the real parts: aml-endpoint-deploy `mode: plan` against the emulated Azure ML (real SDK over
 * HTTPS), its `changes` output fed to plan-report against the loopback GitHub server, as drift.yml chains them. A
 * hand edit of the live endpoint opens the environment's issue with the difference; putting it back closes it.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commentsOf, GitHubServer, issuesOf, registerIssues } from '../github-server/index.ts';
import { DEPLOY, ENDPOINT, startAmlWorld, type AmlWorld } from '../support/aml.ts';
import { runAction } from '../support/run-action.ts';

// Deploys, swaps and plans against the emulator, each a bundled action run as a child process.
jest.setTimeout(180_000);

const TOKEN = 'ghs_jobtoken000000000000000000000000000001';
const REPO = 'octo-org/ml-service';

let world: AmlWorld;
let github: GitHubServer;

beforeAll(async () => {
  world = await startAmlWorld();
  github = await GitHubServer.start();
  registerIssues(github);
  github.addToken(TOKEN, { kind: 'github-token' });
  github.repository(REPO).commitFiles('main', { 'README.md': '# ml-service\n' }, 'Initial commit');
});

afterAll(async () => {
  try {
    github?.assertValid();
  } finally {
    await github?.close();
    await world?.close();
  }
});

/** drift.yml's two steps: the plan, then the report of its changes. */
async function driftCheck(runId: string): Promise<{ changes: unknown[]; drifted: string }> {
  const plan = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1', mode: 'plan' });
  if (plan.exitCode !== 0) throw new Error(`the plan failed:\n${plan.log}`);
  const report = await runAction('plan-report', {
    inputs: { kind: 'drift', plans: `{"staging": ${plan.outputs['changes']}}`, token: TOKEN, repository: REPO },
    github: { apiUrl: github.url, token: TOKEN, repository: REPO, runId, workspace: world.repo },
  });
  if (report.exitCode !== 0) throw new Error(`the report failed:\n${report.log}`);
  return { changes: JSON.parse(plan.outputs['changes'] as string), drifted: report.outputs['drifted'] as string };
}

async function scaleLiveTo(capacity: number): Promise<void> {
  await world.client.onlineDeployments.beginUpdateAndWait(
    'mlops-rg',
    'mlops-ws',
    ENDPOINT,
    'green',
    { sku: { capacity } },
    { updateIntervalInMs: 50 },
  );
}

describe('drift: plan → issue', () => {
  test('no issue while git and the endpoint match; a hand edit opens one; putting it back closes it', async () => {
    expect((await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' })).exitCode).toBe(0);
    // Untested on purpose: this is about drift, not promotion.
    expect((await world.run('aml-endpoint-swap', { deployment: 'green', 'require-tested': 'false' })).exitCode).toBe(0);
    const repo = github.repository(REPO);

    expect(await driftCheck('1')).toEqual({ changes: [], drifted: '' });
    expect(issuesOf(repo)).toEqual([]);

    // Someone scales the live deployment by hand in the portal.
    await scaleLiveTo(3);
    expect(await driftCheck('2')).toEqual({
      changes: [{ path: 'sku.capacity', live: 3, desired: 1 }],
      drifted: 'staging',
    });
    const [issue] = issuesOf(repo);
    expect(issue).toMatchObject({ state: 'open', title: 'Drift: staging differs from git' });
    expect(issue!.body).toContain('| `sku.capacity` | `3` | `1` |');

    await scaleLiveTo(1);
    expect(await driftCheck('3')).toEqual({ changes: [], drifted: '' });
    expect(issuesOf(repo)).toHaveLength(1);
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(commentsOf(repo).map((c) => c.body)).toEqual([expect.stringContaining('matches git again')]);
  });
});

describe('pull request: plan → comment', () => {
  test('the YAML of a pull request against the live endpoint, as one comment on it', async () => {
    const repo = github.repository(REPO);
    repo.commitFiles('bigger', { 'deploy/deployment.yml': 'instance_count: 2\n' }, 'Two instances', 'main');
    const pull = repo.openPullRequest({
      head: 'bigger',
      base: 'main',
      title: 'Two',
      user: github.state.account('mona'),
    });
    // The pull request's checkout: deployment.yml asks for two instances.
    const file = join(world.repo, 'deploy', 'deployment.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('instance_count: 1', 'instance_count: 2'));
    const plan = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1', mode: 'plan' });
    expect(plan.exitCode).toBe(0);
    const eventPath = join(world.repo, 'event.json');
    writeFileSync(eventPath, JSON.stringify({ pull_request: { number: pull.number } }));
    const report = await runAction('plan-report', {
      inputs: {
        kind: 'pull-request',
        plans: `{"staging": ${plan.outputs['changes']}}`,
        token: TOKEN,
        repository: REPO,
      },
      env: { GITHUB_EVENT_PATH: eventPath },
      github: { apiUrl: github.url, token: TOKEN, repository: REPO, eventName: 'pull_request', workspace: world.repo },
    });
    if (report.exitCode !== 0) throw new Error(`the report failed:\n${report.log}`);
    expect(report.outputs['operation']).toBe('created');
    const [comment] = commentsOf(repo).filter((c) => c.issueNumber === pull.number);
    expect(comment!.body).toContain('### staging: 1 change');
    expect(comment!.body).toContain('| `sku.capacity` | `1` | `2` |');
  });
});
