import { z } from 'zod';
import type { Change } from '../diff.ts';
import { codeSpan, link, markdownTable, redact, type Markdown } from '../summary.ts';

/**
 * Plans where people decide: the markdown of the plan comment on a pull request (one section per environment: what
 * a deploy would change) and of the drift issue of one environment, rendered from the `changes` output of
 * aml-endpoint-deploy's plan mode; and what to do with a drift issue. Pure. Everything that comes from the YAML or
 * from Azure is inert inline code; values of environment variables are never shown (they may be credentials), only
 * their names and whether they differ. A hidden marker lets the next run find the comment or issue again.
 */

/** Each environment's differences between git and its live endpoint (aml-endpoint-deploy `changes`). */
export type EnvironmentPlans = Readonly<Record<string, readonly Change[]>>;

export const PLAN_MARKER = '<!-- mlops-actions:plan -->';

export function driftMarker(environment: string): string {
  return `<!-- mlops-actions:drift:${environment} -->`;
}

/** Environment names go into markers and headings: letters, digits, `.`, `_`, `-` (as GitHub environments allow). */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** The plans as a workflow passes them: by environment, each deploy step's `changes` output. */
export const environmentPlansSchema: z.ZodType<EnvironmentPlans> = z
  .record(z.string(), z.array(z.object({ path: z.string(), live: z.unknown(), desired: z.unknown() })))
  .superRefine((plans, context) => {
    for (const name of Object.keys(plans).filter((key) => !ENVIRONMENT_NAME.test(key)))
      context.addIssue({
        code: 'custom',
        path: [name],
        message: 'is not an environment name (letters, digits, ".", "_" and "-")',
      });
  });

export interface ReportContext {
  /** The commit the plan was computed for. */
  commit?: string | undefined;
  runUrl?: string | undefined;
}

// The maps of environment variables are compared whole (diff.ts); their values stay hidden.
const SECRET_MAPS = [/(^|\.)environmentVariables$/, /(^|\.)environment_variables$/];
const isSecretMap = (path: string) => SECRET_MAPS.some((pattern) => pattern.test(path));

function show(value: unknown): string | Markdown {
  return value === undefined ? '(not set)' : codeSpan(redact(JSON.stringify(value)));
}

function asMap(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** One row per changed setting; a map of environment variables becomes one row per variable, without its values. */
export function changeRows(changes: readonly Change[]): (string | Markdown)[][] {
  return changes.flatMap((change) => {
    if (!isSecretMap(change.path)) return [[codeSpan(change.path), show(change.live), show(change.desired)]];
    const live = asMap(change.live);
    const desired = asMap(change.desired);
    const names = [...new Set([...Object.keys(live), ...Object.keys(desired)])].sort();
    return names
      .filter((name) => !(name in live && name in desired && live[name] === desired[name]))
      .map((name) => {
        const both = name in live && name in desired;
        const state = (present: boolean) =>
          present ? (both ? 'value differs (hidden)' : 'set (hidden)') : '(not set)';
        return [codeSpan(`${change.path}.${name}`), state(name in live), state(name in desired)];
      });
  });
}

// GitHub refuses a comment or issue body over 65,536 characters: a few environments of this many rows stay below.
const MAX_ROWS = 50;

function environmentSection(environment: string, changes: readonly Change[], level: 2 | 3): string {
  const heading = `${'#'.repeat(level)} ${environment}: `;
  if (changes.length === 0) return `${heading}no change\n\nThe live endpoint matches git: a deploy changes no setting.`;
  const created = changes.find((change) => change.path === '(endpoint)');
  if (created) return `${heading}new endpoint\n\nThe endpoint does not exist yet: a deploy creates it.`;
  const rows = changeRows(changes);
  const shown = markdownTable(['setting', 'live', 'in git'], rows.slice(0, MAX_ROWS));
  const more =
    rows.length > MAX_ROWS
      ? `\n\n… and ${rows.length - MAX_ROWS} more: the plan step's job summary lists them all.`
      : '';
  return `${heading}${rows.length} change${rows.length === 1 ? '' : 's'}\n\n${shown}${more}`;
}

function footer(context: ReportContext): string {
  const parts = [
    context.commit ? `commit ${codeSpan(context.commit.slice(0, 12))}` : undefined,
    context.runUrl ? link('run', context.runUrl).text : undefined,
  ].filter(Boolean);
  return parts.length ? `\n\n<sub>Computed by aml-endpoint-deploy \`mode: plan\` for ${parts.join(' · ')}.</sub>` : '';
}

/** The plan comment of a pull request: one section per environment, in the order given. */
export function renderPlanComment(plans: EnvironmentPlans, context: ReportContext = {}): string {
  const environments = Object.keys(plans);
  const changed = environments.filter((environment) => (plans[environment] ?? []).length > 0);
  const verdict =
    changed.length === 0
      ? 'Merging changes no live endpoint setting.'
      : `Merging changes ${changed.map((e) => `**${e}**`).join(', ')} once deployed.`;
  const sections = environments.map((environment) => environmentSection(environment, plans[environment] ?? [], 3));
  return `${PLAN_MARKER}\n## Deployment plan\n\n${verdict}\n\n${sections.join('\n\n')}${footer(context)}\n`;
}

export function driftIssueTitle(environment: string): string {
  return `Drift: ${environment} differs from git`;
}

/** The drift issue of one environment: what differs between git and its live endpoint now. */
export function renderDriftIssue(environment: string, changes: readonly Change[], context: ReportContext = {}): string {
  return (
    `${driftMarker(environment)}\nThe live endpoint of **${environment}** differs from the YAML in git. Either ` +
    `deploy from git to put it back, or change git to what is live; this issue closes by itself once they match.\n\n` +
    `${environmentSection(environment, changes, 2)}${footer(context)}\n`
  );
}

export function renderDriftResolved(context: ReportContext = {}): string {
  return `The live endpoint matches git again: closing.${footer(context)}`;
}

export function renderDriftReturned(context: ReportContext = {}): string {
  return `The drift is back: reopening (the description shows the differences now).${footer(context)}`;
}

/** What becomes of an environment's drift issue (one per environment, reopened rather than duplicated). */
export type DriftAction = 'create' | 'update' | 'reopen' | 'close' | 'none';

export function driftAction(existing: { state: 'open' | 'closed' } | undefined, drifted: boolean): DriftAction {
  if (drifted) return !existing ? 'create' : existing.state === 'open' ? 'update' : 'reopen';
  return existing?.state === 'open' ? 'close' : 'none';
}
