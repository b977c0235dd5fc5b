import { followOperation, toServiceError } from '../azure/operation.ts';
import { errorMessage } from '../errors.ts';
import { TAG_PREFIX } from './deploy.ts';
import { liveDeployment, type Traffic } from '../slots.ts';
import {
  describeModel,
  identityDifferences,
  liveBeforeTag,
  parseLiveBefore,
  testedIdentity,
  testRecordFromTags,
  testRecordProblems,
  testRecordTags,
  LIVE_BEFORE_TAG,
  type TestedIdentity,
  type TestRecord,
} from './tested-identity.ts';
import type { AmlWorkspace, DeploymentState, EndpointState, OperationSettings } from './workspace.ts';

/**
 * The records that tie the steps together, read and written in Azure: the test's record on the deployment it tested,
 * checked by the swap, and what was live before a promotion, checked by `mode: rollback`.
 */

/**
 * Sets tags on a deployment with a PATCH (ARM's update takes tags and sku only, so nothing is reprovisioned), keeping
 * its other tags.
 */
async function tagDeployment(
  workspace: AmlWorkspace,
  endpoint: string,
  deployment: DeploymentState,
  tags: Record<string, string | undefined>,
  settings: OperationSettings,
): Promise<void> {
  const { resourceGroup, workspace: name } = workspace.scope;
  const merged = Object.entries({ ...deployment.tags, ...tags }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  await followOperation(
    (options) =>
      workspace.client.onlineDeployments.beginUpdate(
        resourceGroup,
        name,
        endpoint,
        deployment.name,
        { tags: Object.fromEntries(merged) },
        options,
      ),
    { action: `Tagging deployment ${deployment.name} of endpoint ${endpoint}`, ...settings },
  );
}

/** Environment images by workspace and version id: an environment version's content cannot change. */
const images = new WeakMap<AmlWorkspace, Map<string, Promise<string | undefined>>>();

/** The image of a workspace environment version (an ARM id); undefined for registry or image-less ones. */
function environmentImage(workspace: AmlWorkspace, id: string | undefined): Promise<string | undefined> {
  const match = /\/workspaces\/[^/]+\/environments\/([^/]+)\/versions\/([^/]+)$/i.exec(id ?? '');
  if (!match) return Promise.resolve(undefined);
  const [, name, version] = match as unknown as [string, string, string];
  const known = images.get(workspace) ?? new Map<string, Promise<string | undefined>>();
  images.set(workspace, known);
  if (!known.has(`${name}:${version}`)) {
    const { resourceGroup, workspace: ws } = workspace.scope;
    const read = workspace.client.environmentVersions.get(resourceGroup, ws, name, version).then(
      (environment) => environment.properties.image,
      (error: unknown) => {
        known.delete(`${name}:${version}`);
        throw toServiceError(error, `Reading environment ${name}:${version}`);
      },
    );
    known.set(`${name}:${version}`, read);
  }
  return known.get(`${name}:${version}`) as Promise<string | undefined>;
}

export async function readTestedIdentity(
  workspace: AmlWorkspace,
  deployment: DeploymentState,
): Promise<TestedIdentity> {
  return testedIdentity(deployment.raw, await environmentImage(workspace, deployment.raw.properties.environmentId));
}

export interface RecordedTest {
  record: TestRecord;
  /** Why the test fails on top of its cases and gates: the slot changed under it, or the record could not be kept. */
  problems: string[];
}

/**
 * After the cases and load: reads the deployment again (it must still be what was tested) and tags it with the
 * record, passed or failed, so a later swap can tell what was tested and how it ended.
 */
export async function recordTest(
  workspace: AmlWorkspace,
  endpoint: string,
  tested: TestedIdentity,
  outcome: { passed: boolean; testedAt: string; run?: string | undefined },
  operation: OperationSettings,
): Promise<RecordedTest> {
  const problems: string[] = [];
  const now = await workspace.getDeployment(endpoint, tested.deployment);
  if (!now) problems.push(`deployment ${tested.deployment} was deleted while it was tested`);
  else {
    const differences = identityDifferences(tested, await readTestedIdentity(workspace, now));
    if (differences.length > 0)
      problems.push(`deployment ${tested.deployment} changed while it was tested: ${differences.join('; ')}`);
  }
  const result = outcome.passed && problems.length === 0 ? 'passed' : 'failed';
  const record: TestRecord = { ...tested, result, testedAt: outcome.testedAt, run: outcome.run };
  if (now) {
    try {
      await tagDeployment(workspace, endpoint, now, testRecordTags(record), operation);
    } catch (error) {
      problems.push(`the test record could not be written on deployment ${tested.deployment}: ${errorMessage(error)}`);
      record.result = 'failed';
    }
  }
  return { record, problems };
}

/** Why the swap may not promote `deployment` on its test record (the explicit one, or the tags'); empty if it may. */
export async function slotTestProblems(
  workspace: AmlWorkspace,
  deployment: DeploymentState,
  explicit: TestRecord | undefined,
): Promise<string[]> {
  const record = explicit ?? testRecordFromTags(deployment.name, deployment.tags);
  const problems = testRecordProblems(await readTestedIdentity(workspace, deployment), record);
  return problems.map((p) => `${p} (or set require-tested: false to promote it untested)`);
}

// --- What the endpoint keeps about the last promotion, for `mode: rollback` ----------------------------------------

/**
 * The endpoint tag that keeps the split from before the last promotion: `mode: rollback` restores it exactly, even
 * after a promotion whose process was killed half-way through a canary.
 */
export const TRAFFIC_BEFORE_TAG = `${TAG_PREFIX}traffic-before`;

const tagsOf = (endpoint: EndpointState) => (endpoint.raw.tags ?? {}) as Record<string, string>;

/** The records of the last promotion as the endpoint has them now (put back when an attempt fails). */
export function promotionRecords(endpoint: EndpointState): Record<string, string | undefined> {
  return {
    [TRAFFIC_BEFORE_TAG]: tagsOf(endpoint)[TRAFFIC_BEFORE_TAG],
    [LIVE_BEFORE_TAG]: tagsOf(endpoint)[LIVE_BEFORE_TAG],
  };
}

/** The records a promotion from `before` writes: the split, and what its live slot holds. */
export async function recordsForPromotion(
  workspace: AmlWorkspace,
  endpoint: string,
  before: Traffic,
): Promise<Record<string, string | undefined>> {
  return {
    [TRAFFIC_BEFORE_TAG]: JSON.stringify(before),
    [LIVE_BEFORE_TAG]: await liveBeforeRecord(workspace, endpoint, before),
  };
}

/** The split recorded before the last promotion, as recorded (the first promotion records `{}`). */
export function splitBefore(endpoint: EndpointState): Record<string, number> | undefined {
  try {
    const split: unknown = JSON.parse(tagsOf(endpoint)[TRAFFIC_BEFORE_TAG] ?? '');
    return typeof split === 'object' && split !== null && Object.values(split).every((v) => typeof v === 'number')
      ? (split as Record<string, number>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The split recorded before the last promotion, when it is still a valid split of this endpoint to restore. */
export function recordedSplit(
  endpoint: EndpointState,
  deployments: readonly string[],
): Record<string, number> | undefined {
  const split = splitBefore(endpoint);
  const valid =
    split !== undefined &&
    Object.values(split).reduce((sum, v) => sum + v, 0) === 100 &&
    Object.keys(split).every((name) => deployments.includes(name));
  return valid ? split : undefined;
}

/** The tag value that records what the live slot of `traffic` holds, kept with the split before a promotion. */
async function liveBeforeRecord(
  workspace: AmlWorkspace,
  endpoint: string,
  traffic: Traffic,
): Promise<string | undefined> {
  const live = liveDeployment(traffic);
  const deployment = live && (await workspace.getDeployment(endpoint, live));
  return deployment ? liveBeforeTag(await readTestedIdentity(workspace, deployment)) : undefined;
}

export type RollbackCheck = { ok: true; restores: string } | { ok: false; reason: string };

/** Whether the slot a rollback gives the traffic to still holds what it held when it was live. */
export async function checkRollbackTarget(
  workspace: AmlWorkspace,
  endpoint: EndpointState,
  target: Traffic,
  deployments: readonly DeploymentState[],
): Promise<RollbackCheck> {
  const slot = liveDeployment(target);
  const recorded = parseLiveBefore((endpoint.raw.tags as Record<string, string> | undefined)?.[LIVE_BEFORE_TAG]);
  const deployment = deployments.find((d) => d.name === slot);
  if (!slot || !deployment) return { ok: false, reason: `no deployment to give the traffic to` };
  if (!recorded || recorded.deployment !== slot) {
    return {
      ok: false,
      reason:
        `there is no record of what ${slot} held when it was live (the last promotion recorded ` +
        `${recorded ? recorded.deployment : 'nothing'}), so it cannot be checked; set require-tested: false to roll back unchecked`,
    };
  }
  const now = await readTestedIdentity(workspace, deployment);
  if (now.specHash !== recorded.specHash) {
    return {
      ok: false,
      reason:
        `${slot} no longer holds what was live before the last promotion: ${describeModel(recorded.model)} then, ` +
        `${describeModel(now.model)} now${recorded.model === now.model ? ' (its spec changed)' : ''}`,
    };
  }
  return { ok: true, restores: `${slot} (${describeModel(now.model)})` };
}
