/**
 * build-container end to end: the bundled action, run as the runner runs it, against a real Docker engine and
 * Debian's docker-registry on loopback (htpasswd auth, and token auth behind a loopback token server). The image is
 * built offline from busybox-static (`FROM scratch`, `--network none`).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitDockerClient, REQUIRE_DOCKER, startRegistry, type TestRegistry } from '../support/docker.ts';
import { dockerDescribe } from '../support/docker-describe.ts';
import { leakedSecrets, runAction, type RunOptions } from '../support/run-action.ts';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, encoding: 'utf8', maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stderr || String(error)}`)) : resolve(stdout),
    );
  });
}

/** The registry's own answer, read independently of the action (Basic, or the Bearer dance for token auth). */
async function registryManifest(
  registry: TestRegistry,
  repository: string,
  reference: string,
): Promise<{ digest: string; computed: string; json: { config?: { digest: string } } } | undefined> {
  const basic = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  let authorization = basic;
  if (registry.tokenServer) {
    const url = new URL(registry.tokenServer.realm);
    url.searchParams.set('service', registry.tokenServer.service);
    url.searchParams.set('scope', `repository:${repository}:pull`);
    const token = (await (await fetch(url, { headers: { authorization: basic } })).json()) as { token: string };
    authorization = `Bearer ${token.token}`;
  }
  const response = await fetch(`http://${registry.address}/v2/${repository}/manifests/${reference}`, {
    headers: { accept: ACCEPT, authorization },
  });
  if (response.status === 404) return undefined;
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    digest: response.headers.get('docker-content-digest') ?? '',
    computed: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    json: JSON.parse(bytes.toString('utf8')) as { config?: { digest: string } },
  };
}

