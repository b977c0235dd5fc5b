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

function cell(value: unknown): string {
  const text = value === undefined || value === null || value === '' ? '—' : String(value);
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/**
 * Text we did not write as inline code: markdown, HTML and @mentions inside stay inert. The fence is one backtick
 * longer than the longest run inside (CommonMark), line breaks (which would end a table row) become ⏎.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, '⏎');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

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
): string {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return markdownTable(
    ['deployment', 'traffic before', 'traffic after'],
    names.map((name) => [name, `${before[name] ?? 0} %`, `${after[name] ?? 0} %`]),
  );
}

/**
 * Collects markdown sections and appends them to `$GITHUB_STEP_SUMMARY` once, redacted. Outside a runner (no
 * summary file) it writes nothing, so local runs and the demo do not fail.
 */
export class JobSummary {
  private readonly sections: string[] = [];

  heading(text: string, level: 2 | 3 = 2): this {
    this.sections.push(`${'#'.repeat(level)} ${text}`);
    return this;
  }

  paragraph(text: string): this {
    this.sections.push(text);
    return this;
  }

  table(header: readonly string[], rows: readonly (readonly unknown[])[]): this {
    this.sections.push(markdownTable(header, rows));
    return this;
  }

  /** Long text (logs, diffs) folded away, in a code block. */
  details(title: string, body: string, language = ''): this {
    const fence = body.includes('```') ? '~~~~' : '```';
    this.sections.push(`<details><summary>${title}</summary>\n\n${fence}${language}\n${body}\n${fence}\n\n</details>`);
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
