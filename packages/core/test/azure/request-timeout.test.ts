import { describe, expect, it } from '@jest/globals';
import { createPipelineRequest, type PipelineResponse, type SendRequest } from '@azure/core-rest-pipeline';
import { requestTimeoutPolicy } from '../../src/azure/client.ts';

/** A server that never answers: the request ends only when its signal aborts. */
const hang: SendRequest = (request) =>
  new Promise<PipelineResponse>((_, reject) =>
    request.abortSignal?.addEventListener('abort', () =>
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
    ),
  );

describe('the ARM request timeout', () => {
  it('turns a request with no answer into ETIMEDOUT, which the SDK’s retry policy retries', async () => {
    const request = createPipelineRequest({ url: 'https://management.example/subscriptions/s/x', method: 'GET' });
    await expect(requestTimeoutPolicy(20).sendRequest(request, hang)).rejects.toMatchObject({
      name: 'RestError',
      code: 'ETIMEDOUT',
      message: 'GET /subscriptions/s/x: no answer within 20ms',
    });
    expect(request.abortSignal).toBeUndefined();
  });

  it('lets the caller’s own abort through as it is (an operation’s timeout is not a dropped request)', async () => {
    const caller = new AbortController();
    const request = createPipelineRequest({
      url: 'https://management.example/x',
      method: 'GET',
      abortSignal: caller.signal,
    });
    const sent = requestTimeoutPolicy(60_000).sendRequest(request, hang);
    caller.abort();
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    expect(request.abortSignal).toBe(caller.signal);
  });
});
