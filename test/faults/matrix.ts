/**
 * The fault matrix: every fault the service or the world can throw at a pipeline, in every phase (deploy, test,
 * swap). Each cell says how to cause the fault, how to run the phase, and what must come out: the exit, the live
 * traffic afterwards (exactly as before, or rolled back to it), and the service's own code in the message.
 * matrix.test.ts runs the cells; `npm run report:faults` prints them as a table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY, ENDPOINT, type AmlWorld } from '../support/aml.ts';
import type { RunResult } from '../support/run-action.ts';

export const PHASES = ['deploy', 'test', 'swap'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Live traffic of the baseline: green (v1) live, blue (v2) deployed, idle and tested, as a pipeline leaves it before
 * its swap.
 */
export const BASELINE = { green: 100, blue: 0 };

export interface Cell {
  fault: string;
  phase: Phase;
  /** Cells that leave the workspace unusable (an operation that never ends) get a world of their own. */
  isolated?: boolean;
  run(world: AmlWorld): Promise<RunResult>;
  /** `fail`: exit 1; `killed`: the process was killed; `ok`: exit 0 (the fault is absorbed). */
  exit: 'fail' | 'killed' | 'ok';
  /** In the `::error` annotations. */
  message?: RegExp;
  /** Live traffic afterwards; the baseline when not given. */
  traffic?: Record<string, number>;
  /** What happens after the faulty run, e.g. the rollback that restores a killed canary; its result must succeed. */
  recover?: (world: AmlWorld) => Promise<RunResult>;
}

export interface NotApplicable {
  fault: string;
  phase: Phase;
  why: string;
}

const test = (world: AmlWorld, extra: Record<string, string> = {}) =>
  world.run('aml-endpoint-test', { deployment: 'blue', cases: 'deploy/cases', 'load-requests': '10', ...extra });
const deploy = (world: AmlWorld, extra: Record<string, string> = {}) =>
  world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2', ...extra });
const swap = (world: AmlWorld, extra: Record<string, string> = {}) =>
  world.run('aml-endpoint-swap', { deployment: 'blue', 'expected-traffic': JSON.stringify(BASELINE), ...extra });
/** The world's DSv2 cores (matrix.test.ts), so that a 10-instance blue cannot fit beside green. */
export const DSV2_CORES = 48;
function bigDeployment(world: AmlWorld): string {
  writeFileSync(
    join(world.repo, 'deploy', 'big-deployment.yml'),
    'name: blue\nmodel: azureml:fraud:2\nenvironment: azureml:scoring-env:1\ninstance_type: Standard_DS3_v2\ninstance_count: 10\n',
  );
  return 'deploy/big-deployment.yml';
}

/**
 * Someone with workspace access changes a slot's model the way `az ml online-deployment update` does: the resource
 * read, the model replaced, everything else (tags included, so the test's record stays) sent back.
 */
export async function changeSlotModel(world: AmlWorld, slot: string, version: string): Promise<void> {
  const { resourceGroup: rg, workspace: ws } = world.emulator.credentials;
  const current = await world.client.onlineDeployments.get(rg, ws, ENDPOINT, slot);
  const model = current.properties.model?.replace(/\/versions\/[^/]+$/, `/versions/${version}`);
  const { provisioningState: _state, ...properties } = current.properties;
  await world.client.onlineDeployments.beginCreateOrUpdateAndWait(
    rg,
    ws,
    ENDPOINT,
    slot,
    { location: current.location, tags: current.tags, sku: current.sku, properties: { ...properties, model } },
    { updateIntervalInMs: 50 },
  );
}

const canary = {
  strategy: 'canary',
  'canary-steps': '10,50,100',
  'canary-wait': '0s',
  'probe-request-file': 'deploy/request.json',
  'probe-requests': '5',
};

