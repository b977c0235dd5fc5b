import { describe, expect, it } from '@jest/globals';
import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import {
  AzureServiceError,
  followOperation,
  OperationAbandonedError,
  OperationFailedError,
  OperationTimeoutError,
  toServiceError,
  type PollerLike,
} from '../../src/azure/operation.ts';
import { describeDetails } from '../../src/azure/service-error.ts';

/** A poller whose first poll lasts until the operation is done (or fails). */
function poller<T>(result: () => Promise<T>): PollerLike<T> & { stopped: boolean } {
  let outcome: { value: T } | undefined;
  let running: Promise<void> | undefined;
  return {
    stopped: false,
    isDone: () => outcome !== undefined,
    getResult: () => outcome?.value,
    async poll() {
      running ??= result().then((value) => {
        outcome = { value };
      });
      await running;
    },
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
      pollIntervalMs: 5,
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

  it('stops waiting at once when the step is cancelled, saying the operation may still run in Azure', async () => {
    let signal: AbortSignal | undefined;
    const cancel = new AbortController();
    const never = poller<string>(
      () => new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    const following = followOperation(
      async (options) => {
        signal = options.abortSignal;
        return never;
      },
      {
        action: 'Setting traffic of endpoint fraud',
        timeoutMs: 60_000,
        pollIntervalMs: 5,
        signal: cancel.signal,
        log: () => undefined,
      },
    ).catch((e: unknown) => e);
    await sleep(20);
    cancel.abort('SIGINT');
    const error = await following;
    expect(error).toBeInstanceOf(OperationAbandonedError);
    expect((error as Error).message).toBe(
      'Setting traffic of endpoint fraud: stopped waiting because the step was cancelled; the operation may still be running in Azure.',
    );
    expect(never.stopped).toBe(true);
  });

  it('keeps the progress going when a state read fails', async () => {
    const lines: string[] = [];
    await followOperation(async () => poller(async () => (await sleep(60), 1)), {
      action: 'x',
      timeoutMs: 1000,
      pollIntervalMs: 5,
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
      { action: 'Creating deployment blue', timeoutMs: 1000, pollIntervalMs: 5, log: () => undefined },
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
      pollIntervalMs: 5,
      log: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureServiceError);
    expect(error).toMatchObject({ code: 'Conflict', statusCode: 409, details: [{ code: 'X' }] });
    expect((error as Error).message).toBe(
      'Updating endpoint fraud failed (HTTP 409): Conflict: Endpoint fraud is Updating.\n  ↳ X',
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

describe('nested service errors', () => {
  const quotaBody = {
    error: {
      code: 'BadRequest',
      message: 'The request is invalid.',
      details: [
        {
          code: 'InferencingClientCreateDeploymentFailed',
          message:
            'InferencingClient HttpRequest error, error detail: {"errors":{"VmSize":["Not enough quota available for Standard_DS3_v2 in SubscriptionId s. Current usage/limit: 0/6. Additional needed: 8 Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-outofquota"]},"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-a-b-01"}',
          details: [],
          additionalInfo: [],
        },
      ],
    },
  };
  const restError = (status: number, body: unknown) =>
    new RestError('The request is invalid.', {
      statusCode: status,
      code: 'BadRequest',
      request: createPipelineRequest({ url: 'https://x' }),
      response: {
        status,
        headers: createHttpHeaders(),
        request: createPipelineRequest({ url: 'https://x' }),
        bodyAsText: JSON.stringify(body),
      },
    });

  it("shows each nested detail's code and message, and the field errors a detail embeds", () => {
    const error = toServiceError(restError(400, quotaBody), 'Creating deployment blue on endpoint fraud');
    expect(error.message).toBe(
      [
        'Creating deployment blue on endpoint fraud failed (HTTP 400): BadRequest: The request is invalid.',
        '  ↳ InferencingClientCreateDeploymentFailed: InferencingClient HttpRequest error',
        '    ↳ VmSize: Not enough quota available for Standard_DS3_v2 in SubscriptionId s. Current usage/limit: 0/6. Additional needed: 8 Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-outofquota',
      ].join('\n'),
    );
  });

  it('nests deeper details by depth, and survives details of any shape', () => {
    expect(
      describeDetails([
        { code: 'A', message: 'outer', details: [{ code: 'B', message: 'inner' }] },
        'not an object',
        null,
        { message: 'no code' },
        { code: 'C', message: 'error detail: {not json}' },
      ]),
    ).toBe('\n  ↳ A: outer\n    ↳ B: inner\n  ↳ (no code): no code\n  ↳ C: error detail: {not json}');
    expect(describeDetails(undefined)).toBe('');
    expect(describeDetails({ code: 'x' })).toBe('');
  });

  it("adds the failed operation status's details to the poller's message", async () => {
    const status = {
      status: 'Failed',
      error: {
        code: 'DeploymentFailed',
        message: 'Deployment failed.',
        details: [{ code: 'ResourceNotReady', message: 'User container has crashed or terminated.' }],
      },
    };
    const error = await followOperation(
      async (options) =>
        poller(() => {
          options.onResponse({ bodyAsText: JSON.stringify(status) });
          return Promise.reject(
            new Error('The long-running operation has failed. DeploymentFailed. Deployment failed.'),
          );
        }),
      { action: 'Creating deployment blue', timeoutMs: 1000, pollIntervalMs: 5, log: () => undefined },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    expect((error as Error).message).toBe(
      'Creating deployment blue failed: DeploymentFailed: Deployment failed.\n  ↳ ResourceNotReady: User container has crashed or terminated.',
    );
    expect(error).toMatchObject({ details: status.error.details });
  });
});
