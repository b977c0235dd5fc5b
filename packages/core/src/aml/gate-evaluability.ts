/**
 * Whether a test proved what its configuration asks: gates that were set but could not be evaluated, and cases
 * that check only the HTTP status. Pure.
 */
import type { Comparison, Gates } from './endpoint-test.ts';

export interface UnevaluatedGate {
  gate: string;
  why: string;
}

/**
 * The configured gates that the measurements cannot decide: latency limits without a load phase, comparison limits
 * without a live slot to compare with. A gate that cannot be evaluated must not pass silently.
 */
export function unevaluableGates(
  gates: Gates,
  measured: { load: boolean; compareLive: boolean; comparison: Comparison | undefined },
): UnevaluatedGate[] {
  const result: UnevaluatedGate[] = [];
  const noLoad = "'load-requests' is 0, so no latency was measured";
  for (const [gate, limit] of [
    ['max-p50-ms', gates.maxP50Ms],
    ['max-p95-ms', gates.maxP95Ms],
    ['max-p99-ms', gates.maxP99Ms],
  ] as const)
    if (limit !== undefined && !measured.load) result.push({ gate, why: noLoad });
  const noComparison = measured.compareLive
    ? 'no other deployment holds live traffic, so there is nothing to compare with'
    : "'compare-live' is off";
  if (gates.minAgreement !== undefined && !measured.comparison)
    result.push({ gate: 'min-agreement', why: noComparison });
  if (gates.maxLatencyRatio !== undefined && measured.comparison?.latencyRatio === undefined)
    result.push({ gate: 'max-latency-ratio', why: measured.comparison ? noLoad : noComparison });
  return result;
}

/** What a test without expectations proves, and how to make it prove more. */
export function statusOnlyNote(cases: readonly string[]): string {
  return (
    `Only the HTTP status was checked for ${cases.length === 1 ? 'case' : 'cases'} ${cases.join(', ')} ` +
    '(and that the answer is not an error message): any HTTP 200 passes, even a scoring script that returns its ' +
    "error as text. Add an expectation: 'expected-file' or 'expected-schema' beside 'request-file', or " +
    '<name>.expected.json / <name>.schema.json in the cases folder.'
  );
}
