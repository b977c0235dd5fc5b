import { describe, expect, it } from '@jest/globals';
import type { Comparison } from '../../src/aml/endpoint-test.ts';
import { unevaluableGates } from '../../src/aml/gate-evaluability.ts';
import { isLoopbackHost, plainTransportProblem } from '../../src/transport.ts';

const comparison = (latencyRatio: number | undefined): Comparison => ({
  live: 'blue',
  agreement: 1,
  disagreements: [],
  liveLoad: undefined,
  latencyRatio,
});

describe('gates that cannot be evaluated', () => {
  const all = { maxErrorRate: 0, maxP95Ms: 100, maxP99Ms: 200, minAgreement: 0.9, maxLatencyRatio: 1.2 };

  it('latency limits need a load phase, comparison limits a live slot', () => {
    expect(unevaluableGates(all, { load: false, compareLive: true, comparison: undefined })).toEqual([
      { gate: 'max-p95-ms', why: "'load-requests' is 0, so no latency was measured" },
      { gate: 'max-p99-ms', why: "'load-requests' is 0, so no latency was measured" },
      { gate: 'min-agreement', why: 'no other deployment holds live traffic, so there is nothing to compare with' },
      { gate: 'max-latency-ratio', why: 'no other deployment holds live traffic, so there is nothing to compare with' },
    ]);
    expect(
      unevaluableGates(all, { load: false, compareLive: true, comparison: comparison(undefined) }).map((g) => g.gate),
    ).toEqual(['max-p95-ms', 'max-p99-ms', 'max-latency-ratio']);
    expect(unevaluableGates(all, { load: true, compareLive: false, comparison: undefined })).toEqual([
      { gate: 'min-agreement', why: "'compare-live' is off" },
      { gate: 'max-latency-ratio', why: "'compare-live' is off" },
    ]);
  });

  it('nothing to report when every configured gate was measured, or none is configured', () => {
    expect(unevaluableGates(all, { load: true, compareLive: true, comparison: comparison(1.1) })).toEqual([]);
    expect(unevaluableGates({ maxErrorRate: 0 }, { load: false, compareLive: false, comparison: undefined })).toEqual(
      [],
    );
  });
});

describe('plain http', () => {
  it('is allowed to this machine only', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['127.0.0.1.example.com', '10.0.0.1', 'example.com'].some(isLoopbackHost)).toBe(false);
    expect(plainTransportProblem('https://api.github.com')).toBeUndefined();
    expect(plainTransportProblem('http://127.0.0.1:8080/api')).toBeUndefined();
    expect(plainTransportProblem('http://acct.blob.core.windows.net')).toBe(
      'http://acct.blob.core.windows.net is not https: the token and the data would cross the network in clear text',
    );
    expect(plainTransportProblem('ftp://x')).toMatch(/is not https/);
  });
});
