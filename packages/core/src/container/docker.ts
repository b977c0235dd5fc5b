import * as exec from '@actions/exec';
import * as core from '@actions/core';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { redact } from '../summary.ts';
import { stopToken } from '../untrusted.ts';
import type { RegistryCredentials } from './registry.ts';

/**
 * A typed wrapper around the docker CLI: what the machine has (buildx, BuildKit), login with retries, logout, and
 * the command lines for `docker buildx build` and the plain `docker build` + `docker push` fallback. Command lines
 * are pure functions of a plan, so they are tested without Docker; nothing here parses human output for results.
 */

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type ExecFn = (
  command: string,
  args: readonly string[],
  options?: { input?: string; env?: Record<string, string>; silent?: boolean },
) => Promise<ExecResult>;

/**
 * Runs commands through @actions/exec: echoed and streamed to the log (unless silent), never throwing on exit codes.
 * What a build prints (its Dockerfile's RUN steps, base images, build arguments) is not ours: it streams with
 * workflow commands off.
 */
export const actionsExec: ExecFn = async (command, args, options = {}) => {
  const env = options.env ? ({ ...process.env, ...options.env } as Record<string, string>) : undefined;
  const silent = options.silent ?? false;
  const token = stopToken();
  if (!silent) core.info(`::stop-commands::${token}`);
  try {
    const result = await exec.getExecOutput(command, [...args], {
      ignoreReturnCode: true,
      silent,
      ...(options.input !== undefined && { input: Buffer.from(options.input) }),
      ...(env && { env }),
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } finally {
    if (!silent) core.info(`::${token}::`);
  }
};

export interface DockerEnvironment {
  clientVersion: string;
  serverVersion: string;
  serverOs: string;
  /** Set when `docker buildx` is installed. */
  buildx?: { version: string; driver?: string };
  /** Whether plain `docker build` can use BuildKit: clients before 23.0 carry it; later ones need buildx. */
  buildkitWithoutBuildx: boolean;
}

function major(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
}

/** What this machine's Docker can do. Fails with the engine's own words when it does not answer. */
export async function inspectDocker(
  run: ExecFn,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<DockerEnvironment> {
  const version = await run('docker', ['version', '--format', '{{json .}}'], { silent: true });
  let parsed: { Client?: { Version?: string }; Server?: { Version?: string; Os?: string } | null } = {};
  try {
    parsed = JSON.parse(version.stdout.trim().split('\n').pop() ?? '{}') as typeof parsed;
  } catch {
    // Handled below: no server version means no engine.
  }
  if (!parsed.Server?.Version) {
    const why = version.stderr.trim().split('\n')[0] || `docker version exited ${version.exitCode}`;
    throw new UserError(`The Docker engine is not available: ${why}`);
  }
  const clientVersion = parsed.Client?.Version ?? '';
  const result: DockerEnvironment = {
    clientVersion,
    serverVersion: parsed.Server.Version,
    serverOs: parsed.Server.Os ?? 'linux',
    buildkitWithoutBuildx:
      major(clientVersion) < 23 && (parsed.Server.Os ?? 'linux') === 'linux' && env['DOCKER_BUILDKIT'] !== '0',
  };
  const buildx = await run('docker', ['buildx', 'version'], { silent: true });
  if (buildx.exitCode === 0) {
    const inspect = await run('docker', ['buildx', 'inspect'], { silent: true });
    const driver = /^Driver:\s*(\S+)/m.exec(inspect.stdout)?.[1];
    result.buildx = {
      version: buildx.stdout.trim().split(/\s+/)[1] ?? buildx.stdout.trim(),
      ...(driver && { driver }),
    };
  }
  return result;
}

export type BuilderChoice = 'auto' | 'buildx' | 'docker';
export type Builder = { kind: 'buildx'; driver?: string } | { kind: 'docker'; buildkit: boolean };

/** Which builder runs, or a clear refusal when what is asked needs one the machine lacks. */
export function chooseBuilder(
  wanted: BuilderChoice,
  docker: DockerEnvironment,
  needs: { secrets: boolean; platforms: number },
): Builder {
  if (wanted === 'buildx' && !docker.buildx) {
    throw new UserError(
      "Input 'builder' is 'buildx' but `docker buildx` is not installed on this runner: add docker/setup-buildx-action " +
        'before this step, or use builder: auto.',
      { input: 'builder' },
    );
  }
  if (docker.buildx && wanted !== 'docker')
    return { kind: 'buildx', ...(docker.buildx.driver && { driver: docker.buildx.driver }) };
  const buildkit = docker.buildkitWithoutBuildx;
  if (needs.platforms > 1) {
    throw new UserError(
      `Input 'platforms' asks for ${needs.platforms} platforms; a multi-platform image needs \`docker buildx\`, which ` +
        'this runner does not have (add docker/setup-buildx-action).',
      { input: 'platforms' },
    );
  }
  if (needs.secrets && !buildkit) {
    throw new UserError(
      `Input 'secrets' needs BuildKit, and this runner's docker (client ${docker.clientVersion}) has neither buildx nor ` +
        'a built-in BuildKit: its legacy builder could only take secrets as build args, which are stored in the image ' +
        'history. Add docker/setup-buildx-action, or use a Docker client before 23.0 with DOCKER_BUILDKIT enabled.',
      { input: 'secrets' },
    );
  }
  return { kind: 'docker', buildkit };
}

export type CacheMode = 'auto' | 'gha' | 'registry' | 'inline' | 'none';

export interface CachePlan {
  from: string[];
  to: string[];
  /** One line for the summary: what cache was used and why. */
  note: string;
}

/**
 * Build cache: GitHub's cache service (`type=gha`) when the runner offers it, the registry (`<image>:buildcache`)
 * otherwise, inline for buildx's `docker` driver (which cannot export a cache). The plain docker fallback has only
 * the engine's local layer cache.
 */
export function planCache(
  mode: CacheMode,
  context: { builder: Builder; ghaAvailable: boolean; push: boolean; name: string; inlineFrom?: string },
): CachePlan {
  const { builder, ghaAvailable, push, name } = context;
  if (mode === 'none') return { from: [], to: [], note: 'no cache (cache: none)' };
  if (builder.kind === 'docker')
    return { from: [], to: [], note: "the engine's local layer cache (plain docker build)" };
  const registryRef = `${name}:buildcache`;
  const dockerDriver = builder.driver === 'docker';
  if (mode === 'inline' || (mode === 'auto' && dockerDriver)) {
    const from = context.inlineFrom ? [`type=registry,ref=${context.inlineFrom}`] : [];
    return {
      from,
      to: ['type=inline'],
      note: `inline cache${context.inlineFrom ? ` from ${context.inlineFrom}` : ''}`,
    };
  }
  if (mode === 'gha' || (mode === 'auto' && ghaAvailable)) {
    return { from: ['type=gha'], to: ['type=gha,mode=max'], note: 'GitHub Actions cache (type=gha)' };
  }
  return {
    from: [`type=registry,ref=${registryRef}`],
    to: push ? [`type=registry,ref=${registryRef},mode=max`] : [],
    note: `registry cache ${registryRef}${push ? '' : ' (read only: not pushing)'}`,
  };
}

export function ghaCacheAvailable(env: Readonly<Record<string, string | undefined>>): boolean {
  return !!env['ACTIONS_RUNTIME_TOKEN'] && !!(env['ACTIONS_CACHE_URL'] || env['ACTIONS_RESULTS_URL']);
}

export interface BuildPlan {
  context: string;
  file?: string;
  target?: string;
  /** Full references: `ghcr.io/owner/app:tag`. */
  tags: readonly string[];
  labels: Readonly<Record<string, string>>;
  buildArgs: Readonly<Record<string, string>>;
  /** Secret ids and the environment variables that hold them (values never on a command line). */
  secrets: readonly { id: string; env: string }[];
  platforms: readonly string[];
  network?: string;
  push: boolean;
  load: boolean;
  pull: boolean;
  noCache: boolean;
  cache: CachePlan;
  provenance: 'false' | 'min' | 'max';
  iidFile: string;
}

function commonArgs(plan: BuildPlan): string[] {
  const args: string[] = [];
  if (plan.file) args.push('--file', plan.file);
  if (plan.target) args.push('--target', plan.target);
  for (const tag of plan.tags) args.push('--tag', tag);
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  for (const [key, value] of Object.entries(plan.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  if (plan.network) args.push('--network', plan.network);
  if (plan.pull) args.push('--pull');
  if (plan.noCache) args.push('--no-cache');
  args.push('--iidfile', plan.iidFile);
  return args;
}

export function buildxCommand(plan: BuildPlan): string[] {
  const args = ['buildx', 'build', ...commonArgs(plan)];
  for (const secret of plan.secrets) args.push('--secret', `id=${secret.id},env=${secret.env}`);
  if (plan.platforms.length) args.push('--platform', plan.platforms.join(','));
  for (const from of plan.cache.from) args.push('--cache-from', from);
  for (const to of plan.cache.to) args.push('--cache-to', to);
  args.push('--provenance', plan.provenance === 'false' ? 'false' : `mode=${plan.provenance}`);
  if (plan.push) args.push('--push');
  else if (plan.load) args.push('--load');
  args.push(plan.context);
  return args;
}

/** `docker build` (the fallback); BuildKit is switched on or off explicitly through `DOCKER_BUILDKIT`. */
export function dockerBuildCommand(
  plan: BuildPlan,
  buildkit: boolean,
): { args: string[]; env: Record<string, string> } {
  const args = ['build', ...commonArgs(plan)];
  if (buildkit) for (const secret of plan.secrets) args.push('--secret', `id=${secret.id},env=${secret.env}`);
  if (plan.platforms.length === 1) args.push('--platform', plan.platforms[0] as string);
  args.push(plan.context);
  return { args, env: { DOCKER_BUILDKIT: buildkit ? '1' : '0' } };
}

const PERMANENT_LOGIN =
  /unauthorized|denied|incorrect username or password|authentication required|\b40[13]\b|forbidden/i;
const TRANSIENT_LOGIN =
  /\b5\d\d\b|service unavailable|bad gateway|gateway time-?out|timeout|timed out|tls handshake|connection (refused|reset)|\beof\b|toomanyrequests|too many requests|\b429\b|no such host|temporary failure|i\/o timeout/i;

/** Whether a failed `docker login` is worth another try (registry or network hiccup) or final (bad credentials). */
export function isTransientLoginError(stderr: string): boolean {
  return !PERMANENT_LOGIN.test(stderr) && TRANSIENT_LOGIN.test(stderr);
}

export interface RetryOptions {
  attempts?: number;
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

/** `docker login --password-stdin` (the password never on a command line), retried on transient errors. */
export async function dockerLogin(
  run: ExecFn,
  login: { registry: string; username: string; password: string },
  retry: RetryOptions = {},
): Promise<{ attempts: number }> {
  const { attempts = 3, delayMs = 2000, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), log = () => {} } = retry;
  for (let attempt = 1; ; attempt++) {
    const result = await run('docker', ['login', login.registry, '--username', login.username, '--password-stdin'], {
      input: login.password,
    });
    if (result.exitCode === 0) return { attempts: attempt };
    const why = redact(result.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit code ${result.exitCode}`);
    if (!isTransientLoginError(result.stderr) || attempt >= attempts) {
      const hint = isTransientLoginError(result.stderr)
        ? ` (gave up after ${attempt} attempts)`
        : login.registry === 'ghcr.io'
          ? ': check the job has `permissions: packages: write` and the username is github.actor'
          : ': check the username and password';
      throw new UserError(`docker login to ${login.registry} as '${login.username}' failed: ${why}${hint}.`);
    }
    const wait = delayMs * 2 ** (attempt - 1);
    log(
      `docker login to ${login.registry} failed (${why}); retrying in ${wait / 1000}s (attempt ${attempt + 1} of ${attempts})`,
    );
    await sleep(wait);
  }
}

export async function dockerLogout(run: ExecFn, registry: string): Promise<void> {
  const result = await run('docker', ['logout', registry]);
  if (result.exitCode !== 0) throw new Error(`docker logout ${registry} failed: ${result.stderr.trim()}`);
}

/**
 * Credentials Docker already has for a registry (a login by an earlier step): `auths` in the config file, or the
 * configured credential helper. Used to read the pushed digest back from the registry.
 */
export async function dockerConfigCredentials(
  run: ExecFn,
  registry: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RegistryCredentials | undefined> {
  const file = join(env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json');
  if (!existsSync(file)) return undefined;
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    auths?: Record<string, { auth?: string }>;
    credHelpers?: Record<string, string>;
    credsStore?: string;
  };
  const auth = config.auths?.[registry]?.auth;
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  if (!helper) return undefined;
  const result = await run(`docker-credential-${helper}`, ['get'], { input: registry, silent: true });
  if (result.exitCode !== 0) return undefined;
  const { Username, Secret } = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
  return Username && Secret ? { username: Username, password: Secret } : undefined;
}
