import { UserError } from '../errors.ts';
import { codeSpan, escaped, JobSummary, link, maskSecret } from '../summary.ts';
import { IssueClient } from './issue-client.ts';
import {
  driftAction,
  driftIssueTitle,
  driftMarker,
  PLAN_MARKER,
  renderDriftIssue,
  renderDriftResolved,
  renderDriftReturned,
  renderPlanComment,
  type DriftAction,
  type EnvironmentPlans,
  type ReportContext,
} from './plan-report.ts';
import { detectTokenKind } from './token.ts';

/**
 * The one function actions/plan-report calls: the plan comment of a pull request (created, then edited in place),
 * or the drift issue of each environment (opened while it drifts, updated, closed when git and the endpoint match
 * again, reopened if the drift comes back — one issue per environment, its history in one place).
 */

interface CommonOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  apiUrl?: string | undefined;
  plans: EnvironmentPlans;
  context: ReportContext;
  log: (line: string) => void;
}

export type PlanReportOptions = CommonOptions &
  ({ kind: 'pull-request'; pullRequest: number } | { kind: 'drift'; labels: readonly string[] });

export interface DriftIssueResult {
  environment: string;
  action: DriftAction;
  number: number | undefined;
  url: string | undefined;
}

export interface PlanReportResult {
  kind: PlanReportOptions['kind'];
  /** Pull request: the plan comment. */
  comment?: { operation: 'created' | 'updated' | 'unchanged'; url: string };
  /** Drift: what became of each environment's issue. */
  issues: DriftIssueResult[];
}

export async function reportPlans(options: PlanReportOptions): Promise<PlanReportResult> {
  maskSecret(options.token);
  if (Object.keys(options.plans).length === 0)
    throw new UserError("'plans' names no environment: pass each plan step's changes output by environment name.");
  const client = new IssueClient({
    token: options.token,
    repository: options.repository,
    apiUrl: options.apiUrl,
    tokenInfo: detectTokenKind(options.token),
    userAgent: 'mlops-actions/plan-report',
  });
  if (options.kind === 'pull-request') {
    const body = renderPlanComment(options.plans, options.context);
    const existing = await client.findComment(options.pullRequest, PLAN_MARKER);
    if (existing?.body === body)
      return { kind: options.kind, comment: { operation: 'unchanged', url: existing.url }, issues: [] };
    const comment = existing
      ? await client.updateComment(existing.id, body)
      : await client.createComment(options.pullRequest, body);
    options.log(`${existing ? 'Updated' : 'Posted'} the plan on #${options.pullRequest}: ${comment.url}`);
    return {
      kind: options.kind,
      comment: { operation: existing ? 'updated' : 'created', url: comment.url },
      issues: [],
    };
  }
  const issues: DriftIssueResult[] = [];
  for (const [environment, changes] of Object.entries(options.plans)) {
    issues.push(await reconcileDriftIssue(client, environment, changes.length > 0, options));
  }
  return { kind: options.kind, issues };
}

async function reconcileDriftIssue(
  client: IssueClient,
  environment: string,
  drifted: boolean,
  options: CommonOptions & { labels: readonly string[] },
): Promise<DriftIssueResult> {
  const existing = await client.findIssue(driftMarker(environment));
  const action = driftAction(existing, drifted);
  const body = renderDriftIssue(environment, options.plans[environment] ?? [], options.context);
  let issue = existing;
  if (action === 'create') issue = await client.createIssue(driftIssueTitle(environment), body, options.labels);
  if (existing && action === 'update') issue = await client.updateIssue(existing.number, { body });
  if (existing && action === 'reopen') {
    issue = await client.updateIssue(existing.number, { body, state: 'open', stateReason: 'reopened' });
    await client.createComment(existing.number, renderDriftReturned(options.context));
  }
  if (existing && action === 'close') {
    await client.createComment(existing.number, renderDriftResolved(options.context));
    issue = await client.updateIssue(existing.number, { state: 'closed', stateReason: 'completed' });
  }
  const what = {
    create: 'drifted: opened',
    update: 'still drifts: updated',
    reopen: 'drifts again: reopened',
    close: 'matches git again: closed',
    none: 'matches git',
  }[action];
  options.log(`${environment} ${what}${issue ? ` issue #${issue.number} ${issue.url}` : ''}.`);
  return { environment, action, number: issue?.number, url: issue?.url };
}

export function planReportSummary(result: PlanReportResult): JobSummary {
  const summary = new JobSummary();
  if (result.comment)
    return summary
      .heading(escaped`Plan comment`)
      .paragraph(
        escaped`The plan comment was ${result.comment.operation}: ${link(result.comment.url, result.comment.url)}`,
      );
  return summary.heading(escaped`Drift issues`).table(
    ['environment', 'issue', 'what happened'],
    result.issues.map((issue) => [
      codeSpan(issue.environment),
      issue.url ? link(`#${issue.number}`, issue.url) : '—',
      issue.action,
    ]),
  );
}
