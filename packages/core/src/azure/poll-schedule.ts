/**
 * When to poll a long-running operation again. Azure ML sends no `Retry-After` on its operation status (none in the
 * recorded sessions), so the client decides: a poll every `minIntervalMs` (the `poll-interval` input, 1 s by default),
 * then, once the operation has run long enough, every 0.4 % of the time elapsed. The poll that sees an operation end
 * therefore comes at most 0.4 % of its duration late (a 9-minute deployment: about 2 s), and a long operation is not
 * polled more often than that precision needs. At one read a second this uses 4 % of the 25 reads a second ARM
 * refills per principal and subscription (learn.microsoft.com, "Request limits and throttling").
 */

export const DEFAULT_MIN_POLL_INTERVAL_MS = 1000;

/** How late, as a share of the time elapsed, the poll that sees the end may come. */
export const POLL_LATENESS = 0.004;

/** Never longer between polls: the progress lines and the timeout need fresh states. */
export const MAX_POLL_INTERVAL_MS = 30_000;

export interface ResponseHeaders {
  get(name: string): string | undefined;
}

export function nextPollDelayMs(
  elapsedMs: number,
  minIntervalMs = DEFAULT_MIN_POLL_INTERVAL_MS,
  retryAfter?: number,
): number {
  // The service's own instruction wins (as core-lro's poller honours it).
  if (retryAfter !== undefined) return retryAfter;
  return Math.max(minIntervalMs, Math.min(MAX_POLL_INTERVAL_MS, Math.round(elapsedMs * POLL_LATENESS)));
}

/** `Retry-After` in milliseconds: seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(headers: ResponseHeaders | undefined, now = Date.now()): number | undefined {
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
