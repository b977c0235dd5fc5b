import { describe, expect, it } from '@jest/globals';
import { commandsOffBlock, logLine, mayHoldCommand, printUntrusted } from '../src/untrusted.ts';
import { obeyedCommands } from '../../../test/support/runner-commands.ts';

/** The commands obeyed besides the openings of stop-commands blocks with a random token. */
const injected = (log: string) => obeyedCommands(log).filter((line) => !/^::stop-commands::[0-9a-f]{32}$/.test(line));

describe('untrusted text in the log', () => {
  const hostile = 'model loaded\n::add-mask::x\n  ::warning::owned\r::stop-commands::abc\n##[error]v1';

  it('tells text the runner could read as a command', () => {
    expect(mayHoldCommand('Deployed blue: ok :: fine')).toBe(false);
    expect(mayHoldCommand('::warning::x')).toBe(true);
    expect(mayHoldCommand('fine\n  ::error::x')).toBe(true);
    expect(mayHoldCommand('fine\r::error::x')).toBe(true);
    expect(mayHoldCommand('look ##[error]x')).toBe(true);
  });

  it('prints it inside a stop-commands block with a fresh token each time', () => {
    const lines: string[] = [];
    printUntrusted(hostile, (line) => lines.push(line));
    printUntrusted(hostile, (line) => lines.push(line));
    const log = lines.join('\n');
    expect(injected(log)).toEqual([]);
    const tokens = [...log.matchAll(/^::stop-commands::([0-9a-f]{32})$/gm)].map((m) => m[1]);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(log).toContain('::warning::owned');
  });

  it('leaves ordinary lines alone and blocks the rest', () => {
    const lines: string[] = [];
    logLine('Deployment blue is Succeeded.', (line) => lines.push(line));
    logLine(`case ${hostile}: HTTP 200`, (line) => lines.push(line));
    expect(lines[0]).toBe('Deployment blue is Succeeded.');
    expect(lines[1]).toMatch(/^::stop-commands::[0-9a-f]{32}\n/);
    expect(injected(lines.join('\n'))).toEqual([]);
  });

  it('the block cannot be ended by the text it holds', () => {
    const block = commandsOffBlock('::abc::\n::add-mask::x', 'f00d');
    expect(obeyedCommands(block)).toEqual(['::stop-commands::f00d']);
    expect(obeyedCommands(`${block}\n::add-mask::after`)).toEqual(['::stop-commands::f00d', '::add-mask::after']);
  });
});
