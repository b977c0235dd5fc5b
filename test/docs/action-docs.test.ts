/**
 * Each action's README documents exactly the inputs and outputs its action.yml declares: the tables between the
 * `<!-- inputs:start -->` / `<!-- outputs:start -->` markers are what `npm run docs` generates. This fails when
 * someone edits one without the other (fix: `npm run docs`). A README without markers is a one-line problem.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  actionsWithReadmes,
  ActionDocsError,
  cell,
  renderTables,
  syncReadmes,
  updateReadme,
} from '../../scripts/action-docs.ts';
import { REPO_ROOT } from '../support/run-action.ts';

const actions = actionsWithReadmes(REPO_ROOT);
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function fakeRepository(readmes: Record<string, string>, actionYml = 'inputs:\n  a:\n    description: A.\n'): string {
  const root = mkdtempSync(join(tmpdir(), 'action-docs-'));
  temporary.push(root);
  for (const [name, readme] of Object.entries(readmes)) {
    mkdirSync(join(root, 'actions', name), { recursive: true });
    writeFileSync(join(root, 'actions', name, 'action.yml'), actionYml);
    writeFileSync(join(root, 'actions', name, 'README.md'), readme);
  }
  return root;
}

describe('action READMEs', () => {
  it('cover every action', () => {
    expect(actions.sort()).toEqual([
      'aml-endpoint-deploy',
      'aml-endpoint-swap',
      'aml-endpoint-test',
      'build-container',
      'open-promotion-pr',
      'plan-report',
    ]);
  });

  it.each(actions)(
    '%s: name and description fit the Marketplace (a description of at most 125 characters)',
    (action) => {
      const metadata = parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8'));
      expect(typeof metadata.name).toBe('string');
      expect(typeof metadata.description).toBe('string');
      expect(metadata.description.length).toBeLessThanOrEqual(125);
    },
  );

  it.each(actions)('%s: the tables are what its action.yml generates', (action) => {
    const metadata = parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8'));
    const readme = readFileSync(join(REPO_ROOT, 'actions', action, 'README.md'), 'utf8');
    const tables = renderTables(metadata);
    expect(updateReadme(readme, tables, `actions/${action}/README.md`)).toBe(readme);
    // Every input and output is in the README once, in its table.
    for (const name of Object.keys(metadata.inputs ?? {})) expect(tables.inputs).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(metadata.outputs ?? {})) expect(tables.outputs).toContain(`| \`${name}\` |`);
  });

  it('the check fails when a README and its action.yml disagree, and the write brings them together', () => {
    const stale = [
      '# a',
      '<!-- inputs:start -->',
      '| input | required | default | description |',
      '|---|---|---|---|',
      '| `old` | no |  | Gone from action.yml. |',
      '<!-- inputs:end -->',
      '<!-- outputs:start -->',
      '<!-- outputs:end -->',
      '',
    ].join('\n');
    const root = fakeRepository({ a: stale });
    expect(syncReadmes({ root, write: false })).toEqual([
      'actions/a/README.md differs from its action.yml: run `npm run docs`',
    ]);
    expect(syncReadmes({ root, write: true })).toEqual([]);
    const written = readFileSync(join(root, 'actions', 'a', 'README.md'), 'utf8');
    expect(written).toContain('| `a` | no |  | A. |');
    expect(written).not.toContain('`old`');
    expect(syncReadmes({ root, write: false })).toEqual([]);
  });

  it('a README without markers, or an action.yml that does not parse, is reported in one line', () => {
    const root = fakeRepository({ plain: '# plain\n\n| input | … |\n' });
    expect(syncReadmes({ root, write: false })).toEqual([
      "actions/plain/README.md has no '<!-- inputs:start -->' … '<!-- inputs:end -->' markers for the inputs table: put the two lines where the table goes",
    ]);
    expect(() => updateReadme('# x', renderTables({}), 'x/README.md')).toThrow(ActionDocsError);
    const broken = fakeRepository({ b: '<!-- inputs:start -->\n<!-- inputs:end -->' }, 'inputs:\n  a: b: c\n');
    const [problem] = syncReadmes({ root: broken, write: false });
    expect(problem).toMatch(/^actions\/b\/action\.yml does not parse: /);
    expect(problem).not.toContain('\n');
  });

  it('cells keep code, escape pipes and show <placeholders> as text', () => {
    expect(cell('host (<name>.azurecr.io) or `a|b <c>`, x | y')).toBe(
      'host (&lt;name&gt;.azurecr.io) or `a\\|b <c>`, x \\| y',
    );
    expect(renderTables({ inputs: { tags: { default: 'type=sha\ntype=latest\n' } } }).inputs).toContain(
      '| `tags` | no | `type=sha`<br>`type=latest` |  |',
    );
  });
});
