/**
 * Every fault ends with live traffic exactly as it was, a non-zero exit, the service's own code in the message, and
 * no secret in what the runner shows. The world: green live (v1), blue deployed idle (v2), as a pipeline leaves it
 * after its deploy step.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { leakedSecrets, type RunResult } from '../support/run-action.ts';
import { DEPLOY, ENDPOINT, expectedAnswer, startAmlWorld, writeCase, type AmlWorld } from '../support/aml.ts';

let world: AmlWorld;
const LIVE = { green: 100 };

beforeAll(async () => {
  world = await startAmlWorld();
  for (const [inputs, action] of [
    [{ ...DEPLOY, model: 'fraud:1' }, 'aml-endpoint-deploy'],
    [{ deployment: 'green' }, 'aml-endpoint-swap'],
    [{ ...DEPLOY, model: 'fraud:2' }, 'aml-endpoint-deploy'],
  ] as const) {
    const result = await world.run(action, inputs);
    if (result.exitCode !== 0) throw new Error(result.log);
  }
  writeCase(world, 'two-rows', expectedAnswer('2'));
});

afterEach(() => world.emulator.faults.clear());

afterAll(async () => {
  await world?.close();
});

/** The checks every fault shares. */
async function expectFailedSafely(result: RunResult, code: RegExp, traffic: Record<string, number> = LIVE) {
  expect(result.exitCode).toBe(1);
  expect(result.errors.join('\n')).toMatch(code);
  expect(world.emulator.traffic(ENDPOINT)).toEqual(traffic);
  expect(leakedSecrets(result, await world.secrets())).toEqual([]);
}

describe('deploy faults', () => {
  // A failed deploy leaves blue Failed, as the service does; put v2 back for the next test.
  afterEach(async () => {
    world.emulator.faults.clear();
    const blue = await world.client.onlineDeployments.get('mlops-rg', 'mlops-ws', ENDPOINT, 'blue');
    if (blue.properties.provisioningState === 'Succeeded' && blue.properties.model?.endsWith('/fraud/versions/2'))
      return;
    const redeploy = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
    if (redeploy.exitCode !== 0) throw new Error(redeploy.log);
  });

  it('429 on every attempt: fails after the retries with the service code', async () => {
    world.emulator.faults.http({
      kind: 'onlineDeployments.createOrUpdate',
      status: 429,
      retryAfterSeconds: 1,
      times: Infinity,
    });
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2', 'max-retries': '1' });
    await expectFailedSafely(result, /\(HTTP 429\)/);
    const attempts = world.emulator
      .requests()
      .filter((r) => r.kind === 'onlineDeployments.createOrUpdate' && r.status === 429);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('two 429s with Retry-After are ridden out', async () => {
    world.emulator.faults.http({
      kind: 'onlineDeployments.createOrUpdate',
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['deployment']).toBe('blue');
  });

  it('an operation that ends Failed: the code, and both containers’ logs in the log and the summary', async () => {
    world.emulator.faults.operation(
      { endpoint: ENDPOINT, deployment: 'blue' },
      { outcome: 'Failed', code: 'ImageBuildFailure', message: 'conda env failed to build' },
    );
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
    await expectFailedSafely(result, /ImageBuildFailure: conda env failed to build/);
    expect(result.log).toContain('::group::storage-initializer log');
    expect(result.log).toContain('::group::inference-server log');
    expect(result.summary).toContain(`Deployment ${ENDPOINT}/blue failed`);
    expect(result.summary).toContain('Live traffic: green 100 % (unchanged)');
  });

  it('a model whose init() fails: the traceback is shown', async () => {
    world.emulator.faults.model('fraud', '3', { initError: "ModuleNotFoundError: No module named 'sklearn'" });
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:3' });
    await expectFailedSafely(result, /failed/);
    expect(result.log).toContain("ModuleNotFoundError: No module named 'sklearn'");
    expect(result.summary).toContain("ModuleNotFoundError: No module named 'sklearn'");
  });

  it('quota: the service’s OutOfQuota reaches the user', async () => {
    writeFileSync(
      join(world.repo, 'deploy', 'big-deployment.yml'),
      'name: blue\nmodel: azureml:fraud:2\nenvironment: azureml:scoring-env:1\ninstance_type: Standard_DS3_v2\ninstance_count: 500\n',
    );
    const result = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      'deployment-file': 'deploy/big-deployment.yml',
    });
    await expectFailedSafely(result, /OutOfQuota/);
  });

  it('500 on reading the workspace: fails before anything changes', async () => {
    world.emulator.faults.http({ kind: 'workspaces.get', status: 500, times: Infinity });
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2', 'max-retries': '1' });
    await expectFailedSafely(result, /\(HTTP 500\)/);
  });
});

describe('test faults', () => {
  it('a model that answers wrong fails the test, with the difference', async () => {
    world.emulator.faults.model('fraud', '2', { answerOffset: 0.5 });
    const result = await world.run('aml-endpoint-test', {
      deployment: 'blue',
      cases: 'deploy/cases',
      'load-requests': '0',
    });
    await expectFailedSafely(
      result,
      /case two-rows: \$\[0\]: got 3\.875, expected 3\.375; \$\[1\]: got 6\.5, expected 6/,
    );
    expect(result.outputs['passed']).toBe('false');
  });

  it('a model that errors fails the test and the load gate', async () => {
    world.emulator.faults.model('fraud', '2', { scoreError: 'ValueError: bad input' });
    const result = await world.run('aml-endpoint-test', {
      deployment: 'blue',
      cases: 'deploy/cases',
      'load-requests': '10',
    });
    await expectFailedSafely(result, /HTTP 424/);
    expect(result.log).toContain('error rate is 1, limit 0');
  });

  it('a slow model fails the latency gate', async () => {
    world.emulator.faults.model('fraud', '2', { latencyMs: 60 });
    const result = await world.run('aml-endpoint-test', {
      deployment: 'blue',
      cases: 'deploy/cases',
      'load-requests': '8',
      'max-p95-ms': '40',
    });
    await expectFailedSafely(result, /p95 ms is \d+(\.\d+)?, limit 40/);
  });
});

describe('swap faults', () => {
  it('refuses when someone else changed traffic since the deploy, and changes nothing', async () => {
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 90, blue: 10 } });
    const result = await world.run('aml-endpoint-swap', { deployment: 'blue', 'expected-traffic': '{"green":100}' });
    await expectFailedSafely(result, /live traffic changed since the pipeline started/, { green: 90, blue: 10 });
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 100, blue: 0 } });
  });

  it('refuses a slot that is not idle (a canary left half-way by someone else)', async () => {
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 70, blue: 30 } });
    const result = await world.run('aml-endpoint-swap', { deployment: 'blue' });
    await expectFailedSafely(result, /deployment blue is not idle: it already has 30 % of the traffic/, {
      green: 70,
      blue: 30,
    });
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 100, blue: 0 } });
  });

  it('a slot that is already live is nothing to do (a re-run after success)', async () => {
    const result = await world.run('aml-endpoint-swap', { deployment: 'green', 'expected-traffic': '{"green":100}' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(
      'Nothing to do on endpoint fraud-scorer: deployment green already has 100 % of the traffic.',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100, blue: 0 });
  });

  it('500 on the traffic update: fails, traffic as before', async () => {
    world.emulator.faults.http({ kind: 'onlineEndpoints.createOrUpdate', status: 500, times: Infinity });
    const result = await world.run('aml-endpoint-swap', { deployment: 'blue', 'max-retries': '1' });
    await expectFailedSafely(result, /\(HTTP 500\)/, { green: 100, blue: 0 });
  });

  it('a traffic update that ends Failed: rolled back', async () => {
    world.emulator.faults.operation(
      { endpoint: ENDPOINT },
      { outcome: 'Failed', code: 'ResourceNotReady', message: 'endpoint is busy' },
    );
    const result = await world.run('aml-endpoint-swap', { deployment: 'blue' });
    await expectFailedSafely(result, /ResourceNotReady/, { green: 100, blue: 0 });
  });

  it('a canary whose health probe fails is rolled back to the previous split', async () => {
    world.emulator.faults.model('fraud', '2', { scoreError: 'RuntimeError: CUDA out of memory' });
    const result = await world.run('aml-endpoint-swap', {
      deployment: 'blue',
      strategy: 'canary',
      'canary-steps': '10,50,100',
      'canary-wait': '0s',
      'probe-request-file': 'deploy/request.json',
      'probe-requests': '5',
    });
    await expectFailedSafely(result, /failed its health probe: error rate 1 above 0/, { green: 100, blue: 0 });
    expect(result.log).toContain('Traffic is now {"green":90,"blue":10}');
    expect(result.summary).toContain('failed and was rolled back');
  });
});