/** The stored size of a manifest (Content-Length of a HEAD), as an index descriptor records it. */
async function fetchSize(registry: TestRegistry, repository: string, reference: string): Promise<number | undefined> {
  const response = await fetch(`http://${registry.address}/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: {
      accept: ACCEPT,
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
    },
  });
  return Number(response.headers.get('content-length')) || undefined;
}

const SHA = 'c0ffee'.repeat(6) + 'c0ff';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((path) => {
  try {
    readFileSync(path, { flag: 'r' }).subarray(0, 1);
    return true;
  } catch {
    return false;
  }
});

function repositoryEvent(extra: Record<string, unknown> = {}) {
  return {
    repository: {
      name: 'App',
      full_name: 'E2E-Org/App',
      default_branch: 'main',
      description: 'scoring image',
      html_url: 'https://github.com/E2E-Org/App',
      license: { spdx_id: 'MIT' },
    },
    ...extra,
  };
}

dockerDescribe('build-container (real engine and registry)', () => {
  let htpasswd: TestRegistry;
  let token: TestRegistry;
  let work: string;
  let context: string;
  let dockerConfig: string;
  const suffix = randomBytes(4).toString('hex');
  const owner = `E2E-Org`;
  const app = `App-${suffix}`;
  const repository = `e2e-org/app-${suffix}`;
  let built: { digest: string; image: string; durationMs: number; wallMs: number } | undefined;

  function options(registry: TestRegistry, more: RunOptions & { inputs?: Record<string, string> }): RunOptions {
    return {
      timeoutMs: 90_000,
      post: true,
      ...more,
      inputs: {
        registry: registry.address,
        username: registry.username,
        password: registry.password,
        context,
        network: 'none',
        ...more.inputs,
      },
      env: { DOCKER_CONFIG: dockerConfig, ...more.env },
      github: { repository: `${owner}/${app}`, sha: SHA, ref: 'refs/heads/main', eventName: 'push', ...more.github },
    };
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'build-container-e2e-'));
    context = join(work, 'context');
    dockerConfig = join(work, 'docker-config');
    mkdirSync(context);
    mkdirSync(dockerConfig);
    copyFileSync(BUSYBOX as string, join(context, 'busybox'));
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'ARG GREETING=hello',
        'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /etc && echo $GREETING > /etc/greeting"]',
        'CMD ["/bin/busybox", "cat", "/etc/greeting"]',
        '',
      ].join('\n'),
    );
    [htpasswd, token] = await Promise.all([startRegistry({ auth: 'htpasswd' }), startRegistry({ auth: 'token' })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([htpasswd?.stop(), token?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  test('builds, pushes, outputs the digest the registry serves, and logs out in the post step', async () => {
    const started = Date.now();
    // A full build (no cache), so the promotion below is compared with what a rebuild really costs.
    const result = await runAction(
      'build-container',
      options(htpasswd, { inputs: { 'no-cache': 'true' }, event: repositoryEvent() }),
    );
    const wallMs = Date.now() - started;
    expect(result.log).not.toContain('::error::');
    expect(result.exitCode).toBe(0);
    const { digest, image, tags, labels, metadata } = result.outputs as Record<string, string>;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const name = `${htpasswd.address}/${repository}`;
    expect(image).toBe(`${name}@${digest}`);
    expect((tags as string).split('\n')).toEqual([`${name}:${SHA}`, `${name}:main`, `${name}:latest`]);
    // The registry's answer, for every tag: the same digest, and the digest is the sha256 of the bytes.
    for (const tag of [SHA, 'main', 'latest']) {
      const served = await registryManifest(htpasswd, repository, tag);
      expect(served?.digest).toBe(digest);
      expect(served?.computed).toBe(digest);
    }
    expect(labels).toContain(`org.opencontainers.image.revision=${SHA}`);
    expect(labels).toContain('org.opencontainers.image.source=https://github.com/E2E-Org/App');
    expect(labels).toContain('org.opencontainers.image.licenses=MIT');
    const meta = JSON.parse(metadata as string) as { size: number; durationMs: number; builder: string };
    expect(meta.size).toBeGreaterThan(100_000);
    expect(result.summary).toContain(digest);
    expect(result.summary).toMatch(/build and push took \| \d/);
    expect(result.summary).toMatch(/size \| [\d.]+ (KiB|MiB)/);
    // Logged in through stdin, and out again in the post step.
    expect(result.log).toContain('--password-stdin');
    expect(result.post?.exitCode).toBe(0);
    expect(result.post?.log).toContain(`logout ${htpasswd.address}`);
    const config = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')) as { auths?: object };
    expect(Object.keys(config.auths ?? {})).not.toContain(htpasswd.address);
    expect(leakedSecrets(result, [htpasswd.password])).toEqual([]);
    built = { digest: digest as string, image: image as string, durationMs: meta.durationMs, wallMs };
  }, 120_000);

  test('promotes the digest to release tags: same digest, no build, no layer upload', async () => {
    expect(built).toBeDefined();
    const mark = htpasswd.mark();
    const started = Date.now();
    const result = await runAction(
      'build-container',
      options(htpasswd, {
        inputs: { 'promote-from': (built as { image: string }).image },
        github: { ref: 'refs/tags/v1.2.3', sha: SHA },
        event: repositoryEvent(),
      }),
    );
    const wallMs = Date.now() - started;
    expect(result.log).not.toContain('::error::');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['digest']).toBe(built?.digest);
    for (const tag of ['1.2.3', '1.2', '1']) {
      expect((await registryManifest(htpasswd, repository, tag))?.digest).toBe(built?.digest);
    }
    expect(result.log).not.toMatch(/docker(\s+\S+)?\s+(build|push)\b/);
    const requests = htpasswd.requests(mark);
    expect(requests.filter((r) => r.uri.includes('/blobs/uploads'))).toEqual([]);
    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.uri)).toEqual(
      expect.arrayContaining([`/v2/${repository}/manifests/1.2.3`, `/v2/${repository}/manifests/1`]),
    );
    // Labels come from the promoted image's config, not from this event.
    expect(result.outputs['labels']).toContain(`org.opencontainers.image.version=main`);
    expect(result.summary).toContain('promoted a tested digest');
    const meta = JSON.parse(result.outputs['metadata'] as string) as { durationMs: number };
    console.log(
      `[figures] promote-by-digest: ${meta.durationMs} ms in the action (${wallMs} ms wall) vs build+push ` +
        `${built?.durationMs} ms (${built?.wallMs} ms wall)`,
    );
  }, 60_000);

  test('promotes into another repository by cross-repository blob mount', async () => {
    expect(built).toBeDefined();
    const mark = htpasswd.mark();
    const result = await runAction(
      'build-container',
      options(htpasswd, {
        inputs: { 'promote-from': (built as { image: string }).image, image: `prod/app-${suffix}`, tags: 'stable' },
        event: repositoryEvent(),
      }),
    );
    expect(result.log).not.toContain('::error::');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['digest']).toBe(built?.digest);
    expect((await registryManifest(htpasswd, `prod/app-${suffix}`, 'stable'))?.digest).toBe(built?.digest);
    const requests = htpasswd.requests(mark);
    const mounts = requests.filter((r) => r.method === 'POST' && r.uri.includes('mount='));
    expect(mounts.length).toBeGreaterThanOrEqual(2);
    expect(mounts.every((r) => r.status === 201)).toBe(true);
    expect(requests.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.uri.includes('/blobs/')))).toEqual(
      [],
    );
  }, 60_000);

  test('promotes an index (multi-platform form) across repositories: child manifests copied, digest unchanged', async () => {
    expect(built).toBeDefined();
    // An OCI index over the built image, stored as an index would be by buildx (written here with the registry API).
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            digest: built?.digest,
            size: await fetchSize(htpasswd, repository, built?.digest as string),
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    );
    const indexDigest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
    const put = await fetch(`http://${htpasswd.address}/v2/${repository}/manifests/index`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/vnd.oci.image.index.v1+json',
        authorization: `Basic ${Buffer.from(`${htpasswd.username}:${htpasswd.password}`).toString('base64')}`,
      },
      body: index,
    });
    expect(put.status).toBe(201);
    const mark = htpasswd.mark();
    const result = await runAction(
      'build-container',
      options(htpasswd, {
        inputs: {
          'promote-from': `${htpasswd.address}/${repository}@${indexDigest}`,
          image: `multi/app-${suffix}`,
          tags: 'v2',
        },
        event: repositoryEvent(),
      }),
    );
    expect(result.log).not.toContain('::error::');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['digest']).toBe(indexDigest);
    expect((await registryManifest(htpasswd, `multi/app-${suffix}`, 'v2'))?.digest).toBe(indexDigest);
    expect((await registryManifest(htpasswd, `multi/app-${suffix}`, built?.digest as string))?.digest).toBe(
      built?.digest,
    );
    expect(JSON.parse(result.outputs['metadata'] as string)).toMatchObject({ platforms: ['linux/amd64'] });
    const requests = htpasswd.requests(mark);
    expect(requests.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.uri.includes('/blobs/')))).toEqual(
      [],
    );
    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.uri)).toEqual([
      `/v2/multi/app-${suffix}/manifests/${built?.digest}`,
      `/v2/multi/app-${suffix}/manifests/v2`,
    ]);
  }, 60_000);

  test('Bearer token auth: build and push, then promote across repositories (token scopes for both)', async () => {
    const first = await runAction('build-container', options(token, { event: repositoryEvent() }));
    expect(first.log).not.toContain('::error::');
    expect(first.exitCode).toBe(0);
    const digest = first.outputs['digest'] as string;
    expect((await registryManifest(token, repository, SHA))?.digest).toBe(digest);

    const tokenRequests = token.tokenServer?.requests.length ?? 0;
    const mark = token.mark();
    const promoted = await runAction(
      'build-container',
      options(token, {
        inputs: { 'promote-from': first.outputs['image'] as string, image: `prod/app-${suffix}`, tags: 'v1' },
        event: repositoryEvent(),
      }),
    );
    expect(promoted.log).not.toContain('::error::');
    expect(promoted.exitCode).toBe(0);
    expect(promoted.outputs['digest']).toBe(digest);
    expect((await registryManifest(token, `prod/app-${suffix}`, 'v1'))?.digest).toBe(digest);
    const scopes = token.tokenServer?.requests.slice(tokenRequests).flatMap((request) => request.scope) ?? [];
    expect(scopes).toEqual(
      expect.arrayContaining([`repository:prod/app-${suffix}:pull,push`, `repository:${repository}:pull`]),
    );
    expect(token.requests(mark).filter((r) => r.method === 'PATCH')).toEqual([]);
    expect(leakedSecrets(promoted, [token.password])).toEqual([]);
  }, 120_000);

  test('a wrong password fails the login once, clearly, without retrying and without printing it', async () => {
    const result = await runAction(
      'build-container',
      options(htpasswd, { inputs: { password: 'not-the-password-123' }, event: repositoryEvent() }),
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/::error::docker login to 127\.0\.0\.1:\d+ as 'ci-pusher' failed: .*unauthorized/i);
    expect(result.log.match(/--password-stdin/g)?.length).toBe(1);
    expect(leakedSecrets(result, ['not-the-password-123'])).toEqual([]);
  }, 60_000);

  test('secrets need BuildKit: the legacy builder refuses them before building', async () => {
    const result = await runAction(
      'build-container',
      options(htpasswd, {
        inputs: { secrets: 'token=s3cr3t-never-shown', builder: 'docker' },
        env: { DOCKER_BUILDKIT: '0' },
        event: repositoryEvent(),
      }),
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/::error::Input 'secrets' needs BuildKit/);
    expect(result.log).not.toMatch(/docker(\s+\S+)?\s+build\b/);
    expect(leakedSecrets(result, ['s3cr3t-never-shown'])).toEqual([]);
  }, 60_000);

  const buildkitClient = buildkitDockerClient();
  const withBuildkit = buildkitClient || REQUIRE_DOCKER ? test : test.skip;
  if (!buildkitClient) {
    console.warn(
      `[${REQUIRE_DOCKER ? 'failing' : 'skipped'}] build-container secrets with BuildKit: no docker client with ` +
        'built-in BuildKit (a client before 23.0, such as Debian docker.io) on this machine',
    );
  }
  withBuildkit(
    'secrets with BuildKit on a pull request: mounted in the build, absent from history, log and outputs; not pushed',
    async () => {
      expect(buildkitClient).toBeDefined();
      const bin = join(work, 'buildkit-bin');
      mkdirSync(bin, { recursive: true });
      symlinkSync(buildkitClient as string, join(bin, 'docker'));
      const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
      const secretContext = join(work, 'secret-context');
      mkdirSync(secretContext);
      copyFileSync(BUSYBOX as string, join(secretContext, 'busybox'));
      writeFileSync(
        join(secretContext, 'Dockerfile'),
        'FROM scratch\nCOPY busybox /bin/busybox\n' +
          'RUN --mount=type=secret,id=token ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /etc && ' +
          '/bin/busybox sha256sum /run/secrets/token | /bin/busybox cut -c1-64 > /etc/token.sha256"]\n',
      );
      const headSha = 'beef'.repeat(10);
      const result = await runAction(
        'build-container',
        options(htpasswd, {
          inputs: { context: secretContext, secrets: `token=${secret}`, 'no-cache': 'true' },
          env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` },
          github: { eventName: 'pull_request', ref: 'refs/pull/42/merge', sha: 'f'.repeat(40) },
          event: repositoryEvent({ number: 42, pull_request: { number: 42, head: { sha: headSha, ref: 'feature' } } }),
        }),
      );
      expect(result.log).not.toContain('::error::');
      expect(result.exitCode).toBe(0);
      expect(result.outputs['digest']).toBe('');
      const name = `${htpasswd.address}/${repository}`;
      expect(result.outputs['tags']?.split('\n')).toEqual([`${name}:${headSha}`, `${name}:pr-42`]);
      expect(result.outputs['labels']).toContain(`org.opencontainers.image.revision=${headSha}`);
      expect(JSON.parse(result.outputs['metadata'] as string)).toMatchObject({
        builder: 'docker build (BuildKit)',
        pushed: false,
      });
      expect(await registryManifest(htpasswd, repository, 'pr-42')).toBeUndefined();
      const imageId = result.outputs['image-id'] as string;
      expect(imageId).toMatch(/^sha256:/);
      // The secret was mounted (its hash is in the image) …
      const hash = await run('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        imageId,
        '/bin/busybox',
        'cat',
        '/etc/token.sha256',
      ]);
      expect(hash.trim()).toBe(createHash('sha256').update(secret).digest('hex'));
      // … and is nowhere a user can see it.
      expect(await run('docker', ['history', '--no-trunc', imageId])).not.toContain(secret);
      expect(await run('docker', ['image', 'inspect', imageId])).not.toContain(secret);
      expect(leakedSecrets(result, [secret])).toEqual([]);
    },
    120_000,
  );
});
