/**
 * `npm run report:faults`: runs the fault matrix (test/faults) and prints it as a table, fault × phase, each cell
 * with its outcome: ✓ when the cell's test passed (exit, traffic, the service's code, no secret shown), what was
 * observed, or why the cell does not apply.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CELLS, FAULTS, NOT_APPLICABLE, PHASES, cellName } from '../test/faults/matrix.ts';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'fault-report-'));
const observedFile = join(dir, 'observed.json');
const resultsFile = join(dir, 'jest.json');
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    'test/faults/matrix.test.ts',
    '--json',
    `--outputFile=${resultsFile}`,
  ],
  { cwd: root, env: { ...process.env, FAULT_REPORT: observedFile }, stdio: ['ignore', 'ignore', 'inherit'] },
);

interface JestResults {
  testResults: { assertionResults: { title: string; status: string }[] }[];
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestResults;
const status = new Map(
  results.testResults.flatMap((file) => file.assertionResults.map((test) => [test.title, test.status])),
);
const observed = JSON.parse(readFileSync(observedFile, 'utf8')) as Record<
  string,
  { exitCode: number | null; traffic: Record<string, number>; recovered?: Record<string, number> }
>;

const split = (traffic: Record<string, number>) =>
  Object.entries(traffic)
    .filter(([, percent]) => percent > 0)
    .map(([name, percent]) => `${name} ${percent}`)
    .join('/') || 'none';

function describeCell(fault: string, phase: (typeof PHASES)[number]): string {
  const cell = CELLS.find((c) => c.fault === fault && c.phase === phase);
  if (!cell) return `n/a: ${NOT_APPLICABLE.find((c) => c.fault === fault && c.phase === phase)?.why ?? '—'}`;
  const name = cellName(cell);
  const seen = observed[name];
  const mark = status.get(name) === 'passed' ? '✓' : '✗';
  if (!seen) return `${mark} (not run)`;
  const exit = seen.exitCode === null ? 'killed' : `exit ${seen.exitCode}`;
  const after = seen.recovered
    ? `, left ${split(seen.traffic)} → rollback ${split(seen.recovered)}`
    : `, traffic ${split(seen.traffic)}`;
  return `${mark} ${exit}${after}`;
}

const rows = FAULTS.map((fault) => [fault, ...PHASES.map((phase) => describeCell(fault, phase))]);
const header = ['fault', ...PHASES];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
const failed = [...status.values()].filter((s) => s !== 'passed').length;
console.log(
  `\n${status.size} cells run, ${failed} failed; baseline traffic green 100 (blue idle). ✓ = exit, traffic, service code and secrets all as required.`,
);
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);
