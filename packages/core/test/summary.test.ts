import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { formatTraffic, JobSummary, markdownTable, maskSecret, redact, trafficTable } from '../src/summary.ts';

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
    expect(trafficTable({ green: 100 }, { green: 0, blue: 100 })).toBe(
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
        .heading('Deployed')
        .paragraph('key primary-key-value')
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
    expect(text).toContain('~~~~\nline ``` with fence\n~~~~');
  });

  it('writes nothing outside a runner', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(new JobSummary().heading('x').write()).resolves.toBeUndefined();
  });
});