export const CELLS: Cell[] = [
  // Throttling: retried after the service's Retry-After, then the service's status.
  {
    fault: '429 with Retry-After',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.http({
        kind: 'onlineDeployments.createOrUpdate',
        status: 429,
        retryAfterSeconds: 1,
        times: Infinity,
      }),
      deploy(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 429\)/,
  },
  {
    fault: '429 with Retry-After',
    phase: 'test',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.listKeys', status: 429, retryAfterSeconds: 1, times: Infinity }),
      test(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 429\)/,
  },
  {
    fault: '429 with Retry-After',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.http({
        kind: 'onlineEndpoints.createOrUpdate',
        status: 429,
        retryAfterSeconds: 1,
        times: Infinity,
      }),
      swap(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 429\)/,
  },
  // Server errors.
  {
    fault: '500',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.http({ kind: 'workspaces.get', status: 500, times: Infinity }),
      deploy(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 500\)/,
  },
  {
    fault: '500',
    phase: 'test',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.get', status: 500, times: Infinity }),
      test(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 500\)/,
  },
  {
    fault: '500',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.createOrUpdate', status: 500, times: Infinity }),
      swap(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 500\)/,
  },
  {
    fault: '503',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineDeployments.list', status: 503, times: Infinity }),
      deploy(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 503\)/,
  },
  {
    fault: '503',
    phase: 'test',
    run: (w) => (w.emulator.faults.http({ kind: 'score', status: 503, times: Infinity }), test(w)),
    exit: 'fail',
    message: /HTTP 503/,
  },
  {
    fault: '503',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.get', status: 503, times: Infinity }),
      swap(w, { 'max-retries': '1' })
    ),
    exit: 'fail',
    message: /\(HTTP 503\)/,
  },
  // Long operations that end badly.
  {
    fault: 'operation Failed',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.operation(
        { endpoint: ENDPOINT, deployment: 'blue' },
        { outcome: 'Failed', code: 'ImageBuildFailure', message: 'conda env failed to build' },
      ),
      deploy(w)
    ),
    exit: 'fail',
    message: /ImageBuildFailure: conda env failed to build/,
  },
  {
    fault: 'operation Failed',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.operation(
        { endpoint: ENDPOINT },
        { outcome: 'Failed', code: 'ResourceNotReady', message: 'endpoint is busy' },
      ),
      swap(w)
    ),
    exit: 'fail',
    message: /ResourceNotReady/,
  },
  {
    fault: 'operation Canceled',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.operation(
        { endpoint: ENDPOINT, deployment: 'blue' },
        { outcome: 'Failed', code: 'OperationCanceled', message: 'canceled by a newer request' },
      ),
      deploy(w)
    ),
    exit: 'fail',
    message: /[Cc]ancel/,
  },
  {
    fault: 'operation Canceled',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.operation(
        { endpoint: ENDPOINT },
        { outcome: 'Failed', code: 'OperationCanceled', message: 'canceled by a newer request' },
      ),
      swap(w)
    ),
    exit: 'fail',
    message: /[Cc]ancel/,
  },
  {
    fault: 'operation never ends',
    phase: 'deploy',
    isolated: true,
    run: (w) => (
      w.emulator.faults.operation({ endpoint: ENDPOINT, deployment: 'blue' }, { outcome: 'NeverEnds' }),
      deploy(w, { timeout: '2s' })
    ),
    exit: 'fail',
    message: /did not finish within 2s \(last state: Updating\)/,
  },
  {
    fault: 'operation never ends',
    phase: 'swap',
    isolated: true,
    run: (w) => (
      w.emulator.faults.operation({ endpoint: ENDPOINT }, { outcome: 'NeverEnds' }),
      swap(w, { timeout: '2s' })
    ),
    exit: 'fail',
    message: /did not finish within 2s/,
  },
  // Quota (the world has 48 DSv2 cores; green and blue hold 8 each): 10 instances reserve 12 × 4 = 48 cores.
  {
    fault: 'OutOfQuota',
    phase: 'deploy',
    run: (w) => deploy(w, { 'deployment-file': bigDeployment(w) }),
    exit: 'fail',
    // Refused by the deploy's own check, before any change.
    message:
      /Deployment blue needs 48 cores of VM family standardDSv2Family in eastus \(Standard_DS3_v2: 4 cores × 12 instances: the 10 requested and the 20 % Azure reserves for upgrades\), but only 40 are free \(limit 48, 16 in use, of which 8 held by blue itself/,
  },
  {
    fault: 'the nested quota error',
    phase: 'deploy',
    // The identity cannot read the subscription's usages: the service refuses, its reason nested in details.
    run: (w) => (
      w.emulator.faults.http({ kind: 'usages.list', status: 403, times: Infinity }),
      deploy(w, { 'deployment-file': bigDeployment(w) })
    ),
    exit: 'fail',
    message:
      /BadRequest: The request is invalid\.\n {2}↳ InferencingClientCreateDeploymentFailed: InferencingClient HttpRequest error\n {4}↳ VmSize: Not enough quota available for Standard_DS3_v2 in SubscriptionId [-0-9a-f]+\. Current usage\/limit: 16\/48\. Additional needed: 40 /,
  },
  // Broken models.
  {
    fault: 'model error',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.model('fraud', '3', { initError: "ModuleNotFoundError: No module named 'sklearn'" }),
      deploy(w, { model: 'fraud:3' })
    ),
    exit: 'fail',
    message: /init\(\) failed \(ModuleNotFoundError: No module named 'sklearn'\)/,
  },
  {
    fault: 'model error',
    phase: 'test',
    run: (w) => (w.emulator.faults.model('fraud', '2', { scoreError: 'ValueError: bad input' }), test(w)),
    exit: 'fail',
    message: /HTTP 424/,
  },
  {
    fault: 'model error',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.model('fraud', '2', { scoreError: 'RuntimeError: CUDA out of memory' }),
      swap(w, canary)
    ),
    exit: 'fail',
    message: /failed its health probe: error rate 1 above 0/,
  },
  {
    fault: 'wrong answers',
    phase: 'test',
    run: (w) => (w.emulator.faults.model('fraud', '2', { answerOffset: 0.5 }), test(w, { 'load-requests': '0' })),
    exit: 'fail',
    message: /case two-rows: \$\[0\]: got 3\.875, expected 3\.375/,
  },
  {
    fault: 'slow answers',
    phase: 'test',
    run: (w) => (
      w.emulator.faults.model('fraud', '2', { latencyMs: 60 }),
      test(w, { 'load-requests': '8', 'max-p95-ms': '40' })
    ),
    exit: 'fail',
    message: /p95 ms is \d+(\.\d+)?, limit 40/,
  },
  {
    fault: 'slow answers',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.model('fraud', '2', { latencyMs: 60 }),
      swap(w, { ...canary, 'probe-max-p95-ms': '40' })
    ),
    exit: 'fail',
    message: /failed its health probe: p95 \d+(\.\d+)? ms above 40 ms/,
  },
  // Scoring admission: Azure answers 429 beyond 2 × max_concurrent_requests_per_instance × instances in flight.
  {
    fault: 'scoring 429',
    phase: 'test',
    // Answers that take 200 ms overlap: four at once are two more than blue (1 request per instance, 1 instance) admits.
    run: (w) => (
      w.emulator.faults.model('fraud', '2', { latencyMs: 200 }),
      test(w, { 'load-requests': '8', 'load-concurrency': '4' })
    ),
    exit: 'fail',
    message:
      /refused with HTTP 429 \(Too Many Requests\): the load ran 4 at once and deployment blue admits 2 requests in flight .*raise request_settings\.max_concurrent_requests_per_instance or instance_count/,
  },
  {
    fault: 'scoring 429',
    phase: 'swap',
    // The slot is busy with others' requests (the probe alone stays within what it admits): the canary rolls back.
    run: (w) => (w.emulator.faults.http({ kind: 'score', status: 429, times: Infinity }), swap(w, canary)),
    exit: 'fail',
    message:
      /failed its health probe: error rate 1 above 0 .*5 of 5 requests were refused with HTTP 429 \(Too Many Requests\) although the load ran 1 at once/,
  },
  // Someone else changes the endpoint.
  {
    fault: 'traffic changed by someone else',
    phase: 'deploy',
    // The deploy never sets traffic: someone's change during it stands.
    run: (w) =>
      w.run(
        'aml-endpoint-deploy',
        { ...DEPLOY, model: 'fraud:1' },
        {
          when: {
            pattern: /deploying to blue/,
            then: () => w.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 90, blue: 10 } }),
          },
        },
      ),
    exit: 'ok',
    traffic: { green: 90, blue: 10 },
  },
  {
    fault: 'traffic changed by someone else',
    phase: 'test',
    // Tests carry the routing header: someone's split does not change what is tested.
    run: (w) => (w.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 0, blue: 100 } }), test(w)),
    exit: 'ok',
    traffic: { green: 0, blue: 100 },
  },
  {
    fault: 'traffic changed by someone else',
    phase: 'swap',
    run: (w) => (w.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 90, blue: 10 } }), swap(w)),
    exit: 'fail',
    message: /live traffic changed since the pipeline started/,
    traffic: { green: 90, blue: 10 },
  },
  {
    fault: 'canary health failure',
    phase: 'swap',
    run: (w) => (w.emulator.faults.model('fraud', '2', { scoreError: 'RuntimeError: worker died' }), swap(w, canary)),
    exit: 'fail',
    message: /Canary step \{"green":90,"blue":10\} failed its health probe/,
  },
  // Someone changes the tested slot's model (workspace access, or a second run) before it is promoted.
  {
    fault: 'slot changed after test',
    phase: 'deploy',
    // The deploy puts the spec in git back on the idle slot; the PUT replaces the stale test record with none.
    run: async (w) => (await changeSlotModel(w, 'blue', '3'), deploy(w)),
    exit: 'ok',
  },
  {
    fault: 'slot changed after test',
    phase: 'test',
    run: (w) =>
      w.run(
        'aml-endpoint-test',
        { deployment: 'blue', cases: 'deploy/cases', 'load-requests': '600' },
        { when: { pattern: /Load: 600 requests/, then: () => void changeSlotModel(w, 'blue', '3') } },
      ),
    exit: 'fail',
    message: /deployment blue changed while it was tested: model fraud:2 then, fraud:3 now/,
  },
  {
    fault: 'slot changed after test',
    phase: 'swap',
    run: async (w) => (await changeSlotModel(w, 'blue', '3'), swap(w)),
    exit: 'fail',
    message: /deployment blue changed after its test: model fraud:2 then, fraud:3 now/,
  },
  // Azure's locks and lags: the endpoint refuses changes for a while after its operation said Succeeded; reads show
  // the old split for a while after a traffic update.
  {
    fault: 'the endpoint lock',
    phase: 'deploy',
    // The endpoint file changes a tag: the deploy updates the endpoint, which then refuses the deployment for 3 s.
    run: (w) => {
      writeFileSync(
        join(w.repo, 'deploy', 'endpoint-retagged.yml'),
        `name: ${ENDPOINT}\nauth_mode: key\ntags:\n  team: fraud\n`,
      );
      w.emulator.faults.consistency(ENDPOINT, { lockMs: 3000 });
      return deploy(w, { 'endpoint-file': 'deploy/endpoint-retagged.yml' });
    },
    exit: 'ok',
  },
  {
    fault: 'the endpoint lock',
    phase: 'swap',
    // The first canary step's update leaves the endpoint locked: the next step is refused, then sent again.
    run: (w) => (w.emulator.faults.consistency(ENDPOINT, { lockMs: 3000 }), swap(w, canary)),
    exit: 'ok',
    traffic: { green: 0, blue: 100 },
  },
  {
    fault: 'read-after-write lag',
    phase: 'swap',
    // Reads show the old split for 3 s after the update succeeded: the swap reads back until they agree, and keeps it.
    run: (w) => (w.emulator.faults.consistency(ENDPOINT, { readLagMs: 3000 }), swap(w)),
    exit: 'ok',
    traffic: { green: 0, blue: 100 },
  },
  // Requests that hang: dropped after arm-request-timeout and sent again (max-retries).
  {
    fault: 'hung request',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.get', hang: true }),
      deploy(w, { 'arm-request-timeout': '1s' })
    ),
    exit: 'ok',
  },
  {
    fault: 'hung request',
    phase: 'test',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.get', hang: true }),
      test(w, { 'arm-request-timeout': '1s' })
    ),
    exit: 'ok',
  },
  {
    fault: 'hung request',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.http({ kind: 'onlineEndpoints.createOrUpdate', hang: true }),
      swap(w, { 'arm-request-timeout': '1s' })
    ),
    exit: 'ok',
    traffic: { green: 0, blue: 100 },
  },
  // An update that times out and completes afterwards: followed to its end, then undone, then the step fails.
  {
    fault: 'timed-out update completes later',
    phase: 'deploy',
    run: (w) => (
      w.emulator.faults.operation({ endpoint: ENDPOINT, deployment: 'blue' }, { outcome: 'Slow', durationMs: 3000 }),
      deploy(w, { timeout: '1s' })
    ),
    exit: 'fail',
    message: /did not finish within 1s/,
  },
  {
    fault: 'timed-out update completes later',
    phase: 'swap',
    run: (w) => (
      w.emulator.faults.operation({ endpoint: ENDPOINT }, { outcome: 'Slow', durationMs: 3000 }),
      swap(w, { timeout: '2s' })
    ),
    exit: 'fail',
    message: /did not finish within 2s[\s\S]*Traffic is back to \{"green":100,"blue":0\}/,
  },
  // The runner cancels the step (a cancelled run, timeout-minutes): SIGINT, then SIGTERM, then SIGKILL.
  {
    fault: 'cancelled mid-canary',
    phase: 'deploy',
    run: (w) =>
      w.run(
        'aml-endpoint-deploy',
        { ...DEPLOY, model: 'fraud:3' },
        { when: { pattern: /deploying to blue/, delayMs: 100, then: 'cancel' } },
      ),
    exit: 'killed',
  },
  {
    fault: 'cancelled mid-canary',
    phase: 'test',
    run: (w) =>
      w.run(
        'aml-endpoint-test',
        { deployment: 'blue', cases: 'deploy/cases', 'load-requests': '2000' },
        { when: { pattern: /Load: 2000 requests/, delayMs: 50, then: 'cancel' } },
      ),
    exit: 'killed',
  },
  {
    fault: 'cancelled mid-canary',
    phase: 'swap',
    // Cancelled during the wait after the first step: the recorded split is back before the runner's SIGTERM.
    run: (w) =>
      w.run(
        'aml-endpoint-swap',
        { deployment: 'blue', 'expected-traffic': JSON.stringify(BASELINE), ...canary, 'canary-wait': '30s' },
        { when: { pattern: /Traffic is now \{"green":90,"blue":10\}/, delayMs: 50, then: 'cancel' } },
      ),
    exit: 'fail',
    message: /cancelled \(SIGINT\)[\s\S]*Traffic is back to \{"green":100,"blue":0\}/,
  },
  {
    fault: 'traffic changed by someone else mid-canary',
    phase: 'swap',
    // An operator moves traffic during a canary step: the swap stops and leaves their split.
    run: (w) =>
      w.run(
        'aml-endpoint-swap',
        { deployment: 'blue', 'expected-traffic': JSON.stringify(BASELINE), ...canary, 'canary-wait': '3s' },
        {
          when: {
            pattern: /Traffic is now \{"green":90,"blue":10\}/,
            then: () => w.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 70, blue: 30 } }),
          },
        },
      ),
    exit: 'fail',
    message: /changed by someone else during the promotion[\s\S]*left as it is/,
    traffic: { green: 70, blue: 30 },
  },
  // The runner dies (a cancelled job, a lost machine).
  {
    fault: 'process killed mid-operation',
    phase: 'deploy',
    run: (w) =>
      w.run(
        'aml-endpoint-deploy',
        { ...DEPLOY, model: 'fraud:3' },
        { when: { pattern: /deploying to blue/, delayMs: 100, then: 'kill' } },
      ),
    exit: 'killed',
  },
  {
    fault: 'process killed mid-operation',
    phase: 'test',
    run: (w) =>
      w.run(
        'aml-endpoint-test',
        { deployment: 'blue', cases: 'deploy/cases', 'load-requests': '2000' },
        { when: { pattern: /Load: 2000 requests/, delayMs: 50, then: 'kill' } },
      ),
    exit: 'killed',
  },
  {
    fault: 'process killed mid-operation',
    phase: 'swap',
    run: (w) =>
      w.run(
        'aml-endpoint-swap',
        { deployment: 'blue', ...canary, 'canary-wait': '30s' },
        { when: { pattern: /Traffic is now \{"green":90,"blue":10\}/, delayMs: 50, then: 'kill' } },
      ),
    exit: 'killed',
    traffic: { green: 90, blue: 10 },
    recover: (w) => w.run('aml-endpoint-swap', { mode: 'rollback' }),
  },
];

