import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from './errors.ts';
import { code, joinMarkdown, link, markdownTable, escaped, type Markdown } from './summary.ts';

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
    /** What was tested, as aml-endpoint-test recorded it: the deployment's spec hash, instance type and image. */
    specHash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional(),
    instanceType: nonEmpty.optional(),
    environmentImage: nonEmpty.optional(),
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

// --- Building a manifest from what staging's steps produced ---------------------------------------------------

export type ReleaseEvidence = NonNullable<ReleaseManifest['evidence']>;

/**
 * The report `aml-endpoint-test` writes (its `report` output), read for the manifest's evidence. Only the fields
 * the manifest carries are read; the rest of the report (cases, gates, comparison) stays in the report.
 */
const TestReport = z.object({
  endpoint: nonEmpty,
  deployment: nonEmpty,
  /** What the tested deployment runs, from its tags (aml-endpoint-deploy sets them). */
  model: z.object({ name: nonEmpty, version: nonEmpty, id: nonEmpty.nullish() }).nullish(),
  environmentId: nonEmpty.nullish(),
  passed: z.boolean(),
  casesPassed: z.number().int().nonnegative(),
  casesTotal: z.number().int().nonnegative(),
  load: z
    .object({
      requests: z.number().int().nonnegative().optional(),
      p50Ms: z.number().nonnegative().optional(),
      p95Ms: z.number().nonnegative().optional(),
      p99Ms: z.number().nonnegative().optional(),
      errorRate: z.number().min(0).max(1).optional(),
    })
    .nullish(),
  tested: z
    .object({ specHash: z.string().optional(), instanceType: nonEmpty.nullish(), image: nonEmpty.nullish() })
    .nullish(),
  testedAt: z.iso.datetime({ offset: true }),
});

/** What a test report says about the release: the evidence, and the model and environment the slot runs. */
export interface TestReportRelease {
  evidence: ReleaseEvidence;
  model: { name: string; version: string; id?: string } | undefined;
  environmentId: string | undefined;
}

export function parseTestReport(text: string, path = 'test report'): TestReportRelease {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON (${(error as Error).message}).`, { file: path });
  }
  const result = TestReport.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UserError(
      `${path} is not an aml-endpoint-test report: ${problems.join('; ')}. Pass the test step's 'report' output.`,
      { file: path },
    );
  }
  const report = result.data;
  const load = report.load ?? {};
  const evidence: ReleaseEvidence = {
    endpoint: report.endpoint,
    deployment: report.deployment,
    passed: report.passed,
    casesPassed: report.casesPassed,
    casesTotal: report.casesTotal,
    ...(load.requests !== undefined && { requests: load.requests }),
    ...(load.p50Ms !== undefined && { p50Ms: load.p50Ms }),
    ...(load.p95Ms !== undefined && { p95Ms: load.p95Ms }),
    ...(load.p99Ms !== undefined && { p99Ms: load.p99Ms }),
    ...(load.errorRate !== undefined && { errorRate: load.errorRate }),
    ...(report.tested?.specHash && { specHash: report.tested.specHash }),
    ...(report.tested?.instanceType && { instanceType: report.tested.instanceType }),
    ...(report.tested?.image && { environmentImage: report.tested.image }),
    testedAt: new Date(report.testedAt).toISOString(),
  };
  const model = report.model
    ? { name: report.model.name, version: report.model.version, ...(report.model.id && { id: report.model.id }) }
    : undefined;
  return { evidence, model, environmentId: report.environmentId ?? undefined };
}

export function evidenceFromTestReport(text: string, path = 'test report'): ReleaseEvidence {
  return parseTestReport(text, path).evidence;
}

export function readTestReport(path: string): TestReportRelease {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(
      `The test report ${path} cannot be read: pass the aml-endpoint-test step's 'report' output, in the same job.`,
      { file: path },
    );
  }
  return parseTestReport(text, path);
}

export function readTestReportEvidence(path: string): ReleaseEvidence {
  return readTestReport(path).evidence;
}

