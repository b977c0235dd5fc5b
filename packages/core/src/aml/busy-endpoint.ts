import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../duration.ts';
import { nextPollDelayMs } from '../azure/poll-schedule.ts';

/**
 * An endpoint busy with an operation refuses changes to itself and its deployments, and keeps refusing for a while
 * after the operation reported Succeeded ("Cannot create a deployment in endpoint … because it is in Updating
 * provisioning state", azure-sdk-for-net#36961). Writes wait for it to settle and are sent again with backoff.
 */

const BUSY_STATES = new Set(['Creating', 'Updating', 'Deleting', 'Scaling']);

export function isBusyState(state: string | undefined): boolean {
  return state !== undefined && BUSY_STATES.has(state);
}

/** A write refused because the resource (or its endpoint) is busy: 409 with a message that says so. */
export function isBusyConflict(error: unknown): boolean {
  const { statusCode, message } = (error ?? {}) as { statusCode?: number; message?: string };
  return (
    statusCode === 409 && /provisioning state|in progress|\b(creating|updating|deleting|scaling)\b/i.test(message ?? '')
  );
}

export interface BusyRetry {
  action: string;
  timeoutMs: number;
  busyRetryMs?: number;
  log?: (line: string) => void;
  /** Before each new attempt: a reason not to send it again (e.g. someone else changed the endpoint meanwhile). */
  beforeRetry?: () => Promise<string | undefined>;
}

/** The delays between attempts: doubling from `first`, at most 30 s each, all within `budgetMs`. */
export function busyRetryDelays(first: number, budgetMs: number): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let delay = first; total + delay <= budgetMs; delay = Math.min(delay * 2, 30_000)) {
    delays.push(delay);
    total += delay;
  }
  return delays;
}

export async function retryWhileBusy<T>(start: () => Promise<T>, retry: BusyRetry): Promise<T> {
  const delays = busyRetryDelays(retry.busyRetryMs ?? 2000, retry.timeoutMs);
  for (let attempt = 0; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const delay = delays[attempt];
      if (!isBusyConflict(error) || delay === undefined) throw error;
      retry.log?.(
        `… ${retry.action}: refused while the endpoint is busy (${(error as Error).message}); sending it again in ${formatDuration(delay)}.`,
      );
      await sleep(delay);
      const stop = await retry.beforeRetry?.();
      if (stop) throw new Error(`${retry.action}: not sent again: ${stop}`, { cause: error });
    }
  }
}

export interface SettleOptions {
  action: string;
  timeoutMs: number;
  pollIntervalMs?: number;
  progressEveryMs?: number;
  log?: (line: string) => void;
}

/** Reads until the state is no longer busy, at most `timeoutMs`; returns the last read. */
export async function waitUntilSettled<T>(
  read: () => Promise<T>,
  stateOf: (value: T) => string | undefined,
  options: SettleOptions,
): Promise<T> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  let lastProgress = started;
  for (;;) {
    const value = await read();
    const state = stateOf(value);
    if (!isBusyState(state) || Date.now() - started >= options.timeoutMs) return value;
    if (Date.now() - lastProgress >= Math.min(options.progressEveryMs ?? 30_000, 30_000)) {
      log(`… ${options.action}: ${state} (${formatDuration(Date.now() - started)} elapsed)`);
      lastProgress = Date.now();
    }
    const wait = nextPollDelayMs(Date.now() - started, options.pollIntervalMs);
    await sleep(Math.min(wait, Math.max(0, options.timeoutMs - (Date.now() - started))));
  }
}
