import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { MAX_DEPLOYMENTS_PER_ENDPOINT, reservedInstances } from '../azure/deployment-limits.ts';
import { toServiceError } from '../azure/operation.ts';
import type { DeploymentSpec } from '../azure/spec.ts';
import { errorMessage, UserError } from '../errors.ts';
import type { DeploymentState } from './workspace.ts';

/**
 * Before the deploy changes anything: will the new slot fit beside the live one? Azure counts cores per VM family
 * and region, `ceil(1.2 × instances) × cores` per deployment (the 20 % it reserves for upgrades, in-place updates
 * included), and refuses with a generic 400 whose reason is nested; this says it first, in the user's terms.
 */

export interface VmSizeInfo {
  name: string;
  family: string;
  vCPUs: number;
}

export interface FamilyUsage {
  /** The usages API's `name.value` and `name.localizedValue`. */
  names: string[];
  currentValue: number;
  limit: number;
}

export interface QuotaInput {
  slot: string;
  location: string;
  instanceType: string;
  instances: number;
  /** The idle slot as it is, when the deploy updates it in place: its own cores come back first. */
  replacing?: { instanceType: string; instances: number } | undefined;
  sizes: VmSizeInfo[];
  usages: FamilyUsage[];
}

export type QuotaDecision =
  | { fits: true; family: string; needed: number; free: number }
  | { fits: false; reason: string }
  | { fits: 'unknown'; note: string };

const key = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/** "standardDSv2Family" matches both "standardDSv2Family" and "Standard DSv2 Family Cluster Dedicated vCPUs". */
function usageOf(usages: FamilyUsage[], family: string): FamilyUsage | undefined {
  const wanted = key(family);
  return usages.find((usage) =>
    usage.names.some((name) => key(name) === wanted || key(name) === `${wanted}clusterdedicatedvcpus`),
  );
}

function sizeOf(sizes: VmSizeInfo[], instanceType: string): VmSizeInfo | undefined {
  return sizes.find((size) => size.name.toLowerCase() === instanceType.toLowerCase());
}

/** The region's total, which every family's cores count against as well. */
const TOTAL = 'Total Cluster Dedicated Regional vCPUs';

interface Pool {
  /** "of VM family standardDSv2Family", "of the region's total dedicated cores". */
  what: string;
  usage: FamilyUsage;
  /** Cores of this pool the idle slot holds now and gives back when it is updated in place. */
  released: number;
}

export function decideQuota(input: QuotaInput): QuotaDecision {
  const size = sizeOf(input.sizes, input.instanceType);
  if (!size) return { fits: 'unknown', note: `the region lists no VM size ${input.instanceType}` };
  const usage = usageOf(input.usages, size.family);
  if (!usage) return { fits: 'unknown', note: `the region reports no usage for VM family ${size.family}` };
  const reserved = reservedInstances(input.instanceType, input.instances);
  const needed = reserved * size.vCPUs;
  const old = input.replacing && sizeOf(input.sizes, input.replacing.instanceType);
  const held =
    input.replacing && old ? reservedInstances(input.replacing.instanceType, input.replacing.instances) * old.vCPUs : 0;
  const total = input.usages.find((entry) => entry.names.some((name) => key(name) === key(TOTAL)));
  const pools: Pool[] = [
    { what: `of VM family ${size.family}`, usage, released: old?.family === size.family ? held : 0 },
    ...(total ? [{ what: "of the region's total dedicated cores", usage: total, released: held }] : []),
  ];
  const free = (pool: Pool) =>
    pool.usage.limit < 0 ? Infinity : pool.usage.limit - pool.usage.currentValue + pool.released;
  const short = pools.find((pool) => needed > free(pool));
  if (!short) return { fits: true, family: size.family, needed, free: free(pools[0] as Pool) };
  const surge =
    reserved > input.instances
      ? `${reserved} instances: the ${input.instances} requested and the 20 % Azure reserves for upgrades`
      : `${reserved} instances`;
  const own =
    short.released > 0 ? `, of which ${short.released} held by ${input.slot} itself and given back by the update` : '';
  return {
    fits: false,
    reason:
      `Deployment ${input.slot} needs ${needed} cores ${short.what} in ${input.location} ` +
      `(${input.instanceType}: ${size.vCPUs} cores × ${surge}), but only ${Math.max(free(short), 0)} are free ` +
      `(limit ${short.usage.limit}, ${short.usage.currentValue} in use${own}). Lower 'instance_count', choose a size of a family ` +
      `with free cores, or request more quota for ${short === pools[0] ? size.family : 'the region'} (https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas). Nothing was changed.`,
  };
}

