import { assetVersionId, parseAssetRef, type AssetRef } from '../azure/asset-ref.ts';
import type { AssetOutcome, PreparedAssets } from '../assets/local-assets.ts';
import {
  readDeploymentFile,
  readEndpointFile,
  nameProblem,
  type DeploymentSpec,
  type EndpointSpec,
} from '../azure/spec.ts';
import { toArmDeployment, toArmEndpoint } from '../azure/translate.ts';
import { OperationTimeoutError } from '../azure/operation.ts';
import { diffValues, type Change } from '../diff.ts';
import {
  alreadyLiveMessage,
  deploymentBody,
  deploymentChanges as diffDeployment,
  liveSlotHolding,
} from './deployment-changes.ts';
import { errorMessage, InputError, UserError } from '../errors.ts';
import { workspaceRoot } from '../files.ts';
import type { ReleaseManifest } from '../release-manifest.ts';
import { planCandidateSlot, sameTraffic, type Traffic } from '../slots.ts';
import { assessSlot, checkSlotFits } from './quota.ts';
import type { AmlWorkspace, DeploymentState, EndpointState, OperationSettings, ResolvedAsset } from './workspace.ts';

/**
 * aml-endpoint-deploy: put a model on the idle blue/green slot of a managed online endpoint, at 0 % traffic, and
 * never touch live traffic. Files are read and checked before any call to Azure.
 */

/** Tags the action writes on each deployment; `plan` ignores them when it compares. */
export const TAG_PREFIX = 'mlops-actions.';

export interface DeployOptions {
  /** Signs in; called only once every file and input has been checked. */
  connect: () => Promise<AmlWorkspace>;
  endpointFile: string;
  deploymentFile: string;
  /** The target endpoint (input or env file); the file's name otherwise. */
  endpointName?: string | undefined;
  slots: readonly [string, string];
  /** A model reference that wins over the file's (`name@latest`, `name:version`, `azureml://registries/…`). */
  model?: string | undefined;
  /** Production: deploy exactly what staging tested. */
  manifest?: ReleaseManifest | undefined;
  /**
   * The env file's `model` (the workshop's model name): deployed as `<name>@latest` only when the deployment file
   * names no registered model. A version pinned in git is never replaced silently.
   */
  defaultModelName?: string | undefined;
  /** Tags on the deployment: commit, run URL (the model version is added). */
  tags: Record<string, string>;
  operation: OperationSettings;
  log: (line: string) => void;
}

export interface DeployResult {
  endpoint: string;
  deployment: string;
  scoringUri: string | undefined;
  model: ResolvedAsset | undefined;
  environmentId: string | undefined;
  liveDeployment: string | undefined;
  /** Live traffic, as it was before and is after (the deploy never changes it). */
  traffic: Record<string, number>;
  endpointCreated: boolean;
  endpointChanges: Change[];
  deploymentExisted: boolean;
  /** The live slot already held exactly this deployment: nothing was deployed, `deployment` is the live slot. */
  alreadyLive: boolean;
  /** Local code, environments and models of the file: uploaded and registered, or found already there. */
  localAssets: AssetOutcome[];
  durationMs: number;
}

/** The deployment failed in Azure: the service's error, with both containers' logs. */
export class DeploymentFailedError extends Error {
  override name = 'DeploymentFailedError';
  readonly endpoint: string;
  readonly deployment: string;
  readonly logs: { storageInitializer: string; inferenceServer: string };
  readonly trafficUnchanged: boolean;
  readonly traffic: Traffic;

  constructor(
    message: string,
    at: { endpoint: string; deployment: string },
    logs: DeploymentFailedError['logs'],
    traffic: Traffic,
    trafficUnchanged: boolean,
  ) {
    super(message);
    this.endpoint = at.endpoint;
    this.deployment = at.deployment;
    this.logs = logs;
    this.traffic = traffic;
    this.trafficUnchanged = trafficUnchanged;
  }
}

interface Files {
  endpoint: EndpointSpec;
  deployment: DeploymentSpec;
}

