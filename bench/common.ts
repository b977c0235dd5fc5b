/** What every bench section shares: run counts, medians, rounding, tables and checked action runs. */
import type { RunResult } from '../test/support/run-action.ts';

export const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export const table = (header: string[], rows: (string | number)[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i] as number)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};

export function expectOk(result: RunResult, what: string): RunResult {
  if (result.exitCode !== 0) throw new Error(`${what} failed:\n${result.log}`);
  return result;
}
