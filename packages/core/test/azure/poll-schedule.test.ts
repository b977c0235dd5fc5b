import { describe, expect, it } from '@jest/globals';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { followOperation, type BeginOptions, type PollerLike } from '../../src/azure/operation.ts';
import { MAX_POLL_INTERVAL_MS, nextPollDelayMs, retryAfterMs } from '../../src/azure/poll-schedule.ts';

describe('nextPollDelayMs', () => {
  it('polls every second, then every 0.4 % of the time elapsed, at most every 30 s', () => {
    expect(nextPollDelayMs(0)).toBe(1000);
    expect(nextPollDelayMs(200_000)).toBe(1000);
    expect(nextPollDelayMs(536_000)).toBe(2144); // a deployment's creation in the recordings: 8 min 56 s
    expect(nextPollDelayMs(6 * 3_600_000)).toBe(MAX_POLL_INTERVAL_MS);
  });

  it('never polls more often than the poll-interval asked for', () => {
    expect(nextPollDelayMs(536_000, 5000)).toBe(5000);
    expect(nextPollDelayMs(10, 20)).toBe(20);
  });

  it("follows the service's Retry-After when it sends one", () => {
    expect(nextPollDelayMs(536_000, 5000, 0)).toBe(0);
    expect(nextPollDelayMs(0, 1000, 15_000)).toBe(15_000);
  });
});

describe('retryAfterMs', () => {
  const headers = (value: string) => createHttpHeaders({ 'retry-after': value });
  it('reads seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs(headers('7'))).toBe(7000);
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs(headers('Fri, 04 Dec 2026 10:00:12 GMT'), now)).toBe(12_000);
    expect(retryAfterMs(headers('Fri, 04 Dec 2026 09:00:00 GMT'), now)).toBe(0);
    expect(retryAfterMs(headers('soon'))).toBeUndefined();
    expect(retryAfterMs(createHttpHeaders())).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

/** An operation that ends after `polls` status reads, each answered with these headers; records when each came. */
function countedOperation(polls: number, retryAfter?: string) {
  const times: number[] = [];
  const begin = async (options: BeginOptions): Promise<PollerLike<string>> => {
    let done = false;
    const answer = () =>
      options.onResponse({
        bodyAsText: '{}',
        headers: createHttpHeaders(retryAfter ? { 'retry-after': retryAfter } : {}),
      });
    answer(); // the PUT's own answer
    return {
      isDone: () => done,
      getResult: () => (done ? 'ok' : undefined),
      async poll() {
        times.push(Date.now());
        options.onResponse({
          bodyAsText: '{}',
          headers: createHttpHeaders(retryAfter ? { 'retry-after': retryAfter } : {}),
        });
        done = times.length >= polls;
      },
      stopPolling: () => undefined,
    };
  };
  return { begin, times };
}

describe('followOperation polls on the schedule', () => {
  it('waits at least poll-interval between status reads when Azure sends no Retry-After', async () => {
    const { begin, times } = countedOperation(3);
    const started = Date.now();
    await expect(
      followOperation(begin, { action: 'x', timeoutMs: 5000, pollIntervalMs: 60, log: () => undefined }),
    ).resolves.toBe('ok');
    expect(times).toHaveLength(3);
    expect(times[0]! - started).toBeGreaterThanOrEqual(55);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(55);
  });

  it('follows a Retry-After of 0 instead of the poll-interval', async () => {
    const { begin, times } = countedOperation(4, '0');
    // With a 60 s poll-interval and no Retry-After this would time out after one poll.
    await expect(
      followOperation(begin, { action: 'x', timeoutMs: 3000, pollIntervalMs: 60_000, log: () => undefined }),
    ).resolves.toBe('ok');
    expect(times).toHaveLength(4);
  });
});