/** Reads and checks the inputs and both files; no Azure call. */
export function readDeployFiles(
  options: Pick<
    DeployOptions,
    'endpointFile' | 'deploymentFile' | 'endpointName' | 'slots' | 'model' | 'manifest' | 'defaultModelName'
  >,
): Files {
  for (const slot of options.slots) {
    const problem = nameProblem(slot, 'deployment');
    if (problem) throw new InputError('slots', `has a bad slot name: ${problem}.`);
  }
  const endpointProblem = options.endpointName && nameProblem(options.endpointName, 'endpoint');
  if (endpointProblem) throw new InputError('endpoint', `(or 'endpoint' in the env file): ${endpointProblem}.`);
  const endpoint = readEndpointFile(options.endpointFile, options.endpointName ? { name: options.endpointName } : {});
  const deployment = readDeploymentFile(options.deploymentFile, { name: options.slots[0], workspace: workspaceRoot() });
  return { endpoint, deployment };
}

/** A model named by the `model` input or the release manifest replaces a local model path in the file. */
function modelOverridden(options: Pick<DeployOptions, 'model' | 'manifest'>): boolean {
  return Boolean(options.model || options.manifest);
}

/** Whether the file has local folders or inline assets to upload (checked without loading the upload code). */
function hasLocalAssets(spec: DeploymentSpec, options: Pick<DeployOptions, 'model' | 'manifest'>): boolean {
  return (
    spec.code?.kind === 'local' ||
    spec.environment?.kind === 'inline' ||
    (spec.model?.kind === 'local' && !modelOverridden(options))
  );
}

/**
 * Local folders and inline assets of the deployment file, read and hashed before anything is called in Azure (the
 * upload code and the storage SDK are loaded only when there are some).
 */
async function prepareAssets(options: DeployOptions, spec: DeploymentSpec): Promise<PreparedAssets | undefined> {
  if (!hasLocalAssets(spec, options)) return undefined;
  const { prepareLocalAssets } = await import('../assets/local-assets.ts');
  return prepareLocalAssets(spec, modelOverridden(options), workspaceRoot());
}

interface LocalResolution {
  outcomes: AssetOutcome[];
  codeId?: string | undefined;
  environmentId?: string | undefined;
  model?: ResolvedAsset | undefined;
}

/** Uploads (unless `dryRun`) and registers the prepared local assets. */
async function resolvePrepared(
  options: DeployOptions,
  workspace: AmlWorkspace,
  prepared: PreparedAssets | undefined,
  dryRun: boolean,
): Promise<LocalResolution> {
  if (!prepared) return { outcomes: [] };
  const { resolveLocalAssets } = await import('../assets/local-assets.ts');
  return resolveLocalAssets(workspace, prepared, { dryRun, log: options.log });
}

/** References in the file (or inputs, or manifest) win; local assets fill in the rest. */
function mergeLocal(options: DeployOptions, assets: ResolvedDeployment, local: LocalResolution): void {
  assets.codeId ??= local.codeId;
  assets.environmentId ??= local.environmentId;
  if (!assets.model && local.model) {
    assets.model = local.model;
    options.log(
      `Model: ${local.model.name} version ${local.model.version} (from the local path in the deployment file)`,
    );
  }
}

/**
 * A reference that means the same in another workspace: staging and production are different workspaces, each with
 * its own copy of the model and environment, so an ARM id from staging becomes name and version; registry
 * references are the same everywhere.
 */
function portable(ref: AssetRef): AssetRef {
  return ref.type === 'arm-id' ? { type: 'workspace', name: ref.name, version: ref.version } : ref;
}

function modelRef(options: DeployOptions, spec: DeploymentSpec): { ref: AssetRef; source: string } | undefined {
  if (options.manifest) {
    const { model } = options.manifest;
    return {
      ref: portable(
        model.id ? parseAssetRef(model.id, 'models') : { type: 'workspace', name: model.name, version: model.version },
      ),
      source: 'the release manifest',
    };
  }
  if (options.model) {
    try {
      return { ref: parseAssetRef(options.model, 'models'), source: "the 'model' input" };
    } catch (error) {
      throw new UserError(`Input 'model': ${errorMessage(error)}`, { input: 'model' });
    }
  }
  if (spec.model?.kind === 'ref') return { ref: spec.model.ref, source: spec.file };
  if (options.defaultModelName && spec.model?.kind !== 'local') {
    return {
      ref: { type: 'workspace-label', name: options.defaultModelName, label: 'latest' },
      source: "the env file's 'model'",
    };
  }
  return undefined;
}

