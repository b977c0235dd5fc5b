import { formatDuration } from '../duration.ts';
import { formatChanges } from '../diff.ts';
import { code, codeBlock, joinMarkdown, JobSummary, formatTraffic, link, escaped, trafficTable } from '../summary.ts';
import type { AssetOutcome } from '../assets/local-assets.ts';
import type { DeployResult, DeploymentFailedError, PlanResult } from './deploy.ts';
import type { EndpointTestReport } from './endpoint-test.ts';
import { statusOnlyNote } from './gate-evaluability.ts';
import { sameTraffic } from '../slots.ts';
import type { StepRecord, SwapFailedError, SwapResult } from './swap.ts';

/** Job summaries of the Azure ML actions: what was done, traffic before → after, figures, and evidence on failure. */

function kib(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** What happened to each local asset of the deployment file: uploaded and registered, or reused. */
export function localAssetRows(assets: readonly AssetOutcome[]): string[][] {
  return assets.map((asset) => {
    const files = asset.files > 0 ? `${asset.files} file(s), ${kib(asset.bytes)}` : '';
    const outcome =
      asset.action === 'reused'
        ? 'reused: already registered, nothing uploaded'
        : asset.action === 'would register'
          ? `a deploy would ${asset.files > 0 ? `upload ${files} and ` : ''}register it`
          : asset.uploaded
            ? `uploaded ${files}, registered`
            : `registered${asset.files > 0 ? ' (files were already uploaded)' : ''}`;
    const ignored =
      asset.ignored.length > 0 ? `${asset.ignoreFile ?? 'ignore file'} left out: ${asset.ignored.join(', ')}` : '';
    return [asset.kind, `${asset.name}:${asset.version}`, asset.source, outcome, ignored];
  });
}

function withLocalAssets(summary: JobSummary, assets: readonly AssetOutcome[] | undefined): JobSummary {
  if (!assets || assets.length === 0) return summary;
  const uploaded = assets.filter((asset) => asset.uploaded).length;
  const registered = assets.filter((asset) => asset.action === 'registered').length;
  const reused = assets.filter((asset) => asset.action === 'reused').length;
  return summary
    .heading(escaped`Local assets`, 3)
    .paragraph(
      escaped`${uploaded} uploaded, ${registered} registered, ${reused} reused (content-addressed: unchanged files are neither uploaded nor registered again).`,
    )
    .table(['asset', 'name:version', 'from', 'outcome', 'not uploaded'], localAssetRows(assets));
}

export function deploySummary(result: DeployResult, runUrl?: string): JobSummary {
  const summary = new JobSummary()
    .heading(
      escaped`${result.alreadyLive ? 'Already live:' : 'Deployed'} ${result.model ? `${result.model.name} v${result.model.version}` : 'a new revision'} ${result.alreadyLive ? 'on' : 'to'} ${result.endpoint}/${result.deployment}`,
    )
    .table(
      ['', ''],
      [
        [
          'endpoint',
          `${result.endpoint}${result.endpointCreated ? ' (created)' : result.endpointChanges.length > 0 ? ` (updated: ${result.endpointChanges.map((c) => c.path).join(', ')})` : ''}`,
        ],
        [
          result.alreadyLive ? 'deployment (live slot)' : 'deployment (idle slot)',
          result.alreadyLive
            ? `${result.deployment} already holds exactly this deployment: nothing deployed, the idle slot kept for rollback`
            : `${result.deployment} (${result.deploymentExisted ? 'updated in place' : 'created'}) at 0 % traffic`,
        ],
        ['model', result.model ? `${result.model.name} version ${result.model.version}` : '—'],
        ['live deployment', result.liveDeployment ?? 'none'],
        ['scoring URI', result.scoringUri],
        ['took', formatDuration(result.durationMs)],
        ['run', runUrl && link('workflow run', runUrl)],
      ],
    )
    .heading(escaped`Traffic`, 3)
    .paragraph(escaped`Unchanged by the deploy: traffic only moves in aml-endpoint-swap.`)
    .paragraph(trafficTable(result.traffic, result.traffic));
  return withLocalAssets(summary, result.localAssets);
}

export function deployFailureSummary(error: DeploymentFailedError): JobSummary {
  return new JobSummary()
    .heading(escaped`Deployment ${error.endpoint}/${error.deployment} failed`)
    .paragraph(codeBlock(error.message))
    .paragraph(escaped`Live traffic: ${formatTraffic(error.traffic)}${error.trafficUnchanged ? ' (unchanged)' : ''}.`)
    .details('storage-initializer log', error.logs.storageInitializer || '(empty)')
    .details('inference-server log', error.logs.inferenceServer || '(empty)');
}

export function planSummary(plan: PlanResult): JobSummary {
  const summary = new JobSummary().heading(escaped`Plan for endpoint ${plan.endpoint}`);
  if (!plan.endpointExists)
    return withLocalAssets(
      summary.paragraph(
        escaped`The endpoint does not exist: a deploy creates it and deployment ${plan.candidate}.${plan.capacity ? ` ${plan.capacity}` : ''}`,
      ),
      plan.localAssets,
    );
  summary.paragraph(
    escaped`Live traffic: ${formatTraffic(plan.traffic)}. A deploy would go to: ${plan.candidate ?? `nowhere (${plan.refusal})`}.${plan.capacity ? ` ${plan.capacity}` : ''}`,
  );
  summary
    .heading(escaped`Endpoint settings`, 3)
    .paragraph(plan.endpointChanges.length ? codeBlock(formatChanges(plan.endpointChanges)) : escaped`No difference.`);
  summary
    .heading(escaped`Live deployment${plan.comparedWith ? ` ${plan.comparedWith}` : ''} against the YAML`, 3)
    .paragraph(
      !plan.comparedWith
        ? escaped`No deployment holds live traffic.`
        : plan.deploymentChanges.length
          ? codeBlock(formatChanges(plan.deploymentChanges))
          : escaped`No difference.`,
    );
  return withLocalAssets(summary, plan.localAssets);
}

export function testSummary(report: EndpointTestReport, reportPath: string): JobSummary {
  const summary = new JobSummary()
    .heading(
      escaped`${report.passed ? '✅' : '❌'} Tested ${report.endpoint}/${report.deployment}: ${report.casesPassed}/${report.casesTotal} cases passed`,
    )
    .table(
      ['case', 'result', 'HTTP', 'ms', 'problems'],
      report.cases.map((c) => [c.name, c.passed ? 'pass' : 'FAIL', c.status, c.latencyMs, c.problems.join('; ')]),
    );
  if (report.load) {
    const l = report.load;
    summary
      .heading(escaped`Load`, 3)
      .paragraph(
        escaped`At concurrency ${report.admission.concurrency}; ${report.deployment} admits ${report.admission.admitted} requests in flight (2 × max_concurrent_requests_per_instance ${report.admission.perInstance} × instance_count ${report.admission.instances}).`,
      )
      .table(
        ['requests', 'errors', 'of them 429', 'error rate', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'req/s'],
        [[l.requests, l.errors, l.throttled, l.errorRate, l.p50Ms, l.p95Ms, l.p99Ms, l.maxMs, l.throughputRps]],
      );
  }
  if (report.comparison) {
    const c = report.comparison;
    summary
      .heading(escaped`Compared with live ${c.live}`, 3)
      .paragraph(
        escaped`Answers agree on ${Math.round(c.agreement * 100)} % of cases; p50 latency ratio (candidate / live): ${c.latencyRatio ?? 'n/a'}.`,
      );
  }
  if (report.statusOnlyCases.length > 0) summary.paragraph(escaped`⚠️ ${statusOnlyNote(report.statusOnlyCases)}`);
  if (report.gates.length > 0) {
    summary.heading(escaped`Gates`, 3).table(
      ['gate', 'value', 'limit', 'result'],
      report.gates.map((g) => [g.gate, g.unmeasured ? 'not measured' : g.value, g.limit, g.passed ? 'pass' : 'FAIL']),
    );
  }
  if (report.unevaluatedGates.length > 0) {
    summary.heading(escaped`Gates not evaluated`, 3).table(
      ['gate', 'why'],
      report.unevaluatedGates.map((g) => [g.gate, g.why]),
    );
  }
  const t = report.tested;
  summary
    .heading(escaped`Recorded on ${t.deployment}: test ${t.result}`, 3)
    .paragraph(escaped`The swap promotes the slot only while it holds exactly this.`)
    .table(
      ['model', 'environment', 'image', 'instance type', 'spec hash'],
      [[t.model ?? '—', t.environment ?? '—', t.image ?? '—', t.instanceType ?? '—', t.specHash]],
    );
  if (!report.passed)
    summary
      .heading(escaped`Why it failed`, 3)
      .paragraph(joinMarkdown(report.reasons.map((reason) => escaped`- ${reason}`)));
  return summary.paragraph(escaped`Full report: ${code(reportPath)}`);
}

/** Each traffic update of a promotion, with its health probe. */
function stepsTable(steps: readonly StepRecord[]): [string[], unknown[][]] {
  return [
    ['step', 'traffic', 'health probe'],
    steps.map((s, i) => [
      i + 1,
      formatTraffic(s.traffic),
      s.probe
        ? `${s.probe.errors}/${s.probe.requests} errors (${s.probe.throttled} of them 429), p95 ${s.probe.p95Ms} ms`
        : '—',
    ]),
  ];
}

/** The shadow split, when there is one: kept as it was, or what changed (a deployment that got live traffic). */
function mirrorLine({ before, after }: SwapResult['mirror']): string {
  const mirrored = (split: Record<string, number>) => Object.values(split).some((percent) => percent > 0);
  if (!mirrored(before) && !mirrored(after)) return '';
  return sameTraffic(before, after)
    ? `Mirrored traffic kept: ${formatTraffic(before)}.`
    : `Mirrored traffic: ${formatTraffic(before)} → ${formatTraffic(after)} (a deployment cannot have live and mirrored traffic).`;
}

export function swapSummary(result: SwapResult): JobSummary {
  return new JobSummary()
    .heading(escaped`Traffic on ${result.endpoint}: ${result.liveDeployment ?? 'none'} is live`)
    .paragraph(trafficTable(result.before, result.after))
    .paragraph(escaped`${mirrorLine(result.mirror)}`)
    .table(...stepsTable(result.steps))
    .paragraph(result.cleanup ? escaped`Clean-up: ${result.cleanup}.` : escaped``);
}

export function swapFailureSummary(error: SwapFailedError, endpoint: string): JobSummary {
  return new JobSummary()
    .heading(escaped`Promotion on ${endpoint} failed${error.rolledBack ? ' and was rolled back' : ''}`)
    .paragraph(codeBlock(error.message))
    .paragraph(escaped`Live traffic now: ${formatTraffic(error.traffic)}.`)
    .table(...stepsTable(error.steps));
}
