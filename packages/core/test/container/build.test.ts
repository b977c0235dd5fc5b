import { describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContainer, formatBytes } from '../../src/container/build.ts';
import type { ExecFn } from '../../src/container/docker.ts';
import { sha256Digest } from '../../src/container/registry.ts';
import { gitContextFrom } from '../../src/container/tags.ts';

/**
 * The buildx path of buildContainer, which this machine cannot run for real (no buildx): the docker CLI is
 * scripted and the registry is a small in-memory one answering the calls made after the push. The plain docker
 * path and promotion run against a real engine and registry in test/build-container.
 */

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const CONFIG = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'arm64', config: { Labels: {} } }));
const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256Digest(CONFIG),
      size: CONFIG.length,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'1'.repeat(64)}`, size: 3000 },
    ],
  }),
);
const DIGEST = sha256Digest(MANIFEST);

function registry(): typeof fetch & { paths: string[] } {
  const paths: string[] = [];
  const fn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    paths.push(`${init.method ?? 'GET'} ${url.pathname}`);
    if (url.pathname.includes('/manifests/')) {
      return new Response(init.method === 'HEAD' ? null : MANIFEST, {
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': DIGEST },
      });
    }
    if (url.pathname.endsWith(sha256Digest(CONFIG))) return new Response(CONFIG);
    return new Response(null, { status: 404 });
  }) as typeof fetch & { paths: string[] };
  fn.paths = paths;
  return fn;
}

function dockerWithBuildx(): ExecFn & {
  calls: { args: readonly string[]; env?: Record<string, string>; input?: string }[];
} {
  const calls: { args: readonly string[]; env?: Record<string, string>; input?: string }[] = [];
  const fn = (async (_command, args, options = {}) => {
    calls.push({ args, ...(options.env && { env: options.env }), ...(options.input && { input: options.input }) });
    const joined = args.join(' ');
    if (joined.startsWith('version')) {
      return {
        exitCode: 0,
        stdout: JSON.stringify({ Client: { Version: '27.3.1' }, Server: { Version: '27.3.1', Os: 'linux' } }),
        stderr: '',
      };
    }
    if (joined === 'buildx version') return { exitCode: 0, stdout: 'github.com/docker/buildx v0.18.0 abc', stderr: '' };
    if (joined === 'buildx inspect') return { exitCode: 0, stdout: 'Driver: docker-container\n', stderr: '' };
    return { exitCode: 0, stdout: '', stderr: '' };
  }) as ExecFn & { calls: typeof calls };
  fn.calls = calls;
  return fn;
}

describe('buildContainer with buildx', () => {
  test('one buildx build --push; secrets only in the environment; the digest and size from the registry', async () => {
    const exec = dockerWithBuildx();
    const fetch = registry();
    const logins: string[] = [];
    const result = await buildContainer({
      registry: 'ghcr.io',
      image: 'Octo-Org/App',
      username: 'octocat',
      password: 'ghs_token_value',
      git: gitContextFrom(
        {
          GITHUB_EVENT_NAME: 'push',
          GITHUB_REF: 'refs/heads/main',
          GITHUB_SHA: SHA,
          GITHUB_REPOSITORY: 'Octo-Org/App',
        },
        { repository: { default_branch: 'main' } },
      ),
      tagRules: ['type=sha', 'type=latest'],
      secrets: { pip: 'pip-secret-value' },
      buildArgs: { API_TOKEN: 'not-a-good-idea' },
      platforms: ['linux/amd64', 'linux/arm64'],
      provenance: 'max',
      env: { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results' },
      tempDir: mkdtempSync(join(tmpdir(), 'build-test-')),
      exec,
      fetch,
      now: () => new Date('2026-01-01T00:00:00Z'),
      log: (line) => logins.push(line),
      onLogin: (host) => logins.push(`logged in to ${host}`),
    });
    const build = exec.calls.find((call) => call.args[0] === 'buildx' && call.args[1] === 'build');
    expect(build?.args).toEqual(
      expect.arrayContaining([
        '--tag',
        `ghcr.io/octo-org/app:${SHA}`,
        '--tag',
        'ghcr.io/octo-org/app:latest',
        '--secret',
        'id=pip,env=BUILD_CONTAINER_SECRET_0',
        '--platform',
        'linux/amd64,linux/arm64',
        '--cache-from',
        'type=gha',
        '--provenance',
        'mode=max',
        '--push',
      ]),
    );
    expect(build?.env).toEqual({ BUILD_CONTAINER_SECRET_0: 'pip-secret-value' });
    expect(exec.calls.flatMap((call) => call.args).join(' ')).not.toMatch(/pip-secret-value|ghs_token_value/);
    expect(exec.calls.find((call) => call.args[0] === 'login')?.input).toBe('ghs_token_value');
    expect(exec.calls.some((call) => call.args[0] === 'push')).toBe(false);
    expect(logins).toEqual(
      expect.arrayContaining([
        'logged in to ghcr.io',
        expect.stringMatching(/build arg API_TOKEN looks like a secret/),
      ]),
    );
    expect(result).toMatchObject({
      mode: 'build',
      digest: DIGEST,
      imageRef: `ghcr.io/octo-org/app@${DIGEST}`,
      size: CONFIG.length + 3000,
      sizeKind: 'registry',
      platforms: ['linux/arm64'],
      builder: 'buildx v0.18.0',
      pushed: true,
    });
    expect(fetch.paths).toEqual(
      expect.arrayContaining([`HEAD /v2/octo-org/app/manifests/${SHA}`, 'HEAD /v2/octo-org/app/manifests/latest']),
    );
  });

  test('push: auto builds without pushing on pull requests (and needs no tag)', async () => {
    const exec = dockerWithBuildx();
    const result = await buildContainer({
      registry: 'ghcr.io',
      image: 'octo/app',
      git: gitContextFrom(
        { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/3/merge', GITHUB_SHA: SHA },
        { pull_request: { number: 3, head: { sha: SHA } } },
      ),
      tagRules: [],
      load: true,
      env: {},
      exec,
      fetch: registry(),
    });
    const build = exec.calls.find((call) => call.args[1] === 'build');
    expect(build?.args).toContain('--load');
    expect(build?.args).not.toContain('--push');
    expect(result.pushed).toBe(false);
    expect(result.digest).toBeUndefined();
    expect(result.notes).toContain('not pushed (push: auto, on a pull request)');
  });

  test('promote-from must be a digest in the same registry', async () => {
    const base = {
      registry: 'ghcr.io',
      image: 'octo/app',
      git: gitContextFrom({ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA }, {}),
      tagRules: ['stable'],
      exec: dockerWithBuildx(),
      env: {},
    };
    await expect(buildContainer({ ...base, promoteFrom: 'ghcr.io/octo/app:1.0' })).rejects.toThrow(/give a digest/);
    await expect(buildContainer({ ...base, promoteFrom: `docker.io/octo/app@${DIGEST}` })).rejects.toThrow(
      /in docker.io but the target is in ghcr.io/,
    );
  });
});

test('formatBytes', () => {
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 KiB');
  expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
});
