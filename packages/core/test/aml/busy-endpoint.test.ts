import { describe, expect, it } from '@jest/globals';
import { busyRetryDelays, isBusyConflict, retryWhileBusy } from '../../src/aml/busy-endpoint.ts';

describe('writes refused while the endpoint is busy', () => {
  it('recognises the service’s busy refusal, not other conflicts', () => {
    const busy = {
      statusCode: 409,
      message: 'Cannot create a deployment in endpoint fraud because it is in Updating provisioning state.',
    };
    expect(isBusyConflict(busy)).toBe(true);
    expect(isBusyConflict({ statusCode: 409, message: 'There is already an endpoint with the name fraud' })).toBe(
      false,
    );
    expect(isBusyConflict({ statusCode: 400, message: 'is in Updating provisioning state' })).toBe(false);
  });

  it('backs off by doubling, at most 30 s a wait, within the budget', () => {
    expect(busyRetryDelays(2000, 15_000)).toEqual([2000, 4000, 8000]);
    expect(busyRetryDelays(20_000, 100_000)).toEqual([20_000, 30_000, 30_000]);
    expect(busyRetryDelays(2000, 1000)).toEqual([]);
  });

  it('sends the write again after a busy refusal, and stops when told the world changed meanwhile', async () => {
    const refusal = Object.assign(new Error('is in Updating provisioning state'), { statusCode: 409 });
    let calls = 0;
    const start = async () => {
      calls++;
      if (calls < 3) throw refusal;
      return 'sent';
    };
    await expect(retryWhileBusy(start, { action: 'PUT', timeoutMs: 100, busyRetryMs: 5 })).resolves.toBe('sent');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryWhileBusy(start, {
        action: 'PUT',
        timeoutMs: 100,
        busyRetryMs: 5,
        beforeRetry: async () => 'traffic moved',
      }),
    ).rejects.toThrow('PUT: not sent again: traffic moved');
    expect(calls).toBe(1);
  });
});
