import { formatDuration } from '../duration.ts';
import { errorMessage, UserError } from '../errors.ts';
import {
  liveDeployment,
  mirrorAlongside,
  planPromotion,
  planRollback,
  decidePromotion,
  sameTraffic,
  type Strategy,
  type Traffic,
} from '../slots.ts';
import { probeConcurrency, slotCapacity, throttledReason, type SlotCapacity } from './admission.ts';
import { runLoad, type LoadStats } from './scoring.ts';
import {
  checkRollbackTarget,
  promotionRecords,
  recordedSplit,
  recordsForPromotion,
  slotTestProblems,
  splitBefore,
} from './slot-records.ts';
import type { TestRecord } from './tested-identity.ts';
import type { AmlWorkspace, DeploymentState, EndpointState, OperationSettings } from './workspace.ts';

/**
 * aml-endpoint-swap: move live traffic to the slot that was deployed and tested, in one update or in canary steps
 * with a health probe between them, and put the traffic back exactly as it was if anything goes wrong.
 */

export interface HealthProbe {
  bodies: string[];
  requests: number;
  /** Without one, what the slot's instances run at once (the probe shares the slot with live traffic). */
  concurrency?: number | undefined;
  maxErrorRate: number;
  maxP95Ms?: number | undefined;
  timeoutMs: number;
}

export interface SwapOptions {
  workspace: AmlWorkspace;
  endpoint: string;
  mode: 'promote' | 'rollback';
  /** The slot to promote: the deploy step's output. */
  deployment?: string | undefined;
  slots: readonly [string, string];
  /** Live traffic as the pipeline saw it (the deploy step's `traffic` output); read at start when absent. */
  expectedTraffic?: Traffic | undefined;
  strategy: Strategy;
  canarySteps: number[];
  canaryWaitMs: number;
  probe?: HealthProbe | undefined;
  cleanup: 'none' | 'scale-down' | 'delete';
  scaleDownTo: number;
  previousDeployment?: string | undefined;
  /**
   * Promote only a slot whose test passed and which still holds what was tested; roll back only to a slot that still
   * holds what was live before the promotion.
   */
  requireTested: boolean;
  /** The test step's record (its `test-record` output); the deployment's tags are read when absent. */
  testRecord?: TestRecord | undefined;
  operation: OperationSettings;
  readBack: { attempts: number; intervalMs: number };
  log: (line: string) => void;
}

export interface StepRecord {
  traffic: Record<string, number>;
  probe: LoadStats | undefined;
  at: string;
}

export interface SwapResult {
  endpoint: string;
  liveDeployment: string | undefined;
  previousDeployment: string | undefined;
  before: Record<string, number>;
  after: Record<string, number>;
  /** The mirror split before and after: kept, unless a deployment that got live traffic had one. */
  mirror: { before: Record<string, number>; after: Record<string, number> };
  steps: StepRecord[];
  cleanup: string | undefined;
  changed: boolean;
}

/** The promotion failed; traffic was put back (or could not be: then the message says what it is now). */
export class SwapFailedError extends Error {
  override name = 'SwapFailedError';
  readonly rolledBack: boolean;
  readonly traffic: Record<string, number>;
  readonly steps: StepRecord[];

