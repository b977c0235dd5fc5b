/**
 * The inputs and outputs tables of each action's README, generated from its action.yml so the two never disagree.
 * `node scripts/action-docs.ts` rewrites the tables between the markers; `--check` fails when a README is stale.
 * Each README marks where its tables go:
 *
 *   <!-- inputs:start -->
 *   <!-- inputs:end -->
 *   <!-- outputs:start -->
 *   <!-- outputs:end -->
 *
 * Problems (a README without markers, an action.yml that does not parse) are reported as one line each, not a stack.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Metadata {
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
}

const ROOT = join(import.meta.dirname, '..');

/** A problem with one README, stated for the person who has to fix it. */
export class ActionDocsError extends Error {
  override name = 'ActionDocsError';
}

/** Markdown table cell text: pipes escaped; `<…>` outside code spans shown as text, not swallowed as HTML. */
export function cell(text: string): string {
  return text
    .replace(/\n+/g, ' ')
    .trim()
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|');
}

/** A default as code: one span per line for multi-line defaults (tag rules, lists). */
function defaultCell(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return String(value)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `\`${line.trim().replace(/\|/g, '\\|')}\``)
    .join('<br>');
}

export function renderTables(metadata: Metadata): { inputs: string; outputs: string } {
  const inputs = Object.entries(metadata.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${defaultCell(input.default)} | ${cell(input.description ?? '')} |`,
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
    if (from < 0 || to < from) {
      throw new ActionDocsError(
        `${file} has no '${start}' … '${end}' markers for the ${name} table: put the two lines where the table goes`,
      );
    }
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
  }
  return text;
}

export function actionsWithReadmes(root = ROOT): string[] {
  return readdirSync(join(root, 'actions')).filter((name) => existsSync(join(root, 'actions', name, 'action.yml')));
}

/**
 * Brings every action's README in line with its action.yml (`write`), or only lists the ones that are not. Returns
 * the problems, one line each; an empty list means every README is current.
 */
export function syncReadmes(options: { root?: string; write: boolean }): string[] {
  const root = options.root ?? ROOT;
  const problems: string[] = [];
  for (const action of actionsWithReadmes(root)) {
    const readmeFile = `actions/${action}/README.md`;
    const readmePath = join(root, readmeFile);
    if (!existsSync(readmePath)) {
      problems.push(`${readmeFile} is missing`);
      continue;
    }
    let metadata: Metadata;
    try {
      metadata = (parse(readFileSync(join(root, 'actions', action, 'action.yml'), 'utf8')) ?? {}) as Metadata;
    } catch (error) {
      problems.push(`actions/${action}/action.yml does not parse: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const readme = readFileSync(readmePath, 'utf8');
    let updated: string;
    try {
      updated = updateReadme(readme, renderTables(metadata), readmeFile);
    } catch (error) {
      if (!(error instanceof ActionDocsError)) throw error;
      problems.push(error.message);
      continue;
    }
    if (updated === readme) continue;
    if (options.write) writeFileSync(readmePath, updated);
    else problems.push(`${readmeFile} differs from its action.yml: run \`npm run docs\``);
  }
  return problems;
}

function main(check: boolean): number {
  const problems = syncReadmes({ write: !check });
  for (const problem of problems) console.error(`action-docs: ${problem}`);
  return problems.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main(process.argv.includes('--check')));
