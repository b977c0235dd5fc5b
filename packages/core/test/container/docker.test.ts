import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildxCommand,
  chooseBuilder,
  dockerBuildCommand,
  dockerConfigCredentials,
  dockerLogin,
  ghaCacheAvailable,
  inspectDocker,
  isTransientLoginError,
  planCache,
  type BuildPlan,
  type DockerEnvironment,
  type ExecFn,
  type ExecResult,
} from '../../src/container/docker.ts';

const NAME = 'ghcr.io/octo/app';

function plan(overrides: Partial<BuildPlan> = {}): BuildPlan {
  return {
    context: '.',
    tags: [`${NAME}:abc`, `${NAME}:main`],
    labels: { 'org.opencontainers.image.revision': 'abc' },
    buildArgs: {},
    secrets: [],
    platforms: [],
    push: true,
    load: false,
    pull: false,
    noCache: false,
    cache: { from: [], to: [], note: '' },
    provenance: 'false',
    iidFile: '/tmp/iid',
    ...overrides,
  };
}

describe('buildx command line', () => {
  const base = [
    'buildx',
    'build',
    '--tag',
    `${NAME}:abc`,
    '--tag',
    `${NAME}:main`,
    '--label',
    'org.opencontainers.image.revision=abc',
    '--iidfile',
    '/tmp/iid',
  ];
  test.each<{ name: string; plan: Partial<BuildPlan>; expected: string[] }>([
    { name: 'push, no provenance', plan: {}, expected: [...base, '--provenance', 'false', '--push', '.'] },
    {
      name: 'file, target, build args, network, pull, no-cache',
      plan: {
        file: 'docker/Dockerfile',
        target: 'runtime',
        buildArgs: { PYTHON: '3.12' },
        network: 'host',
        pull: true,
        noCache: true,
        context: 'svc',
      },
      expected: [
        'buildx',
        'build',
        '--file',
        'docker/Dockerfile',
        '--target',
        'runtime',
        ...base.slice(2, 8),
        '--build-arg',
        'PYTHON=3.12',
        '--network',
        'host',
        '--pull',
        '--no-cache',
        '--iidfile',
        '/tmp/iid',
        '--provenance',
        'false',
        '--push',
        'svc',
      ],
    },
    {
      name: 'secrets by env (never their values), platforms, cache, provenance max',
      plan: {
        secrets: [{ id: 'pip', env: 'BUILD_CONTAINER_SECRET_0' }],
        platforms: ['linux/amd64', 'linux/arm64'],
        cache: { from: ['type=gha'], to: ['type=gha,mode=max'], note: '' },
        provenance: 'max',
      },
      expected: [
        ...base,
        '--secret',
        'id=pip,env=BUILD_CONTAINER_SECRET_0',
        '--platform',
        'linux/amd64,linux/arm64',
        '--cache-from',
        'type=gha',
        '--cache-to',
        'type=gha,mode=max',
        '--provenance',
        'mode=max',
        '--push',
        '.',
      ],
    },
    {
      name: 'no push, load',
      plan: { push: false, load: true },
      expected: [...base, '--provenance', 'false', '--load', '.'],
    },
    { name: 'no push, no load', plan: { push: false }, expected: [...base, '--provenance', 'false', '.'] },
    {
      name: 'provenance min',
      plan: { provenance: 'min' },
      expected: [...base, '--provenance', 'mode=min', '--push', '.'],
    },
  ])('$name', ({ plan: overrides, expected }) => {
    expect(buildxCommand(plan(overrides))).toEqual(expected);
  });
});

