import { toServiceError } from '../azure/operation.ts';
import type { DatastoreAccess } from './datastore.ts';
import type { Snapshot } from './snapshot.ts';

/**
 * Uploads a snapshot to `LocalUpload/<hash>/<name>/…` in the default datastore, as the Azure ML CLI does: the first
 * blob is the "indicator"; once every file is up it gets the metadata `upload_status=completed` (with the asset's
 * name and version), and an upload whose indicator carries it is complete and is not repeated. A half-finished
 * upload has no such metadata and is overwritten by the next one. Files larger than one block go in blocks, with a
 * progress line.
 */

export const ARTIFACT_ORIGIN = 'LocalUpload';
const MIB = 1024 * 1024;

export interface UploadOptions {
  /** Files above this go in blocks (default 8 MiB). */
  maxSingleShotSize?: number;
  /** Block size (default 4 MiB). */
  blockSize?: number;
  /** Parallel block uploads per file (default 4). */
  concurrency?: number;
  /** A progress line at most this often per large file (default 10 s). */
  progressEveryMs?: number;
  log: (line: string) => void;
}

export interface UploadResult {
  /** `LocalUpload/<hash>/<name>` */
  remotePath: string;
  /** False when a completed upload of the same content was already there. */
  uploaded: boolean;
  files: number;
  bytes: number;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MIB) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

export function remotePathOf(hash: string, snap: Snapshot): string {
  return `${ARTIFACT_ORIGIN}/${hash}/${snap.name}`;
}

export async function uploadSnapshot(
  access: DatastoreAccess,
  snap: Snapshot,
  hash: string,
  asset: { name: string; version: string },
  options: UploadOptions,
): Promise<UploadResult> {
  const remotePath = remotePathOf(hash, snap);
  const blobName = (relative: string) => (snap.isFile ? remotePath : `${remotePath}/${relative}`);
  const indicator = access.container.getBlockBlobClient(blobName(snap.files[0]?.relative ?? ''));
  const where = `${access.accountName}/${access.containerName}/${remotePath}`;
  const metadata = await indicator.getProperties().then(
    (properties) => properties.metadata ?? {},
    (error: { statusCode?: number }) => {
      if (error.statusCode === 404) return undefined;
      throw toServiceError(error, `Checking ${where} in datastore ${access.name}`);
    },
  );
  if (metadata?.['upload_status'] === 'completed') {
    return { remotePath, uploaded: false, files: snap.files.length, bytes: snap.bytes };
  }
  const maxSingleShotSize = options.maxSingleShotSize ?? 8 * MIB;
  const blockSize = options.blockSize ?? 4 * MIB;
  const everyMs = options.progressEveryMs ?? 10_000;
  options.log(
    `Uploading ${snap.files.length} file(s), ${formatBytes(snap.bytes)}, to ${where} (datastore ${access.name}, ${access.auth}).`,
  );
  for (const file of snap.files) {
    const client = access.container.getBlockBlobClient(blobName(file.relative));
    const large = file.size > maxSingleShotSize;
    let lastLine = Date.now();
    if (large) {
      options.log(
        `  ${file.relative}: ${formatBytes(file.size)} in ${Math.ceil(file.size / blockSize)} blocks of ${formatBytes(blockSize)}`,
      );
    }
    try {
      await client.uploadFile(file.absolute, {
        maxSingleShotSize,
        blockSize,
        concurrency: options.concurrency ?? 4,
        onProgress: large
          ? ({ loadedBytes }) => {
              const now = Date.now();
              if (now - lastLine < everyMs && loadedBytes < file.size) return;
              lastLine = now;
              options.log(
                `  ${file.relative}: ${formatBytes(loadedBytes)} of ${formatBytes(file.size)} (${Math.floor((100 * loadedBytes) / file.size)} %)`,
              );
            }
          : undefined,
      });
    } catch (error) {
      throw toServiceError(error, `Uploading ${file.relative} to ${where}`);
    }
  }
  try {
    await indicator.setMetadata({ upload_status: 'completed', name: asset.name, version: asset.version });
  } catch (error) {
    throw toServiceError(error, `Confirming the upload of ${where}`);
  }
  return { remotePath, uploaded: true, files: snap.files.length, bytes: snap.bytes };
}
