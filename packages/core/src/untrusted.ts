import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import { redact } from './summary.ts';

/**
 * Text we did not write (container logs, service messages, file names, answers of a scoring script) must not drive
 * the runner: a line such as `::add-mask::…`, `::warning::…` or `::stop-commands::…` in a model's log would be
 * obeyed. Such text is printed inside `::stop-commands::<token>` … `::<token>::`, the toolkit's own mechanism, with a
 * fresh random token per block so that the text cannot guess it and end the block early.
 *
 * Annotations (`core.error`, `core.warning`) need no block: @actions/core escapes their text (`%`, CR, LF) so the
 * whole message stays on the command's own line, and the runner reads one command per line.
 */

/**
 * Whether the runner could read a command in the text: a line starting with `::` (after blanks; the runner trims),
 * or the older `##[` form anywhere. Lines end at CR as well as LF, as the runner reads them.
 */
export function mayHoldCommand(text: string): boolean {
  return /(^|[\r\n])\s*::/.test(text) || text.includes('##[');
}

/** A token no text can predict: 128 random bits. */
export function stopToken(): string {
  return randomBytes(16).toString('hex');
}

/** The lines that print `text` with workflow commands off, as one string (tests and callers that buffer). */
export function commandsOffBlock(text: string, token = stopToken()): string {
  return `::stop-commands::${token}\n${text}\n::${token}::`;
}

/** Prints text we did not write, always inside a stop-commands block (redacted). */
export function printUntrusted(text: string, write: (line: string) => void = core.info): void {
  write(commandsOffBlock(redact(text)));
}

/**
 * The log line of every action: our words with names and messages from elsewhere in them. A line that could be read
 * as a command is printed inside a stop-commands block; any other line as is (redacted).
 */
export function logLine(line: string, write: (line: string) => void = core.info): void {
  const text = redact(line);
  write(mayHoldCommand(text) ? commandsOffBlock(text) : text);
}