describe('docker build (fallback) command line', () => {
  test('BuildKit: secrets by env and one platform; DOCKER_BUILDKIT=1', () => {
    const command = dockerBuildCommand(
      plan({ secrets: [{ id: 'pip', env: 'S0' }], platforms: ['linux/amd64'], network: 'none' }),
      true,
    );
    expect(command.env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(command.args.slice(0, 1)).toEqual(['build']);
    expect(command.args).toEqual(expect.arrayContaining(['--secret', 'id=pip,env=S0', '--platform', 'linux/amd64']));
    expect(command.args.at(-1)).toBe('.');
    expect(command.args).not.toContain('--push');
  });
  test('legacy builder: DOCKER_BUILDKIT=0, no --secret', () => {
    const command = dockerBuildCommand(plan({ secrets: [{ id: 'pip', env: 'S0' }] }), false);
    expect(command.env).toEqual({ DOCKER_BUILDKIT: '0' });
    expect(command.args).not.toContain('--secret');
  });
});

const withBuildx: DockerEnvironment = {
  clientVersion: '27.3.1',
  serverVersion: '27.3.1',
  serverOs: 'linux',
  buildx: { version: 'v0.18.0', driver: 'docker-container' },
  buildkitWithoutBuildx: false,
};
const legacyOnly: DockerEnvironment = {
  ...withBuildx,
  clientVersion: '28.2.2',
  buildx: undefined,
} as DockerEnvironment;
delete (legacyOnly as { buildx?: unknown }).buildx;
const debianClient: DockerEnvironment = { ...legacyOnly, clientVersion: '20.10.24', buildkitWithoutBuildx: true };

describe('choosing the builder', () => {
  const none = { secrets: false, platforms: 0 };
  test.each([
    ['auto with buildx', 'auto', withBuildx, none, { kind: 'buildx', driver: 'docker-container' }],
    ['docker forced with buildx present', 'docker', withBuildx, none, { kind: 'docker', buildkit: false }],
    ['auto without buildx, new client', 'auto', legacyOnly, none, { kind: 'docker', buildkit: false }],
    [
      'auto without buildx, client with BuildKit',
      'auto',
      debianClient,
      { secrets: true, platforms: 1 },
      { kind: 'docker', buildkit: true },
    ],
  ] as const)('%s', (_name, wanted, docker, needs, expected) => {
    expect(chooseBuilder(wanted, docker, needs)).toEqual(expected);
  });
  test.each([
    ['buildx asked but missing', 'buildx', legacyOnly, none, /Input 'builder'.*setup-buildx-action/],
    [
      'secrets with only the legacy builder',
      'auto',
      legacyOnly,
      { secrets: true, platforms: 0 },
      /Input 'secrets' needs BuildKit/,
    ],
    [
      'two platforms without buildx',
      'auto',
      debianClient,
      { secrets: false, platforms: 2 },
      /Input 'platforms'.*buildx/,
    ],
  ] as const)('%s is refused', (_name, wanted, docker, needs, message) => {
    expect(() => chooseBuilder(wanted, docker, needs)).toThrow(message);
  });
});

describe('cache', () => {
  const buildx = { kind: 'buildx' as const, driver: 'docker-container' };
  test.each([
    ['gha when the runner offers it', 'auto', buildx, true, true, ['type=gha'], ['type=gha,mode=max']],
    [
      'registry otherwise',
      'auto',
      buildx,
      false,
      true,
      [`type=registry,ref=${NAME}:buildcache`],
      [`type=registry,ref=${NAME}:buildcache,mode=max`],
    ],
    [
      'registry read-only when not pushing',
      'registry',
      buildx,
      true,
      false,
      [`type=registry,ref=${NAME}:buildcache`],
      [],
    ],
    [
      'inline for the docker driver',
      'auto',
      { kind: 'buildx' as const, driver: 'docker' },
      true,
      true,
      [`type=registry,ref=${NAME}:main`],
      ['type=inline'],
    ],
    ['none', 'none', buildx, true, true, [], []],
    ['plain docker build: local cache only', 'auto', { kind: 'docker' as const, buildkit: true }, true, true, [], []],
  ] as const)('%s', (_name, mode, builder, ghaAvailable, push, from, to) => {
    const cache = planCache(mode, { builder, ghaAvailable, push, name: NAME, inlineFrom: `${NAME}:main` });
    expect(cache.from).toEqual(from);
    expect(cache.to).toEqual(to);
    expect(cache.note).not.toBe('');
  });
  test('gha availability comes from the runner variables', () => {
    expect(ghaCacheAvailable({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://r' })).toBe(true);
    expect(ghaCacheAvailable({ ACTIONS_CACHE_URL: 'https://c' })).toBe(false);
  });
});

/** A scripted docker CLI: answers in order, records what it was asked. */
function scripted(answers: Partial<ExecResult>[]): ExecFn & { calls: { args: readonly string[]; input?: string }[] } {
  const calls: { args: readonly string[]; input?: string }[] = [];
  const fn = (async (_command, args, options = {}) => {
    calls.push({ args, ...(options.input !== undefined && { input: options.input }) });
    return { exitCode: 0, stdout: '', stderr: '', ...answers.shift() };
  }) as ExecFn & { calls: typeof calls };
  fn.calls = calls;
  return fn;
}

describe('docker login', () => {
  test.each([
    ['Error response from daemon: Get "https://ghcr.io/v2/": net/http: TLS handshake timeout', true],
    ['Error response from daemon: received unexpected HTTP status: 503 Service Unavailable', true],
    ['Error response from daemon: Get "https://x/v2/": dial tcp: connect: connection refused', true],
    ['toomanyrequests: rate limit', true],
    ['Error response from daemon: Get "https://ghcr.io/v2/": denied: denied', false],
    ['Error response from daemon: login attempt to https://x/v2/ failed with status: 401 Unauthorized', false],
    ['Error: Cannot perform an interactive login from a non TTY device', false],
  ])('%s → transient %s', (stderr, transient) => {
    expect(isTransientLoginError(stderr)).toBe(transient);
  });

  test('the password goes to stdin; transient failures are retried with back-off', async () => {
    const exec = scripted([
      { exitCode: 1, stderr: 'received unexpected HTTP status: 502 Bad Gateway' },
      { exitCode: 0 },
    ]);
    const waits: number[] = [];
    const lines: string[] = [];
    const result = await dockerLogin(
      exec,
      { registry: 'ghcr.io', username: 'octocat', password: 'ghs_secret' },
      { sleep: async (ms) => void waits.push(ms), log: (line) => lines.push(line), delayMs: 100 },
    );
    expect(result.attempts).toBe(2);
    expect(waits).toEqual([100]);
    expect(lines[0]).toMatch(/retrying in 0.1s \(attempt 2 of 3\)/);
    expect(exec.calls[0]).toEqual({
      args: ['login', 'ghcr.io', '--username', 'octocat', '--password-stdin'],
      input: 'ghs_secret',
    });
    expect(exec.calls.flatMap((call) => call.args)).not.toContain('ghs_secret');
  });

  test('gives up after the attempts, and does not retry bad credentials', async () => {
    const flaky = scripted([
      { exitCode: 1, stderr: '503 Service Unavailable' },
      { exitCode: 1, stderr: '503 Service Unavailable' },
    ]);
    await expect(
      dockerLogin(flaky, { registry: 'r.io', username: 'u', password: 'p' }, { attempts: 2, sleep: async () => {} }),
    ).rejects.toThrow(/docker login to r.io as 'u' failed: 503 Service Unavailable \(gave up after 2 attempts\)/);
    const denied = scripted([{ exitCode: 1, stderr: 'Error response from daemon: denied: denied' }]);
    await expect(
      dockerLogin(denied, { registry: 'ghcr.io', username: 'u', password: 'p' }, { sleep: async () => {} }),
    ).rejects.toThrow(/packages: write/);
    expect(denied.calls).toHaveLength(1);
  });
});

describe('inspecting docker', () => {
  test('reads versions as JSON; buildx and its driver when installed', async () => {
    const exec = scripted([
      { stdout: JSON.stringify({ Client: { Version: '27.3.1' }, Server: { Version: '27.3.1', Os: 'linux' } }) },
      { stdout: 'github.com/docker/buildx v0.18.0 abc\n' },
      { stdout: 'Name:   builder\nDriver: docker-container\n' },
    ]);
    expect(await inspectDocker(exec, {})).toEqual({
      clientVersion: '27.3.1',
      serverVersion: '27.3.1',
      serverOs: 'linux',
      buildkitWithoutBuildx: false,
      buildx: { version: 'v0.18.0', driver: 'docker-container' },
    });
  });
  test('an old client without buildx can still use BuildKit, unless DOCKER_BUILDKIT=0', async () => {
    const answers = () => [
      { stdout: JSON.stringify({ Client: { Version: '20.10.24' }, Server: { Version: '20.10.24', Os: 'linux' } }) },
      { exitCode: 1, stderr: "docker: 'buildx' is not a docker command." },
    ];
    expect((await inspectDocker(scripted(answers()), {})).buildkitWithoutBuildx).toBe(true);
    expect((await inspectDocker(scripted(answers()), { DOCKER_BUILDKIT: '0' })).buildkitWithoutBuildx).toBe(false);
  });
  test('no engine: the engine’s own words', async () => {
    const exec = scripted([
      {
        exitCode: 1,
        stdout: '{"Client":{"Version":"28.2.2"},"Server":null}',
        stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      },
    ]);
    await expect(inspectDocker(exec, {})).rejects.toThrow(
      /Docker engine is not available: Cannot connect to the Docker daemon/,
    );
  });
});

describe('credentials Docker already has', () => {
  test('from auths, or from the credential helper', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: { 'ghcr.io': { auth: Buffer.from('octocat:ghs_x:y').toString('base64') } },
        credHelpers: { 'acr.azurecr.io': 'acr' },
      }),
    );
    const exec = scripted([{ stdout: JSON.stringify({ Username: '0000', Secret: 'refresh' }) }]);
    const env = { DOCKER_CONFIG: dir };
    expect(await dockerConfigCredentials(exec, 'ghcr.io', env)).toEqual({ username: 'octocat', password: 'ghs_x:y' });
    expect(await dockerConfigCredentials(exec, 'acr.azurecr.io', env)).toEqual({
      username: '0000',
      password: 'refresh',
    });
    expect(exec.calls[0]).toEqual({ args: ['get'], input: 'acr.azurecr.io' });
    expect(await dockerConfigCredentials(exec, 'quay.io', env)).toBeUndefined();
    expect(await dockerConfigCredentials(exec, 'quay.io', { DOCKER_CONFIG: join(dir, 'missing') })).toBeUndefined();
  });
});