interface ResolvedDeployment {
  model: ResolvedAsset | undefined;
  environmentId: string | undefined;
  codeId: string | undefined;
}

async function resolveAssets(
  options: DeployOptions,
  workspace: AmlWorkspace,
  spec: DeploymentSpec,
  prepared?: PreparedAssets,
): Promise<ResolvedDeployment> {
  const model = modelRef(options, spec);
  const resolved: ResolvedDeployment = { model: undefined, environmentId: undefined, codeId: undefined };
  if (model) {
    resolved.model = await workspace.resolveAsset('models', model.ref);
    options.log(`Model: ${resolved.model.name} version ${resolved.model.version} (from ${model.source})`);
  }
  const manifestEnvironment = options.manifest?.environment;
  const local = prepared?.environment;
  if (manifestEnvironment?.id) {
    const ref = portable(parseAssetRef(manifestEnvironment.id, 'environments'));
    // The file's inline environment, registered just before the deployment (same content, same name and version).
    resolved.environmentId =
      local && ref.type === 'workspace' && ref.name === local.name && ref.version === local.version
        ? assetVersionId(workspace.scope, 'environments', local.name, local.version)
        : (await workspace.resolveAsset('environments', ref)).id;
  } else if (spec.environment?.kind === 'ref') {
    resolved.environmentId = (await workspace.resolveAsset('environments', spec.environment.ref)).id;
  }
  if (spec.code?.kind === 'ref') resolved.codeId = (await workspace.resolveAsset('codes', spec.code.ref)).id;
  return resolved;
}

/** Endpoint settings the file sets that differ from the live endpoint (traffic is never compared). */
export function endpointChanges(live: EndpointState, desired: ReturnType<typeof toArmEndpoint>): Change[] {
  const { traffic: _traffic, ...desiredProperties } = desired.properties;
  return diffValues(
    {
      tags: live.raw.tags ?? {},
      identity: live.raw.identity && { type: live.raw.identity.type },
      properties: live.raw.properties,
    },
    {
      tags: desired.tags ?? {},
      identity: desired.identity && { type: desired.identity.type },
      properties: desiredProperties,
    },
    { wholeMaps: ['tags'], ignoreKeys: [`${TAG_PREFIX}*`] },
  );
}

async function ensureEndpoint(
  options: DeployOptions,
  workspace: AmlWorkspace,
  spec: EndpointSpec,
  location: string,
  live: EndpointState | undefined,
): Promise<{ endpoint: EndpointState; created: boolean; changes: Change[] }> {
  const { log } = options;
  const desired = toArmEndpoint(spec, location, workspace.scope);
  if (!live) {
    log(`Endpoint ${spec.name} does not exist: creating it (${spec.authMode} auth, no traffic).`);
    const endpoint = await workspace.putEndpoint(
      spec.name,
      desired,
      `Creating endpoint ${spec.name}`,
      options.operation,
    );
    return { endpoint, created: true, changes: [] };
  }
  const changes = endpointChanges(live, desired);
  if (changes.length === 0) return { endpoint: live, created: false, changes };
  log(`Endpoint ${spec.name}: updating ${changes.map((c) => c.path).join(', ')} (traffic kept as it is).`);
  // Re-read just before the PUT so the traffic sent back is the newest the service has.
  const current = await workspace.requireEndpoint(spec.name);
  // The actions' own tags (the split before the last promotion, for rollback) are kept, as the traffic is.
  const ownTags = Object.fromEntries(
    Object.entries(current.raw.tags ?? {}).filter(([key]) => key.startsWith(TAG_PREFIX)),
  );
  const body = {
    ...desired,
    tags: { ...desired.tags, ...ownTags },
    // Traffic and the mirror split are the endpoint's live routing, not the file's: both are sent back as they are.
    properties: { ...desired.properties, traffic: current.traffic, mirrorTraffic: current.mirror },
  };
  const endpoint = await workspace.putEndpoint(spec.name, body, `Updating endpoint ${spec.name}`, options.operation);
  return { endpoint, created: false, changes };
}

async function collectLogs(workspace: AmlWorkspace, endpoint: string, deployment: string) {
  const [storageInitializer, inferenceServer] = await Promise.all([
    workspace.logs(endpoint, deployment, 'StorageInitializer'),
    workspace.logs(endpoint, deployment, 'InferenceServer'),
  ]);
  return { storageInitializer, inferenceServer };
}

