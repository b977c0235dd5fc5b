import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';
import {
  actionsExec,
  buildxCommand,
  chooseBuilder,
  dockerBuildCommand,
  dockerConfigCredentials,
  dockerLogin,
  ghaCacheAvailable,
  inspectDocker,
  planCache,
  type BuilderChoice,
  type BuildPlan,
  type CacheMode,
  type ExecFn,
  type RetryOptions,
} from './docker.ts';
import { promoteManifest } from './promote.ts';
import { imageName, isValidTag, parseImageReference } from './reference.ts';
import { isImageManifest, isIndex, manifestSize, RegistryClient, type RegistryCredentials } from './registry.ts';
import { computeLabels, computeTags, parseTagRules, type GitContext } from './tags.ts';

/**
 * build-container's one entry point: log in, then either build and push the image (buildx, or `docker build` +
 * `docker push` where buildx is missing) and read its digest back from the registry, or promote an already pushed
 * digest to this event's tags through the registry API.
 */

export interface BuildContainerRequest {
  registry: string;
  /** Repository path (`owner/app`); lower-cased; may start with the registry host. */
  image: string;
  /** `docker login` with these when a password is given; otherwise Docker's existing login is used. */
  username?: string;
  password?: string;
  git: GitContext;
  /** Lines of the `tags` input (rules or plain tags). */
  tagRules: readonly string[];
  labels?: Readonly<Record<string, string>>;
  /** Build (default) or promote an existing `image@sha256:…` to this event's tags. */
  promoteFrom?: string;
  context?: string;
  file?: string;
  target?: string;
  buildArgs?: Readonly<Record<string, string>>;
  /** Secret id → value; mounted with `RUN --mount=type=secret,id=…`, never in a command line or the image. */
  secrets?: Readonly<Record<string, string>>;
  platforms?: readonly string[];
  network?: string;
  cache?: CacheMode;
  provenance?: 'false' | 'min' | 'max';
  /** true, false, or 'auto' (push except on pull_request events). */
  push?: boolean | 'auto';
  load?: boolean;
  pull?: boolean;
  noCache?: boolean;
  builder?: BuilderChoice;
  /** A directory for the image-id file (the runner's RUNNER_TEMP); a temporary one otherwise. */
  tempDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  exec?: ExecFn;
  fetch?: typeof fetch;
  now?: () => Date;
  log?: (line: string) => void;
  loginRetry?: RetryOptions;
  /** Called once `docker login` has succeeded, so the caller can log out at the end of the job. */
  onLogin?: (registry: string) => void;
}

export interface BuildContainerResult {
  mode: 'build' | 'promote';
  /** `registry/repository`, lower-case. */
  name: string;
  /** The manifest digest in the registry; undefined only when nothing was pushed. */
  digest?: string;
  /** `name@sha256:…`, the reference to deploy. */
  imageRef?: string;
  /** Full references: `name:tag`. */
  tags: string[];
  labels: Record<string, string>;
  pushed: boolean;
  /** Bytes: compressed in the registry when pushed, uncompressed in the engine otherwise. */
  size?: number;
  sizeKind?: 'registry' | 'local';
  platforms: string[];
  durationMs: number;
  /** `buildx`, `docker build (BuildKit)`, `docker build (legacy builder)`, or `registry API` for a promotion. */
  builder: string;
  imageId?: string;
  promotedFrom?: string;
  loggedIn: boolean;
  /** Lines for the summary: cache used, blobs mounted, things skipped. */
  notes: string[];
  /** The registry API calls the action made itself (promotion and digest look-up). */
  registryRequests: { method: string; path: string; status: number }[];
}

function decidePush(push: boolean | 'auto' | undefined, git: GitContext): boolean {
  if (push === undefined || push === 'auto') return !git.eventName.startsWith('pull_request');
  return push;
}

