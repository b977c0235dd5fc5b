import { readFileSync } from 'node:fs';

/** The workflow run, as the runner describes it in its environment: what produced a deployment, and where. */
export interface RunContext {
  repository: string | undefined;
  /** The commit being deployed: on pull requests the head commit, not the merge commit GitHub tests. */
  commit: string | undefined;
  ref: string | undefined;
  runId: string | undefined;
  runAttempt: number | undefined;
  runUrl: string | undefined;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const server = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const repository = env['GITHUB_REPOSITORY'];
  const runId = env['GITHUB_RUN_ID'];
  let commit = env['GITHUB_SHA'];
  if (env['GITHUB_EVENT_NAME']?.startsWith('pull_request') && env['GITHUB_EVENT_PATH']) {
    try {
      const event = JSON.parse(readFileSync(env['GITHUB_EVENT_PATH'], 'utf8')) as {
        pull_request?: { head?: { sha?: string } };
      };
      commit = event.pull_request?.head?.sha ?? commit;
    } catch {
      // No readable event: the runner's sha is the best we have.
    }
  }
  return {
    repository,
    commit,
    ref: env['GITHUB_REF'],
    runId,
    runAttempt: env['GITHUB_RUN_ATTEMPT'] ? Number(env['GITHUB_RUN_ATTEMPT']) : undefined,
    runUrl: repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
  };
}
