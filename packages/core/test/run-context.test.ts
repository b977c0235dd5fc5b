import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runContext } from '../src/run-context.ts';

function eventFile(event: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'run-context-')), 'event.json');
  writeFileSync(path, JSON.stringify(event));
  return path;
}

const BASE = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'octo-org/fraud-model',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_REF: 'refs/heads/main',
};

describe('runContext', () => {
  it('push: the runner sha and ref, and the run URL', () => {
    expect(runContext({ ...BASE, GITHUB_EVENT_NAME: 'push' })).toEqual({
      repository: 'octo-org/fraud-model',
      commit: 'a'.repeat(40),
      ref: 'refs/heads/main',
      runId: '42',
      runAttempt: 2,
      runUrl: 'https://github.com/octo-org/fraud-model/actions/runs/42',
    });
  });

  it('pull_request: the head commit, not the merge commit', () => {
    const path = eventFile({ pull_request: { head: { sha: 'b'.repeat(40) } } });
    expect(runContext({ ...BASE, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path }).commit).toBe(
      'b'.repeat(40),
    );
  });

  it("workflow_run: the triggering run's commit and branch, not the default branch's head", () => {
    const path = eventFile({ workflow_run: { head_sha: 'c'.repeat(40), head_branch: 'integration' } });
    const context = runContext({ ...BASE, GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: path });
    expect(context.commit).toBe('c'.repeat(40));
    expect(context.ref).toBe('refs/heads/integration');
  });

  it('an unreadable event keeps the runner sha', () => {
    expect(
      runContext({ ...BASE, GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: '/nonexistent/event.json' }).commit,
    ).toBe('a'.repeat(40));
  });
});
