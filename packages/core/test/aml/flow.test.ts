/**
 * The deploy → test → swap functions of core, in process, against the emulator over real HTTPS with the real SDK:
 * the same flow the bundled actions run (test/aml), here with the library's own results inspected directly.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { azureLogin } from '../../src/azure/auth.ts';
import { createMlClient } from '../../src/azure/client.ts';
import { deployToIdleSlot, planDeploy, type DeployOptions } from '../../src/aml/deploy.ts';
import { testEndpoint } from '../../src/aml/endpoint-test.ts';
import { singleCase } from '../../src/aml/expectations.ts';
import { deploySummary, planSummary, swapFailureSummary, swapSummary, testSummary } from '../../src/aml/summaries.ts';
import { SwapFailedError, swapTrafficSafely, type SwapRequest } from '../../src/aml/swap.ts';
import { AmlWorkspace } from '../../src/aml/workspace.ts';
import { DEPLOY, ENDPOINT, expectedAnswer, startAmlWorld, type AmlWorld } from '../../../../test/support/aml.ts';

let world: AmlWorld;
let workspace: AmlWorkspace;
const lines: string[] = [];
const log = (line: string) => lines.push(line);
const operation = { timeoutMs: 30_000, pollIntervalMs: 50, log };

beforeAll(async () => {
  world = await startAmlWorld();
  const { credentials, urls } = world.emulator;
  const login = azureLogin({
    azureCredentials: JSON.stringify(credentials),
    armEndpoint: urls.arm,
    authorityHost: urls.authorityHost,
  });
  workspace = new AmlWorkspace(createMlClient(login, { maxRetries: 1, retryDelayMs: 50 }), credentials, {
    credential: login.credential,
  });
});

afterAll(async () => {
  await world?.close();
});

const deployOptions = (model: string): DeployOptions => ({
  connect: async () => workspace,
  endpointFile: join(world.repo, DEPLOY['endpoint-file']),
  deploymentFile: join(world.repo, DEPLOY['deployment-file']),
  slots: ['green', 'blue'],
  model,
  tags: { 'mlops-actions.commit': 'c'.repeat(40) },
  operation,
  log,
});

const swapRequest = (extra: Partial<SwapRequest> = {}): SwapRequest => ({
  connect: async () => workspace,
  endpoint: ENDPOINT,
  mode: 'promote',
  slots: ['green', 'blue'],
  strategy: 'swap',
  canarySteps: [100],
  canaryWaitMs: 0,
  cleanup: 'none',
  scaleDownTo: 1,
  requireTested: true,
  operation,
  readBack: { timeoutMs: 2000, intervalMs: 50 },
  log,
  warn: log,
  ...extra,
});

function cases(version: string) {
  const testCase = singleCase(join(world.repo, 'deploy', 'request.json'));
  return [{ ...testCase, expected: expectedAnswer(version) }];
}

describe('deploy → test → swap in process', () => {
  it('plans a new endpoint, then deploys v1 to green and reports it', async () => {
    const plan = await planDeploy(deployOptions('fraud:1'));
    expect(plan).toMatchObject({ endpointExists: false, candidate: 'green' });
    expect(planSummary(plan).markdown()).toContain('The endpoint does not exist');

    const result = await deployToIdleSlot(deployOptions('fraud:1'));
    expect(result).toMatchObject({
      endpoint: ENDPOINT,
      deployment: 'green',
      endpointCreated: true,
      deploymentExisted: false,
      liveDeployment: undefined,
      traffic: {},
      model: { name: 'fraud', version: '1' },
    });
    expect(deploySummary(result, 'https://github.com/o/r/actions/runs/1').markdown()).toContain(
      `Deployed fraud v1 to ${ENDPOINT}/green`,
    );
  });

  it('tests green with cases, load and gates, then promotes it', async () => {
    const report = await testEndpoint({
      connect: async () => workspace,
      endpoint: ENDPOINT,
      deployment: undefined,
      slots: ['green', 'blue'],
      cases: cases('1'),
      tolerance: { absolute: 0, relative: 0 },
      load: { requests: 30 },
      compareLive: true,
      gates: { maxErrorRate: 0, maxP99Ms: 5000 },
      requestTimeoutMs: 5000,
      operation,
      log,
      warn: log,
    });
    expect(report).toMatchObject({ deployment: 'green', passed: true, casesPassed: 1, comparison: undefined });
    expect(report.load).toMatchObject({ requests: 30, errors: 0, throttled: 0, errorRate: 0 });
    // Without a concurrency the load runs at what the slot admits: 2 × 1 request per instance × 1 instance.
    expect(report.admission).toMatchObject({ perInstance: 1, instances: 1, admitted: 2, concurrency: 2 });
    expect(report.gates.map((g) => [g.gate, g.passed])).toEqual([
      ['error rate', true],
      ['p99 ms', true],
    ]);
    expect(testSummary(report, '/tmp/report.json').markdown()).toContain('1/1 cases passed');

    const swap = await swapTrafficSafely(swapRequest({ deployment: 'green', expectedTraffic: {} }));
    expect(swap).toMatchObject({ liveDeployment: 'green', after: { green: 100 }, changed: true });
    expect(swapSummary(swap).markdown()).toContain('green is live');
  });

  it('a load beyond what the slot admits gets 429s, counted apart, and a failure that names the setting', async () => {
    // Requests that take 200 ms overlap: at concurrency 4, two of every four are beyond the two green admits.
    world.emulator.faults.model('fraud', '1', { latencyMs: 200 });
    const warnings: string[] = [];
    const report = await testEndpoint({
      connect: async () => workspace,
      endpoint: ENDPOINT,
      deployment: 'green',
      slots: ['green', 'blue'],
      cases: cases('1'),
      tolerance: { absolute: 0, relative: 0 },
      load: { requests: 8, concurrency: 4 },
      compareLive: false,
      gates: { maxErrorRate: 0 },
      requestTimeoutMs: 5000,
      operation,
      log,
      warn: (line) => warnings.push(line),
    }).finally(() => world.emulator.faults.clear());
    expect(warnings[0]).toBe(
      'load-concurrency 4 is more than deployment green admits 2 requests in flight (2 × request_settings.max_concurrent_requests_per_instance 1 × instance_count 1): Azure answers 429 to the excess. Lower load-concurrency to 2, or raise max_concurrent_requests_per_instance or instance_count.',
    );
    expect(report.passed).toBe(false);
    expect(report.load?.throttled).toBeGreaterThan(0);
    expect(report.load?.errors).toBe(report.load?.throttled);
    expect(report.load?.statuses['429']).toBe(report.load?.throttled);
    expect(report.reasons).toContainEqual(
      expect.stringMatching(
        /^\d+ of 8 requests were refused with HTTP 429 \(Too Many Requests\): the load ran 4 at once and deployment green admits 2 requests in flight .* raise request_settings\.max_concurrent_requests_per_instance or instance_count in the deployment file\.$/,
      ),
    );
    expect(testSummary(report, '/tmp/report.json').markdown()).toContain('of them 429');
  });

  it('deploys v2 to blue, compares it with live green, and canaries it in', async () => {
    const deployed = await deployToIdleSlot(deployOptions('fraud:2'));
    expect(deployed).toMatchObject({ deployment: 'blue', liveDeployment: 'green', traffic: { green: 100 } });

    const report = await testEndpoint({
      connect: async () => workspace,
      endpoint: ENDPOINT,
      deployment: 'blue',
      slots: ['green', 'blue'],
      cases: cases('2'),
      tolerance: { absolute: 0, relative: 0 },
      load: { requests: 20, concurrency: 2 },
      compareLive: true,
      gates: { maxErrorRate: 0, minAgreement: 0 },
      requestTimeoutMs: 5000,
      operation,
      log,
      warn: log,
    });
    expect(report.passed).toBe(true);
    expect(report.comparison).toMatchObject({ live: 'green', agreement: 0 });
    expect(report.comparison?.disagreements[0]?.problems[0]).toMatch(/^\$\[0\]: got 3\.375, expected 2\.375$/);

    const canary = await swapTrafficSafely(
      swapRequest({
        deployment: 'blue',
        expectedTraffic: deployed.traffic,
        strategy: 'canary',
        canarySteps: [20, 100],
        probe: { bodies: [cases('2')[0]!.body], requests: 5, concurrency: 1, maxErrorRate: 0, timeoutMs: 5000 },
        cleanup: 'scale-down',
      }),
    );
    expect(canary.steps.map((s) => s.traffic)).toEqual([
      { green: 80, blue: 20 },
      { green: 0, blue: 100 },
    ]);
    expect(canary.steps[0]?.probe).toMatchObject({ requests: 5, errors: 0 });
    expect(canary.cleanup).toBe('scaled green down to 1 instance(s)');
  });

  it('a failing canary is rolled back and reported', async () => {
    await deployToIdleSlot(deployOptions('fraud:3'));
    world.emulator.faults.model('fraud', '3', { scoreError: 'boom' });
    const error = await swapTrafficSafely(
      swapRequest({
        deployment: 'green',
        // Untested on purpose: this is about the canary's own rollback.
        requireTested: false,
        strategy: 'canary',
        canarySteps: [50, 100],
        probe: { bodies: [cases('3')[0]!.body], requests: 3, concurrency: 1, maxErrorRate: 0, timeoutMs: 5000 },
      }),
    ).catch((e: unknown) => e);
    world.emulator.faults.clear();
    expect(error).toBeInstanceOf(SwapFailedError);
    expect(error).toMatchObject({ rolledBack: true, traffic: { green: 0, blue: 100 } });
    expect(swapFailureSummary(error as SwapFailedError, ENDPOINT).markdown()).toContain('failed and was rolled back');
  });

  it('rollback mode refuses a previous slot that no longer holds what was live, naming both versions', async () => {
    await expect(swapTrafficSafely(swapRequest({ mode: 'rollback' }))).rejects.toThrow(
      'green no longer holds what was live before the last promotion: model fraud version 1 then, model fraud version 3 now',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 0, blue: 100 });
  });

  it('rollback mode restores the split before the last promotion, then has nothing to do', async () => {
    const rolled = await swapTrafficSafely(swapRequest({ mode: 'rollback', requireTested: false }));
    expect(rolled.after).toEqual({ green: 100 });
    const again = await swapTrafficSafely(swapRequest({ mode: 'rollback' }));
    expect(again.changed).toBe(false);
    expect(lines.at(-1)).toMatch(/^Nothing to roll back on endpoint/);
  });
});
