import { describe, expect, it } from '@jest/globals';
import type { OnlineDeployment } from '@azure/arm-machinelearning';
import { planLoadConcurrency, probeConcurrency, slotCapacity, throttledReason } from '../../src/aml/admission.ts';
import { evaluateGates } from '../../src/aml/endpoint-test.ts';
import type { LoadStats } from '../../src/aml/scoring.ts';

function deployment(perInstance: number | undefined, capacity: number | undefined) {
  const raw = {
    properties: {
      endpointComputeType: 'Managed',
      ...(perInstance !== undefined && { requestSettings: { maxConcurrentRequestsPerInstance: perInstance } }),
    },
  } as OnlineDeployment;
  return { name: 'blue', capacity, raw };
}

describe('slotCapacity', () => {
  it("uses the service's defaults (1 request per instance, 1 instance): two requests in flight", () => {
    expect(slotCapacity(deployment(undefined, undefined))).toEqual({
      deployment: 'blue',
      perInstance: 1,
      instances: 1,
      running: 1,
      admitted: 2,
    });
  });

  it('is 2 × max_concurrent_requests_per_instance × instance_count', () => {
    expect(slotCapacity(deployment(4, 3))).toMatchObject({ running: 12, admitted: 24 });
  });

  it('admits nothing on a slot scaled to zero instances', () => {
    expect(slotCapacity(deployment(2, 0))).toMatchObject({ running: 0, admitted: 0 });
  });
});

describe('planLoadConcurrency', () => {
  const capacity = slotCapacity(deployment(2, 2));

  it('runs at what the slot admits when no concurrency is given', () => {
    expect(planLoadConcurrency(undefined, capacity)).toEqual({ concurrency: 8, warning: undefined });
  });

  it('keeps a given concurrency the slot admits, without a warning', () => {
    expect(planLoadConcurrency(8, capacity)).toEqual({ concurrency: 8, warning: undefined });
    expect(planLoadConcurrency(3, capacity)).toEqual({ concurrency: 3, warning: undefined });
  });

  it('keeps a given concurrency above it and says what Azure will do and what to change', () => {
    expect(planLoadConcurrency(9, capacity)).toEqual({
      concurrency: 9,
      warning:
        'load-concurrency 9 is more than deployment blue admits 8 requests in flight (2 × request_settings.max_concurrent_requests_per_instance 2 × instance_count 2): Azure answers 429 to the excess. Lower load-concurrency to 8, or raise max_concurrent_requests_per_instance or instance_count.',
    });
  });

  it('still sends one request at a time to a slot with no instances (its answers say why)', () => {
    expect(planLoadConcurrency(undefined, slotCapacity(deployment(1, 0))).concurrency).toBe(1);
  });
});

describe('probeConcurrency', () => {
  it('takes what the instances run at once, leaving the waiting room to live traffic', () => {
    expect(probeConcurrency(slotCapacity(deployment(undefined, undefined)))).toBe(1);
    expect(probeConcurrency(slotCapacity(deployment(4, 3)))).toBe(12);
    expect(probeConcurrency(slotCapacity(deployment(1, 0)))).toBe(1);
  });
});

describe('throttledReason', () => {
  const capacity = slotCapacity(deployment(undefined, undefined));

  it('names the settings to raise when the load ran above what the slot admits', () => {
    expect(throttledReason(3, 10, 4, capacity)).toBe(
      '3 of 10 requests were refused with HTTP 429 (Too Many Requests): the load ran 4 at once and deployment blue admits 2 requests in flight (2 × request_settings.max_concurrent_requests_per_instance 1 × instance_count 1). Lower the concurrency to 2, or raise request_settings.max_concurrent_requests_per_instance or instance_count in the deployment file.',
    );
  });

  it('points at shared traffic or the endpoint rate limit when the load stayed within it', () => {
    expect(throttledReason(1, 10, 2, capacity)).toMatch(
      /^1 of 10 requests were refused with HTTP 429 \(Too Many Requests\) although the load ran 2 at once .*requests-per-second limit \(500 by default/,
    );
  });
});

describe('latency gates of a load that was refused', () => {
  const refused: LoadStats = {
    count: 0,
    p50Ms: 0,
    p90Ms: 0,
    p95Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    meanMs: 0,
    requests: 10,
    errors: 10,
    throttled: 10,
    errorRate: 1,
    statuses: { '429': 10 },
    durationMs: 5,
    throughputRps: 2000,
  };

  it('fail, as not measured, instead of passing on the 0 ms of no answer', () => {
    expect(evaluateGates({ maxErrorRate: 1, maxP95Ms: 100 }, refused, undefined)).toEqual([
      { gate: 'error rate', limit: 1, value: 1, passed: true },
      { gate: 'p95 ms', limit: 100, value: 0, passed: false, unmeasured: 'no load request was answered (only 429s)' },
    ]);
  });

  it('are evaluated as usual once a request was answered', () => {
    const answered = { ...refused, count: 1, p95Ms: 12, throttled: 9, errors: 9, errorRate: 0.9 };
    expect(evaluateGates({ maxErrorRate: 1, maxP95Ms: 100 }, answered, undefined)[1]).toEqual({
      gate: 'p95 ms',
      limit: 100,
      value: 12,
      passed: true,
    });
  });
});
