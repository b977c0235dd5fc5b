/**
 * Blob storage: the default datastore on Azurite (list, get, listSecrets), the real @azure/storage-blob with the
 * account key and with Entra ID, assets that point at blobs checked to exist, a model artifact read from a blob and
 * scored, blob faults and the request log, and Azurite gone after close().
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { startHarness, keyEndpoint, managedDeployment } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ blobStorage: true });
}, 60_000);

afterAll(async () => {
  const pid = h.emulator.storage?.azuritePid ?? 0;
  expect(await h.close()).toEqual([]);
  expect(() => process.kill(pid, 0)).toThrow();
});

async function keyClient(): Promise<{ service: BlobServiceClient; container: string }> {
  const datastore = await h.client.datastores.get(h.resourceGroup, h.workspace, 'workspaceblobstore');
  const properties = datastore.properties as { accountName: string; containerName: string; endpoint: string };
  const secrets = (await h.client.datastores.listSecrets(h.resourceGroup, h.workspace, 'workspaceblobstore')) as {
    key: string;
  };
  const service = new BlobServiceClient(
    `https://${properties.endpoint}/${properties.accountName}`,
    new StorageSharedKeyCredential(properties.accountName, secrets.key),
  );
  return { service, container: properties.containerName };
}

function blobUri(container: string, path: string): string {
  return `${h.emulator.storage?.serviceUrl ?? ''}/${container}/${path}`;
}

describe('datastores', () => {
  it('lists and gets the default workspaceblobstore, an AzureBlob datastore with account-key credentials', async () => {
    const all = [];
    for await (const item of h.client.datastores.list(h.resourceGroup, h.workspace, { isDefault: true }))
      all.push(item);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      name: 'workspaceblobstore',
      properties: {
        datastoreType: 'AzureBlob',
        isDefault: true,
        accountName: h.emulator.storage?.accountName,
        containerName: h.emulator.storage?.container(),
        protocol: 'https',
        credentials: { credentialsType: 'AccountKey' },
      },
    });
    await expect(h.client.datastores.get(h.resourceGroup, h.workspace, 'nope')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('lists the account key, which the real SDK uploads and reads with', async () => {
    const { service, container } = await keyClient();
    const blob = service.getContainerClient(container).getBlockBlobClient('LocalUpload/abc/hello.txt');
    await blob.upload('hello', 5);
    expect((await blob.downloadToBuffer()).toString()).toBe('hello');
    const listed = await h.emulator.storage?.list('LocalUpload/abc/');
    expect(listed?.map((item) => item.name)).toEqual(['LocalUpload/abc/hello.txt']);
    const kinds = h.emulator.requests().map((entry) => entry.kind);
    expect(kinds).toContain('datastores.listSecrets');
    expect(kinds).toContain('blob.putBlob');
    expect(kinds).toContain('blob.download');
  });

  it('accepts Entra ID tokens for https://storage.azure.com, and refuses tokens for another audience', async () => {
    const { container } = await keyClient();
    const service = new BlobServiceClient(h.emulator.storage?.serviceUrl ?? '', h.credential);
    const blob = service.getContainerClient(container).getBlockBlobClient('LocalUpload/entra/x.txt');
    await blob.upload('x', 1);
    expect(await blob.exists()).toBe(true);
    const armToken = await h.armToken();
    const response = await fetch(blobUri(container, 'LocalUpload/entra/x.txt'), {
      headers: { authorization: `Bearer ${armToken}`, 'x-ms-version': '2025-01-05' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-ms-error-code')).toBe('InvalidAuthenticationInfo');
  });
});

describe('assets whose content is in the datastore', () => {
  it('registers a code version whose codeUri folder exists, and refuses one that does not', async () => {
    const { service, container } = await keyClient();
    await service.getContainerClient(container).getBlockBlobClient('LocalUpload/h1/src/score.py').upload('#', 1);
    await h.client.codeVersions.createOrUpdate(h.resourceGroup, h.workspace, 'code-h1', '1', {
      properties: { codeUri: blobUri(container, 'LocalUpload/h1/src') },
    });
    await expect(
      h.client.codeVersions.createOrUpdate(h.resourceGroup, h.workspace, 'code-h2', '1', {
        properties: { codeUri: blobUri(container, 'LocalUpload/missing/src') },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'BadArgument' });
    await expect(h.client.codeVersions.get(h.resourceGroup, h.workspace, 'code-h2', '1')).rejects.toMatchObject({
      statusCode: 404,
    });
    // A URI outside the emulator's storage cannot be checked and is accepted.
    await h.client.codeVersions.createOrUpdate(h.resourceGroup, h.workspace, 'code-elsewhere', '1', {
      properties: { codeUri: 'https://otheraccount.blob.core.windows.net/code/x' },
    });
  });

  it('checks an environment build context and the conda file text', async () => {
    await expect(
      h.client.environmentVersions.createOrUpdate(h.resourceGroup, h.workspace, 'env-build', '1', {
        properties: { build: { contextUri: `azureml://datastores/workspaceblobstore/paths/LocalUpload/none/ctx/` } },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      h.client.environmentVersions.createOrUpdate(h.resourceGroup, h.workspace, 'env-conda', '1', {
        properties: { image: 'python:3.12', condaFile: 'dependencies: [python=3.12' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'BadArgument' });
  });

  it('serves a model whose artifact is a blob in a folder, deployed by its datastore URI', async () => {
    const { service, container } = await keyClient();
    const artifact = JSON.stringify({ format: 'linear/v1', weights: [2, 0, 1], bias: 1 });
    await service
      .getContainerClient(container)
      .getBlockBlobClient('LocalUpload/m1/model/model.json')
      .upload(artifact, artifact.length);
    const { subscriptionId, resourceGroup, workspace } = h;
    const modelUri = `azureml://subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/workspaces/${workspace}/datastores/workspaceblobstore/paths/LocalUpload/m1/model`;
    await h.client.modelVersions.createOrUpdate(resourceGroup, workspace, 'blobby', '1', {
      properties: { modelUri },
    });
    await expect(
      h.client.modelVersions.createOrUpdate(resourceGroup, workspace, 'blobby', '2', {
        properties: { modelUri: `${modelUri}-missing` },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
      resourceGroup,
      workspace,
      'blob-ep',
      keyEndpoint(),
      h.poll,
    );
    await h.client.onlineDeployments.beginCreateOrUpdateAndWait(
      resourceGroup,
      workspace,
      'blob-ep',
      'green',
      managedDeployment(h.modelId('blobby', '1')),
      h.poll,
    );
    const endpoint = await h.client.onlineEndpoints.get(resourceGroup, workspace, 'blob-ep');
    const keys = await h.client.onlineEndpoints.listKeys(resourceGroup, workspace, 'blob-ep');
    const scored = await fetch(endpoint.properties.scoringUri ?? '', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keys.primaryKey ?? ''}`,
        'content-type': 'application/json',
        'azureml-model-deployment': 'green',
      },
      body: JSON.stringify({ data: [[1, 2, 3]] }),
    });
    expect(await scored.json()).toEqual([6]);
  });
});

describe('blob faults', () => {
  it('answers an injected status with a storage error, logged under the blob request kind', async () => {
    const { service, container } = await keyClient();
    h.emulator.faults.http({ kind: 'blob.putBlob', status: 403, times: 1 });
    const blob = service.getContainerClient(container).getBlockBlobClient('LocalUpload/fault/a.txt');
    await expect(blob.upload('a', 1)).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailure' });
    await blob.upload('a', 1);
    const statuses = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'blob.putBlob' && entry.path.endsWith('/fault/a.txt'))
      .map((entry) => entry.status);
    expect(statuses).toEqual([403, 201]);
  });
});