export async function deployToIdleSlot(options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const { log } = options;
  const files = readDeployFiles(options);
  const prepared = await prepareAssets(options, files.deployment);
  const workspace = await options.connect();
  if (files.endpoint.ignored.length > 0) {
    log(
      `${files.endpoint.file}: ${files.endpoint.ignored.join(' and ')} ignored; traffic only changes in aml-endpoint-swap.`,
    );
  }
  const endpointName = files.endpoint.name;
  if (files.deployment.endpointName && files.deployment.endpointName !== endpointName) {
    log(
      `${files.deployment.file} names endpoint ${files.deployment.endpointName}; deploying to ${endpointName} (as --endpoint-name would).`,
    );
  }

  // Everything that can refuse is read and decided first; only then does anything change in Azure.
  const location = await workspace.location();
  const live = await workspace.getEndpoint(endpointName);
  const deployments = live ? await workspace.listDeployments(endpointName) : [];
  const plan = planCandidateSlot(
    {
      endpoint: endpointName,
      traffic: live?.traffic ?? {},
      mirror: live?.mirror ?? {},
      deployments: deployments.map((d) => d.name),
    },
    options.slots,
  );
  if (!plan.ok) throw new UserError(plan.reason);
  log(
    `Slots: ${options.slots.join('/')}; live ${plan.live ?? 'none'}; deploying to ${plan.candidate}` +
      ` (${plan.exists ? 'updating the idle slot in place' : 'new'}), at 0 % traffic.`,
  );
  if (plan.others.length > 0)
    log(`Note: ${plan.others.join(', ')} also hold live traffic; a swap moves their share too.`);
  await checkSlotFits({
    client: workspace.client,
    endpoint: endpointName,
    location,
    slot: plan.candidate,
    spec: files.deployment,
    deployments,
    log,
  });
  const assets = await resolveAssets(options, workspace, files.deployment, prepared);

  // Changes, in order: local assets uploaded and registered, the endpoint created or updated, the deployment.
  const local = await resolvePrepared(options, workspace, prepared, false);
  mergeLocal(options, assets, local);
  const localAssets = local.outcomes;
  const body = deploymentBody(files.deployment, assets, location, options.tags);
  const { endpoint, created, changes } = await ensureEndpoint(options, workspace, files.endpoint, location, live);
  const result = {
    endpoint: endpointName,
    scoringUri: endpoint.scoringUri,
    model: assets.model,
    environmentId: assets.environmentId,
    liveDeployment: plan.live,
    // As the deploy saw it: the swap refuses if it changes before the promotion.
    traffic: endpoint.traffic,
    endpointCreated: created,
    endpointChanges: changes,
    localAssets,
  };
  const alreadyLive = liveSlotHolding(plan.live, deployments, body);
  if (alreadyLive) {
    log(alreadyLiveMessage(alreadyLive.name, plan.candidate));
    return {
      ...result,
      deployment: alreadyLive.name,
      deploymentExisted: true,
      alreadyLive: true,
      durationMs: Date.now() - started,
    };
  }

  let deployed: DeploymentState;
  try {
    // An endpoint still Updating (someone else's change) refuses deployment changes: wait for it. One that has
    // settled since (or that our own update just left, still locked for a moment) answers 409: the PUT is sent again.
    await workspace.waitForEndpoint(endpointName, options.operation, endpoint);
    deployed = await workspace.putDeployment(
      endpointName,
      plan.candidate,
      body,
      `${plan.exists ? 'Updating' : 'Creating'} deployment ${plan.candidate} on endpoint ${endpointName}`,
      options.operation,
    );
  } catch (error) {
    const logs = await collectLogs(workspace, endpointName, plan.candidate);
    const now = await workspace.getEndpoint(endpointName);
    const unchanged = now !== undefined && sameTraffic(now.traffic, endpoint.traffic);
    const trafficNote = unchanged
      ? `Live traffic is unchanged (${JSON.stringify(endpoint.traffic)}).`
      : `Live traffic is now ${JSON.stringify(now?.traffic)} (was ${JSON.stringify(endpoint.traffic)}): someone else changed it during the deploy.`;
    const timedOut =
      error instanceof OperationTimeoutError ? ' The deployment may still be provisioning in Azure.' : '';
    throw new DeploymentFailedError(
      `${errorMessage(error)}${timedOut} ${trafficNote}`,
      { endpoint: endpointName, deployment: plan.candidate },
      logs,
      now?.traffic ?? endpoint.traffic,
      unchanged,
    );
  }
  if (deployed.provisioningState && deployed.provisioningState !== 'Succeeded') {
    const logs = await collectLogs(workspace, endpointName, plan.candidate);
    throw new DeploymentFailedError(
      `Deployment ${plan.candidate} ended ${deployed.provisioningState}.`,
      { endpoint: endpointName, deployment: plan.candidate },
      logs,
      endpoint.traffic,
      true,
    );
  }
  return {
    ...result,
    deployment: plan.candidate,
    deploymentExisted: plan.exists,
    alreadyLive: false,
    durationMs: Date.now() - started,
  };
}