export interface ReleaseManifestInput {
  model: { name: string; version: string; id?: string | undefined };
  /** `registry/name@sha256:…` (build-container's `image` output). */
  image?: string | undefined;
  environment?: ReleaseManifest['environment'];
  source: { repository: string; commit: string; ref?: string | undefined };
  evidence?: ReleaseEvidence | undefined;
  run?: { url: string; id?: string | undefined; attempt?: number | undefined } | undefined;
  createdAt?: string | undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A manifest from its parts, validated: the error names the field that is wrong. */
export function buildReleaseManifest(input: ReleaseManifestInput, what = 'the release manifest'): ReleaseManifest {
  let image: ReleaseManifest['image'];
  if (input.image !== undefined) {
    const at = input.image.lastIndexOf('@');
    if (at <= 0) {
      throw new UserError(
        `The image '${input.image}' has no digest: pass 'name@sha256:…' (build-container's 'image' output), so production runs exactly the image staging tested.`,
      );
    }
    image = { name: input.image.slice(0, at), digest: input.image.slice(at + 1) };
  }
  const candidate = withoutUndefined({
    schema: RELEASE_MANIFEST_SCHEMA,
    model: withoutUndefined(input.model),
    environment: input.environment,
    image,
    source: withoutUndefined(input.source),
    evidence: input.evidence,
    run: input.run && withoutUndefined(input.run),
    createdAt: input.createdAt ?? new Date().toISOString(),
  });
  const result = ReleaseManifestSchema.safeParse(candidate);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UserError(`Cannot build ${what}: ${problems.join('; ')}.`);
  }
  return result.data;
}

// --- Comparing manifests ------------------------------------------------------------------------------------

export interface ManifestChange {
  /** Dotted path of the field, e.g. `model.version`, `image.digest`. */
  field: string;
  before: string | number | boolean | undefined;
  after: string | number | boolean | undefined;
}

type Leaf = string | number | boolean;

function leaves(value: unknown, prefix = '', into = new Map<string, Leaf>()): Map<string, Leaf> {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined && value !== null) {
    into.set(prefix, value as Leaf);
  }
  return into;
}

/** Fields that say what runs (as opposed to how it was tested and when). */
export const DEPLOYED_FIELDS = ['model', 'environment', 'image', 'source'] as const;

/**
 * Field-by-field differences between two manifests (`before` may be missing: everything is new). `createdAt`
 * says when a file was written, not what it describes, and is ignored unless asked for; `only` limits the
 * comparison to some top-level sections (e.g. `DEPLOYED_FIELDS`).
 */
export function diffReleaseManifests(
  before: ReleaseManifest | undefined,
  after: ReleaseManifest,
  options: { ignore?: readonly string[]; only?: readonly string[] } = {},
): ManifestChange[] {
  const ignore = options.ignore ?? ['createdAt'];
  const a = leaves(before ?? {});
  const b = leaves(after);
  const fields = [...new Set([...a.keys(), ...b.keys()])];
  const order = (field: string) => {
    const top = field.split('.')[0] as string;
    const index = ['schema', 'model', 'environment', 'image', 'source', 'evidence', 'run', 'createdAt'].indexOf(top);
    return index === -1 ? 99 : index;
  };
  return fields
    .filter((field) => !ignore.some((i) => field === i || field.startsWith(`${i}.`)))
    .filter((field) => !options.only || options.only.some((o) => field === o || field.startsWith(`${o}.`)))
    .filter((field) => a.get(field) !== b.get(field))
    .sort((x, y) => order(x) - order(y))
    .map((field) => ({ field, before: a.get(field), after: b.get(field) }));
}

/** Whether two manifests describe the same release, tested the same way (only `createdAt` may differ). */
export function sameRelease(a: ReleaseManifest | undefined, b: ReleaseManifest | undefined): boolean {
  if (!a || !b) return a === b;
  return diffReleaseManifests(a, b).length === 0;
}

// --- The evidence section of a promotion pull request -------------------------------------------------------

