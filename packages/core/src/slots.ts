/**
 * Blue/green planning as pure functions over plain data: which slot gets the new model, what traffic each step of
 * a swap or canary sets, whether a promotion is safe. No I/O here; the actions feed it what they read from Azure.
 */

export type Traffic = Readonly<Record<string, number>>;

/** The two slots, in the order they are tried: the workshop's green first. */
export const DEFAULT_SLOTS = ['green', 'blue'] as const;

export interface EndpointTraffic {
  endpoint: string;
  traffic: Traffic;
  mirror?: Traffic;
  /** Names of the deployments that exist on the endpoint (a slot may exist without a traffic entry). */
  deployments?: readonly string[];
}

export type CandidatePlan =
  | {
      ok: true;
      /** The idle slot the new model goes to. */
      candidate: string;
      /** Whether that slot already exists (then it is updated in place, not created). */
      exists: boolean;
      /** The deployment with the most live traffic, if any. */
      live: string | undefined;
      /** Deployments outside the slot pair that hold live traffic; a swap moves their share too. */
      others: string[];
    }
  | { ok: false; reason: string };

const share = (traffic: Traffic | undefined, name: string): number => traffic?.[name] ?? 0;

export function liveDeployment(traffic: Traffic): string | undefined {
  let best: string | undefined;
  for (const [name, percent] of Object.entries(traffic)) {
    if (percent > 0 && (best === undefined || percent > share(traffic, best))) best = name;
  }
  return best;
}

function checkSlotNames(slots: readonly string[]): void {
  if (slots.length !== 2 || slots[0] === slots[1]) {
    throw new Error(`Blue/green needs two different slot names, got ${JSON.stringify(slots)}.`);
  }
}

export function planCandidateSlot(state: EndpointTraffic, slots: readonly string[] = DEFAULT_SLOTS): CandidatePlan {
  checkSlotNames(slots);
  const [first, second] = slots as [string, string];
  const idle = (slot: string) => share(state.traffic, slot) === 0 && share(state.mirror, slot) === 0;
  const candidate = idle(first) ? first : idle(second) ? second : undefined;
  if (candidate === undefined) {
    const mirrored = slots.filter((slot) => share(state.mirror, slot) > 0);
    const why =
      mirrored.length > 0
        ? ` (${mirrored.join(' and ')} receives ${mirrored.map((s) => `${share(state.mirror, s)} %`).join(' / ')} mirrored traffic; end the mirror phase first)`
        : ` (traffic: ${JSON.stringify(state.traffic)})`;
    return {
      ok: false,
      reason:
        `No staging slots available for endpoint ${state.endpoint}. ` +
        `One of the ${first}/${second} slots needs to have 0% traffic.${why}`,
    };
  }
  const existing = new Set([...(state.deployments ?? []), ...Object.keys(state.traffic)]);
  return {
    ok: true,
    candidate,
    exists: existing.has(candidate),
    live: liveDeployment(state.traffic),
    others: Object.keys(state.traffic).filter((name) => !slots.includes(name) && share(state.traffic, name) > 0),
  };
}

/** Problems with a traffic map as the service would see them; empty when valid. */
export function trafficProblems(traffic: Traffic, deployments: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [name, percent] of Object.entries(traffic)) {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      problems.push(`${name}: ${percent} is not a whole percentage from 0 to 100`);
    }
    if (!deployments.includes(name)) problems.push(`${name} is not a deployment of this endpoint`);
  }
  const total = Object.values(traffic).reduce((sum, percent) => sum + percent, 0);
  if (total !== 0 && total !== 100) problems.push(`the values sum to ${total}, not 0 or 100`);
  return problems;
}

/**
 * Traffic with `percent` on the candidate and the rest spread over the deployments that had it, in proportion,
 * rounded so the whole stays exactly 100 (largest remainder). Every deployment named before stays named (at 0)
 * so the service keeps the entry.
 */
export function shiftTraffic(before: Traffic, candidate: string, percent: number): Record<string, number> {
  const donors = Object.entries(before).filter(([name, value]) => name !== candidate && value > 0);
  const donorTotal = donors.reduce((sum, [, value]) => sum + value, 0);
  const result: Record<string, number> = {};
  for (const name of Object.keys(before)) result[name] = 0;
  if (donorTotal === 0) {
    result[candidate] = percent === 0 ? 0 : 100;
    return result;
  }
  result[candidate] = percent;
  const rest = 100 - percent;
  const exact = donors.map(([name, value]) => ({ name, value: (rest * value) / donorTotal }));
  for (const { name, value } of exact) result[name] = Math.floor(value);
  let missing = rest - exact.reduce((sum, { value }) => sum + Math.floor(value), 0);
  for (const { name } of [...exact].sort((a, b) => (b.value % 1) - (a.value % 1))) {
    if (missing-- <= 0) break;
    result[name] = (result[name] as number) + 1;
  }
  return result;
}

/** The workshop's swap in one update: the candidate gets everything, every other deployment 0. */
export function swapTraffic(before: Traffic, candidate: string): Record<string, number> {
  return shiftTraffic(before, candidate, 100);
}

