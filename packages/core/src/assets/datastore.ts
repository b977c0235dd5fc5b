import type { AzureBlobDatastore } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { toServiceError } from '../azure/operation.ts';
import { UserError } from '../errors.ts';
import { plainTransportProblem } from '../transport.ts';
import { maskSecret } from '../summary.ts';
import type { AmlWorkspace } from '../aml/workspace.ts';

/**
 * The workspace's default blob datastore (`workspaceblobstore`), opened as the Azure ML CLI does: the account's
 * blob service `https://<account>.blob.<endpoint>`, and its account key (listSecrets, masked) when the datastore has
 * account-key credentials, otherwise Microsoft Entra ID with the same identity as the ARM calls (an identity-based
 * datastore). An IP `endpoint` (a local emulator such as Azurite) is reached path-style: `https://<ip:port>/<account>`.
 */

export interface DatastoreAccess {
  name: string;
  accountName: string;
  containerName: string;
  /** `https://<account>.blob.<endpoint>` (or path-style for IP endpoints). */
  serviceUrl: string;
  auth: 'account key' | 'Microsoft Entra ID';
  container: ContainerClient;
  /** The https URL of a path in the container (what code versions and build contexts point at). */
  url(path: string): string;
  /** `azureml://subscriptions/…/datastores/<name>/paths/<path>` (what model versions point at). */
  datastoreUri(path: string): string;
}

export interface StorageRetry {
  maxTries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

export function blobServiceUrl(accountName: string, endpoint: string, protocol = 'https'): string {
  const host = endpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const ipStyle = /^(\d{1,3}(\.\d{1,3}){3}|localhost|\[[0-9a-f:]+\])(:\d+)?$/i.test(host);
  return ipStyle ? `${protocol}://${host}/${accountName}` : `${protocol}://${accountName}.blob.${host}`;
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
}

export async function openDefaultDatastore(
  workspace: AmlWorkspace,
  options: { retry?: StorageRetry } = {},
): Promise<DatastoreAccess> {
  const { resourceGroup, workspace: name } = workspace.scope;
  const datastore = await (async () => {
    try {
      for await (const item of workspace.client.datastores.list(resourceGroup, name, { isDefault: true })) return item;
      return undefined;
    } catch (error) {
      throw toServiceError(error, `Finding the default datastore of workspace ${name}`);
    }
  })();
  if (datastore === undefined) {
    throw new UserError(
      `Workspace ${name} has no default datastore, so local files cannot be uploaded: register the assets first and reference them as 'azureml:<name>:<version>'.`,
    );
  }
  const properties = datastore.properties as AzureBlobDatastore;
  if (properties.datastoreType !== 'AzureBlob' || !properties.accountName || !properties.containerName) {
    throw new UserError(
      `The default datastore ${datastore.name ?? ''} of workspace ${name} is ${properties.datastoreType}, not Azure Blob storage: this action uploads to blob datastores only.`,
    );
  }
  const protocol = properties.protocol ?? 'https';
  const endpoint = properties.endpoint ?? 'core.windows.net';
  const problem = plainTransportProblem(blobServiceUrl(properties.accountName, endpoint, protocol));
  if (problem) {
    throw new UserError(
      `The default datastore ${datastore.name ?? ''} of workspace ${name} uses protocol '${protocol}': ${problem} ` +
        '(the files to upload, and the account key or token). Set its protocol to https ' +
        '(`az ml datastore update` with `protocol: https`, or recreate it), then run again; nothing was uploaded.',
    );
  }
  const serviceUrl = blobServiceUrl(properties.accountName, endpoint, protocol);
  let credential: StorageSharedKeyCredential | TokenCredential;
  let auth: DatastoreAccess['auth'];
  if (properties.credentials.credentialsType === 'AccountKey') {
    const secrets = await workspace.client.datastores
      .listSecrets(resourceGroup, name, datastore.name as string)
      .catch((error: unknown) => {
        throw toServiceError(error, `Reading the account key of datastore ${datastore.name ?? ''}`);
      });
    const key = (secrets as { key?: string }).key;
    maskSecret(key);
    if (!key) throw new UserError(`Datastore ${datastore.name ?? ''} returned no account key.`);
    credential = new StorageSharedKeyCredential(properties.accountName, key);
    auth = 'account key';
  } else {
    if (workspace.credential === undefined) throw new Error('no credential for Microsoft Entra ID');
    credential = workspace.credential;
    auth = 'Microsoft Entra ID';
  }
  const service = new BlobServiceClient(serviceUrl, credential, {
    retryOptions: {
      maxTries: options.retry?.maxTries ?? 4,
      retryDelayInMs: options.retry?.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: options.retry?.maxRetryDelayInMs ?? 30_000,
    },
    userAgentOptions: { userAgentPrefix: 'mlops-actions' },
  });
  const container = service.getContainerClient(properties.containerName);
  const { subscriptionId } = workspace.scope;
  const datastoreName = datastore.name as string;
  return {
    name: datastoreName,
    accountName: properties.accountName,
    containerName: properties.containerName,
    serviceUrl,
    auth,
    container,
    url: (path) => `${serviceUrl}/${properties.containerName}/${encodePath(path)}`,
    datastoreUri: (path) =>
      `azureml://subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/workspaces/${name}/datastores/${datastoreName}/paths/${path}`,
  };
}