export interface PlanResult {
  endpoint: string;
  endpointExists: boolean;
  endpointChanges: Change[];
  /** The deployment the YAML is compared with: the live slot (what serves traffic now). */
  comparedWith: string | undefined;
  deploymentChanges: Change[];
  candidate: string | undefined;
  refusal: string | undefined;
  /** Whether the candidate slot fits in the endpoint and the region's cores quota (what a deploy would check). */
  capacity: string | undefined;
  traffic: Record<string, number>;
  /** What a deploy would upload and register, or finds already registered. */
  localAssets: AssetOutcome[];
}

/**
 * `mode: plan`: what a deploy would change, and how the live slot differs from the YAML in git (the drift check).
 * Reads only.
 */
export async function planDeploy(options: DeployOptions): Promise<PlanResult> {
  const files = readDeployFiles(options);
  const prepared = await prepareAssets(options, files.deployment);
  const workspace = await options.connect();
  const endpointName = files.endpoint.name;
  const location = await workspace.location();
  const live = await workspace.getEndpoint(endpointName);
  // Looked up only: plan mode uploads and registers nothing, it says what a deploy would.
  const local = await resolvePrepared(options, workspace, prepared, true);
  const localAssets = local.outcomes;
  const slotCapacity = async (slot: string, deployments: DeploymentState[]) => {
    const { refusal, note } = await assessSlot({
      client: workspace.client,
      endpoint: endpointName,
      location,
      slot,
      spec: files.deployment,
      deployments,
    });
    return refusal ?? note;
  };
  if (!live) {
    return {
      localAssets,
      endpoint: endpointName,
      endpointExists: false,
      endpointChanges: [{ path: '(endpoint)', live: undefined, desired: 'created' }],
      comparedWith: undefined,
      deploymentChanges: [],
      candidate: options.slots[0],
      refusal: undefined,
      capacity: await slotCapacity(options.slots[0], []),
      traffic: {},
    };
  }
  const deployments = await workspace.listDeployments(endpointName);
  const plan = planCandidateSlot(
    { endpoint: endpointName, traffic: live.traffic, mirror: live.mirror, deployments: deployments.map((d) => d.name) },
    options.slots,
  );
  const capacity = plan.ok ? await slotCapacity(plan.candidate, deployments) : undefined;
  const liveName = plan.ok ? plan.live : Object.entries(live.traffic).sort((a, b) => b[1] - a[1])[0]?.[0];
  const liveDeployment = deployments.find((d) => d.name === liveName);
  let deploymentChanges: Change[] = [];
  if (liveDeployment) {
    const assets = await resolveAssets(options, workspace, files.deployment, prepared);
    mergeLocal(options, assets, local);
    const desired = toArmDeployment(
      files.deployment,
      { modelId: assets.model?.id, environmentId: assets.environmentId, codeId: assets.codeId },
      location,
    );
    deploymentChanges = diffDeployment(liveDeployment, desired);
  }
  return {
    endpoint: endpointName,
    endpointExists: true,
    endpointChanges: endpointChanges(live, toArmEndpoint(files.endpoint, location, workspace.scope)),
    comparedWith: liveDeployment?.name,
    deploymentChanges,
    candidate: plan.ok ? plan.candidate : undefined,
    refusal: plan.ok ? undefined : plan.reason,
    capacity,
    traffic: live.traffic,
    localAssets,
  };
}
