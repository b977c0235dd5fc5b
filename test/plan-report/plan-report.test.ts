/**
 * plan-report end to end: the bundled action, run as the runner runs it, against the loopback GitHub server (REST
 * validated by GitHub's OpenAPI description). The plan comment of a pull request is created, then edited in place;
 * a drift issue is opened, updated while the drift lasts, closed when the endpoint matches git, and reopened.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commentsOf, GitHubServer, issuesOf, registerIssues, type Repository } from '../github-server/index.ts';
import { leakedSecrets, runAction, type RunResult } from '../support/run-action.ts';

// Each test starts a server and runs the bundled action as a child process: slower than jest's 5 s default.
jest.setTimeout(60_000);

const JOB_TOKEN = 'ghs_jobtoken000000000000000000000000000001';
const READ_ONLY_TOKEN = 'ghs_readonly000000000000000000000000000002';
const REPO = 'octo-org/ml-service';
const HEAD_SHA = 'c0ffee0000000000000000000000000000000001';

const instanceType = { path: 'properties.instanceType', live: 'Standard_DS2_v2', desired: 'Standard_DS3_v2' };
const variables = {
  path: 'properties.environmentVariables',
  live: { API_KEY: 'sk-live-secret-value' },
  desired: { API_KEY: 'sk-git-secret-value' },
};

let github: GitHubServer;
let repo: Repository;
let workspace: string;

async function report(
  inputs: Record<string, string>,
  options: { token?: string; event?: unknown; runId?: string } = {},
): Promise<RunResult> {
  const eventPath = join(workspace, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.event ?? {}));
  const result = await runAction('plan-report', {
    inputs: { token: options.token ?? JOB_TOKEN, repository: REPO, ...inputs },
    env: { GITHUB_EVENT_PATH: eventPath },
    github: {
      apiUrl: github.url,
      token: JOB_TOKEN,
      repository: REPO,
      sha: HEAD_SHA,
      eventName: options.event ? 'pull_request' : 'schedule',
      runId: options.runId ?? '100',
      workspace,
    },
  });
  expect(leakedSecrets(result, [JOB_TOKEN, READ_ONLY_TOKEN])).toEqual([]);
  return result;
}

function expectSuccess(result: RunResult): void {
  if (result.exitCode !== 0) throw new Error(`the action failed:\n${result.log}`);
}

beforeEach(async () => {
  github = await GitHubServer.start();
  registerIssues(github);
  github.addToken(JOB_TOKEN, { kind: 'github-token' });
  github.addToken(READ_ONLY_TOKEN, { kind: 'github-token', permissions: { contents: 'read', metadata: 'read' } });
  repo = github.repository(REPO);
  repo.commitFiles('main', { 'README.md': '# ml-service\n' }, 'Initial commit');
  repo.commitFiles(
    'change-instance',
    { 'examples/deployment.yml': 'instance_type: Standard_DS3_v2\n' },
    'Bigger',
    'main',
  );
  workspace = mkdtempSync(join(tmpdir(), 'plan-report-'));
});

afterEach(async () => {
  try {
    github.assertValid();
  } finally {
    await github.close();
  }
});

describe('plan-report kind: pull-request', () => {
  test('one comment: created on the first run, edited in place on the next, left alone when it says the same', async () => {
    const pull = repo.openPullRequest({
      head: 'change-instance',
      base: 'main',
      title: 'Bigger instances',
      user: github.state.account('mona'),
    });
    // People's comments stay untouched, and one that starts with the marker is not taken for the plan.
    const byAlice = (id: number, body: string) => ({
      id,
      issueNumber: pull.number,
      body,
      user: github.state.account('alice'),
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
    commentsOf(repo).push(
      byAlice(1, 'Looks good to me'),
      byAlice(2, '<!-- mlops-actions:plan -->\n## Deployment plan\n\nMerging changes no live endpoint setting.'),
    );
    const event = { pull_request: { number: pull.number, head: { sha: HEAD_SHA } } };
    const first = await report(
      { kind: 'pull-request', plans: JSON.stringify({ staging: [instanceType, variables], production: [] }) },
      { event },
    );
    expectSuccess(first);
    expect(first.outputs['operation']).toBe('created');
    const plans = () =>
      commentsOf(repo).filter((c) => c.body.startsWith('<!-- mlops-actions:plan -->') && c.user.type === 'Bot');
    expect(plans()).toHaveLength(1);
    const comment = plans()[0]!;
    expect(first.outputs['comment-url']).toBe(
      `https://github.com/${REPO}/pull/${pull.number}#issuecomment-${comment.id}`,
    );
    expect(comment.user.login).toBe('github-actions[bot]');
    expect(comment.body).toContain('### staging: 2 changes');
    expect(comment.body).toContain('### production: no change');
    expect(comment.body).toContain('`properties.environmentVariables.API_KEY` | value differs (hidden)');
    expect(comment.body).not.toContain('secret-value');
    expect(first.log).not.toContain('secret-value');

    const second = await report(
      { kind: 'pull-request', plans: JSON.stringify({ staging: [instanceType], production: [instanceType] }) },
      { event },
    );
    expectSuccess(second);
    expect(second.outputs['operation']).toBe('updated');
    expect(plans()).toHaveLength(1);
    expect(plans()[0]!.id).toBe(comment.id);
    expect(plans()[0]!.body).toContain('### production: 1 change');
    expect(commentsOf(repo).find((c) => c.id === 1)?.body).toBe('Looks good to me');
    expect(commentsOf(repo).find((c) => c.id === 2)?.body).toContain('Merging changes no live endpoint setting.');

    github.reset();
    const third = await report(
      { kind: 'pull-request', plans: JSON.stringify({ staging: [instanceType], production: [instanceType] }) },
      { event },
    );
    expectSuccess(third);
    expect(third.outputs['operation']).toBe('unchanged');
    expect(github.calls()).toEqual(['GET issues/list-comments']);
  });

  test('a token without pull-requests or issues write: GitHub refuses, the step fails saying so', async () => {
    const pull = repo.openPullRequest({
      head: 'change-instance',
      base: 'main',
      title: 't',
      user: github.state.account('mona'),
    });
    const result = await report(
      { kind: 'pull-request', plans: JSON.stringify({ staging: [instanceType] }) },
      { token: READ_ONLY_TOKEN, event: { pull_request: { number: pull.number } } },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toMatch(/403|not accessible/i);
    expect(commentsOf(repo)).toEqual([]);
  });

  test('bad plans are refused before any call to GitHub', async () => {
    const notJson = await report({ kind: 'pull-request', plans: '{"staging": }', 'pull-request': '1' });
    expect(notJson.exitCode).not.toBe(0);
    expect(notJson.errors.join('\n')).toContain("Input 'plans' is not valid JSON");
    const badName = await report({ kind: 'pull-request', plans: '{"prod -->": []}', 'pull-request': '1' });
    expect(badName.errors.join('\n')).toContain('prod -->: is not an environment name');
    const noPull = await report({ kind: 'pull-request', plans: '{"staging": []}' });
    expect(noPull.errors.join('\n')).toContain("Input 'pull-request' is not set");
    expect(github.log).toEqual([]);
  });
});

describe('plan-report kind: drift', () => {
  const drift = (plans: Record<string, unknown[]>, runId: string) =>
    report({ kind: 'drift', plans: JSON.stringify(plans) }, { runId });
  const driftIssues = (environment: string) =>
    issuesOf(repo).filter((i) => i.body?.startsWith(`<!-- mlops-actions:drift:${environment} -->`));

  test('opened while it drifts, updated, closed when git and the endpoint match, reopened when it drifts again', async () => {
    // A pull request holds issue number 1: issues and pull requests share numbers, and the list holds both.
    repo.openPullRequest({ head: 'change-instance', base: 'main', title: 't', user: github.state.account('mona') });

    const opened = await drift({ staging: [instanceType], production: [] }, '101');
    expectSuccess(opened);
    expect(driftIssues('production')).toEqual([]);
    const [issue] = driftIssues('staging');
    expect(issue).toMatchObject({
      number: 2,
      state: 'open',
      title: 'Drift: staging differs from git',
      labels: ['drift'],
    });
    expect(issue!.body).toContain('## staging: 1 change');
    expect(issue!.body).toContain('actions/runs/101');
    expect(JSON.parse(opened.outputs['issues']!)).toEqual({
      staging: { action: 'create', number: 2, url: `https://github.com/${REPO}/issues/2` },
      production: { action: 'none' },
    });
    expect(opened.outputs['drifted']).toBe('staging');

    const updated = await drift({ staging: [instanceType, variables], production: [] }, '102');
    expectSuccess(updated);
    expect(driftIssues('staging')).toHaveLength(1);
    expect(issue!.body).toContain('## staging: 2 changes');
    expect(issue!.body).toContain('actions/runs/102');
    expect(issue!.body).not.toContain('secret-value');
    expect(JSON.parse(updated.outputs['issues']!).staging.action).toBe('update');

    const closed = await drift({ staging: [], production: [] }, '103');
    expectSuccess(closed);
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    const resolved = commentsOf(repo).filter((c) => c.issueNumber === 2);
    expect(resolved.map((c) => c.body)).toEqual([expect.stringContaining('matches git again: closing')]);
    expect(closed.outputs['drifted']).toBe('');

    github.reset();
    const quiet = await drift({ staging: [] }, '104');
    expectSuccess(quiet);
    expect(github.calls()).toEqual(['GET issues/list-for-repo']);

    const reopened = await drift({ staging: [instanceType] }, '105');
    expectSuccess(reopened);
    expect(driftIssues('staging')).toHaveLength(1);
    expect(issue).toMatchObject({ state: 'open', stateReason: 'reopened' });
    expect(issue!.body).toContain('actions/runs/105');
    expect(
      commentsOf(repo)
        .filter((c) => c.issueNumber === 2)
        .at(-1)?.body,
    ).toContain('The drift is back');
    expect(JSON.parse(reopened.outputs['issues']!).staging.action).toBe('reopen');
    expect(reopened.summary).toContain('[#2]');
  });

  test('the issue is found page by page, newest first, reading no further than it', async () => {
    const peoplesIssues = (count: number) => {
      for (let i = 0; i < count; i++)
        issuesOf(repo).push({
          number: repo.takeNumber(),
          id: 50_000 + repo.pulls.size + issuesOf(repo).length,
          title: `question ${i}`,
          body: 'How do I deploy?',
          state: 'open',
          stateReason: null,
          labels: [],
          user: github.state.account('alice'),
          createdAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
          closedAt: null,
        });
    };
    const listCalls = () => github.calls().filter((call) => call === 'GET issues/list-for-repo').length;
    peoplesIssues(150);
    expectSuccess(await drift({ staging: [instanceType] }, '201'));
    expect(listCalls()).toBe(2); // no drift issue yet: both pages read
    github.reset();
    expectSuccess(await drift({ staging: [instanceType] }, '202'));
    expect(listCalls()).toBe(1); // the newest issue: the first page is enough
    peoplesIssues(150);
    github.reset();
    const third = await drift({ staging: [instanceType] }, '203');
    expectSuccess(third);
    expect(listCalls()).toBe(2); // 150 newer issues: found on the second page, updated, not duplicated
    expect(JSON.parse(third.outputs['issues']!).staging.action).toBe('update');
    expect(driftIssues('staging')).toHaveLength(1);
    expect(driftIssues('staging')[0]!.body).toContain('actions/runs/203');
  });
});
