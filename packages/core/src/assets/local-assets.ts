import { readFileSync } from 'node:fs';
import type { AssetKind } from '../azure/asset-ref.ts';
import { assetVersionId } from '../azure/asset-ref.ts';
import { toServiceError } from '../azure/operation.ts';
import type { DeploymentSpec } from '../azure/spec.ts';
import { UserError } from '../errors.ts';
import { displayPath } from '../files.ts';
import type { AmlWorkspace, ResolvedAsset } from '../aml/workspace.ts';
import type { DatastoreAccess, StorageRetry } from './datastore.ts';
import {
  contentHash,
  CONTENT_HASH_VERSION,
  md5,
  objectHash,
  sha256,
  snapshot as readSnapshot,
  type Snapshot,
} from './snapshot.ts';
import { formatBytes, remotePathOf, uploadSnapshot, type UploadOptions } from './upload.ts';

/**
 * Local assets of a deployment file — a `code_configuration.code` folder, an inline environment (`image` with an
 * optional `conda_file`, or `build.path` as a Docker context) and a model given by a local `path` — uploaded and
 * registered as the Azure ML CLI does, and skipped when already there:
 *
 * - code: anonymous, named by its content hash (`get_content_hash`, also kept in its `hash_sha256` property),
 *   version 1; looked up first, so unchanged code makes no upload and no registration;
 * - environment: anonymous `CliV2AnonymousEnvironment`, version the CLI's MD5 over image, inference config and conda
 *   file (or over the build context's hash and Dockerfile path); a build context is uploaded like code;
 * - model: its `name`/`version` when the file gives them; without a name, anonymous, named SHA-256 of the upload hash,
 *   version 1 (as the CLI); with a name and no version, the version whose content hash matches, else the next one.
 *
 * `prepareLocalAssets` reads and hashes files only (no Azure call); `resolveLocalAssets` looks versions up and, unless
 * `dryRun`, uploads what is missing and registers it only once its upload is complete.
 */

export const ANONYMOUS_ENVIRONMENT = 'CliV2AnonymousEnvironment';
/** Property of model versions this action registers: the upload hash of their files. */
export const MODEL_HASH_PROPERTY = 'mlops-actions.upload-hash';

export type AssetOutcomeKind = 'code' | 'environment' | 'model';

export interface AssetOutcome {
  kind: AssetOutcomeKind;
  name: string;
  version: string;
  id: string;
  /** `reused`: already registered; `registered`: uploaded (or found uploaded) and registered now; plan mode: `would …`. */
  action: 'reused' | 'registered' | 'would register';
  /** Files were sent in this run. */
  uploaded: boolean;
  files: number;
  bytes: number;
  /** Paths the ignore file left out. */
  ignored: string[];
  ignoreFile: string | undefined;
  /** The local folder or file, relative to the repository. */
  source: string;
}

interface PreparedSnapshot {
  snap: Snapshot;
  /** The upload folder's hash (`get_object_hash`). */
  uploadHash: string;
}

interface PreparedCode extends PreparedSnapshot {
  contentHash: string;
}

interface PreparedEnvironment {
  name: string;
  version: string;
  anonymous: boolean;
  properties: { image?: string; condaFile?: string; osType?: string; inferenceConfig?: unknown; description?: string };
  tags: Record<string, string>;
  build?: PreparedSnapshot & { dockerfilePath?: string };
  source: string;
}

interface PreparedModel extends PreparedSnapshot {
  name: string;
  version: string | undefined;
  anonymous: boolean;
  type: string;
  description: string | undefined;
  tags: Record<string, string>;
}

export interface PreparedAssets {
  code?: PreparedCode;
  environment?: PreparedEnvironment;
  model?: PreparedModel;
}

