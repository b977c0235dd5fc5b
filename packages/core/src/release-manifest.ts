import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from './errors.ts';

/**
 * The release manifest: what staging deployed and tested, written by staging and read by production so that
 * production deploys exactly that (never "the latest model" at production time).
 */

export const RELEASE_MANIFEST_SCHEMA = 1;

const nonEmpty = z.string().trim().min(1);

const ModelRef = z
  .object({
    name: nonEmpty,
    /** An exact version: `latest` and labels are resolved before a manifest is written. */
    version: nonEmpty.refine((v) => v !== 'latest', { message: "must be an exact version, not 'latest'" }),
    /** The asset id the deployment used (ARM id or `azureml://registries/...`). */
    id: nonEmpty.optional(),
  })
  .strict();

const EnvironmentRef = z
  .object({
    name: nonEmpty.optional(),
    version: nonEmpty.optional(),
    id: nonEmpty.optional(),
    image: nonEmpty.optional(),
  })
  .strict();

const ImageRef = z
  .object({
    name: nonEmpty,
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { message: "must be 'sha256:' followed by 64 hex digits" }),
  })
  .strict();

const Source = z
  .object({
    repository: nonEmpty,
    commit: z.string().regex(/^[0-9a-f]{40}$/, { message: 'must be a full 40-character commit sha' }),
    ref: nonEmpty.optional(),
  })
  .strict();

const Evidence = z
  .object({
    endpoint: nonEmpty,
    deployment: nonEmpty,
    passed: z.boolean(),
    casesPassed: z.number().int().nonnegative(),
    casesTotal: z.number().int().nonnegative(),
    requests: z.number().int().nonnegative().optional(),
    p50Ms: z.number().nonnegative().optional(),
    p95Ms: z.number().nonnegative().optional(),
    p99Ms: z.number().nonnegative().optional(),
    errorRate: z.number().min(0).max(1).optional(),
    testedAt: z.iso.datetime(),
  })
  .strict();

const Run = z
  .object({ url: z.url(), id: nonEmpty.optional(), attempt: z.number().int().positive().optional() })
  .strict();

export const ReleaseManifestSchema = z
  .object({
    schema: z.literal(RELEASE_MANIFEST_SCHEMA),
    model: ModelRef,
    environment: EnvironmentRef.optional(),
    image: ImageRef.optional(),
    source: Source,
    evidence: Evidence.optional(),
    run: Run.optional(),
    createdAt: z.iso.datetime(),
  })
  .strict();

export type ReleaseManifest = z.infer<typeof ReleaseManifestSchema>;

/** 1-based line and column of a character offset, for messages about JSON files. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export function parseReleaseManifest(text: string, path = 'release manifest'): ReleaseManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = /position (\d+)/.exec(message)?.[1];
    const where = offset === undefined ? { file: path } : { file: path, ...lineAndColumn(text, Number(offset)) };
    const at = 'line' in where ? `:${where.line}:${where.column}` : '';
    throw new UserError(`${path}${at} is not valid JSON (${message}).`, where);
  }
  const declared = (data as { schema?: unknown } | null)?.schema;
  if (typeof declared === 'number' && declared > RELEASE_MANIFEST_SCHEMA) {
    throw new UserError(
      `${path} has schema ${declared}, newer than the ${RELEASE_MANIFEST_SCHEMA} this version of mlops-actions reads: ` +
        'upgrade the production workflow to the mlops-actions release that staging used.',
      { file: path },
    );
  }
  const result = ReleaseManifestSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UserError(`${path} is not a valid release manifest: ${problems.join('; ')}.`, { file: path });
  }
  return result.data;
}

export function readReleaseManifest(path: string): ReleaseManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(
      `The release manifest ${path} cannot be read: check the path, and that the staging workflow committed it (open-promotion-pr 'manifest-path').`,
      { file: path },
    );
  }
  return parseReleaseManifest(text, path);
}

/** Stable formatting (2-space JSON, final newline) so that git diffs of the manifest show only real changes. */
export function serializeReleaseManifest(manifest: ReleaseManifest): string {
  return JSON.stringify(ReleaseManifestSchema.parse(manifest), null, 2) + '\n';
}

export function writeReleaseManifest(path: string, manifest: ReleaseManifest): void {
  writeFileSync(path, serializeReleaseManifest(manifest));
}
