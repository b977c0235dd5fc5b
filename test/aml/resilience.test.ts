/**
 * Resilience beyond the fault matrix (test/faults): transient throttling ridden out, the evidence a failed deploy
 * leaves (both containers' logs), a swap's refusals and its idempotent re-run, and sign-in failures. The world:
 * green live (v1), blue deployed idle (v2), as a pipeline leaves it after its deploy step.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { leakedSecrets, type RunResult } from '../support/run-action.ts';
import { DEPLOY, ENDPOINT, expectedAnswer, startAmlWorld, writeCase, type AmlWorld } from '../support/aml.ts';

let world: AmlWorld;
const LIVE = { green: 100 };

beforeAll(async () => {
  world = await startAmlWorld();
  writeCase(world, 'two-rows', expectedAnswer('1'));
  for (const [inputs, action] of [
    [{ ...DEPLOY, model: 'fraud:1' }, 'aml-endpoint-deploy'],
    [{ deployment: 'green', cases: 'deploy/cases', 'load-requests': '0' }, 'aml-endpoint-test'],
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

describe('deploy', () => {
  // A failed deploy leaves blue Failed, as the service does; put v2 back for the next test.
  afterEach(async () => {
    world.emulator.faults.clear();
    const blue = await world.client.onlineDeployments.get('mlops-rg', 'mlops-ws', ENDPOINT, 'blue');
    if (blue.properties.provisioningState === 'Succeeded' && blue.properties.model?.endsWith('/fraud/versions/2'))
      return;
    const redeploy = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
    if (redeploy.exitCode !== 0) throw new Error(redeploy.log);
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

  it('waits for an endpoint busy with someone else’s update before it changes the deployment', async () => {
    // Someone else's endpoint update runs for 3 s; the service refuses deployment changes meanwhile.
    world.emulator.faults.operation({ endpoint: ENDPOINT }, { outcome: 'Slow', durationMs: 3000 });
    const current = await world.client.onlineEndpoints.get('mlops-rg', 'mlops-ws', ENDPOINT);
    await world.client.onlineEndpoints.beginCreateOrUpdate(
      'mlops-rg',
      'mlops-ws',
      ENDPOINT,
      {
        location: current.location,
        tags: current.tags,
        properties: { authMode: current.properties.authMode, traffic: current.properties.traffic },
      },
      { updateIntervalInMs: 100 },
    );
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
    if (result.exitCode !== 0) throw new Error(result.log);
    const traffic = world.emulator.traffic(ENDPOINT);
    expect(Object.entries(traffic).filter(([, percent]) => percent > 0)).toEqual([['green', 100]]);
  });

  it('a model whose init() fails: the traceback is shown', async () => {
    world.emulator.faults.model('fraud', '3', { initError: "ModuleNotFoundError: No module named 'sklearn'" });
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:3' });
    await expectFailedSafely(result, /failed/);
    expect(result.log).toContain("ModuleNotFoundError: No module named 'sklearn'");
    expect(result.summary).toContain("ModuleNotFoundError: No module named 'sklearn'");
  });
});

describe('swap', () => {
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

  it('cancelled while a traffic update runs in Azure: followed to its end, then put back within the runner’s grace', async () => {
    world.emulator.faults.operation({ endpoint: ENDPOINT }, { outcome: 'Slow', durationMs: 3000 });
    const result = await world.run(
      'aml-endpoint-swap',
      {
        deployment: 'blue',
        // About cancellation, not the test record.
        'require-tested': 'false',
        strategy: 'canary',
        'canary-steps': '10,100',
        'canary-wait': '30s',
        'probe-request-file': 'deploy/cases/two-rows.request.json',
      },
      { when: { pattern: /Promoting blue/, delayMs: 300, then: 'cancel' } },
    );
    await expectFailedSafely(
      result,
      /cancelled \(SIGINT\) during the promotion\. Traffic is back to \{"green":100,"blue":0\}/,
      {
        green: 100,
        blue: 0,
      },
    );
    // Done before the runner's SIGTERM (7.5 s after SIGINT), so nothing was cut short.
    expect(result.log).toContain('Received SIGINT');
    expect(result.log).not.toContain('Received SIGTERM');
  });

  it('cancelled while a long update runs in Azure: says so before the runner’s kill, and mode: rollback restores it later', async () => {
    world.emulator.faults.operation({ endpoint: ENDPOINT }, { outcome: 'Slow', durationMs: 9000 });
    const cancelled = await world.run(
      'aml-endpoint-swap',
      {
        deployment: 'blue',
        'require-tested': 'false',
        strategy: 'canary',
        'canary-steps': '10,100',
        'canary-wait': '0s',
      },
      { when: { pattern: /Promoting blue/, delayMs: 300, then: 'cancel' } },
    );
    expect(cancelled.exitCode).toBe(1);
    expect(cancelled.errors.join('\n')).toMatch(
      /cancelled \(SIGINT\)[\s\S]*still running in Azure[\s\S]*re-run with mode: rollback/,
    );
    expect(cancelled.log).not.toContain('Received SIGTERM');
    // What cd-production's rollback step (if: failure() || cancelled()) then does: it waits for the update, restores.
    const rollback = await world.run('aml-endpoint-swap', { mode: 'rollback' });
    if (rollback.exitCode !== 0) throw new Error(rollback.log);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100, blue: 0 });
  });

  it('reads that lag beyond read-back-timeout fail the step without undoing an update Azure reported done', async () => {
    world.emulator.faults.consistency(ENDPOINT, { readLagMs: 4000 });
    const result = await world.run('aml-endpoint-swap', {
      deployment: 'blue',
      'require-tested': 'false',
      'read-back-timeout': '1s',
    });
    await expectFailedSafely(result, /reads still show \{"green":100,"blue":0\}[\s\S]*nothing was rolled back/, {
      green: 0,
      blue: 100,
    });
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 100, blue: 0 } });
  });
});

describe('sign-in', () => {
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
