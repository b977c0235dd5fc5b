import type { OnlineDeployment } from '@azure/arm-machinelearning';
import type { DeploymentSpec } from '../azure/spec.ts';
import { toArmDeployment } from '../azure/translate.ts';
import { diffValues, type Change } from '../diff.ts';
import { TAG_PREFIX } from './deploy.ts';
import type { DeploymentState, ResolvedAsset } from './workspace.ts';

/** The deployment a deploy sends: the file's spec with the resolved assets, tagged with the model version. */
export function deploymentBody(
  spec: DeploymentSpec,
  assets: { model: ResolvedAsset | undefined; environmentId: string | undefined; codeId: string | undefined },
  location: string,
  tags: Record<string, string>,
): OnlineDeployment {
  const { model } = assets;
  return toArmDeployment(
    spec,
    { modelId: model?.id, environmentId: assets.environmentId, codeId: assets.codeId },
    location,
    {
      ...tags,
      ...(model && { [`${TAG_PREFIX}model`]: model.name, [`${TAG_PREFIX}model-version`]: model.version }),
    },
  );
}

/**
 * How a deployment in Azure differs from the one a deploy would send, field by field. Desired-driven, as the plan
 * mode is: fields the YAML does not set are the service's defaults; tags and environment variables match whole; the
 * actions' own tags (commit, run, test records) are never compared. Pure.
 */
export function deploymentChanges(live: DeploymentState, desired: OnlineDeployment): Change[] {
  return diffValues(
    { sku: live.raw.sku, tags: live.raw.tags ?? {}, properties: live.raw.properties },
    { sku: desired.sku, tags: desired.tags ?? {}, properties: desired.properties },
    {
      wholeMaps: ['tags'],
      // Environment variables often hold secrets: names and "value differs" only.
      secretMaps: ['properties.environmentVariables'],
      ignoreKeys: [`${TAG_PREFIX}*`],
    },
  );
}

/**
 * The live slot, when it already holds exactly what a deploy would put on the idle one (a re-run after a swap):
 * deploying again would overwrite the idle slot, which is the rollback target, with the model already live.
 */
export function liveSlotHolding(
  live: string | undefined,
  deployments: readonly DeploymentState[],
  desired: OnlineDeployment,
): DeploymentState | undefined {
  const slot = deployments.find((d) => d.name === live);
  return slot && slot.provisioningState === 'Succeeded' && deploymentChanges(slot, desired).length === 0
    ? slot
    : undefined;
}

export function alreadyLiveMessage(live: string, idle: string): string {
  return (
    `Live slot ${live} already holds exactly this deployment: nothing deployed, and ${idle} (the rollback target) ` +
    `is left as it is. The next steps test and promote ${live}, which is already live.`
  );
}
