import { UserError } from '../errors.ts';
import { RELEASE_MANIFEST_SCHEMA, type ReleaseManifest } from '../release-manifest.ts';
import type { RunContext } from '../run-context.ts';
import { planCandidateSlot, liveDeployment } from '../slots.ts';
import {
  planLoadConcurrency,
  probeConcurrency,
  slotCapacity,
  throttledReason,
  type SlotCapacity,
} from './admission.ts';
import { statusOnlyNote, unevaluableGates, type UnevaluatedGate } from './gate-evaluability.ts';
import { checkAnswer, compareJson, type TestCase, type Tolerance } from './expectations.ts';
import { runLoad, ScoringClient, type LoadStats } from './scoring.ts';
import { TAG_PREFIX } from './deploy.ts';
import { readTestedIdentity, recordTest } from './slot-records.ts';
import type { TestRecord } from './tested-identity.ts';
import type { AmlWorkspace, OperationSettings } from './workspace.ts';

/**
 * aml-endpoint-test: prove a deployment (the idle slot by default) answers correctly and fast enough before it gets
 * traffic. Every request carries the `azureml-model-deployment` header, so live traffic never sees a test.
 */

export interface Gates {
  maxErrorRate: number;
  maxP50Ms?: number | undefined;
  maxP95Ms?: number | undefined;
  maxP99Ms?: number | undefined;
  /** Comparison with the live slot: the share of cases whose answers must agree, and the latency ratio allowed. */
  minAgreement?: number | undefined;
  maxLatencyRatio?: number | undefined;
}

export interface EndpointTestOptions {
  /** Signs in; called once the cases and inputs have been read. */
  connect: () => Promise<AmlWorkspace>;
  endpoint: string;
  /** The deployment to test; the idle slot when not given. */
  deployment?: string | undefined;
  slots: readonly [string, string];
  cases: TestCase[];
  tolerance: Tolerance;
  /** Without a concurrency, the load runs at what the slot admits. */
  load: { requests: number; concurrency?: number | undefined };
  compareLive: boolean;
  gates: Gates;
  /** A configured gate that cannot be evaluated (no load, no live slot) is reported instead of failing the test. */
  allowUnevaluatedGates?: boolean | undefined;
  requestTimeoutMs: number;
  /** For the tag update that records the test on the deployment. */
  operation: OperationSettings;
  /** This run's URL, kept in the record. */
  run?: string | undefined;
  log: (line: string) => void;
  warn: (line: string) => void;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  status: number;
  latencyMs: number;
  problems: string[];
  /** The answer, shortened for the report. */
  answer: string;
  answeredBy: string | undefined;
}

export interface GateResult {
  gate: string;
  limit: number;
  value: number;
  passed: boolean;
  /** Why the gate could not be evaluated (then it fails). */
  unmeasured?: string;
}

export interface Comparison {
  live: string;
  agreement: number;
  disagreements: { name: string; problems: string[] }[];
  liveLoad: LoadStats | undefined;
  latencyRatio: number | undefined;
}

export interface EndpointTestReport {
  endpoint: string;
  deployment: string;
  /** What the tested deployment runs, from its tags and properties: the evidence for a release manifest. */
  model: { name: string; version: string; id: string | undefined } | undefined;
  environmentId: string | undefined;
  passed: boolean;
  casesPassed: number;
  casesTotal: number;
  cases: CaseResult[];
  load: LoadStats | undefined;
  /** What the tested slot admits, and the concurrency the load ran at. */
  admission: SlotCapacity & { concurrency: number };
  comparison: Comparison | undefined;
  gates: GateResult[];
  /** Gates that were configured but could not be evaluated, and why. */
  unevaluatedGates: UnevaluatedGate[];
  /** Cases with no expected answer or schema: only their HTTP status (and that the answer is no error text) was checked. */
  statusOnlyCases: string[];
  reasons: string[];
  testedAt: string;
  /** What was tested (model, environment, image, instance type, spec hash) and how it ended; also on the deployment. */
  tested: TestRecord;
}

