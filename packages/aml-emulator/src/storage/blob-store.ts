/**
 * The emulator's own view of its blob service: it talks to Azurite directly (not through the front that clients
 * use, so its reads are never counted or faulted) with the account key, to create the workspaces' containers, check
 * that uploaded assets exist, and read model artifacts.
 */
import { Agent } from 'node:https';
import { BlobServiceClient, newPipeline, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { RequestPolicy, RequestPolicyFactory, WebResource } from '@azure/storage-blob';

import type { StoredBlob } from '../types.ts';

export class BlobStore {
  readonly accountName: string;
  private readonly service: BlobServiceClient;

  constructor(azuriteUrl: string, account: { name: string; key: string }, caPem: string) {
    this.accountName = account.name;
    const agent = new Agent({ ca: caPem, keepAlive: true });
    const pipeline = newPipeline(new StorageSharedKeyCredential(account.name, account.key), {
      retryOptions: { maxTries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 200 },
    });
    // Azurite's certificate comes from the emulator's CA, which this process need not trust globally.
    const trustEmulatorCa: RequestPolicyFactory = {
      create: (next: RequestPolicy): RequestPolicy => ({
        sendRequest: (request: WebResource) => {
          request.agent = agent;
          return next.sendRequest(request);
        },
      }),
    };
    pipeline.factories.push(trustEmulatorCa);
    this.service = new BlobServiceClient(`${azuriteUrl.replace(/\/$/, '')}/${account.name}`, pipeline);
  }

  async ensureContainer(name: string): Promise<void> {
    await this.service.getContainerClient(name).createIfNotExists();
  }

  /** `blob` when `path` is a blob, `folder` when blobs exist under `path/`, undefined otherwise. */
  async exists(container: string, path: string): Promise<'blob' | 'folder' | undefined> {
    const client = this.service.getContainerClient(container);
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed !== '' && (await client.getBlobClient(trimmed).exists())) return 'blob';
    const prefix = trimmed === '' ? '' : `${trimmed}/`;
    for await (const item of client.listBlobsFlat({ prefix })) {
      if (item.name.startsWith(prefix)) return 'folder';
    }
    return undefined;
  }

  async list(container: string, prefix = ''): Promise<StoredBlob[]> {
    const blobs: StoredBlob[] = [];
    for await (const item of this.service
      .getContainerClient(container)
      .listBlobsFlat({ prefix, includeMetadata: true })) {
      blobs.push({ name: item.name, size: item.properties.contentLength ?? 0, metadata: item.metadata ?? {} });
    }
    return blobs;
  }

  async read(container: string, path: string): Promise<Buffer> {
    return this.service.getContainerClient(container).getBlobClient(path).downloadToBuffer();
  }

  async containers(): Promise<string[]> {
    const names: string[] = [];
    for await (const item of this.service.listContainers()) names.push(item.name);
    return names;
  }
}
