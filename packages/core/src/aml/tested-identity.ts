import { createHash } from 'node:crypto';
import type { OnlineDeployment } from '@azure/arm-machinelearning';
import { z } from 'zod';
import { TAG_PREFIX } from './deploy.ts';

/**
 * What a deployment serves, as ARM returns it: the "tested identity" the test records and the swap compares. Pure.
 *
 * The spec hash covers everything that changes what the slot answers (model, environment, code, scoring script,
 * environment variables, probes, request settings, instance type and every other property) and leaves out what
 * does not: provisioning state, timestamps (systemData), the operation URI the service adds to `properties`, tags
 * (our own records live there, and a tag never changes an answer), and scale (instance count, scale settings):
 * the swap's own clean-up scales the previous slot down and autoscale changes counts; neither is a different model.
 */

export interface TestedIdentity {
  deployment: string;
  /** Short references: `name:version` for workspace assets, the registry id otherwise. */
  model?: string | undefined;
  environment?: string | undefined;
  /** The environment's image, when the workspace holds the environment (registry environments are not read). */
  image?: string | undefined;
  instanceType?: string | undefined;
  /** `sha256:<hex>` of the normalised spec. */
  specHash: string;
}

export type TestResult = 'passed' | 'failed';

/** What the test wrote after it ran: the identity it tested and the outcome. */
export interface TestRecord extends TestedIdentity {
  result: TestResult;
  testedAt: string;
  run?: string | undefined;
}

/** Service-set entries of `properties.properties`: a new one per operation, a tag update included. */
const SERVICE_PROPERTIES = ['AzureAsyncOperationUri'];
/** Deployment properties that are state or scale, not spec. */
const VOLATILE_PROPERTIES = ['provisioningState', 'scaleSettings'];

/** `/subscriptions/…/workspaces/ws/models/fraud/versions/2` → `fraud:2`; other references as they are. */
export function shortAssetRef(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const match = /\/workspaces\/[^/]+\/(?:models|environments|codes)\/([^/]+)\/versions\/([^/]+)$/i.exec(id);
  return match ? `${match[1]}:${match[2]}` : id;
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .flatMap((key) => {
          const item = (value as Record<string, unknown>)[key];
          return item === undefined || item === null ? [] : [[key, canonical(item)]];
        }),
    );
  }
  return value;
}

function omit(map: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !keys.includes(key)));
}

/** The part of a deployment resource that decides what it serves, in one stable form. */
export function normalisedSpec(raw: OnlineDeployment): unknown {
  const properties = raw.properties as unknown as Record<string, unknown>;
  const { capacity: _capacity, ...sku } = raw.sku ?? {};
  return canonical({
    kind: raw.kind,
    identity: raw.identity,
    sku,
    properties: {
      ...omit(properties, VOLATILE_PROPERTIES),
      properties: omit(properties['properties'] as Record<string, unknown> | undefined, SERVICE_PROPERTIES),
    },
  });
}