  constructor(message: string, rolledBack: boolean, traffic: Record<string, number>, steps: StepRecord[]) {
    super(message);
    this.rolledBack = rolledBack;
    this.traffic = traffic;
    this.steps = steps;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { TRAFFIC_BEFORE_TAG } from './slot-records.ts';

/**
 * Sets traffic and reads it back until the service reports exactly that split. The mirror split is sent back as it
 * is live, less any deployment that now gets live traffic (said in the log).
 */
async function applyTraffic(
  options: SwapOptions,
  /** The endpoint as just read: everything but the traffic is sent back as it is. */
  current: EndpointState,
  traffic: Traffic,
  tags: Record<string, string | undefined> = {},
): Promise<EndpointState> {
  const { workspace } = options;
  const { mirror, stopped } = mirrorAlongside(traffic, current.mirror);
  for (const name of stopped) {
    options.log(
      `Deployment ${name} stops receiving its ${current.mirror[name]} % of mirrored traffic: it gets live traffic now, and a deployment cannot have both.`,
    );
  }
  await workspace.setTraffic(current, traffic, options.operation, tags, mirror);
  for (let attempt = 1; ; attempt++) {
    const observed = await workspace.requireEndpoint(options.endpoint);
    if (sameTraffic(observed.traffic, traffic) && sameTraffic(observed.mirror, mirror)) return observed;
    if (attempt >= options.readBack.attempts) {
      throw new Error(
        `Endpoint ${options.endpoint} reports traffic ${JSON.stringify(observed.traffic)} (mirror ${JSON.stringify(observed.mirror)}) ` +
          `after it was set to ${JSON.stringify(traffic)} (mirror ${JSON.stringify(mirror)}).`,
      );
    }
    await sleep(options.readBack.intervalMs);
  }
}

async function probeHealth(
  options: SwapOptions,
  endpoint: EndpointState,
  deployment: string,
  capacity: SlotCapacity,
): Promise<{ stats: LoadStats; problems: string[] }> {
  const probe = options.probe as HealthProbe;
  const credential = await options.workspace.scoringCredential(endpoint);
  const concurrency = probe.concurrency ?? probeConcurrency(capacity);
  const stats = await runLoad(
    { scoringUri: endpoint.scoringUri as string, credential: credential.value, deployment, timeoutMs: probe.timeoutMs },
    probe.bodies,
    probe.requests,
    concurrency,
  );
  const problems: string[] = [];
  if (stats.errorRate > probe.maxErrorRate) {
    problems.push(
      `error rate ${stats.errorRate} above ${probe.maxErrorRate} (statuses ${JSON.stringify(stats.statuses)})`,
    );
  }
  if (probe.maxP95Ms !== undefined && stats.p95Ms > probe.maxP95Ms)
    problems.push(`p95 ${stats.p95Ms} ms above ${probe.maxP95Ms} ms`);
  if (problems.length > 0 && stats.throttled > 0)
    problems.push(throttledReason(stats.throttled, stats.requests, concurrency, capacity));
  return { stats, problems };
}

/** Where a failed promotion goes back to: the split, and the records (tags) of the promotion before this attempt. */
interface Restore {
  traffic: Traffic;
  records: Record<string, string | undefined>;
}

async function rollBack(options: SwapOptions, restore: Restore, cause: string, steps: StepRecord[]): Promise<never> {
  const before = restore.traffic;
  options.log(`Rolling back endpoint ${options.endpoint} to ${JSON.stringify(before)}: ${cause}`);
  try {
    const now = await options.workspace.requireEndpoint(options.endpoint);
    // The attempt that failed does not count as a promotion: `mode: rollback` still undoes the last one that held.
    const restored = sameTraffic(now.traffic, before) ? now : await applyTraffic(options, now, before, restore.records);
    throw new SwapFailedError(
      `${cause} Traffic is back to ${JSON.stringify(restored.traffic)}.`,
      true,
      restored.traffic,
      steps,
    );
  } catch (error) {
    if (error instanceof SwapFailedError) throw error;
    const now = await options.workspace.getEndpoint(options.endpoint).catch(() => undefined);
    throw new SwapFailedError(
      `${cause} The rollback failed too (${errorMessage(error)}); live traffic is now ${JSON.stringify(now?.traffic ?? 'unknown')}: ` +
        `restore ${JSON.stringify(before)} by hand or re-run with mode: rollback.`,
      false,
      now?.traffic ?? {},
      steps,
    );
  }
}

function noChange(endpoint: EndpointState): SwapResult {
  return {
    endpoint: endpoint.name,
    liveDeployment: undefined,
    previousDeployment: undefined,
    before: endpoint.traffic,
    after: endpoint.traffic,
    mirror: { before: endpoint.mirror, after: endpoint.mirror },
    steps: [],
    cleanup: undefined,
    changed: false,
  };
}

async function promote(options: SwapOptions): Promise<SwapResult> {
  const { workspace, log } = options;
  const slot = options.deployment;
  if (!slot)
    throw new UserError("Input 'deployment' is required to promote: pass the deploy step's 'deployment' output.", {
      input: 'deployment',
    });
  const endpoint = await workspace.requireEndpoint(options.endpoint);
  const deployment = await workspace.getDeployment(endpoint.name, slot);
  const decision = decidePromotion({
    slot,
    provisioningState: deployment?.provisioningState,
    traffic: endpoint.traffic,
    mirror: endpoint.mirror,
    ...(options.expectedTraffic && { expectedTraffic: options.expectedTraffic }),
    promotedFrom: splitBefore(endpoint),
  });
  const untested =
    options.requireTested && deployment ? await slotTestProblems(workspace, deployment, options.testRecord) : [];
  if (!options.requireTested) log(`::warning::require-tested is false: ${slot}'s test record is not checked.`);
  const refusals = [...(decision.action === 'refuse' ? decision.reasons : []), ...untested];
  if (refusals.length > 0) {
    throw new UserError(
      `Refusing to move traffic on endpoint ${endpoint.name}: ${refusals.join('; ')}. Nothing was changed.`,
    );
  }
  if (decision.action === 'nothing') {
    log(`Nothing to do on endpoint ${endpoint.name}: ${decision.reason}.`);
    return { ...noChange(endpoint), liveDeployment: slot };
  }
  // The decision refuses a slot that does not exist, so the deployment was read.
  const capacity = slotCapacity(deployment as DeploymentState);
  const before = endpoint.traffic;
  const restore: Restore = {
    traffic: before,
    records: promotionRecords(endpoint),
  };
  const records = await recordsForPromotion(workspace, endpoint.name, before);
  const previous = liveDeployment(before);
  const plan = planPromotion(before, slot, options.strategy, options.canarySteps);
  log(
    `Promoting ${slot} on endpoint ${endpoint.name}: ${JSON.stringify(before)} → ${plan.map((s) => JSON.stringify(s.traffic)).join(' → ')}`,
  );

  const steps: StepRecord[] = [];
  let expected: Traffic = before;
  let mirrorAfter = endpoint.mirror;
  for (const [index, step] of plan.entries()) {
    try {
      // Between steps (after a wait and a probe) someone may have changed the endpoint: read it again.
      const now = index === 0 ? endpoint : await workspace.requireEndpoint(endpoint.name);
      if (!sameTraffic(now.traffic, expected)) {
        return await rollBack(
          options,
          restore,
          `Live traffic changed behind the pipeline's back (expected ${JSON.stringify(expected)}, found ${JSON.stringify(now.traffic)}).`,
          steps,
        );
      }
      const observed = await applyTraffic(options, now, step.traffic, records);
      expected = step.traffic;
      mirrorAfter = observed.mirror;
      log(`Traffic is now ${JSON.stringify(observed.traffic)}.`);
      let probe: LoadStats | undefined;
      if (step.probe && options.probe) {
        if (options.canaryWaitMs > 0) {
          log(`Waiting ${formatDuration(options.canaryWaitMs)} before the health probe…`);
          await sleep(options.canaryWaitMs);
        }
        const health = await probeHealth(options, observed, slot, capacity);
        probe = health.stats;
        log(
          `Health probe of ${slot}: ${health.stats.errors}/${health.stats.requests} errors, p95 ${health.stats.p95Ms} ms.`,
        );
        if (health.problems.length > 0) {
          steps.push({ traffic: step.traffic, probe, at: new Date().toISOString() });
          return await rollBack(
            options,
            restore,
            `Canary step ${JSON.stringify(step.traffic)} failed its health probe: ${health.problems.join('; ')}.`,
            steps,
          );
        }
      }
      steps.push({ traffic: step.traffic, probe, at: new Date().toISOString() });
    } catch (error) {
      if (error instanceof SwapFailedError) throw error;
      return await rollBack(options, restore, `${errorMessage(error)}`, steps);
    }
  }

  let cleanup: string | undefined;
  if (options.cleanup !== 'none' && previous && previous !== slot) {
    try {
      if (options.cleanup === 'delete') {
        await workspace.deleteDeployment(endpoint.name, previous, options.operation);
        cleanup = `deleted ${previous}`;
      } else {
        await workspace.scaleDeployment(endpoint.name, previous, options.scaleDownTo, options.operation);
        cleanup = `scaled ${previous} down to ${options.scaleDownTo} instance(s)`;
      }
      log(`Clean-up: ${cleanup}.`);
    } catch (error) {
      cleanup = `failed: ${errorMessage(error)}`;
      log(`::warning::Clean-up of ${previous} failed (the promotion itself succeeded): ${errorMessage(error)}`);
    }
  }
  return {
    endpoint: endpoint.name,
    liveDeployment: slot,
    previousDeployment: previous,
    before,
    after: { ...expected },
    mirror: { before: endpoint.mirror, after: mirrorAfter },
    steps,
    cleanup,
    changed: true,
  };
}

async function rollbackMode(options: SwapOptions): Promise<SwapResult> {
  const { workspace, log } = options;
  const endpoint = await workspace.requireEndpoint(options.endpoint);
  const deployments = await workspace.listDeployments(endpoint.name);
  const recorded = options.previousDeployment
    ? undefined
    : recordedSplit(
        endpoint,
        deployments.map((d) => d.name),
      );
  if (recorded && sameTraffic(recorded, endpoint.traffic)) {
    log(
      `Nothing to roll back on endpoint ${endpoint.name}: traffic is already ${JSON.stringify(recorded)}, the split before the last promotion.`,
    );
    return { ...noChange(endpoint), liveDeployment: liveDeployment(endpoint.traffic) };
  }
  let target: Record<string, number>;
  if (recorded) {
    target = recorded;
  } else {
    const plan = planRollback(endpoint.traffic, options.slots, options.previousDeployment);
    if (!plan.ok) throw new UserError(`Cannot roll back endpoint ${endpoint.name}: ${plan.reason}`);
    target = plan.traffic;
  }
  const unusable = Object.entries(target)
    .filter(
      ([name, percent]) => percent > 0 && deployments.find((d) => d.name === name)?.provisioningState !== 'Succeeded',
    )
    .map(([name]) => name);
  if (unusable.length > 0) {
    throw new UserError(
      `Cannot roll back endpoint ${endpoint.name} to ${JSON.stringify(target)}: ${unusable.join(', ')} is missing or not Succeeded. Nothing was changed.`,
    );
  }
  const check = options.requireTested ? await checkRollbackTarget(workspace, endpoint, target, deployments) : undefined;
  if (check && !check.ok) {
    throw new UserError(
      `Cannot roll back endpoint ${endpoint.name} to ${JSON.stringify(target)}: ${check.reason}. Nothing was changed.`,
    );
  }
  log(
    `Rolling back endpoint ${endpoint.name}${recorded ? ' to the split before the last promotion' : ''}: ${JSON.stringify(endpoint.traffic)} → ${JSON.stringify(target)}` +
      (check ? `, restoring ${check.restores}` : ''),
  );
  const observed = await applyTraffic(options, endpoint, target);
  return {
    endpoint: endpoint.name,
    liveDeployment: liveDeployment(observed.traffic),
    previousDeployment: liveDeployment(endpoint.traffic),
    before: endpoint.traffic,
    after: observed.traffic,
    mirror: { before: endpoint.mirror, after: observed.mirror },
    steps: [{ traffic: target, probe: undefined, at: new Date().toISOString() }],
    cleanup: undefined,
    changed: true,
  };
}

/** What the action passes: everything but the workspace, which is connected once the inputs are checked. */
export type SwapRequest = Omit<SwapOptions, 'workspace'> & { connect: () => Promise<AmlWorkspace> };

export async function swapTrafficSafely(request: SwapRequest): Promise<SwapResult> {
  const options: SwapOptions = { ...request, workspace: await request.connect() };
  return options.mode === 'rollback' ? rollbackMode(options) : promote(options);
}
