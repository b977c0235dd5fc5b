import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  code,
  codeBlock,
  escapeMarkdown,
  formatTraffic,
  JobSummary,
  link,
  markdownTable,
  maskSecret,
  escaped,
  redact,
  trafficTable,
} from '../src/summary.ts';

describe('masking', () => {
  it('redacts every registered secret, the longest first, and its JSON-escaped form', () => {
    maskSecret('abcd1234');
    maskSecret('abcd1234-longer');
    maskSecret('with"quote');
    expect(redact('key=abcd1234-longer and abcd1234')).toBe('key=*** and ***');
    expect(redact(JSON.stringify({ v: 'with"quote' }))).toBe('{"v":"***"}');
  });

  it('ignores values too short to be secrets', () => {
    maskSecret('ab');
    maskSecret(undefined);
    expect(redact('ab cd')).toBe('ab cd');
  });
});

describe('tables', () => {
  it('escapes pipes and line breaks and shows empty cells', () => {
    expect(
      markdownTable(
        ['a', 'b'],
        [
          ['x|y', 'line1\nline2'],
          [undefined, 0],
        ],
      ),
    ).toBe('| a | b |\n|---|---|\n| x\\|y | line1<br>line2 |\n| — | 0 |');
  });

  it('traffic before and after', () => {
    expect(formatTraffic({})).toBe('no traffic');
    expect(formatTraffic({ green: 100, blue: 0 })).toBe('green 100 %, blue 0 %');
    expect(trafficTable({ green: 100 }, { green: 0, blue: 100 }).text).toBe(
      '| deployment | traffic before | traffic after |\n|---|---|---|\n| blue | 0 % | 100 % |\n| green | 100 % | 0 % |',
    );
  });
});

describe('JobSummary', () => {
  it('writes redacted markdown to GITHUB_STEP_SUMMARY', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'summary-')), 'summary.md');
    writeFileSync(file, '');
    process.env['GITHUB_STEP_SUMMARY'] = file;
    maskSecret('primary-key-value');
    try {
      await new JobSummary()
        .heading(escaped`Deployed`)
        .paragraph(escaped`key ${'primary-key-value'}`)
        .table(['k'], [['v']])
        .details('logs', 'line ``` with fence')
        .write();
    } finally {
      delete process.env['GITHUB_STEP_SUMMARY'];
    }
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('## Deployed');
    expect(text).toContain('key ***');
    expect(text).not.toContain('primary-key-value');
    expect(text).toContain('````\nline ``` with fence\n````');
  });

  it('writes nothing outside a runner', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(new JobSummary().heading(escaped`x`).write()).resolves.toBeUndefined();
  });
});

describe('text we did not write, in markdown', () => {
  const hostile = [
    '![t](https://tracker.example/p.gif)',
    '<img src="https://tracker.example/p.gif">',
    '[log in](https://phish.example/login)',
    'see https://phish.example and www.phish.example',
    'ping @octo-org/admins',
    '<details><summary>x</summary>',
    '**bold** _it_ `code` ~~s~~ $x$',
  ];

  it('escapes HTML, links, images, autolinks, mentions and emphasis', () => {
    for (const text of hostile) {
      const escaped = escapeMarkdown(text);
      expect(escaped).not.toMatch(/<[a-z/]/i);
      expect(escaped).not.toMatch(/(^|[^\\])\[/);
      expect(escaped).not.toMatch(/(^|[^\\])[*_`~$@]/);
      expect(escaped).not.toMatch(/https?:\/\//);
      expect(escaped).not.toMatch(/www\.(?!\\)/i);
    }
    expect(escapeMarkdown('fraud-scorer v2 (created)')).toBe('fraud-scorer v2 (created)');
    expect(escapeMarkdown('a\nb')).toBe('a b');
  });

  it('md escapes what it interpolates, but not Markdown already built', () => {
    expect(escaped`Deployed ${'<b>x</b>'} with ${code('a`b')}`.text).toBe('Deployed &lt;b&gt;x&lt;/b&gt; with ``a`b``');
  });

  it('code spans and fences cannot be closed by the text', () => {
    expect(code('``x``').text).toBe('``` ``x`` ```');
    expect(codeBlock('```\n<img>\n````').text).toBe('`````\n```\n<img>\n````\n`````');
  });

  it('links only to https targets', () => {
    expect(link('run 7', 'https://github.com/o/r/actions/runs/7').text).toBe(
      '[run 7](https://github.com/o/r/actions/runs/7)',
    );
    expect(link('run', 'https://x.example/a b(c)').text).toBe('[run](https://x.example/a%20b%28c%29)');
    for (const url of ['javascript:alert(1)', 'http://phish.example', 'data:text/html,x', 'not a url'])
      expect(link('run', url).text).not.toMatch(/\]\(/);
  });

  it('table cells are plain text unless Markdown, and a pipe cannot end a cell', () => {
    const table = markdownTable(['a', 'b'], [['<img src=x> | [p](https://e.x)', code('x|y')]]);
    expect(table).toBe('| a | b |\n|---|---|\n| &lt;img src=x&gt; \\| \\[p\\](https\\://e.x) | `x\\|y` |');
  });

  it('folded text: the title is escaped and the body fenced', () => {
    const text = new JobSummary().details('<b>log</b>', '</details><img src=x>').markdown();
    expect(text).toBe(
      '<details><summary>&lt;b&gt;log&lt;/b&gt;</summary>\n\n```\n</details><img src=x>\n```\n\n</details>\n',
    );
  });
});
