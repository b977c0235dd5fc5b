import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { OperationTimeoutError } from '../azure/operation.ts';
import { mirrorAlongside, sameTraffic, type Traffic } from '../slots.ts';
import { isBusyState } from './busy-endpoint.ts';
import type { LoadStats } from './scoring.ts';
import type { AmlWorkspace, EndpointState, OperationSettings } from './workspace.ts';

/**
 * One traffic update as Azure really behaves: the update can be refused while the endpoint is busy (sent again), can
 * time out and still complete later (followed to its end before anything else is done), and its result can take a
 * while to show in reads (read back until it does, within a bound). Putting traffic back goes through the same path.
 */

export interface TrafficUpdater {
  workspace: AmlWorkspace;
  endpoint: string;
  operation: OperationSettings;
  /** How long reads may show the old split after an update succeeded (Azure's read-after-write lag). */
  readBack: { timeoutMs: number; intervalMs: number };
  log: (line: string) => void;
}

export interface StepRecord {
  traffic: Record<string, number>;
  probe: LoadStats | undefined;
  at: string;
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

/** The update succeeded in Azure, but reads still showed the old split when the read-back window ended. */
export class ReadBackLagError extends Error {
  override name = 'ReadBackLagError';
  readonly observed: Record<string, number>;

  constructor(message: string, observed: Record<string, number>) {
    super(message);
    this.observed = observed;
  }
}

/**
 * Sets traffic and reads it back until the service reports exactly that split, within the read-back window. The
 * mirror split is sent back as it is live, less any deployment that now gets live traffic (said in the log).
 */
export async function applyTraffic(
  updater: TrafficUpdater,
  /** The endpoint as just read: everything but the traffic is sent back as it is. */
  current: EndpointState,
  traffic: Traffic,
  tags: Record<string, string | undefined> = {},
): Promise<EndpointState> {
  const { workspace } = updater;
  const { mirror, stopped } = mirrorAlongside(traffic, current.mirror);
  for (const name of stopped) {
    updater.log(
      `Deployment ${name} stops receiving its ${current.mirror[name]} % of mirrored traffic: it gets live traffic now, and a deployment cannot have both.`,
    );
  }
  await workspace.setTraffic(current, traffic, updater.operation, tags, mirror, {
    // A refused update is sent again only if nobody changed the traffic meanwhile.
    beforeRetry: async () => {
      const now = await workspace.requireEndpoint(updater.endpoint);
      return sameTraffic(now.traffic, current.traffic)
        ? undefined
        : `live traffic changed meanwhile to ${JSON.stringify(now.traffic)}`;
    },
  });
  const started = Date.now();
  for (;;) {
    const observed = await workspace.requireEndpoint(updater.endpoint);
    if (sameTraffic(observed.traffic, traffic) && sameTraffic(observed.mirror, mirror)) return observed;
    const waited = Date.now() - started;
    if (waited >= updater.readBack.timeoutMs) {
      throw new ReadBackLagError(
        `Azure reported the traffic update of endpoint ${updater.endpoint} to ${JSON.stringify(traffic)} (mirror ${JSON.stringify(mirror)}) as Succeeded, ` +
          `but reads still show ${JSON.stringify(observed.traffic)} (mirror ${JSON.stringify(observed.mirror)}) after ${formatDuration(waited)} (read-back-timeout).`,
        observed.traffic,
      );
    }
    await sleep(Math.min(updater.readBack.intervalMs, updater.readBack.timeoutMs - waited));
  }
}

/** Where a failed promotion goes back to: the split, and the record of the promotion before this attempt. */
export interface Restore {
  traffic: Traffic;
  /** The tags to write with the restored split (the previous promotion's records). */
  tags: Record<string, string | undefined>;
}

/**
 * Puts the recorded split back. An update still running in Azure (one we stopped waiting for) is followed to its end
 * first — for as long again as the operation timeout — since it would otherwise move traffic after we restored it.
 */
export async function rollBack(
  updater: TrafficUpdater,
  restore: Restore,
  cause: string,
  steps: StepRecord[],
): Promise<never> {
  const before = restore.traffic;
  const { workspace, log } = updater;
  log(`Rolling back endpoint ${updater.endpoint} to ${JSON.stringify(before)}: ${cause}`);
  try {
    const now = await workspace.waitForEndpoint(updater.endpoint, updater.operation);
    if (!now) throw new Error(`endpoint ${updater.endpoint} no longer exists`);
    if (isBusyState(now.provisioningState)) {
      throw new Error(
        `an update of the endpoint is still running in Azure after ${formatDuration(updater.operation.timeoutMs)} more; ` +
          'when it completes it may move traffic',
      );
    }
    // The attempt that failed does not count as a promotion: `mode: rollback` still undoes the last one that held.
    const restored = sameTraffic(now.traffic, before) ? now : await applyTraffic(updater, now, before, restore.tags);
    throw new SwapFailedError(
      `${cause} Traffic is back to ${JSON.stringify(restored.traffic)}.`,
      true,
      restored.traffic,
      steps,
    );
  } catch (error) {
    if (error instanceof SwapFailedError) throw error;
    const now = await workspace.getEndpoint(updater.endpoint).catch(() => undefined);
    throw new SwapFailedError(
      `${cause} The rollback failed too (${errorMessage(error)}); live traffic is now ${JSON.stringify(now?.traffic ?? 'unknown')}: ` +
        `restore ${JSON.stringify(before)} by hand or re-run with mode: rollback.`,
      false,
      now?.traffic ?? {},
      steps,
    );
  }
}

/** A traffic update that timed out may still complete: say so, the rollback follows it before restoring. */
export function describeUpdateFailure(error: unknown): string {
  return error instanceof OperationTimeoutError
    ? `${error.message} A timed-out traffic update can still complete later and move traffic.`
    : errorMessage(error);
}