/** The CLI's `_generate_anonymous_name_version` (including its `str.join` quirk, which it keeps for stability). */
export function anonymousEnvironmentVersion(
  source:
    { image: string; inferenceConfig?: unknown; condaFile?: string } | { uploadHash: string; dockerfilePath?: string },
): string {
  let text: string;
  const join = (separator: string, value: string) => [...value].join(separator);
  if ('image' in source) {
    text = md5(source.image);
    if (source.inferenceConfig !== undefined) text = join(text, md5(stableJson(source.inferenceConfig)));
    if (source.condaFile !== undefined) text = join(text, md5(source.condaFile));
  } else {
    text = md5(source.uploadHash);
    if (source.dockerfilePath !== undefined) text = join(text, md5(source.dockerfilePath));
  }
  return md5(text);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function inferenceConfigToArm(config: unknown): unknown {
  const routes = config as Record<string, { port: number; path: string }> | undefined;
  if (!routes) return undefined;
  return {
    livenessRoute: routes['liveness_route'],
    readinessRoute: routes['readiness_route'],
    scoringRoute: routes['scoring_route'],
  };
}

/**
 * Reads and hashes the local files of a deployment file; no Azure call. With `root` (the checked-out repository),
 * a symbolic link inside a folder that leads out of it is refused: nothing outside the repository is uploaded.
 */
export async function prepareLocalAssets(
  spec: DeploymentSpec,
  modelOverridden: boolean,
  root?: string,
): Promise<PreparedAssets> {
  const prepared: PreparedAssets = {};
  const where = (field: string) => `${spec.file}: ${field}`;
  const snapshot = (path: string, what: string) => readSnapshot(path, what, root);
  if (spec.code?.kind === 'local') {
    const snap = snapshot(spec.code.path, where('code_configuration.code'));
    if (snap.isFile) {
      throw new UserError(
        `${where('code_configuration.code')} must be a folder (the one that holds the scoring script), not a file.`,
      );
    }
    if (spec.scoringScript && !snap.files.some((file) => file.relative === spec.scoringScript?.replace(/^\.\//, ''))) {
      throw new UserError(
        `${where('code_configuration.scoring_script')} ${spec.scoringScript} is not in ${displayPath(spec.code.path)}` +
          `${snap.ignored.length > 0 ? ` (or ${snap.ignoreFile} leaves it out)` : ''}.`,
        { file: spec.file },
      );
    }
    prepared.code = { snap, contentHash: await contentHash(snap), uploadHash: await objectHash(snap) };
  }
  const env = spec.environment;
  if (env?.kind === 'inline') {
    const anonymous = env.name === undefined && env.version === undefined;
    if (!anonymous && (env.name === undefined || env.version === undefined)) {
      throw new UserError(
        `${where('environment')}: give both 'name' and 'version', or neither (an anonymous environment).`,
      );
    }
    let condaFile: string | undefined;
    if (env.condaFile !== undefined) {
      try {
        condaFile = readFileSync(env.condaFile, 'utf8');
      } catch {
        throw new UserError(`${where('environment.conda_file')} ${displayPath(env.condaFile)} cannot be read.`, {
          file: spec.file,
        });
      }
    }
    const inferenceConfig = inferenceConfigToArm(env.inferenceConfig);
    let build: PreparedEnvironment['build'];
    if (env.build) {
      const snap = snapshot(env.build.path, where('environment.build.path'));
      build = {
        snap,
        uploadHash: await objectHash(snap),
        ...(env.build.dockerfilePath !== undefined && { dockerfilePath: env.build.dockerfilePath }),
      };
    }
    const version = anonymous
      ? build
        ? anonymousEnvironmentVersion({ uploadHash: build.uploadHash, dockerfilePath: build.dockerfilePath })
        : anonymousEnvironmentVersion({ image: env.image ?? '', inferenceConfig: env.inferenceConfig, condaFile })
      : (env.version as string);
    prepared.environment = {
      name: anonymous ? ANONYMOUS_ENVIRONMENT : (env.name as string),
      version,
      anonymous,
      properties: {
        ...(env.image !== undefined && { image: env.image }),
        ...(condaFile !== undefined && { condaFile }),
        ...(env.osType !== undefined && { osType: env.osType }),
        ...(inferenceConfig !== undefined && { inferenceConfig }),
        ...(env.description !== undefined && { description: env.description }),
      },
      tags: env.tags,
      ...(build && { build }),
      source: displayPath(env.build?.path ?? env.condaFile ?? spec.file),
    };
  }
  if (spec.model?.kind === 'local' && !modelOverridden) {
    const model = spec.model;
    const snap = snapshot(model.path, where('model.path'));
    const uploadHash = await objectHash(snap);
    const anonymous = model.name === undefined;
    prepared.model = {
      snap,
      uploadHash,
      name: anonymous ? sha256(uploadHash) : (model.name as string),
      version: anonymous ? '1' : model.version,
      anonymous,
      type: model.type ?? 'custom_model',
      description: model.description,
      tags: model.tags,
    };
  }
  return prepared;
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

interface Versions {
  get(rg: string, ws: string, name: string, version: string): Promise<{ properties: Record<string, unknown> }>;
  createOrUpdate(rg: string, ws: string, name: string, version: string, body: unknown): Promise<unknown>;
}

function versions(workspace: AmlWorkspace, kind: AssetKind): Versions {
  const { client } = workspace;
  return (kind === 'codes'
    ? client.codeVersions
    : kind === 'environments'
      ? client.environmentVersions
      : client.modelVersions) as unknown as Versions;
}

async function findVersion(workspace: AmlWorkspace, kind: AssetKind, name: string, version: string) {
  const { resourceGroup, workspace: ws } = workspace.scope;
  try {
    return await versions(workspace, kind).get(resourceGroup, ws, name, version);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw toServiceError(error, `Looking up ${kind.replace(/s$/, '')} ${name}:${version}`);
  }
}

async function register(workspace: AmlWorkspace, kind: AssetKind, name: string, version: string, body: unknown) {
  const { resourceGroup, workspace: ws } = workspace.scope;
  try {
    await versions(workspace, kind).createOrUpdate(resourceGroup, ws, name, version, body);
  } catch (error) {
    throw toServiceError(error, `Registering ${kind.replace(/s$/, '')} ${name}:${version}`);
  }
}

/** A model name without a version: the version already holding these files, else the next version number. */
async function modelVersionFor(
  workspace: AmlWorkspace,
  model: PreparedModel,
): Promise<{ version: string; exists: boolean }> {
  const { resourceGroup, workspace: ws } = workspace.scope;
  try {
    for await (const item of workspace.client.modelVersions.list(resourceGroup, ws, model.name, {
      orderBy: 'createdtime desc',
      top: 100,
    })) {
      if (item.properties.properties?.[MODEL_HASH_PROPERTY] === model.uploadHash)
        return { version: item.name as string, exists: true };
    }
    const container = await workspace.client.modelContainers.get(resourceGroup, ws, model.name);
    return {
      version: container.properties.nextVersion ?? String(Number(container.properties.latestVersion ?? 0) + 1),
      exists: false,
    };
  } catch (error) {
    if (isNotFound(error)) return { version: '1', exists: false };
    throw toServiceError(error, `Finding the versions of model ${model.name}`);
  }
}

export interface ResolvedLocalAssets {
  codeId?: string;
  environmentId?: string;
  model?: ResolvedAsset;
  outcomes: AssetOutcome[];
}

export interface ResolveOptions {
  /** Plan mode: look versions up, upload and register nothing. */
  dryRun: boolean;
  log: (line: string) => void;
  upload?: Omit<UploadOptions, 'log'>;
  retry?: StorageRetry;
}

export async function resolveLocalAssets(
  workspace: AmlWorkspace,
  prepared: PreparedAssets,
  options: ResolveOptions,
): Promise<ResolvedLocalAssets> {
  const result: ResolvedLocalAssets = { outcomes: [] };
  let access: DatastoreAccess | undefined;
  // The storage SDK is loaded only when something has to be uploaded.
  const datastore = async () =>
    (access ??= await (await import('./datastore.ts')).openDefaultDatastore(workspace, { retry: options.retry }));
  const id = (kind: AssetKind, name: string, version: string) => assetVersionId(workspace.scope, kind, name, version);
  const outcome = (
    kind: AssetOutcomeKind,
    name: string,
    version: string,
    action: AssetOutcome['action'],
    snap: Snapshot | undefined,
    uploaded: boolean,
    source: string,
  ): AssetOutcome => {
    const item: AssetOutcome = {
      kind,
      name,
      version,
      id: id(kind === 'code' ? 'codes' : kind === 'environment' ? 'environments' : 'models', name, version),
      action,
      uploaded,
      files: snap?.files.length ?? 0,
      bytes: snap?.bytes ?? 0,
      ignored: snap?.ignored ?? [],
      ignoreFile: snap?.ignoreFile,
      source,
    };
    result.outcomes.push(item);
    const files = snap
      ? ` (${snap.files.length} file(s), ${formatBytes(snap.bytes)}${snap.ignored.length > 0 ? `; ${snap.ignoreFile} leaves out ${snap.ignored.length}` : ''})`
      : '';
    const said = {
      reused: 'already registered: nothing uploaded',
      registered: uploaded ? 'uploaded and registered' : snap ? 'files already uploaded; registered' : 'registered',
      'would register': snap
        ? 'not registered: a deploy would upload and register it'
        : 'not registered: a deploy would register it',
    }[action];
    options.log(`${kind} ${name}:${version} from ${source}${files}: ${said}.`);
    return item;
  };
  const upload = async (snap: Snapshot, hash: string, name: string, version: string) =>
    uploadSnapshot(await datastore(), snap, hash, { name, version }, { ...options.upload, log: options.log });

  if (prepared.code) {
    const { snap, contentHash: hash, uploadHash } = prepared.code;
    const source = displayPath(snap.path);
    if (await findVersion(workspace, 'codes', hash, '1')) {
      outcome('code', hash, '1', 'reused', snap, false, source);
    } else if (options.dryRun) {
      outcome('code', hash, '1', 'would register', snap, false, source);
    } else {
      const sent = await upload(snap, uploadHash, hash, '1');
      await register(workspace, 'codes', hash, '1', {
        properties: {
          codeUri: (await datastore()).url(sent.remotePath),
          isAnonymous: true,
          properties: { hash_sha256: hash, hash_version: CONTENT_HASH_VERSION },
        },
      });
      outcome('code', hash, '1', 'registered', snap, sent.uploaded, source);
    }
    result.codeId = id('codes', hash, '1');
  }

  if (prepared.environment) {
    const env = prepared.environment;
    const existing = await findVersion(workspace, 'environments', env.name, env.version);
    if (existing && !env.anonymous) {
      const live = existing.properties;
      const differs = ['image', 'condaFile'].filter(
        (field) => (env.properties as Record<string, unknown>)[field] !== live[field] && !env.build,
      );
      if (differs.length > 0) {
        throw new UserError(
          `Environment ${env.name}:${env.version} is already registered with a different ${differs.join(' and ')}: versions cannot change; give the environment a new version (or drop name and version for an anonymous one).`,
        );
      }
    }
    if (existing) {
      outcome('environment', env.name, env.version, 'reused', env.build?.snap, false, env.source);
    } else if (options.dryRun) {
      outcome('environment', env.name, env.version, 'would register', env.build?.snap, false, env.source);
    } else {
      let build: { contextUri: string; dockerfilePath?: string } | undefined;
      let uploaded = false;
      if (env.build) {
        const sent = await upload(env.build.snap, env.build.uploadHash, env.name, env.version);
        uploaded = sent.uploaded;
        build = {
          // The CLI ends the context URI with '/', which the service requires.
          contextUri: `${(await datastore()).url(sent.remotePath)}/`,
          ...(env.build.dockerfilePath !== undefined && { dockerfilePath: env.build.dockerfilePath }),
        };
      }
      await register(workspace, 'environments', env.name, env.version, {
        properties: {
          ...env.properties,
          ...(build && { build }),
          ...(Object.keys(env.tags).length > 0 && { tags: env.tags }),
          ...(env.anonymous && { isAnonymous: true }),
        },
      });
      outcome('environment', env.name, env.version, 'registered', env.build?.snap, uploaded, env.source);
    }
    result.environmentId = id('environments', env.name, env.version);
  }

  if (prepared.model) {
    const model = prepared.model;
    const source = displayPath(model.snap.path);
    let version = model.version;
    let exists: boolean;
    if (version === undefined) {
      ({ version, exists } = await modelVersionFor(workspace, model));
    } else {
      const found = await findVersion(workspace, 'models', model.name, version);
      exists = found !== undefined;
      const hash = (found?.properties['properties'] as Record<string, string> | undefined)?.[MODEL_HASH_PROPERTY];
      if (found && !model.anonymous && hash !== undefined && hash !== model.uploadHash) {
        throw new UserError(
          `Model ${model.name}:${version} is already registered with other files than ${source}: versions cannot change; give the model a new version (or leave the version out to get the next one).`,
        );
      }
    }
    if (exists) {
      outcome('model', model.name, version, 'reused', model.snap, false, source);
    } else if (options.dryRun) {
      outcome('model', model.name, version, 'would register', model.snap, false, source);
    } else {
      const sent = await upload(model.snap, model.uploadHash, model.name, version);
      await register(workspace, 'models', model.name, version, {
        properties: {
          modelUri: (await datastore()).datastoreUri(remotePathOf(model.uploadHash, model.snap)),
          modelType: model.type,
          ...(model.description !== undefined && { description: model.description }),
          ...(Object.keys(model.tags).length > 0 && { tags: model.tags }),
          properties: { [MODEL_HASH_PROPERTY]: model.uploadHash },
          ...(model.anonymous && { isAnonymous: true }),
        },
      });
      outcome('model', model.name, version, 'registered', model.snap, sent.uploaded, source);
    }
    result.model = { id: id('models', model.name, version), name: model.name, version };
  }
  return result;
}