export const NOT_APPLICABLE: NotApplicable[] = [
  { fault: 'operation Failed', phase: 'test', why: 'the test starts no long operation' },
  { fault: 'operation Canceled', phase: 'test', why: 'the test starts no long operation' },
  { fault: 'operation never ends', phase: 'test', why: 'the test starts no long operation' },
  { fault: 'OutOfQuota', phase: 'test', why: 'the test allocates nothing' },
  { fault: 'OutOfQuota', phase: 'swap', why: 'moving traffic allocates nothing' },
  { fault: 'the nested quota error', phase: 'test', why: 'the test allocates nothing' },
  {
    fault: 'the nested quota error',
    phase: 'swap',
    why: 'moving traffic allocates nothing; its own errors show their details the same way',
  },
  { fault: 'wrong answers', phase: 'deploy', why: 'the deploy does not score; the test catches it' },
  { fault: 'wrong answers', phase: 'swap', why: 'the probe checks health, not answers; the test before it does' },
  { fault: 'slow answers', phase: 'deploy', why: 'the deploy does not score' },
  { fault: 'scoring 429', phase: 'deploy', why: 'the deploy does not score' },
  { fault: 'canary health failure', phase: 'deploy', why: 'canaries are a swap strategy' },
  { fault: 'canary health failure', phase: 'test', why: 'canaries are a swap strategy' },
  { fault: 'the endpoint lock', phase: 'test', why: 'the test changes nothing in Azure' },
  { fault: 'read-after-write lag', phase: 'deploy', why: 'the deploy never changes traffic' },
  { fault: 'read-after-write lag', phase: 'test', why: 'the test changes nothing in Azure' },
  { fault: 'timed-out update completes later', phase: 'test', why: 'the test starts no long operation' },
  { fault: 'traffic changed by someone else mid-canary', phase: 'deploy', why: 'canaries are a swap strategy' },
  { fault: 'traffic changed by someone else mid-canary', phase: 'test', why: 'canaries are a swap strategy' },
];

export const FAULTS = [...new Set([...CELLS, ...NOT_APPLICABLE].map((c) => c.fault))];

export const cellName = (cell: { fault: string; phase: Phase }) => `${cell.phase} × ${cell.fault}`;