/** Creating a slot on an endpoint that already has the most deployments Azure allows. */
export function deploymentCountProblem(endpoint: string, slot: string, existing: string[]): string | undefined {
  if (existing.includes(slot) || existing.length < MAX_DEPLOYMENTS_PER_ENDPOINT) return undefined;
  return (
    `Endpoint ${endpoint} already has ${existing.length} deployments, the most Azure allows per endpoint ` +
    `(${MAX_DEPLOYMENTS_PER_ENDPOINT}), so ${slot} cannot be created: delete deployments it no longer needs first. Nothing was changed.`
  );
}

/** The region's VM sizes and cores usage, through the subscription-level usages and vmSizes APIs. */
export async function readComputeQuota(
  client: AzureMachineLearningWorkspaces,
  location: string,
): Promise<{ sizes: VmSizeInfo[]; usages: FamilyUsage[] }> {
  try {
    const sizes = ((await client.virtualMachineSizes.list(location)).value ?? []).map((size) => ({
      name: size.name ?? '',
      family: size.family ?? '',
      vCPUs: size.vCPUs ?? 0,
    }));
    const usages: FamilyUsage[] = [];
    for await (const usage of client.usages.list(location)) {
      usages.push({
        names: [usage.name?.value, usage.name?.localizedValue].filter((name): name is string => Boolean(name)),
        currentValue: usage.currentValue ?? 0,
        limit: usage.limit ?? -1,
      });
    }
    return { sizes, usages };
  } catch (error) {
    throw toServiceError(error, `Reading the VM sizes and quota usage of ${location}`);
  }
}

export interface QuotaCheck {
  client: AzureMachineLearningWorkspaces;
  endpoint: string;
  location: string;
  slot: string;
  spec: DeploymentSpec;
  deployments: DeploymentState[];
}

export interface SlotAssessment {
  /** Why Azure would refuse the slot. */
  refusal?: string;
  /** What it needs and what is free, or why that could not be told. */
  note?: string;
}

/**
 * Whether the endpoint and the region's quota can take the slot. The quota is read best-effort: an identity scoped
 * to a resource group may not read the subscription's usages, and the service checks anyway.
 */
export async function assessSlot(check: QuotaCheck): Promise<SlotAssessment> {
  const { spec, slot } = check;
  const refusal = deploymentCountProblem(
    check.endpoint,
    slot,
    check.deployments.map((d) => d.name),
  );
  if (refusal) return { refusal };
  const instanceType = spec.settings.instanceType;
  if (spec.computeType !== 'Managed' || !instanceType) return {};
  let compute: Awaited<ReturnType<typeof readComputeQuota>>;
  try {
    compute = await readComputeQuota(check.client, check.location);
  } catch (error) {
    return { note: `Quota not checked (${errorMessage(error)}); Azure checks it when the deployment is sent.` };
  }
  const existing = check.deployments.find((d) => d.name === slot);
  const decision = decideQuota({
    slot,
    location: check.location,
    instanceType,
    instances: spec.settings.instanceCount,
    replacing: existing?.instanceType
      ? { instanceType: existing.instanceType, instances: existing.capacity ?? 1 }
      : undefined,
    ...compute,
  });
  if (decision.fits === false) return { refusal: decision.reason };
  if (decision.fits === 'unknown') return { note: `Quota not checked: ${decision.note}.` };
  return Number.isFinite(decision.free)
    ? { note: `Quota: ${slot} needs ${decision.needed} cores of ${decision.family}; ${decision.free} are free.` }
    : {};
}

/** Refuses, before any change, a slot the endpoint or the region's quota cannot take. */
export async function checkSlotFits(check: QuotaCheck & { log: (line: string) => void }): Promise<void> {
  const { refusal, note } = await assessSlot(check);
  if (refusal) throw new UserError(refusal);
  if (note) check.log(note);
}