function short(text: string): string {
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

interface Answered {
  result: CaseResult;
  body: unknown;
}

async function runCases(
  client: ScoringClient,
  cases: readonly TestCase[],
  tolerance: Tolerance,
  expected: string,
): Promise<Answered[]> {
  const results: Answered[] = [];
  for (const testCase of cases) {
    const answer = await client.score(testCase.body);
    const problems = checkAnswer(testCase, answer.status, answer.body, tolerance, answer.error);
    // The routing header must be honoured: an answer from another deployment proves nothing about this one.
    if (answer.answeredBy && answer.answeredBy !== expected)
      problems.push(`answered by deployment ${answer.answeredBy}, not ${expected}`);
    results.push({
      body: answer.body,
      result: {
        name: testCase.name,
        passed: problems.length === 0,
        status: answer.status,
        latencyMs: Math.round(answer.latencyMs * 100) / 100,
        problems,
        answer: short(answer.text || answer.error || ''),
        answeredBy: answer.answeredBy,
      },
    });
  }
  return results;
}

const ERROR_RATE_GATE = 'error rate';

export function evaluateGates(
  gates: Gates,
  load: LoadStats | undefined,
  comparison: Comparison | undefined,
): GateResult[] {
  const results: GateResult[] = [];
  const add = (gate: string, limit: number | undefined, value: number | undefined, atMost = true) => {
    if (limit === undefined || value === undefined) return;
    results.push({ gate, limit, value, passed: atMost ? value <= limit : value >= limit });
  };
  if (load) {
    add(ERROR_RATE_GATE, gates.maxErrorRate, load.errorRate);
    const latencyGates = [
      ['p50 ms', gates.maxP50Ms, load.p50Ms],
      ['p95 ms', gates.maxP95Ms, load.p95Ms],
      ['p99 ms', gates.maxP99Ms, load.p99Ms],
    ] as const;
    for (const [gate, limit, value] of latencyGates) {
      // Latencies are those of answered requests (a 429 measured nothing of the model): none, and nothing is known.
      if (limit !== undefined && load.count === 0 && load.requests > 0) {
        results.push({ gate, limit, value, passed: false, unmeasured: 'no load request was answered (only 429s)' });
      } else add(gate, limit, value);
    }
  }
  if (comparison) {
    add('agreement with live', gates.minAgreement, comparison.agreement, false);
    add('latency ratio to live (p50)', gates.maxLatencyRatio, comparison.latencyRatio);
  }
  return results;
}

export async function testEndpoint(options: EndpointTestOptions): Promise<EndpointTestReport> {
  const { log, warn } = options;
  if (options.cases.length === 0) throw new UserError("No test cases: give 'request-file' or 'cases'.");
  const workspace = await options.connect();
  const endpoint = await workspace.requireEndpoint(options.endpoint);
  if (!endpoint.scoringUri)
    throw new UserError(`Endpoint ${endpoint.name} has no scoring URI yet (state ${endpoint.provisioningState}).`);
  const deployments = await workspace.listDeployments(endpoint.name);
  let target = options.deployment;
  if (!target) {
    const plan = planCandidateSlot(
      {
        endpoint: endpoint.name,
        traffic: endpoint.traffic,
        mirror: endpoint.mirror,
        deployments: deployments.map((d) => d.name),
      },
      options.slots,
    );
    if (!plan.ok) throw new UserError(`${plan.reason} Name the deployment to test with 'deployment'.`);
    target = plan.candidate;
  }
  const deployment = deployments.find((d) => d.name === target);
  if (!deployment) {
    throw new UserError(
      `Deployment ${target} does not exist on endpoint ${endpoint.name} (deployments: ${deployments.map((d) => d.name).join(', ') || 'none'}).`,
    );
  }
  if (deployment.provisioningState !== 'Succeeded') {
    throw new UserError(`Deployment ${target} is ${deployment.provisioningState}, not Succeeded: nothing to test.`);
  }
  const capacity = slotCapacity(deployment);
  const { concurrency, warning } = planLoadConcurrency(options.load.concurrency, capacity);
  if (warning) warn(warning);
  const identity = await readTestedIdentity(workspace, deployment);
  const credential = await workspace.scoringCredential(endpoint);
  log(
    `Testing deployment ${target} of endpoint ${endpoint.name} (live traffic ${JSON.stringify(endpoint.traffic)}; ${credential.kind} auth).`,
  );

  const scoring = {
    scoringUri: endpoint.scoringUri,
    credential: credential.value,
    timeoutMs: options.requestTimeoutMs,
  };
  const client = new ScoringClient({ ...scoring, deployment: target });
  let answered: Answered[];
  try {
    answered = await runCases(client, options.cases, options.tolerance, target);
  } finally {
    await client.close();
  }
  const cases = answered.map((a) => a.result);
  for (const result of cases) {
    log(
      `${result.passed ? '✓' : '✗'} case ${result.name}: HTTP ${result.status} in ${result.latencyMs} ms${result.passed ? '' : ` — ${result.problems.join('; ')}`}`,
    );
  }
  const bodies = options.cases.map((c) => c.body);
  let load: LoadStats | undefined;
  if (options.load.requests > 0) {
    log(
      `Load: ${options.load.requests} requests at concurrency ${concurrency} (the slot admits ${capacity.admitted} in flight)…`,
    );
    load = await runLoad({ ...scoring, deployment: target }, bodies, options.load.requests, concurrency);
    log(
      `Load: p50 ${load.p50Ms} ms, p95 ${load.p95Ms} ms, p99 ${load.p99Ms} ms, errors ${load.errors}/${load.requests} (${load.throttled} of them 429), ${load.throughputRps} req/s.`,
    );
  }

  let comparison: Comparison | undefined;
  const live = liveDeployment(endpoint.traffic);
  if (options.compareLive && live && live !== target) {
    const liveClient = new ScoringClient({ ...scoring, deployment: live });
    let liveAnswers: Answered[];
    try {
      liveAnswers = await runCases(
        liveClient,
        options.cases.map((c) => ({ name: c.name, body: c.body })),
        options.tolerance,
        live,
      );
    } finally {
      await liveClient.close();
    }
    const disagreements = answered.flatMap(({ result, body }, i) => {
      const problems = compareJson(body, liveAnswers[i]?.body, options.tolerance);
      return problems.length > 0 ? [{ name: result.name, problems }] : [];
    });
    // The live slot serves users meanwhile: the comparison takes no more than its instances run at once.
    const liveDeploymentState = deployments.find((d) => d.name === live);
    const liveConcurrency = liveDeploymentState
      ? Math.min(concurrency, probeConcurrency(slotCapacity(liveDeploymentState)))
      : concurrency;
    const liveLoad = load
      ? await runLoad({ ...scoring, deployment: live }, bodies, options.load.requests, liveConcurrency)
      : undefined;
    comparison = {
      live,
      agreement: Math.round(((cases.length - disagreements.length) / cases.length) * 1000) / 1000,
      disagreements,
      liveLoad,
      latencyRatio:
        load && liveLoad && liveLoad.p50Ms > 0 ? Math.round((load.p50Ms / liveLoad.p50Ms) * 100) / 100 : undefined,
    };
    log(
      `Compared with live ${live}: ${Math.round(comparison.agreement * 100)} % of answers agree; p50 latency ratio ${comparison.latencyRatio ?? 'n/a'}.`,
    );
  } else if (options.compareLive) {
    log('No other deployment holds live traffic: nothing to compare with.');
  }

  const gates = evaluateGates(options.gates, load, comparison);
  // 429s fail the test through the error-rate gate; the reason says which setting lets the slot take the load.
  const throttled =
    load && load.throttled > 0 ? throttledReason(load.throttled, load.requests, concurrency, capacity) : undefined;
  const errorRateFailed = gates.some((g) => g.gate === ERROR_RATE_GATE && !g.passed);
  if (throttled && !errorRateFailed) warn(throttled);
  const unevaluatedGates = unevaluableGates(options.gates, {
    load: load !== undefined,
    compareLive: options.compareLive,
    comparison,
  });
  for (const { gate, why } of options.allowUnevaluatedGates ? unevaluatedGates : [])
    warn(`Gate '${gate}' was not evaluated (${why}); 'allow-unevaluated-gates' accepts that.`);
  const statusOnlyCases = options.cases.filter((c) => c.expected === undefined && !c.schema).map((c) => c.name);
  if (statusOnlyCases.length > 0) log(statusOnlyNote(statusOnlyCases));
  const casesPassed = cases.filter((c) => c.passed).length;
  const reasons = [
    ...cases.filter((c) => !c.passed).map((c) => `case ${c.name}: ${c.problems.join('; ')}`),
    ...gates
      .filter((g) => !g.passed)
      .map((g) =>
        g.unmeasured ? `${g.gate} cannot be measured: ${g.unmeasured}` : `${g.gate} is ${g.value}, limit ${g.limit}`,
      ),
    ...(throttled && errorRateFailed ? [throttled] : []),
    ...(options.allowUnevaluatedGates ? [] : unevaluatedGates).map(
      ({ gate, why }) =>
        `gate '${gate}' could not be evaluated: ${why}. Fix that, remove the gate, or set 'allow-unevaluated-gates: true'`,
    ),
  ];
  const testedAt = new Date().toISOString();
  const recorded = await recordTest(
    workspace,
    endpoint.name,
    identity,
    { passed: reasons.length === 0, testedAt, run: options.run },
    options.operation,
  );
  reasons.push(...recorded.problems);
  log(`Recorded on ${target}: test ${recorded.record.result}, ${identity.model ?? 'no model'}, ${identity.specHash}.`);
  const modelName = deployment.tags[`${TAG_PREFIX}model`];
  const modelVersion =
    deployment.tags[`${TAG_PREFIX}model-version`] ?? /\/versions\/([^/]+)$/.exec(deployment.model ?? '')?.[1];
  return {
    endpoint: endpoint.name,
    deployment: target,
    model: modelName && modelVersion ? { name: modelName, version: modelVersion, id: deployment.model } : undefined,
    environmentId: deployment.raw.properties.environmentId,
    passed: reasons.length === 0,
    casesPassed,
    casesTotal: cases.length,
    cases,
    load,
    admission: { ...capacity, concurrency },
    comparison,
    gates,
    unevaluatedGates,
    statusOnlyCases,
    reasons,
    testedAt,
    tested: recorded.record,
  };
}

/** The release manifest staging writes from a passed test: exactly what was tested, with the figures. */
export function releaseManifestFromTest(
  report: EndpointTestReport,
  context: RunContext,
  image?: { name: string; digest: string },
): ReleaseManifest {
  if (!report.model) {
    throw new UserError(
      `Deployment ${report.deployment} carries no model tags (${TAG_PREFIX}model, ${TAG_PREFIX}model-version): deploy it with aml-endpoint-deploy to write a release manifest.`,
    );
  }
  if (!context.repository || !context.commit)
    throw new UserError('GITHUB_REPOSITORY and GITHUB_SHA are needed for the release manifest.');
  return {
    schema: RELEASE_MANIFEST_SCHEMA,
    model: { name: report.model.name, version: report.model.version, ...(report.model.id && { id: report.model.id }) },
    ...(report.environmentId && { environment: { id: report.environmentId } }),
    ...(image && { image }),
    source: { repository: context.repository, commit: context.commit, ...(context.ref && { ref: context.ref }) },
    evidence: {
      endpoint: report.endpoint,
      deployment: report.deployment,
      passed: report.passed,
      casesPassed: report.casesPassed,
      casesTotal: report.casesTotal,
      ...(report.load && {
        requests: report.load.requests,
        p50Ms: report.load.p50Ms,
        p95Ms: report.load.p95Ms,
        p99Ms: report.load.p99Ms,
        errorRate: report.load.errorRate,
      }),
      specHash: report.tested.specHash,
      ...(report.tested.instanceType && { instanceType: report.tested.instanceType }),
      ...(report.tested.image && { environmentImage: report.tested.image }),
      testedAt: report.testedAt,
    },
    ...(context.runUrl && {
      run: {
        url: context.runUrl,
        ...(context.runId && { id: context.runId }),
        ...(context.runAttempt && { attempt: context.runAttempt }),
      },
    }),
    createdAt: new Date().toISOString(),
  };
}