/** Parses canary steps such as `10,50,100`: increasing whole percentages, ending at 100. */
export function parseCanarySteps(text: string): number[] {
  const steps = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : NaN));
  const problem = steps.some((s) => Number.isNaN(s) || s < 1 || s > 100)
    ? 'each step is a whole percentage from 1 to 100'
    : steps.some((s, i) => i > 0 && s <= (steps[i - 1] as number))
      ? 'the steps must increase'
      : steps.at(-1) !== 100
        ? 'the last step must be 100'
        : undefined;
  if (problem) throw new Error(`Canary steps '${text}' are not valid: ${problem}, e.g. '10,50,100'.`);
  return steps;
}

export interface SwapStep {
  traffic: Record<string, number>;
  /** Whether health is checked (and a wait observed) after this step before going on. */
  probe: boolean;
}

export type Strategy = 'swap' | 'canary';

/** Every traffic update of a promotion, in order; the last one gives the candidate 100 %. */
export function planPromotion(
  before: Traffic,
  candidate: string,
  strategy: Strategy,
  canarySteps: readonly number[] = [100],
): SwapStep[] {
  if (strategy === 'swap') return [{ traffic: swapTraffic(before, candidate), probe: false }];
  const steps = canarySteps.map((percent) => ({
    traffic: shiftTraffic(before, candidate, percent),
    probe: percent < 100,
  }));
  // Without live traffic there is nothing to shift gradually: every step is the same split, set once.
  return steps.filter(
    (step, i) => i === steps.length - 1 || !sameTraffic(step.traffic, (steps[i + 1] as SwapStep).traffic),
  );
}

export interface PromotionState {
  /** The slot the pipeline deployed and tested (the deploy step's output). */
  slot: string;
  provisioningState: string | undefined;
  traffic: Traffic;
  mirror?: Traffic;
  /** The traffic the pipeline saw when it started; a difference means someone else changed it. */
  expectedTraffic?: Traffic;
  /** The split recorded before the last promotion (the endpoint's traffic-before tag), if any. */
  promotedFrom?: Traffic | undefined;
}

export function sameTraffic(a: Traffic, b: Traffic): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((name) => share(a, name) === share(b, name));
}

export type PromotionDecision =
  | { action: 'promote' }
  /** The slot already has all the traffic: a re-run after a successful promotion has nothing to do. */
  | { action: 'nothing'; reason: string }
  | { action: 'refuse'; reasons: string[] };

/** Whether moving traffic to the tested slot is safe, already done, or must be refused (and why). */
export function decidePromotion(state: PromotionState): PromotionDecision {
  const { slot } = state;
  const reasons: string[] = [];
  if (state.provisioningState === undefined) {
    reasons.push(`deployment ${slot} does not exist on the endpoint`);
  } else if (state.provisioningState !== 'Succeeded') {
    reasons.push(`deployment ${slot} is ${state.provisioningState}, not Succeeded`);
  }
  const current = share(state.traffic, slot);
  // A slot already live after a promotion from the split the pipeline saw is this pipeline's own earlier attempt;
  // any other difference from that split is someone else's change, also when the slot holds 100 %.
  const ownEarlierPromotion =
    current === 100 && state.promotedFrom !== undefined && sameTraffic(state.promotedFrom, state.expectedTraffic ?? {});
  if (state.expectedTraffic && !sameTraffic(state.expectedTraffic, state.traffic) && !ownEarlierPromotion) {
    reasons.push(
      `live traffic changed since the pipeline started (expected ${JSON.stringify(state.expectedTraffic)}, ` +
        `found ${JSON.stringify(state.traffic)}): someone else changed the endpoint; re-run the pipeline`,
    );
  }
  if (reasons.length === 0 && current === 100) {
    return { action: 'nothing', reason: `deployment ${slot} already has 100 % of the traffic` };
  }
  if (current > 0) reasons.push(`deployment ${slot} is not idle: it already has ${current} % of the traffic`);
  if (share(state.mirror, slot) > 0) reasons.push(`deployment ${slot} receives mirrored traffic`);
  return reasons.length > 0 ? { action: 'refuse', reasons } : { action: 'promote' };
}

/**
 * The mirror split to send with a new live split: the one the endpoint has, except that a deployment given live
 * traffic stops being mirrored (Azure refuses a deployment with both). `stopped` names those, to be said.
 */
export function mirrorAlongside(
  traffic: Traffic,
  mirror: Traffic,
): { mirror: Record<string, number>; stopped: string[] } {
  const stopped = Object.keys(mirror).filter((name) => share(mirror, name) > 0 && share(traffic, name) > 0);
  return {
    mirror: Object.fromEntries(Object.entries(mirror).filter(([name]) => !stopped.includes(name))),
    stopped,
  };
}

/**
 * `mode: rollback`: give all traffic back to the previous slot (named, or the other slot of the pair), keeping
 * every other deployment at 0.
 */
export function planRollback(
  traffic: Traffic,
  slots: readonly string[] = DEFAULT_SLOTS,
  previous?: string,
): { ok: true; target: string; traffic: Record<string, number> } | { ok: false; reason: string } {
  checkSlotNames(slots);
  const live = liveDeployment(traffic);
  const target = previous ?? slots.find((slot) => slot !== live && slots.includes(live ?? ''));
  if (target === undefined) {
    return {
      ok: false,
      reason: `Cannot tell which slot to roll back to: live traffic is ${JSON.stringify(traffic)}; set 'previous-deployment'.`,
    };
  }
  if (share(traffic, target) === 100) return { ok: false, reason: `${target} already has 100 % of the traffic.` };
  return { ok: true, target, traffic: swapTraffic({ ...traffic, [target]: share(traffic, target) }, target) };
}
