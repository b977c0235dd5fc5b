import { UserError } from '../errors.ts';
import {
  isImageManifest,
  isIndex,
  manifestBlobs,
  manifestSize,
  RegistryError,
  type FetchedManifest,
  type RegistryClient,
} from './registry.ts';

/**
 * Promotion by digest: the manifest (or index) that was built and tested gets new tags, byte for byte, through the
 * registry API. Nothing is pulled, built or uploaded: within one repository a tag is one manifest PUT; into another
 * repository of the same registry the blobs are linked by cross-repository mount first (and an index's child
 * manifests are copied, also byte for byte).
 */

export interface PromoteRequest {
  client: RegistryClient;
  source: { repository: string; digest: string };
  target: { repository: string };
  /** Tags only (`1.2.3`, `latest`), not full references. */
  tags: readonly string[];
}

export interface PromoteResult {
  digest: string;
  mediaType: string;
  /** Compressed size of the image (for an index, of all its platforms' blobs). */
  size: number;
  /** `linux/amd64`, … for an index; empty for a single image. */
  platforms: string[];
  /** The labels in the (first) image's config. */
  labels?: Record<string, string>;
  /** Blobs linked by cross-repository mount, blobs already there, child manifests copied. */
  mounted: number;
  present: number;
  manifestsCopied: number;
}

interface PlatformConfig {
  os?: string;
  architecture?: string;
  variant?: string;
}

interface ImageConfig extends PlatformConfig {
  config?: { Labels?: Record<string, string> | null };
}

function platformOf(platform: PlatformConfig): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

export async function promoteManifest(request: PromoteRequest): Promise<PromoteResult> {
  const { client, source, target, tags } = request;
  if (tags.length === 0)
    throw new UserError('Nothing to promote to: the tag rules gave no tag for this event.', { input: 'tags' });
  const crossRepository = source.repository !== target.repository;
  const result: PromoteResult = {
    digest: source.digest,
    mediaType: '',
    size: 0,
    platforms: [],
    mounted: 0,
    present: 0,
    manifestsCopied: 0,
  };
  const seenBlobs = new Set<string>();

  let root: FetchedManifest;
  try {
    root = await client.getManifest(source.repository, source.digest);
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) {
      throw new UserError(
        `promote-from: ${client.registry}/${source.repository}@${source.digest} does not exist in the registry. ` +
          'Promote the digest a build of this action output (its `image` output).',
        { input: 'promote-from' },
      );
    }
    throw error;
  }
  result.mediaType = root.mediaType;

  async function ensureBlobs(manifest: FetchedManifest): Promise<void> {
    result.size += manifestSize(manifest);
    if (!crossRepository) return;
    for (const blob of manifestBlobs(manifest)) {
      if (seenBlobs.has(blob.digest)) continue;
      seenBlobs.add(blob.digest);
      if (await client.hasBlob(target.repository, blob.digest)) {
        result.present++;
      } else if (await client.mountBlob(target.repository, blob.digest, source.repository)) {
        result.mounted++;
      } else {
        throw new UserError(
          `${client.registry} would not mount ${blob.digest} from ${source.repository} into ${target.repository} ` +
            '(it offered an upload instead). Promotion never uploads layers: give the credentials pull access to ' +
            `${source.repository}, or promote within ${source.repository}.`,
        );
      }
    }
  }

  async function ensureTree(manifest: FetchedManifest): Promise<void> {
    if (isImageManifest(manifest)) {
      // The config blob (a small JSON document, never a layer) of the first image: its labels and platform.
      if (result.labels === undefined && manifest.json.config) {
        const config = (await client.getBlobJson(source.repository, manifest.json.config.digest)) as ImageConfig;
        result.labels = config.config?.Labels ?? {};
        if (manifest === root && config.os && config.architecture) result.platforms.push(platformOf(config));
      }
      return ensureBlobs(manifest);
    }
    if (!isIndex(manifest)) {
      throw new UserError(
        `${client.registry}/${source.repository}@${manifest.digest} is a '${manifest.mediaType || 'schema 1'}' manifest, ` +
          'which cannot be promoted: rebuild it with a current Docker (schema 2 or OCI).',
      );
    }
    for (const child of manifest.json.manifests ?? []) {
      const { os, architecture, variant } = child.platform ?? {};
      if (os && architecture && os !== 'unknown')
        result.platforms.push([os, architecture, variant].filter(Boolean).join('/'));
      const fetched = await client.getManifest(source.repository, child.digest);
      await ensureTree(fetched);
      if (crossRepository && !(await client.headManifest(target.repository, child.digest))) {
        await client.putManifest(target.repository, child.digest, fetched);
        result.manifestsCopied++;
      }
    }
  }

  await ensureTree(root);
  for (const tag of tags) {
    const digest = await client.putManifest(target.repository, tag, root);
    if (digest !== source.digest) {
      throw new RegistryError(
        `${client.registry}/${target.repository}:${tag} was stored as ${digest}, not ${source.digest}: the registry ` +
          'rewrote the manifest.',
        0,
      );
    }
  }
  return result;
}
