/**
 * With blob storage on, asset versions whose content is in the workspace's datastore must point at blobs that
 * exist: `codeUri`, `modelUri` and an environment's `build.contextUri`, when registered and again when a deployment
 * uses them. A model's artifact is read then, so provisioning and scoring (which are synchronous) find it.
 */
import { parse as parseYaml } from 'yaml';
import { badArgument } from '../http/errors.ts';
import { parseArtifact } from '../scoring/model.ts';
import type { ArtifactResult } from '../scoring/model.ts';
import type { Service } from '../service.ts';
import type { AssetKind, JsonObject, WorkspaceState } from '../state.ts';
import { DEFAULT_DATASTORE, locateBlob } from './locations.ts';

const MAX_ARTIFACT_BYTES = 1024 * 1024;

function contentUris(kind: AssetKind, properties: JsonObject): { field: string; uri: string }[] {
  const uris: { field: string; uri: string }[] = [];
  const add = (field: string, value: unknown): void => {
    if (typeof value === 'string' && value !== '') uris.push({ field, uri: value });
  };
  if (kind === 'codes') add('codeUri', properties['codeUri']);
  if (kind === 'models') add('modelUri', properties['modelUri']);
  if (kind === 'environments') add('build.contextUri', (properties['build'] as JsonObject | undefined)?.['contextUri']);
  return uris;
}

/** Throws 400 BadArgument when a URI in this emulator's storage names no blob (and no folder of blobs). */
async function requireBlobs(service: Service, workspace: WorkspaceState, field: string, uri: string, what: string) {
  const location = locateBlob(service, uri, workspace);
  if (location === undefined || service.storage === undefined) return undefined;
  const found = await service.storage.store.exists(location.container, location.path);
  if (found === undefined) {
    throw badArgument(
      `${what}: ${field} ${uri} does not exist in datastore ${DEFAULT_DATASTORE} (container ${location.container}, path '${location.path}'): upload the files before registering or deploying the asset.`,
    );
  }
  return { location, found };
}

/** Reads a linear/v1 artifact: the blob itself, or the first `.json` blob of a folder that holds one. */
export async function fetchModelArtifact(service: Service, workspace: WorkspaceState, uri: string, what: string) {
  const storage = service.storage;
  const checked = await requireBlobs(service, workspace, 'modelUri', uri, what);
  if (checked === undefined || storage === undefined) return;
  const { location, found } = checked;
  let result: ArtifactResult;
  const candidates =
    found === 'blob'
      ? [location.path]
      : (await storage.store.list(location.container, `${location.path.replace(/\/+$/, '')}/`))
          .filter((blob) => blob.name.toLowerCase().endsWith('.json') && blob.size <= MAX_ARTIFACT_BYTES)
          .map((blob) => blob.name);
  if (candidates.length === 0) {
    result = {
      ok: false,
      stage: 'init',
      message: `FileNotFoundError: no .json model artifact under ${location.path} (the emulator runs linear/v1 JSON models)`,
    };
  } else {
    result = parseArtifact((await storage.store.read(location.container, candidates[0] ?? '')).toString('utf8'));
    for (const name of candidates.slice(1)) {
      if (result.ok) break;
      const next = parseArtifact((await storage.store.read(location.container, name)).toString('utf8'));
      if (next.ok) result = next;
    }
  }
  storage.artifacts.set(uri, result);
}

/** Checks a version about to be registered. */
export async function checkVersionContent(
  service: Service,
  workspace: WorkspaceState,
  kind: AssetKind,
  name: string,
  version: string,
  properties: JsonObject,
): Promise<void> {
  const what = `${kind === 'codes' ? 'Code' : kind === 'models' ? 'Model' : 'Environment'} version ${name}:${version}`;
  if (kind === 'environments' && typeof properties['condaFile'] === 'string') {
    let conda: unknown;
    try {
      conda = parseYaml(properties['condaFile']);
    } catch (error) {
      throw badArgument(`${what}: condaFile is not valid YAML: ${(error as Error).message}`);
    }
    if (typeof conda !== 'object' || conda === null || Array.isArray(conda)) {
      throw badArgument(`${what}: condaFile must be the text of a conda environment file (a YAML mapping).`);
    }
  }
  if (service.storage === undefined) return;
  for (const { field, uri } of contentUris(kind, properties)) {
    if (kind === 'models') await fetchModelArtifact(service, workspace, uri, what);
    else await requireBlobs(service, workspace, field, uri, what);
  }
}

function versionOf(service: Service, id: unknown, kind: AssetKind) {
  if (typeof id !== 'string') return undefined;
  const match = new RegExp(
    `^(?:azureml:)?/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.MachineLearningServices/workspaces/([^/]+)/${kind}/([^/]+)/versions/([^/]+)$`,
    'i',
  ).exec(id);
  if (match === null || match[1]?.toLowerCase() !== service.subscriptionId.toLowerCase()) return undefined;
  const workspace = service.workspace({ resourceGroup: match[2] ?? '', workspace: match[3] ?? '' });
  const record = workspace?.assets[kind][match[4] ?? '']?.versions[match[5] ?? ''];
  return workspace === undefined || record === undefined
    ? undefined
    : { workspace, record, label: `${match[4] ?? ''}:${match[5] ?? ''}` };
}

/** Before a deployment PUT: the content of the code, environment and model versions it uses must still exist. */
export async function checkDeploymentContent(service: Service, body: unknown): Promise<void> {
  if (service.storage === undefined) return;
  const properties = ((body as JsonObject | null)?.['properties'] ?? {}) as JsonObject;
  const code = versionOf(service, (properties['codeConfiguration'] as JsonObject | undefined)?.['codeId'], 'codes');
  if (code !== undefined) {
    for (const { field, uri } of contentUris('codes', code.record.properties))
      await requireBlobs(service, code.workspace, field, uri, `Code version ${code.label}`);
  }
  const environment = versionOf(service, properties['environmentId'], 'environments');
  if (environment !== undefined) {
    for (const { field, uri } of contentUris('environments', environment.record.properties))
      await requireBlobs(service, environment.workspace, field, uri, `Environment version ${environment.label}`);
  }
  const model = versionOf(service, properties['model'], 'models');
  const modelUri = model?.record.properties['modelUri'];
  if (model !== undefined && typeof modelUri === 'string' && !modelUri.startsWith('data:')) {
    await fetchModelArtifact(service, model.workspace, modelUri, `Model version ${model.label}`);
  }
}
