import { describe, expect, it } from '@jest/globals';
import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import {
  AzureServiceError,
  followOperation,
  OperationFailedError,
  OperationTimeoutError,
  toServiceError,
  type PollerLike,
} from '../../src/azure/operation.ts';

function poller<T>(result: () => Promise<T>): PollerLike<T> & { stopped: boolean } {
  return {
    stopped: false,
    pollUntilDone: result,
    stopPolling() {
      this.stopped = true;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('followOperation', () => {
  it('returns the result, prints progress with the state, and stops polling', async () => {
    const lines: string[] = [];
    const p = poller(async () => (await sleep(120), 'done'));
    const result = await followOperation(async () => p, {
      action: 'Creating deployment blue',
      timeoutMs: 5000,
      progressEveryMs: 30,
      readState: async () => 'Creating',
      log: (line) => lines.push(line),
    });
    expect(result).toBe('done');
    expect(p.stopped).toBe(true);
    expect(
      lines.filter((line) => line.startsWith('… Creating deployment blue: Creating (')).length,
    ).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/^✓ Creating deployment blue: done in \d+ms$/);
  });

  it('gives up at the timeout, aborts the polling and reports the last state', async () => {
    let signal: AbortSignal | undefined;
    const lines: string[] = [];
    const never = poller<string>(() => new Promise(() => undefined));
    const error = await followOperation(
      async (options) => {
        signal = options.abortSignal;
        return never;
      },
      {
        action: 'Updating endpoint fraud',
        timeoutMs: 80,
        readState: async () => 'Updating',
        log: (l) => lines.push(l),
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).message).toBe(
      "Updating endpoint fraud did not finish within 80ms (last state: Updating). It may still be running in Azure; raise 'timeout' if it needs longer.",
    );
    expect(signal?.aborted).toBe(true);
  });

  it('keeps the progress going when a state read fails', async () => {
    const lines: string[] = [];
    await followOperation(async () => poller(async () => (await sleep(60), 1)), {
      action: 'x',
      timeoutMs: 1000,
      progressEveryMs: 20,
      readState: () => Promise.reject(new Error('429')),
      log: (l) => lines.push(l),
    });
    expect(lines.some((l) => l.startsWith('… x: in progress'))).toBe(true);
  });

  it("turns the poller's failure into the service's code", async () => {
    const error = await followOperation(
      async () =>
        poller(() =>
          Promise.reject(
            new Error('The long-running operation has failed. OutOfQuota. Not enough quota for Standard_DS3_v2.'),
          ),
        ),
      { action: 'Creating deployment blue', timeoutMs: 1000, log: () => undefined },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    expect(error).toMatchObject({
      code: 'OutOfQuota',
      message: 'Creating deployment blue failed: OutOfQuota: Not enough quota for Standard_DS3_v2.',
    });
  });

  it('errors from starting the operation are typed too', async () => {
    const rest = new RestError('Conflict', {
      statusCode: 409,
      code: 'Conflict',
      request: createPipelineRequest({ url: 'https://x' }),
      response: {
        status: 409,
        headers: createHttpHeaders(),
        request: createPipelineRequest({ url: 'https://x' }),
        bodyAsText: JSON.stringify({
          error: { code: 'Conflict', message: 'Endpoint fraud is Updating.', details: [{ code: 'X' }] },
        }),
      },
    });
    const error = await followOperation(() => Promise.reject(rest), {
      action: 'Updating endpoint fraud',
      timeoutMs: 1000,
      log: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureServiceError);
    expect(error).toMatchObject({ code: 'Conflict', statusCode: 409, details: [{ code: 'X' }] });
    expect((error as Error).message).toBe(
      'Updating endpoint fraud failed (HTTP 409): Conflict: Endpoint fraud is Updating.',
    );
  });
});

describe('toServiceError', () => {
  it('keeps typed errors and wraps the rest with the action', () => {
    const typed = new AzureServiceError('m', 'C');
    expect(toServiceError(typed, 'x')).toBe(typed);
    expect(toServiceError(new Error('socket hang up'), 'Reading endpoint e').message).toBe(
      'Reading endpoint e failed: socket hang up',
    );
    expect(toServiceError('weird', 'x').message).toBe('x failed: weird');
  });
});