export const EVIDENCE_START = '<!-- mlops-actions:evidence:start -->';
export const EVIDENCE_END = '<!-- mlops-actions:evidence:end -->';

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

function figure(value: number | undefined, unit: string): string | undefined {
  if (value === undefined) return undefined;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

function describeImage(image: ReleaseManifest['image']): Markdown | undefined {
  return image && escaped`${code(image.name)} ${code(image.digest.slice(0, 19))}…`;
}

function describeEnvironment(environment: ReleaseManifest['environment']): Markdown | undefined {
  if (!environment) return undefined;
  const named = environment.name && `${environment.name}${environment.version ? `:${environment.version}` : ''}`;
  return joinMarkdown(
    [named, environment.image, !named && !environment.image ? environment.id : undefined]
      .filter((part): part is string => Boolean(part))
      .map(code),
    ' ',
  );
}

/**
 * Values in code spans are shown as written, so a `<!--` there would still be found by `findEvidenceSection`: a
 * value must not forge the section's markers.
 */
function withoutComments(markdown: string): string {
  return markdown.replace(/<!--/g, '&lt;!--');
}

/**
 * The manifest as JSON that markdown cannot misread: `<`, `>`, `&` and backticks as \u escapes (the same JSON once
 * parsed), so no value can close the fence, open HTML or forge the section's end marker.
 */
function jsonForMarkdown(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[<>&`]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface EvidenceSectionOptions {
  /** What production runs now (the manifest on the base branch); `null` when production has none yet. */
  production?: ReleaseManifest | null | undefined;
  /** Web root for commit links (default `https://github.com`). */
  serverUrl?: string | undefined;
}

/**
 * The marked section of a promotion pull request's body: the release as a table (model and exact version,
 * environment, image digest, source commit, test figures), what changes in production, the run link, and the
 * manifest itself (folded) so that it can be read back with `parseEvidenceSection`. Deterministic: the same
 * manifest and production give the same text, so an unchanged section means unchanged evidence.
 */
export function renderEvidenceSection(manifest: ReleaseManifest, options: EvidenceSectionOptions = {}): string {
  const server = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  const { model, evidence, source, run } = manifest;
  const commitLink = link(code(shortSha(source.commit)), `${server}/${source.repository}/commit/${source.commit}`);
  const rows: unknown[][] = [
    ['model', escaped`${code(model.name)} version ${code(model.version)}`],
    ['model asset', model.id && code(model.id)],
    ['environment', describeEnvironment(manifest.environment)],
    ['container image', describeImage(manifest.image)],
    [
      'source commit',
      source.ref ? escaped`${commitLink} (${code(source.ref.replace(/^refs\/heads\//, ''))})` : commitLink,
    ],
  ];
  if (evidence) {
    const latency = [
      figure(evidence.p50Ms, 'ms') && `p50 ${figure(evidence.p50Ms, 'ms')}`,
      figure(evidence.p95Ms, 'ms') && `p95 ${figure(evidence.p95Ms, 'ms')}`,
      figure(evidence.p99Ms, 'ms') && `p99 ${figure(evidence.p99Ms, 'ms')}`,
    ].filter(Boolean);
    rows.push(
      ['tested on', escaped`endpoint ${code(evidence.endpoint)}, deployment ${code(evidence.deployment)}`],
      [
        'deployment spec',
        evidence.specHash &&
          (evidence.instanceType
            ? escaped`${code(evidence.specHash)} on ${code(evidence.instanceType)}`
            : code(evidence.specHash)),
      ],
      [
        'test result',
        `${evidence.passed ? '✅ passed' : '❌ failed'}: ${evidence.casesPassed}/${evidence.casesTotal} cases`,
      ],
      [
        'latency',
        latency.length > 0
          ? `${latency.join(' · ')}${evidence.requests ? ` over ${evidence.requests} requests` : ''}`
          : undefined,
      ],
      ['error rate', evidence.errorRate === undefined ? undefined : `${(evidence.errorRate * 100).toFixed(2)} %`],
      ['tested at', evidence.testedAt],
    );
  } else {
    rows.push(['test result', '⚠️ no test evidence in the manifest']);
  }
  rows.push([
    'staging run',
    run
      ? link(
          run.id ? `run ${run.id}${run.attempt && run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}` : 'workflow run',
          run.url,
        )
      : undefined,
  ]);
  const present = rows.filter(([, value]) => value !== undefined && value !== '');

  const parts = [
    EVIDENCE_START,
    '## Staging evidence',
    '',
    withoutComments(markdownTable(['what', 'tested in staging'], present)),
    '',
  ];
  parts.push('### What changes in production', '');
  if (options.production === undefined) {
    parts.push(
      "Production's current release manifest is unknown: there is no `manifest-path` to read it from, or its copy on the base branch is not a valid manifest.",
    );
  } else if (options.production === null) {
    parts.push('Production has no release manifest yet: this is its first promotion.');
  } else {
    const changes = diffReleaseManifests(options.production, manifest, { only: DEPLOYED_FIELDS });
    if (changes.length === 0) {
      parts.push('Nothing that runs changes: production already runs this model, environment, image and commit.');
    } else {
      const show = (value: unknown, field: string) =>
        value === undefined ? '—' : field === 'source.commit' ? code(shortSha(String(value))) : code(String(value));
      parts.push(
        withoutComments(
          markdownTable(
            ['field', 'production now', 'after merge'],
            changes.map((c) => [c.field, show(c.before, c.field), show(c.after, c.field)]),
          ),
        ),
      );
    }
  }
  const json = jsonForMarkdown(ReleaseManifestSchema.parse(manifest));
  parts.push(
    '',
    '<details><summary>Release manifest</summary>',
    '',
    '```json',
    json,
    '```',
    '',
    '</details>',
    EVIDENCE_END,
  );
  return parts.join('\n');
}

export interface EvidenceSectionLocation {
  /** Index of the start marker in the body. */
  start: number;
  /** Index just past the end marker. */
  end: number;
  text: string;
}

/** Where the evidence section is in a body (markers included), if it has one. */
export function findEvidenceSection(body: string | null | undefined): EvidenceSectionLocation | undefined {
  if (!body) return undefined;
  const start = body.indexOf(EVIDENCE_START);
  if (start === -1) return undefined;
  const endMarker = body.indexOf(EVIDENCE_END, start + EVIDENCE_START.length);
  if (endMarker === -1) return undefined;
  const end = endMarker + EVIDENCE_END.length;
  return { start, end, text: body.slice(start, end) };
}

/**
 * The release manifest recorded in a pull request body's evidence section: `undefined` when the body has no
 * section (or the section no manifest block); a UserError when the block is there but not a valid manifest.
 */
export function parseEvidenceSection(body: string | null | undefined): ReleaseManifest | undefined {
  const section = findEvidenceSection(body);
  if (!section) return undefined;
  const block = /```json\r?\n([\s\S]*?)\r?\n```/.exec(section.text);
  if (!block) return undefined;
  return parseReleaseManifest(block[1] as string, 'the evidence section of the pull request');
}

/**
 * The body with its evidence section replaced by `section`, everything else (text people wrote above and below,
 * their line endings) kept byte for byte. A body without a section gets it appended after a blank line.
 */
export function replaceEvidenceSection(body: string | null | undefined, section: string): string {
  const current = body ?? '';
  const found = findEvidenceSection(current);
  if (found) return current.slice(0, found.start) + section + current.slice(found.end);
  if (current.trim() === '') return section;
  return `${current.replace(/\s+$/, '')}\n\n${section}`;
}

/** Whether two sections say the same (line endings aside: GitHub's editor turns `\n` into `\r\n`). */
export function sameEvidenceSection(a: string | undefined, b: string | undefined): boolean {
  const normalise = (text: string | undefined) => text?.replace(/\r\n/g, '\n').trim();
  return normalise(a) === normalise(b);
}