export async function buildContainer(request: BuildContainerRequest): Promise<BuildContainerResult> {
  const env = request.env ?? process.env;
  const run = request.exec ?? actionsExec;
  const log = request.log ?? (() => {});
  const now = request.now ?? (() => new Date());
  const target = imageName(request.registry, request.image);
  const tags = computeTags(request.git, parseTagRules(request.tagRules));
  const push = request.promoteFrom ? true : decidePush(request.push, request.git);
  for (const secret of Object.values(request.secrets ?? {})) maskSecret(secret);

  let loggedIn = false;
  let credentials: RegistryCredentials | undefined;
  if (request.password) {
    if (!request.username)
      throw new UserError("Input 'username' is empty: a password was given without a user name.", {
        input: 'username',
      });
    maskSecret(request.password);
    credentials = { username: request.username, password: request.password };
  }
  const started = Date.now();

  if (request.promoteFrom) {
    const source = parseImageReference(request.promoteFrom, "input 'promote-from'");
    if (!source.digest) {
      throw new UserError(
        `Input 'promote-from' is '${request.promoteFrom}': give a digest (name@sha256:…), not a tag — a tag can move ` +
          'between the test and the promotion, a digest cannot.',
        { input: 'promote-from' },
      );
    }
    if (source.registry !== target.registry) {
      throw new UserError(
        `Input 'promote-from' is in ${source.registry} but the target is in ${target.registry}: promotion copies ` +
          'manifests within one registry (no layer upload). Build in the target registry, or copy across registries ' +
          'with a tool such as crane or skopeo.',
        { input: 'promote-from' },
      );
    }
    credentials ??= await dockerConfigCredentials(run, target.registry, env);
    const client = new RegistryClient({
      registry: target.registry,
      ...(credentials && { credentials }),
      scopes: [
        `repository:${target.repository}:pull,push`,
        ...(source.repository !== target.repository ? [`repository:${source.repository}:pull`] : []),
      ],
      ...(request.fetch && { fetch: request.fetch }),
    });
    const promoted = await promoteManifest({
      client,
      source: { repository: source.repository, digest: source.digest },
      target: { repository: target.repository },
      tags,
    });
    const notes = [`promoted by the registry API: no pull, build or layer upload`];
    if (source.repository !== target.repository) {
      notes.push(
        `${promoted.mounted} blob(s) mounted from ${source.repository}, ${promoted.present} already present, ` +
          `${promoted.manifestsCopied} child manifest(s) copied`,
      );
    }
    return {
      mode: 'promote',
      name: target.name,
      digest: promoted.digest,
      imageRef: `${target.name}@${promoted.digest}`,
      tags: tags.map((tag) => `${target.name}:${tag}`),
      labels: promoted.labels ?? {},
      pushed: true,
      size: promoted.size,
      sizeKind: 'registry',
      platforms: promoted.platforms,
      durationMs: Date.now() - started,
      builder: 'registry API',
      promotedFrom: `${source.registry}/${source.repository}@${source.digest}`,
      loggedIn,
      notes,
      registryRequests: client.requests,
    };
  }

  if (push && tags.length === 0) {
    throw new UserError(
      'The tag rules gave no tag for this event, so there is nothing to push: add a rule or a plain tag.',
      {
        input: 'tags',
      },
    );
  }
  for (const [key] of Object.entries(request.buildArgs ?? {})) {
    if (/token|password|secret|passwd|private|credential|api[_-]?key/i.test(key)) {
      log(
        `warning: build arg ${key} looks like a secret; build args are stored in the image history — use 'secrets' instead`,
      );
    }
  }
  const secretEntries = Object.entries(request.secrets ?? {});
  for (const [id] of secretEntries) {
    if (!/^[A-Za-z0-9_.-]+$/.test(id))
      throw new UserError(`Input 'secrets' has the id '${id}': use letters, digits, _ . -.`, { input: 'secrets' });
  }
  const docker = await inspectDocker(run, env);
  const builder = chooseBuilder(request.builder ?? 'auto', docker, {
    secrets: secretEntries.length > 0,
    platforms: request.platforms?.length ?? 0,
  });
  if (credentials) {
    await dockerLogin(run, { registry: target.registry, ...credentials }, { log, ...request.loginRetry });
    loggedIn = true;
    request.onLogin?.(target.registry);
  }
  const notes: string[] = [];
  const fullTags = tags.map((tag) => `${target.name}:${tag}`);
  const labels = computeLabels(request.git, now(), request.labels);
  const provenance = request.provenance ?? 'false';
  if (builder.kind === 'docker' && provenance !== 'false') notes.push('provenance skipped: it needs buildx');
  const branchTag = tags.find((tag) => tag !== request.git.sha && isValidTag(tag));
  const cache = planCache(request.cache ?? 'auto', {
    builder,
    ghaAvailable: ghaCacheAvailable(env),
    push,
    name: target.name,
    ...(branchTag && { inlineFrom: `${target.name}:${branchTag}` }),
  });
  notes.push(`cache: ${cache.note}`);
  const temp = mkdtempSync(join(request.tempDir ?? tmpdir(), 'build-container-'));
  const secretEnv: Record<string, string> = {};
  const secrets = secretEntries.map(([id, value], index) => {
    const name = `BUILD_CONTAINER_SECRET_${index}`;
    secretEnv[name] = value;
    return { id, env: name };
  });
  const plan: BuildPlan = {
    context: request.context ?? '.',
    ...(request.file && { file: request.file }),
    ...(request.target && { target: request.target }),
    tags: fullTags,
    labels,
    buildArgs: request.buildArgs ?? {},
    secrets,
    platforms: request.platforms ?? [],
    ...(request.network && { network: request.network }),
    push,
    load: request.load ?? false,
    pull: request.pull ?? false,
    noCache: request.noCache ?? false,
    cache,
    provenance,
    iidFile: join(temp, 'image-id'),
  };
  let builderName: string;
  let imageId: string | undefined;
  try {
    if (builder.kind === 'buildx') {
      builderName = `buildx ${docker.buildx?.version ?? ''}`.trim();
      const result = await run('docker', buildxCommand(plan), { env: secretEnv });
      if (result.exitCode !== 0)
        throw new UserError(`docker buildx build failed (exit code ${result.exitCode}): see the build log above.`);
    } else {
      builderName = builder.buildkit ? 'docker build (BuildKit)' : 'docker build (legacy builder)';
      const command = dockerBuildCommand(plan, builder.buildkit);
      const result = await run('docker', command.args, { env: { ...command.env, ...secretEnv } });
      if (result.exitCode !== 0)
        throw new UserError(`docker build failed (exit code ${result.exitCode}): see the build log above.`);
      if (push) {
        for (const tag of fullTags) {
          const pushed = await run('docker', ['push', tag]);
          if (pushed.exitCode !== 0)
            throw new UserError(`docker push ${tag} failed: ${pushed.stderr.trim().split('\n').pop() ?? ''}`);
        }
      }
    }
  } finally {
    imageId = readIdFile(plan.iidFile);
    rmSync(temp, { recursive: true, force: true });
  }
  const durationMs = Date.now() - started;
  const result: BuildContainerResult = {
    mode: 'build',
    name: target.name,
    tags: fullTags,
    labels,
    pushed: push,
    platforms: [...(request.platforms ?? [])],
    durationMs,
    builder: builderName,
    ...(imageId && { imageId }),
    loggedIn,
    notes,
    registryRequests: [],
  };
  if (!push) {
    if (imageId && (builder.kind === 'docker' || plan.load)) {
      const inspect = await run('docker', ['image', 'inspect', '--format', '{{json .}}', imageId], { silent: true });
      if (inspect.exitCode === 0) {
        const image = JSON.parse(inspect.stdout) as { Size?: number; Os?: string; Architecture?: string };
        if (typeof image.Size === 'number') {
          result.size = image.Size;
          result.sizeKind = 'local';
        }
        if (!result.platforms.length && image.Os && image.Architecture)
          result.platforms = [`${image.Os}/${image.Architecture}`];
      }
    }
    notes.push(`not pushed (push: ${request.push === false ? 'false' : 'auto, on a pull request'})`);
    return result;
  }
  // The digest comes from the registry, never from the build's human output.
  credentials ??= await dockerConfigCredentials(run, target.registry, env);
  const client = new RegistryClient({
    registry: target.registry,
    ...(credentials && { credentials }),
    scopes: [`repository:${target.repository}:pull`],
    ...(request.fetch && { fetch: request.fetch }),
  });
  const digests = new Set<string>();
  for (const tag of tags) {
    const head = await client.headManifest(target.repository, tag);
    if (!head) throw new UserError(`${target.name}:${tag} is not in the registry after the push.`);
    digests.add(head.digest);
  }
  if (digests.size !== 1) {
    throw new UserError(
      `The pushed tags of ${target.name} point to different manifests (${[...digests].join(', ')}): another job pushed ` +
        'to the same tags at the same time. Use `concurrency:` in the workflow.',
    );
  }
  const [digest] = [...digests] as [string];
  const manifest = await client.getManifest(target.repository, digest);
  if (isImageManifest(manifest)) {
    result.size = manifestSize(manifest);
    if (manifest.json.config) {
      const config = (await client.getBlobJson(target.repository, manifest.json.config.digest)) as {
        os?: string;
        architecture?: string;
        variant?: string;
      };
      if (config.os && config.architecture) {
        result.platforms = [[config.os, config.architecture, config.variant].filter(Boolean).join('/')];
      }
    }
  } else if (isIndex(manifest)) {
    let size = 0;
    const platforms: string[] = [];
    for (const child of manifest.json.manifests ?? []) {
      const { os, architecture, variant } = child.platform ?? {};
      // Attestation manifests (provenance) are listed as unknown/unknown: not a platform, not image size.
      if (os === 'unknown') continue;
      if (os && architecture) platforms.push([os, architecture, variant].filter(Boolean).join('/'));
      size += manifestSize(await client.getManifest(target.repository, child.digest));
    }
    result.size = size;
    result.platforms = platforms;
  }
  result.sizeKind = 'registry';
  result.digest = digest;
  result.imageRef = `${target.name}@${digest}`;
  result.registryRequests = client.requests;
  return result;
}

function readIdFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `1536` → `1.5 KiB`: sizes in summaries. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
