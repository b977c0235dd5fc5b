import { describe, expect, it } from '@jest/globals';
import {
  liveDeployment,
  mirrorAlongside,
  parseCanarySteps,
  planCandidateSlot,
  planPromotion,
  planRollback,
  decidePromotion,
  shiftTraffic,
  swapTraffic,
  trafficProblems,
  type EndpointTraffic,
} from '../src/slots.ts';

const state = (traffic: Record<string, number>, extra: Partial<EndpointTraffic> = {}): EndpointTraffic => ({
  endpoint: 'fraud',
  traffic,
  ...extra,
});

describe('planCandidateSlot', () => {
  it.each([
    ['empty endpoint', {}, {}, 'green', false, undefined],
    ['green at 0', { green: 0 }, {}, 'green', true, undefined],
    ['green live', { green: 100 }, {}, 'blue', false, 'green'],
    ['green live, blue idle', { green: 100, blue: 0 }, {}, 'blue', true, 'green'],
    ['blue live', { blue: 100 }, {}, 'green', false, 'blue'],
    ['both idle', { green: 0, blue: 0 }, {}, 'green', true, undefined],
  ])('%s', (_, traffic, extra, candidate, exists, live) => {
    expect(planCandidateSlot(state(traffic, extra))).toEqual({ ok: true, candidate, exists, live, others: [] });
  });

  it('knows a slot that exists without a traffic entry', () => {
    expect(planCandidateSlot(state({ blue: 100 }, { deployments: ['blue', 'green'] }))).toMatchObject({
      candidate: 'green',
      exists: true,
    });
  });

  it('refuses a split with the workshop text', () => {
    expect(planCandidateSlot(state({ green: 50, blue: 50 }))).toEqual({
      ok: false,
      reason:
        'No staging slots available for endpoint fraud. One of the green/blue slots needs to have 0% traffic. (traffic: {"green":50,"blue":50})',
    });
  });

  it('never picks a mirrored slot', () => {
    const plan = planCandidateSlot(state({ green: 100, blue: 0 }, { mirror: { blue: 10 } }));
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toContain('blue receives 10 % mirrored traffic; end the mirror phase first');
  });

  it('custom slot names, tried in the given order', () => {
    expect(planCandidateSlot(state({ prod: 100 }), ['stage', 'prod'])).toMatchObject({
      ok: true,
      candidate: 'stage',
      live: 'prod',
    });
    expect(planCandidateSlot(state({ stage: 100 }), ['stage', 'prod'])).toMatchObject({ candidate: 'prod' });
    const refused = planCandidateSlot(state({ stage: 30, prod: 70 }), ['stage', 'prod']);
    expect(!refused.ok && refused.reason).toContain('One of the stage/prod slots needs to have 0% traffic.');
  });

  it('a third deployment holding traffic is reported so the swap moves its share too', () => {
    expect(planCandidateSlot(state({ legacy: 100 }))).toEqual({
      ok: true,
      candidate: 'green',
      exists: false,
      live: 'legacy',
      others: ['legacy'],
    });
    expect(planCandidateSlot(state({ legacy: 40, green: 60 }))).toMatchObject({
      candidate: 'blue',
      live: 'green',
      others: ['legacy'],
    });
  });

  it('rejects bad slot names', () => {
    expect(() => planCandidateSlot(state({}), ['green', 'green'])).toThrow('two different slot names');
  });
});

describe('traffic arithmetic', () => {
  it('live deployment is the one with most traffic', () => {
    expect(liveDeployment({ a: 10, b: 90 })).toBe('b');
    expect(liveDeployment({ a: 0 })).toBeUndefined();
  });

  it('swap gives everything to the candidate and keeps every name', () => {
    expect(swapTraffic({ green: 100, blue: 0 }, 'blue')).toEqual({ green: 0, blue: 100 });
    expect(swapTraffic({ green: 100 }, 'blue')).toEqual({ green: 0, blue: 100 });
    expect(swapTraffic({}, 'green')).toEqual({ green: 100 });
  });

  it('shifts proportionally and always sums to 100', () => {
    expect(shiftTraffic({ green: 100, blue: 0 }, 'blue', 10)).toEqual({ green: 90, blue: 10 });
    const odd = shiftTraffic({ a: 33, b: 33, c: 34, blue: 0 }, 'blue', 10);
    expect(Object.values(odd).reduce((s, v) => s + v, 0)).toBe(100);
    expect(odd.blue).toBe(10);
    for (const percent of [1, 7, 33, 50, 99, 100]) {
      const t = shiftTraffic({ x: 17, y: 83 }, 'z', percent);
      expect(Object.values(t).reduce((s, v) => s + v, 0)).toBe(100);
    }
  });

  it('validates traffic as the service does', () => {
    expect(trafficProblems({ green: 100, blue: 0 }, ['green', 'blue'])).toEqual([]);
    expect(trafficProblems({}, [])).toEqual([]);
    expect(trafficProblems({ green: 60, blue: 30 }, ['green', 'blue'])).toEqual(['the values sum to 90, not 0 or 100']);
    expect(trafficProblems({ red: 100 }, ['green'])).toEqual(['red is not a deployment of this endpoint']);
    expect(trafficProblems({ green: 100.5 }, ['green'])[0]).toContain('not a whole percentage');
  });
});

