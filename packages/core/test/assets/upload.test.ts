/**
 * Uploads against the emulator's blob storage with the real SDKs: a large file goes in blocks with progress lines,
 * the upload is confirmed on its first blob, and a confirmed upload is not repeated.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ClientSecretCredential } from '@azure/identity';
import { startEmulator, type Emulator } from '@mlops-actions/aml-emulator';
import { AmlWorkspace } from '../../src/aml/workspace.ts';
import { openDefaultDatastore } from '../../src/assets/datastore.ts';
import { objectHash, snapshot } from '../../src/assets/snapshot.ts';
import { uploadSnapshot } from '../../src/assets/upload.ts';

let emulator: Emulator;
let workspace: AmlWorkspace;

beforeAll(async () => {
  emulator = await startEmulator({ blobStorage: true, provisioningMs: 50 });
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), emulator.caPem]);
  const { tenantId, clientId, clientSecret, subscriptionId, resourceGroup, workspace: name } = emulator.credentials;
  const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
    authorityHost: emulator.urls.authorityHost,
    disableInstanceDiscovery: true,
  });
  const arm = emulator.urls.arm.replace(/\/$/, '');
  const client = new AzureMachineLearningWorkspaces(credential, subscriptionId, {
    $host: arm,
    endpoint: arm,
    credentialScopes: [`${arm}/.default`],
  });
  workspace = new AmlWorkspace(client, { resourceGroup, workspace: name }, { credential });
}, 60_000);

afterAll(async () => {
  await emulator?.close();
});

describe('uploadSnapshot', () => {
  it('sends a large file in blocks with progress lines, confirms the upload, and does not repeat it', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'upload-')), 'model');
    mkdirSync(root);
    writeFileSync(join(root, 'weights.bin'), Buffer.alloc(5 * 1024 * 1024, 7));
    writeFileSync(join(root, 'config.json'), '{}');
    const snap = snapshot(root, 'model');
    const hash = await objectHash(snap);
    const access = await openDefaultDatastore(workspace);
    expect(access.auth).toBe('account key');
    const lines: string[] = [];
    const options = {
      maxSingleShotSize: 1024 * 1024,
      blockSize: 1024 * 1024,
      concurrency: 2,
      progressEveryMs: 0,
      log: (line: string) => lines.push(line),
    };
    const mark = emulator.requests().length;
    const first = await uploadSnapshot(access, snap, hash, { name: 'm', version: '1' }, options);
    expect(first).toMatchObject({ uploaded: true, files: 2, remotePath: `LocalUpload/${hash}/model` });
    const kinds = emulator
      .requests()
      .slice(mark)
      .map((entry) => entry.kind);
    expect(kinds.filter((kind) => kind === 'blob.putBlock')).toHaveLength(5);
    expect(kinds.filter((kind) => kind === 'blob.putBlockList')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'blob.putBlob')).toHaveLength(1);
    expect(lines.join('\n')).toContain('weights.bin: 5.0 MiB in 5 blocks of 1.0 MiB');
    expect(lines.join('\n')).toContain('weights.bin: 5.0 MiB of 5.0 MiB (100 %)');
    const stored = await emulator.storage?.list(`LocalUpload/${hash}/`);
    expect(stored?.map((blob) => [blob.name, blob.size])).toEqual([
      [`LocalUpload/${hash}/model/config.json`, 2],
      [`LocalUpload/${hash}/model/weights.bin`, 5 * 1024 * 1024],
    ]);
    expect(stored?.[0]?.metadata).toEqual({ upload_status: 'completed', name: 'm', version: '1' });

    const mark2 = emulator.requests().length;
    const again = await uploadSnapshot(access, snap, hash, { name: 'm', version: '1' }, options);
    expect(again.uploaded).toBe(false);
    expect(
      emulator
        .requests()
        .slice(mark2)
        .map((entry) => entry.kind),
    ).toEqual(['blob.getProperties']);
  });
});