describe('sign-in faults', () => {
  it('a wrong client secret: Entra’s error, never the secret', async () => {
    const { credentials } = world.emulator;
    const wrong = JSON.stringify({
      clientId: credentials.clientId,
      clientSecret: 'not-the-secret-123',
      tenantId: credentials.tenantId,
      subscriptionId: credentials.subscriptionId,
    });
    const result = await world.run('aml-endpoint-swap', {
      deployment: 'blue',
      'client-id': '',
      'tenant-id': '',
      'azure-credentials': wrong,
    });
    await expectFailedSafely(result, /AADSTS7000215: Invalid client secret provided/, { green: 100, blue: 0 });
    expect(leakedSecrets(result, ['not-the-secret-123'])).toEqual([]);
  });

  it('the azure-credentials secret works and stays masked', async () => {
    const { credentials } = world.emulator;
    const secret = JSON.stringify({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      tenantId: credentials.tenantId,
      subscriptionId: credentials.subscriptionId,
    });
    const result = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      model: 'fraud:2',
      mode: 'plan',
      'client-id': '',
      'tenant-id': '',
      'azure-credentials': secret,
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('with the azure-credentials secret');
    expect(leakedSecrets(result, [credentials.clientSecret])).toEqual([]);
  });
});

// Last: the deployment it leaves Updating for ever would stop the tests after it.
describe('an operation that never ends', () => {
  it('stops at the timeout and says so', async () => {
    world.emulator.faults.operation({ endpoint: ENDPOINT, deployment: 'blue' }, { outcome: 'NeverEnds' });
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2', timeout: '2s' });
    await expectFailedSafely(result, /did not finish within 2s \(last state: Updating\)/, { green: 100, blue: 0 });
  });
});
