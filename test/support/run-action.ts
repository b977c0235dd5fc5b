/**
 * Runs a bundled action the way the GitHub runner does: `node actions/<name>/dist/index.js` with `INPUT_*` for every
 * input (the action.yml defaults applied, `${{ github.* }}` defaults evaluated from the given context), the runner's
 * files (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_STATE`, `GITHUB_ENV`, `GITHUB_EVENT_PATH`) and
 * `RUNNER_TEMP`, then reads the outputs back from the file. The post step, when the action has one, runs with the
 * state the main step saved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

interface ActionMetadata {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

export function readActionMetadata(action: string): ActionMetadata {
  return parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as ActionMetadata;
}

export interface GitHubContext {
  repository?: string;
  sha?: string;
  ref?: string;
  actor?: string;
  token?: string;
  eventName?: string;
  runId?: string;
  serverUrl?: string;
  apiUrl?: string;
  graphqlUrl?: string;
  workspace?: string;
}

export interface RunOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  event?: unknown;
  github?: GitHubContext;
  /** Kill the process after this long (a hung action is a failure, not a hung test). */
  timeoutMs?: number;
  /** Run the post step after the main one. */
  post?: boolean;
  /**
   * Once the log matches, after a delay: kill the process (SIGKILL, as a lost runner does), signal it as the runner
   * does when it cancels a step (SIGINT, then SIGTERM 7.5 s later if it is still running), or do something to the
   * world while the action runs (someone else changes the endpoint).
   */
  when?: { pattern: RegExp; delayMs?: number; then: 'kill' | 'cancel' | (() => void) };
}

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as the Actions log shows them. */
  log: string;
  /** From spawn to the first byte of output, and to exit (milliseconds, for benchmarks). */
  firstOutputMs: number | undefined;
  durationMs: number;
  outputs: Record<string, string>;
  /** The `::error` annotations, decoded as the runner shows them. */
  errors: string[];
  summary: string;
  state: Record<string, string>;
  post?: RunResult;
  dir: string;
}

/** Parses the `name<<delimiter` / `name=value` file format that @actions/core writes. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] as string);
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

function evaluateDefault(value: string, github: Required<GitHubContext>): string {
  return value.replace(/\$\{\{\s*github\.(\w+)\s*\}\}/g, (_, key: string) => {
    const map: Record<string, string> = {
      token: github.token,
      actor: github.actor,
      repository: github.repository,
      sha: github.sha,
      ref: github.ref,
      server_url: github.serverUrl,
      api_url: github.apiUrl,
      workspace: github.workspace,
    };
    if (!(key in map)) throw new Error(`run-action: default uses github.${key}, which the harness does not provide`);
    return map[key] as string;
  });
}

function inputEnv(
  action: string,
  inputs: Record<string, string>,
  github: Required<GitHubContext>,
): Record<string, string> {
  const declared = readActionMetadata(action).inputs ?? {};
  for (const name of Object.keys(inputs)) {
    if (!(name in declared)) throw new Error(`run-action: ${action} has no input '${name}'`);
  }
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const value = inputs[name] ?? (spec.default === undefined ? '' : evaluateDefault(String(spec.default), github));
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

/** Decodes the `::error …::message` workflow commands of a log (`%25` → `%`, `%0A` → newline, …). */
export function errorAnnotations(log: string): string[] {
  return [...log.matchAll(/^::error(?: [^:]*)?::(.*)$/gm)].map((match) =>
    (match[1] as string).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'),
  );
}

/** The runner's cancellation: SIGINT, SIGTERM after 7.5 s, SIGKILL 2.5 s later (GitHub Docs, workflow cancellation). */
function cancelLikeTheRunner(child: ChildProcess): void {
  child.kill('SIGINT');
  const term = setTimeout(() => child.kill('SIGTERM'), 7500);
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.once('close', () => (clearTimeout(term), clearTimeout(kill)));
}

function runNode(
  script: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
  when?: RunOptions['when'],
): Promise<Omit<RunResult, 'outputs' | 'errors' | 'summary' | 'state' | 'dir'>> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    let firstOutputMs: number | undefined;
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let log = '';
    let triggered = false;
    const output = (chunk: Buffer) => {
      firstOutputMs ??= performance.now() - started;
      log += chunk;
      if (when && !triggered && when.pattern.test(log)) {
        triggered = true;
        setTimeout(() => {
          if (when.then === 'kill') child.kill('SIGKILL');
          else if (when.then === 'cancel') cancelLikeTheRunner(child);
          else when.then();
        }, when.delayMs ?? 0);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk), output(chunk)));
    child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk), output(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, stdout, stderr, log, firstOutputMs, durationMs: performance.now() - started });
    });
  });
}

export async function runAction(action: string, options: RunOptions = {}): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), `run-${action}-`));
  const workspace = options.github?.workspace ?? REPO_ROOT;
  const github: Required<GitHubContext> = {
    repository: 'octo-org/ml-service',
    sha: 'a'.repeat(40),
    ref: 'refs/heads/integration',
    actor: 'octocat',
    token: 'ghs_testtoken0000000000000000000000000000',
    eventName: 'workflow_dispatch',
    runId: '4242',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    graphqlUrl: 'https://api.github.com/graphql',
    ...options.github,
    workspace,
  };
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(options.event ?? {}));
  const runnerTemp = join(dir, 'runner-temp');
  mkdirSync(runnerTemp);
  const base: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository.split('/')[0] as string,
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_REF_NAME: github.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_ACTOR: github.actor,
    GITHUB_EVENT_NAME: github.eventName,
    GITHUB_RUN_ID: github.runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_WORKFLOW: 'cd-staging',
    GITHUB_JOB: 'deploy',
    GITHUB_SERVER_URL: github.serverUrl,
    GITHUB_API_URL: github.apiUrl,
    GITHUB_GRAPHQL_URL: github.graphqlUrl,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'test-runner',
    ...files,
  };
  const env = { ...base, ...inputEnv(action, options.inputs ?? {}, github) };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const metadata = readActionMetadata(action);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const main = await runNode(
    join(REPO_ROOT, 'actions', action, metadata.runs.main),
    env,
    workspace,
    timeoutMs,
    options.when,
  );
  const state = parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8'));
  const result: RunResult = {
    ...main,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    errors: errorAnnotations(main.log),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    state,
    dir,
  };
  if (options.post && metadata.runs.post) {
    const stateEnv = Object.fromEntries(Object.entries(state).map(([key, value]) => [`STATE_${key}`, value]));
    const post = await runNode(
      join(REPO_ROOT, 'actions', action, metadata.runs.post),
      { ...env, ...stateEnv },
      workspace,
      timeoutMs,
    );
    result.post = { ...post, outputs: {}, errors: errorAnnotations(post.log), summary: '', state: {}, dir };
  }
  return result;
}

/**
 * Every place a runner-visible secret could leak: the log, the outputs and the summary. `::add-mask::` commands are
 * consumed by the runner and never shown, so they do not count.
 */
export function leakedSecrets(result: RunResult, secrets: readonly string[]): string[] {
  const shown = (log: string) =>
    log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
  const visible = [
    shown(result.log),
    JSON.stringify(result.outputs),
    result.summary,
    shown(result.post?.log ?? ''),
  ].join('\n');
  return secrets.filter((secret) => secret.length > 0 && visible.includes(secret));
}
