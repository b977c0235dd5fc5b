/** Where asset URIs point: the workspace's default blob datastore (one container per workspace) or elsewhere. */
import type { ArtifactResult } from '../scoring/model.ts';
import type { Service } from '../service.ts';
import type { WorkspaceState } from '../state.ts';
import type { BlobStore } from './blob-store.ts';

export const DEFAULT_DATASTORE = 'workspaceblobstore';

/** What the emulator knows about its blob service while it runs. */
export interface StorageRuntime {
  accountName: string;
  accountKey: string;
  /** `127.0.0.1:PORT` of the blob front (the datastore's `endpoint`). */
  host: string;
  /** `https://127.0.0.1:PORT/<account>`: the blob service URL clients use. */
  serviceUrl: string;
  /** How the default datastore is reached: its account key, or Entra ID (identity-based datastore). */
  datastoreAuth: 'key' | 'identity';
  store: BlobStore;
  /** Model artifacts read from blobs, by model URI (asset versions and LocalUpload blobs are immutable). */
  artifacts: Map<string, ArtifactResult>;
}

/** The real service names the default container `azureml-blobstore-<workspace id>`. */
export function containerName(workspace: WorkspaceState): string {
  return `azureml-blobstore-${workspace.workspaceId}`;
}

export interface BlobLocation {
  container: string;
  path: string;
  /** The URI as written, for messages. */
  uri: string;
}

function decodePath(segments: string[]): string {
  return segments.map((segment) => decodeURIComponent(segment)).join('/');
}

/**
 * `azureml://subscriptions/…/workspaces/{ws}/datastores/{ds}/paths/{path}`, `azureml://datastores/{ds}/paths/{path}`,
 * `https://127.0.0.1:PORT/{account}/{container}/{path}` or `https://{account}.blob.{suffix}/{container}/{path}`
 * → the container and path in this emulator's storage; undefined when the URI points anywhere else (it cannot be
 * checked, and is accepted as the service would).
 */
export function locateBlob(service: Service, uri: string, workspace: WorkspaceState): BlobLocation | undefined {
  const storage = service.storage;
  if (storage === undefined) return undefined;
  const long =
    /^azureml:\/\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/workspaces\/([^/]+)\/datastores\/([^/]+)\/paths\/(.*)$/i.exec(
      uri,
    );
  const short = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/i.exec(uri);
  if (long !== null || short !== null) {
    const [datastore = '', path = ''] = long !== null ? [long[4], long[5]] : [short?.[1], short?.[2]];
    const target =
      long === null
        ? workspace
        : long[1]?.toLowerCase() === service.subscriptionId.toLowerCase()
          ? service.workspace({ resourceGroup: long[2] ?? '', workspace: long[3] ?? '' })
          : undefined;
    if (target === undefined || datastore.toLowerCase() !== DEFAULT_DATASTORE) return undefined;
    return { container: containerName(target), path: decodePath(path.split('/')), uri };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const pathStyle = url.host === storage.host || url.host === storage.host.replace('127.0.0.1', 'localhost');
  const hostStyle = url.hostname.toLowerCase().startsWith(`${storage.accountName}.blob.`);
  if (pathStyle && segments[0] === storage.accountName && segments.length >= 2) {
    return { container: segments[1] ?? '', path: decodePath(segments.slice(2)), uri };
  }
  if (hostStyle && segments.length >= 1) {
    return { container: segments[0] ?? '', path: decodePath(segments.slice(1)), uri };
  }
  return undefined;
}
