import * as core from '@actions/core';

/**
 * The job summary and the masking of secrets. Every key, token and secret the library sees goes through
 * `maskSecret`: the runner then hides it in the log, and `redact` hides it in text we write ourselves (summaries,
 * reports, error messages) where the runner's masking does not reach.
 */

const secrets = new Set<string>();

export function maskSecret(value: string | undefined | null): void {
  // Very short values would mask ordinary words all over the log.
  if (!value || value.length < 4) return;
  secrets.add(value);
  core.setSecret(value);
  // JSON encoding can change how a secret appears (quotes, backslashes); hide that form too.
  const encoded = JSON.stringify(value).slice(1, -1);
  if (encoded !== value) {
    secrets.add(encoded);
    core.setSecret(encoded);
  }
}

export function redact(text: string): string {
  let result = text;
  // Longest first, so a secret that contains another is hidden whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) result = result.split(secret).join('***');
  return result;
}

/**
 * Markdown we wrote ourselves. Everything else that reaches a summary or a pull request body (names, messages,
 * paths, links from files and services) is plain text: escaped where it is interpolated, so that it can neither
 * render HTML (a tracking image), links (phishing), mentions nor break out of a table, a code span or a fence.
 */
export class Markdown {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Plain text as inline markdown that shows exactly that text: HTML is entity-encoded, markdown punctuation
 * backslash-escaped, autolinks (`https://`, `www.`, `a@b`) and mentions broken, line breaks made spaces.
 */
export function escapeMarkdown(text: string, lineBreak = ' '): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // `|` is left to tables: a backslash before it would escape the table's own `\|` (see `cell`).
      .replace(/[\\`*_[\]~$@]/g, '\\$&')
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/(w{3})\./gi, '$1\\.')
      .replace(/\r\n?|\n/g, lineBreak)
  );
}

/** Markdown with every interpolated value escaped unless it is Markdown already: escaped`Deployed ${name}`. */
export function escaped(strings: TemplateStringsArray, ...values: readonly unknown[]): Markdown {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += (value instanceof Markdown ? value.text : escapeMarkdown(String(value))) + (strings[i + 1] ?? '');
  });
  return new Markdown(text);
}

/** Markdown lines joined (list items, paragraphs built piece by piece). */
export function joinMarkdown(parts: readonly Markdown[], separator = '\n'): Markdown {
  return new Markdown(parts.map((part) => part.text).join(separator));
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  for (const run of text.match(new RegExp(`\\${char}+`, 'g')) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * Text we did not write as inline code: markdown, HTML and @mentions inside stay inert. The fence is one backtick
 * longer than the longest run inside (CommonMark), line breaks (which would end a table row) become ⏎.
 */
export function codeSpan(text: string): Markdown {
  const flat = text.replace(/\r?\n|\r/g, '⏎');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return new Markdown(`${fence}${pad}${flat}${pad}${fence}`);
}

/** Short for `codeSpan`, where summaries build markdown. */
export const code = codeSpan;

/** A fenced code block that the text cannot close: the fence is longer than any backtick run inside. */
export function codeBlock(text: string, language = ''): Markdown {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return new Markdown(`${fence}${language.replace(/[^\w+-]/g, '')}\n${text}\n${fence}`);
}

/** Whether a link target is https (only those are rendered as links). */
export function isHttpsUrl(url: string | undefined): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** A link when the target is https; otherwise the text, with the refused target shown as code. */
export function link(text: string | Markdown, url: string | undefined): Markdown {
  const label = text instanceof Markdown ? text : escaped`${text}`;
  if (!isHttpsUrl(url)) return url ? escaped`${label} (${code(url)}, not an https link)` : label;
  // Parentheses and spaces would end the destination early; percent-encoding keeps the URL the same.
  const target = new URL(url).href.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return new Markdown(`[${label.text}](${target})`);
}

function cell(value: unknown): string {
  const text =
    value === undefined || value === null || value === ''
      ? '—'
      : value instanceof Markdown
        ? value.text
        : escapeMarkdown(String(value), '<br>');
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** A table: header cells are ours; row cells are plain text (escaped) unless they are Markdown. */
export function markdownTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  // Header cells stay as given (an empty header is a blank, not a dash).
  const lines = [
    `| ${header.map((h) => h.replace(/\|/g, '\\|')).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** `{green: 100, blue: 0}` → `green 100 %, blue 0 %`; `{}` → `no traffic`. */
export function formatTraffic(traffic: Readonly<Record<string, number>>): string {
  const entries = Object.entries(traffic);
  return entries.length === 0 ? 'no traffic' : entries.map(([name, percent]) => `${name} ${percent} %`).join(', ');
}

/** Traffic before and after, one row per deployment that appears in either. */
export function trafficTable(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Markdown {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return new Markdown(
    markdownTable(
      ['deployment', 'traffic before', 'traffic after'],
      names.map((name) => [name, `${before[name] ?? 0} %`, `${after[name] ?? 0} %`]),
    ),
  );
}

/**
 * Collects markdown sections and appends them to `$GITHUB_STEP_SUMMARY` once, redacted. Headings and paragraphs
 * take Markdown (build it with escaped`…`, which escapes what it interpolates); table cells and folded text are plain
 * text. Outside a runner (no summary file) it writes nothing, so local runs and the demo do not fail.
 */
export class JobSummary {
  private readonly sections: string[] = [];

  heading(text: Markdown, level: 2 | 3 = 2): this {
    this.sections.push(`${'#'.repeat(level)} ${text.text.replace(/\r?\n/g, ' ')}`);
    return this;
  }

  paragraph(text: Markdown): this {
    this.sections.push(text.text);
    return this;
  }

  table(header: readonly string[], rows: readonly (readonly unknown[])[]): this {
    this.sections.push(markdownTable(header, rows));
    return this;
  }

  /** Long text we did not write (logs, messages, diffs) folded away, in a code block it cannot close. */
  details(title: string, body: string, language = ''): this {
    this.sections.push(
      `<details><summary>${escapeMarkdown(title)}</summary>\n\n${codeBlock(body, language).text}\n\n</details>`,
    );
    return this;
  }

  markdown(): string {
    return redact(this.sections.join('\n\n')) + '\n';
  }

  async write(): Promise<void> {
    if (!process.env['GITHUB_STEP_SUMMARY']) return;
    await core.summary.addRaw(this.markdown()).write();
  }
}
