import { readFileSync } from 'node:fs';

/** The workflow run, as the runner describes it in its environment: what produced a deployment, and where. */
export interface RunContext {
  repository: string | undefined;
  /**
   * The commit being deployed: on pull requests the head commit, not the merge commit GitHub tests; on workflow_run
   * the triggering run's commit, not the default branch's head.
   */
  commit: string | undefined;
  ref: string | undefined;
  runId: string | undefined;
  runAttempt: number | undefined;
  runUrl: string | undefined;
  /** The pull request of a `pull_request` / `pull_request_target` event. */
  pullRequest?: number | undefined;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const server = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const repository = env['GITHUB_REPOSITORY'];
  const runId = env['GITHUB_RUN_ID'];
  let commit = env['GITHUB_SHA'];
  let ref = env['GITHUB_REF'];
  let pullRequest: number | undefined;
  const eventName = env['GITHUB_EVENT_NAME'];
  if ((eventName?.startsWith('pull_request') || eventName === 'workflow_run') && env['GITHUB_EVENT_PATH']) {
    try {
      const event = JSON.parse(readFileSync(env['GITHUB_EVENT_PATH'], 'utf8')) as {
        pull_request?: { number?: number; head?: { sha?: string } };
        workflow_run?: { head_sha?: string; head_branch?: string | null };
      };
      commit = event.pull_request?.head?.sha ?? commit;
      pullRequest = event.pull_request?.number;
      // A workflow_run run's GITHUB_SHA is the default branch's head; what it deploys is the triggering run's commit
      // (the staging workflow checks out github.event.workflow_run.head_sha).
      if (eventName === 'workflow_run' && event.workflow_run?.head_sha) {
        commit = event.workflow_run.head_sha;
        ref = event.workflow_run.head_branch ? `refs/heads/${event.workflow_run.head_branch}` : ref;
      }
    } catch {
      // No readable event: the runner's sha is the best we have.
    }
  }
  return {
    repository,
    commit,
    ref,
    runId,
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ? Number(env['GITHUB_RUN_ATTEMPT']) : undefined,
    runUrl: repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    pullRequest,
  };
}