describe('canary and promotion plans', () => {
  it('parses steps', () => {
    expect(parseCanarySteps('10,50,100')).toEqual([10, 50, 100]);
    expect(parseCanarySteps('25 100')).toEqual([25, 100]);
    expect(() => parseCanarySteps('10,50')).toThrow('the last step must be 100');
    expect(() => parseCanarySteps('50,10,100')).toThrow('the steps must increase');
    expect(() => parseCanarySteps('0,100')).toThrow('each step is a whole percentage from 1 to 100');
    expect(() => parseCanarySteps('ten,100')).toThrow("Canary steps 'ten,100' are not valid");
  });

  it('a canary onto an endpoint without live traffic is one step', () => {
    expect(planPromotion({}, 'green', 'canary', [25, 100])).toEqual([{ traffic: { green: 100 }, probe: false }]);
  });

  it('plans a swap as one update and a canary as probed steps', () => {
    expect(planPromotion({ green: 100, blue: 0 }, 'blue', 'swap')).toEqual([
      { traffic: { green: 0, blue: 100 }, probe: false },
    ]);
    expect(planPromotion({ green: 100, blue: 0 }, 'blue', 'canary', [10, 50, 100])).toEqual([
      { traffic: { green: 90, blue: 10 }, probe: true },
      { traffic: { green: 50, blue: 50 }, probe: true },
      { traffic: { green: 0, blue: 100 }, probe: false },
    ]);
  });
});

describe('decidePromotion', () => {
  const ok = { slot: 'blue', provisioningState: 'Succeeded', traffic: { green: 100, blue: 0 } };

  it('promotes the tested, provisioned, idle slot', () => {
    expect(decidePromotion(ok)).toEqual({ action: 'promote' });
    expect(decidePromotion({ ...ok, expectedTraffic: { green: 100 } })).toEqual({ action: 'promote' });
    expect(decidePromotion({ ...ok, traffic: {} })).toEqual({ action: 'promote' });
  });

  it('has nothing to do when the slot is already live after a promotion from the expected split (a re-run)', () => {
    const live = { ...ok, traffic: { green: 0, blue: 100 }, expectedTraffic: { green: 100 } };
    expect(decidePromotion({ ...live, promotedFrom: { green: 100, blue: 0 } })).toEqual({
      action: 'nothing',
      reason: 'deployment blue already has 100 % of the traffic',
    });
    expect(decidePromotion({ ...live, expectedTraffic: undefined })).toMatchObject({ action: 'nothing' });
    // The first promotion starts from no traffic at all.
    expect(decidePromotion({ ...live, traffic: { blue: 100 }, expectedTraffic: {}, promotedFrom: {} })).toMatchObject({
      action: 'nothing',
    });
  });

  it.each([
    ['no record of a promotion', undefined],
    ['a promotion from another split', { green: 50, blue: 50 }],
  ])('refuses a slot someone else made live (%s) when expected-traffic differs', (_, promotedFrom) => {
    const decision = decidePromotion({
      ...ok,
      traffic: { green: 0, blue: 100 },
      expectedTraffic: { green: 100 },
      promotedFrom,
    });
    expect(decision).toMatchObject({ action: 'refuse' });
    expect(decision.action === 'refuse' && decision.reasons.join('\n')).toContain(
      'live traffic changed since the pipeline started',
    );
  });

  it.each([
    [{ provisioningState: undefined }, 'deployment blue does not exist on the endpoint'],
    [{ provisioningState: 'Failed' }, 'deployment blue is Failed, not Succeeded'],
    [{ provisioningState: 'Failed', traffic: { blue: 100 } }, 'deployment blue is Failed, not Succeeded'],
    [{ traffic: { green: 70, blue: 30 } }, 'deployment blue is not idle: it already has 30 % of the traffic'],
    [{ mirror: { blue: 10 } }, 'deployment blue receives mirrored traffic'],
    [{ expectedTraffic: { green: 0, blue: 0, legacy: 100 } }, 'live traffic changed since the pipeline started'],
  ])('refuses %j', (change, reason) => {
    const decision = decidePromotion({ ...ok, ...change });
    expect(decision.action).toBe('refuse');
    expect(decision.action === 'refuse' && decision.reasons.join('\n')).toContain(reason);
  });
});

describe('planRollback', () => {
  it('gives the traffic back to the other slot', () => {
    expect(planRollback({ green: 0, blue: 100 })).toEqual({
      ok: true,
      target: 'green',
      traffic: { green: 100, blue: 0 },
    });
    expect(planRollback({ blue: 100 }, ['green', 'blue'], 'green')).toEqual({
      ok: true,
      target: 'green',
      traffic: { blue: 0, green: 100 },
    });
  });

  it('refuses when it cannot tell or nothing would change', () => {
    expect(planRollback({ legacy: 100 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("set 'previous-deployment'"),
    });
    expect(planRollback({ green: 100 }, ['green', 'blue'], 'green')).toEqual({
      ok: false,
      reason: 'green already has 100 % of the traffic.',
    });
  });
});

describe('mirrorAlongside', () => {
  it('keeps the mirror split as it is when no mirrored deployment gets live traffic', () => {
    expect(mirrorAlongside({ green: 100, blue: 0 }, { shadow: 10 })).toEqual({ mirror: { shadow: 10 }, stopped: [] });
    expect(mirrorAlongside({ green: 100 }, { blue: 0, shadow: 0 })).toEqual({
      mirror: { blue: 0, shadow: 0 },
      stopped: [],
    });
    expect(mirrorAlongside({ green: 100 }, {})).toEqual({ mirror: {}, stopped: [] });
  });

  it('stops mirroring a deployment that now gets live traffic, and names it', () => {
    expect(mirrorAlongside({ green: 0, blue: 100 }, { blue: 20 })).toEqual({ mirror: {}, stopped: ['blue'] });
    expect(mirrorAlongside({ green: 90, blue: 10 }, { blue: 20, shadow: 0 })).toEqual({
      mirror: { shadow: 0 },
      stopped: ['blue'],
    });
  });
});
