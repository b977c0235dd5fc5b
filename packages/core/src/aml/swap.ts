import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../duration.ts';
import { errorMessage, UserError } from '../errors.ts';
import { liveDeployment, planPromotion, decidePromotion, sameTraffic, type Strategy, type Traffic } from '../slots.ts';
import { probeConcurrency, slotCapacity, throttledReason, type SlotCapacity } from './admission.ts';
import { runLoad, type LoadStats } from './scoring.ts';
import { promotionRecords, recordsForPromotion, slotTestProblems, splitBefore } from './slot-records.ts';
import { noChange, rollbackMode } from './swap-rollback.ts';
import type { TestRecord } from './tested-identity.ts';
import {
  applyTraffic,
  describeUpdateFailure,
  ReadBackLagError,
  rollBack,
  SwapFailedError,
  type Restore,
  type StepRecord,
  type TrafficUpdater,
} from './traffic-update.ts';
import type { AmlWorkspace, DeploymentState, EndpointState } from './workspace.ts';

export { SwapFailedError, type StepRecord };
export { TRAFFIC_BEFORE_TAG } from './slot-records.ts';

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

export interface SwapOptions extends TrafficUpdater {
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
  /** Aborted when the runner cancels the step (SIGINT, then SIGTERM): the recorded split is put back at once. */
  cancelled?: AbortSignal | undefined;
  /** Warnings the step shows as annotations (the log prints untrusted text inert, commands included). */
  warn: (line: string) => void;
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

/**
 * After a cancellation, how long an update still running in Azure is waited for before the restore is sent: the
 * runner sends SIGTERM 7.5 s after SIGINT and kills the step 2.5 s later.
 */
const CANCEL_SETTLE_MS = 5000;

/** A wait the runner's cancellation cuts short. */
const sleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {});

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error(cancellation(signal));
}

function cancellation(signal: AbortSignal | undefined): string | undefined {
  if (!signal?.aborted) return undefined;
  return `The step was cancelled (${String(signal.reason ?? 'signal')}) during the promotion.`;
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
  if (!options.requireTested) options.warn(`require-tested is false: ${slot}'s test record is not checked.`);
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
  const restore: Restore = { traffic: before, tags: promotionRecords(endpoint) };
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
      throwIfCancelled(options.cancelled);
      // Between steps (after a wait and a probe) someone may have changed the endpoint: read it again.
      const now = index === 0 ? endpoint : await workspace.requireEndpoint(endpoint.name);
      if (!sameTraffic(now.traffic, expected)) {
        // An operator's change wins: putting back the pre-swap split would overwrite it.
        throw new SwapFailedError(
          `Stopped: live traffic of endpoint ${endpoint.name} was changed by someone else during the promotion ` +
            `(expected ${JSON.stringify(expected)}, found ${JSON.stringify(now.traffic)}). Their split is left as it is; ` +
            'nothing was rolled back. Re-run the promotion or mode: rollback once they are done.',
          false,
          now.traffic,
          steps,
        );
      }
      // A cancellation stops the wait for an update at once: what runs in Azure is dealt with by the rollback.
      const observed = await applyTraffic(
        { ...options, operation: { ...options.operation, signal: options.cancelled } },
        now,
        step.traffic,
        records,
      );
      expected = step.traffic;
      mirrorAfter = observed.mirror;
      log(`Traffic is now ${JSON.stringify(observed.traffic)}.`);
      let probe: LoadStats | undefined;
      if (step.probe && options.probe) {
        if (options.canaryWaitMs > 0) {
          log(`Waiting ${formatDuration(options.canaryWaitMs)} before the health probe…`);
          await sleep(options.canaryWaitMs, options.cancelled);
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
      if (error instanceof ReadBackLagError) {
        // Azure said the update succeeded: rolling back on a stale read would undo a promotion that took effect.
        throw new SwapFailedError(
          `${error.message} The update most likely took effect; nothing was rolled back. Check the endpoint's traffic, ` +
            "then re-run (a longer 'read-back-timeout' tolerates the lag) or run mode: rollback.",
          false,
          error.observed,
          steps,
        );
      }
      const cancelled = cancellation(options.cancelled);
      if (cancelled === undefined) return await rollBack(options, restore, describeUpdateFailure(error), steps);
      // Within the runner's grace: an update still running gets a few seconds to end, then the restore is sent.
      const grace = { ...options.operation, timeoutMs: Math.min(options.operation.timeoutMs, CANCEL_SETTLE_MS) };
      return await rollBack({ ...options, operation: grace }, restore, cancelled, steps);
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
      options.warn(`Clean-up of ${previous} failed (the promotion itself succeeded): ${errorMessage(error)}`);
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

/** What the action passes: everything but the workspace, which is connected once the inputs are checked. */
export type SwapRequest = Omit<SwapOptions, 'workspace'> & { connect: () => Promise<AmlWorkspace> };

export async function swapTrafficSafely(request: SwapRequest): Promise<SwapResult> {
  const options: SwapOptions = { ...request, workspace: await request.connect() };
  return options.mode === 'rollback' ? rollbackMode(options) : promote(options);
}