export function specHash(raw: OnlineDeployment): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(normalisedSpec(raw)))
    .digest('hex')}`;
}

export function testedIdentity(raw: OnlineDeployment, image?: string): TestedIdentity {
  return {
    deployment: raw.name as string,
    model: shortAssetRef(raw.properties.model),
    environment: shortAssetRef(raw.properties.environmentId),
    image,
    instanceType: raw.properties.instanceType,
    specHash: specHash(raw),
  };
}

const FIELDS = [
  ['model', 'model'],
  ['environment', 'environment'],
  ['image', 'image'],
  ['instanceType', 'instance type'],
] as const;

const shown = (value: string | undefined) => value ?? '(none)';

/** Each way `now` differs from `recorded`, named; empty when the slot holds exactly what was recorded. */
export function identityDifferences(recorded: TestedIdentity, now: TestedIdentity): string[] {
  const named = FIELDS.flatMap(([key, label]) =>
    (recorded[key] ?? '').toLowerCase() === (now[key] ?? '').toLowerCase()
      ? []
      : [`${label} ${shown(recorded[key])} then, ${shown(now[key])} now`],
  );
  if (named.length === 0 && recorded.specHash !== now.specHash) {
    named.push(
      `the rest of its spec changed (code, scoring script, environment variables, probes or request settings): ` +
        `${recorded.specHash.slice(0, 19)}… then, ${now.specHash.slice(0, 19)}… now`,
    );
  }
  return named;
}

// --- The record as tags on the deployment (each value within ARM's 256 characters) ------------------------------

export const TEST_TAGS = {
  result: `${TAG_PREFIX}test-result`,
  testedAt: `${TAG_PREFIX}tested-at`,
  run: `${TAG_PREFIX}tested-run`,
  model: `${TAG_PREFIX}tested-model`,
  environment: `${TAG_PREFIX}tested-environment`,
  image: `${TAG_PREFIX}tested-image`,
  instanceType: `${TAG_PREFIX}tested-instance-type`,
  specHash: `${TAG_PREFIX}tested-spec`,
} as const;

const fit = (value: string | undefined) => (value === undefined ? undefined : value.slice(0, 256));

export function testRecordTags(record: TestRecord): Record<string, string | undefined> {
  return Object.fromEntries(
    (Object.keys(TEST_TAGS) as (keyof typeof TEST_TAGS)[]).map((key) => [TEST_TAGS[key], fit(record[key])]),
  );
}

/** The record the tags of a deployment carry, if any. */
export function testRecordFromTags(deployment: string, tags: Record<string, string>): TestRecord | undefined {
  const result = tags[TEST_TAGS.result];
  const hash = tags[TEST_TAGS.specHash];
  if ((result !== 'passed' && result !== 'failed') || !hash) return undefined;
  return {
    deployment,
    result,
    testedAt: tags[TEST_TAGS.testedAt] ?? '',
    run: tags[TEST_TAGS.run],
    model: tags[TEST_TAGS.model],
    environment: tags[TEST_TAGS.environment],
    image: tags[TEST_TAGS.image],
    instanceType: tags[TEST_TAGS.instanceType],
    specHash: hash,
  };
}

// --- The record as the test's `tested` output, passed to the swap -------------------------------------------------

const optionalText = z.string().min(1).optional();

export const TestRecordSchema = z
  .object({
    deployment: z.string().min(1),
    result: z.enum(['passed', 'failed']),
    testedAt: z.string().min(1),
    run: optionalText,
    model: optionalText,
    environment: optionalText,
    image: optionalText,
    instanceType: optionalText,
    specHash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  })
  .strict();

/** Why the slot may not be promoted on this record; empty when it may. */
export function testRecordProblems(now: TestedIdentity, record: TestRecord | undefined): string[] {
  const slot = now.deployment;
  if (!record) return [`deployment ${slot} has no test record: run aml-endpoint-test on it first`];
  if (record.deployment !== slot) return [`the test record is of deployment ${record.deployment}, not ${slot}`];
  if (record.result !== 'passed') {
    return [`the last test of deployment ${slot} failed (${record.testedAt}${record.run ? `, ${record.run}` : ''})`];
  }
  const differences = identityDifferences(record, now);
  return differences.length > 0 ? [`deployment ${slot} changed after its test: ${differences.join('; ')}`] : [];
}

// --- What was live before a promotion, kept on the endpoint for `mode: rollback` ----------------------------------

export const LIVE_BEFORE_TAG = `${TAG_PREFIX}live-before`;

const LiveBefore = z.object({ deployment: z.string(), model: z.string().optional(), specHash: z.string() });
export type LiveBefore = z.infer<typeof LiveBefore>;

export function liveBeforeTag(identity: TestedIdentity | undefined): string | undefined {
  if (!identity) return undefined;
  const { deployment, model, specHash: hash } = identity;
  const text = JSON.stringify({ deployment, model, specHash: hash });
  // A model reference too long for a tag value is left out: the hash still decides.
  return text.length <= 256 ? text : JSON.stringify({ deployment, specHash: hash });
}

export function parseLiveBefore(text: string | undefined): LiveBefore | undefined {
  if (!text) return undefined;
  try {
    const parsed = LiveBefore.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** `fraud:1` → `model fraud version 1`, for the messages that name what a rollback restores. */
export function describeModel(model: string | undefined): string {
  if (!model) return 'no registered model';
  const match = /^([^:/]+):([^:/]+)$/.exec(model) ?? /\/models\/([^/]+)\/versions\/([^/]+)$/.exec(model);
  return match ? `model ${match[1]} version ${match[2]}` : `model ${model}`;
}
