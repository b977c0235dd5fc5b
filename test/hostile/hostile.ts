/**
 * Crafted inputs for the hostile-input suite and the scan of everything an action run leaves behind (log, outputs,
 * summary, files it wrote): no secret may appear, no runner command from the crafted text may be obeyed, and no
 * HTML, image or non-https link from it may render in a summary or a pull request body.
 */
import { existsSync, readFileSync } from 'node:fs';
import { marked } from 'marked';
import type { RunResult } from '../support/run-action.ts';
import { obeyedCommands } from '../support/runner-commands.ts';

/** Workflow commands a model's log, a file name or a service message could carry (none of them ours). */
export const COMMANDS = [
  '::add-mask::PWNED',
  '::set-output name=passed::PWNED',
  '::save-state name=x::PWNED',
  '::warning::PWNED warning',
  '::error file=x::PWNED error',
  '##[add-mask]PWNED',
  // Last: once obeyed, it turns every later command off.
  '::stop-commands::PWNED',
].join('\n');

/** Markdown and HTML that must not render: a tracking image, a phishing link, a script link, a fence breaker. */
export const MARKUP =
  '<img src="https://tracker.example/p.gif"> ![t](https://tracker.example/i.png) ' +
  '[log in](https://phish.example/login) [x](javascript:alert(1)) https://phish.example/autolink ' +
  '</details></table>``` ~~~ | @octo-org/admins';

/** Both, as one text, with a CR line break too (the runner also ends lines at CR). */
export const HOSTILE = `model log line\n${COMMANDS}\r::add-mask::PWNED-cr\n${MARKUP}`;

/** The runner commands of the crafted text that a run would have obeyed. */
export function injectedCommands(log: string): string[] {
  return obeyedCommands(log).filter(
    (line) =>
      // A line the runner parses as a (v2) command of ours is not read for the old `##[` form as well.
      (!line.startsWith('::') && line.includes('##[')) ||
      /^::(add-mask::PWNED|stop-commands::PWNED|set-output|save-state|warning::PWNED|error file=x::PWNED)/.test(line),
  );
}

/** HTML, images and links that the markdown renders from the crafted text (GitHub-flavoured, as GitHub does). */
export function renderedMarkup(markdown: string): string[] {
  const html = marked.parse(markdown, { async: false, gfm: true });
  const found: string[] = [];
  for (const match of html.matchAll(/<(img|script|svg|iframe)\b[^>]*>/gi)) found.push(match[0]);
  for (const match of html.matchAll(/<a\s[^>]*href="([^"]*)"/gi)) {
    const href = match[1] as string;
    if (!/^https:\/\/(github\.com|127\.0\.0\.1)(\/|:|$)/.test(href)) found.push(`link to ${href}`);
  }
  return found;
}

export interface Scanned {
  leaked: string[];
  injected: string[];
  rendered: string[];
}

/** Scans a run: its log (post step too), outputs, summary and the files it wrote. */
export function scan(result: RunResult, secrets: readonly string[], files: readonly string[] = []): Scanned {
  const written = files.filter((file) => existsSync(file)).map((file) => readFileSync(file, 'utf8'));
  const visible = [
    result.log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    result.post?.log ?? '',
    JSON.stringify(result.outputs),
    result.summary,
    ...written,
  ].join('\n');
  return {
    leaked: secrets.filter((secret) => secret.length >= 4 && visible.includes(secret)),
    injected: injectedCommands(result.log + '\n' + (result.post?.log ?? '')),
    rendered: renderedMarkup(result.summary),
  };
}

export const CLEAN: Scanned = { leaked: [], injected: [], rendered: [] };
