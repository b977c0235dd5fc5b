/**
 * The inputs and outputs tables of each action's README, generated from its action.yml so the two never disagree.
 * `node scripts/action-docs.ts` rewrites the tables between the markers; `--check` fails when a README is stale.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Metadata {
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
}

const root = join(import.meta.dirname, '..');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim();

export function renderTables(metadata: Metadata): { inputs: string; outputs: string } {
  const inputs = Object.entries(metadata.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${input.default === undefined || input.default === '' ? '' : `\`${cell(String(input.default))}\``} | ${cell(input.description ?? '')} |`,
  );
  const outputs = Object.entries(metadata.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`,
  );
  return {
    inputs: ['| input | required | default | description |', '|---|---|---|---|', ...inputs].join('\n'),
    outputs: ['| output | description |', '|---|---|', ...outputs].join('\n'),
  };
}

export function updateReadme(readme: string, tables: { inputs: string; outputs: string }, file: string): string {
  let text = readme;
  for (const [name, table] of Object.entries(tables)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${file} has no '${start}' … '${end}' markers for the ${name} table`);
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
  }
  return text;
}

export function actionsWithReadmes(): string[] {
  return readdirSync(join(root, 'actions')).filter((name) => existsSync(join(root, 'actions', name, 'action.yml')));
}

function main(check: boolean): number {
  const stale: string[] = [];
  for (const action of actionsWithReadmes()) {
    const readmePath = join(root, 'actions', action, 'README.md');
    if (!existsSync(readmePath)) {
      stale.push(`actions/${action}/README.md is missing`);
      continue;
    }
    const metadata = parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8')) as Metadata;
    const readme = readFileSync(readmePath, 'utf8');
    const updated = updateReadme(readme, renderTables(metadata), `actions/${action}/README.md`);
    if (updated === readme) continue;
    if (check) stale.push(`actions/${action}/README.md differs from its action.yml`);
    else writeFileSync(readmePath, updated);
  }
  for (const problem of stale) console.error(`action-docs: ${problem}; run \`npm run docs\``);
  return stale.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.includes('--check')));
