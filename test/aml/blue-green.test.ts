/**
 * The blue/green flow end to end: the bundled deploy, test and swap actions run as the runner runs them, against the
 * emulator over HTTPS, through OpenID Connect. Each step is checked by its outputs and by the emulator's state.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { leakedSecrets, type RunResult } from '../support/run-action.ts';
import { DEPLOY, ENDPOINT, expectedAnswer, startAmlWorld, writeCase, type AmlWorld } from '../support/aml.ts';

let world: AmlWorld;
const runs: RunResult[] = [];

beforeAll(async () => {
  world = await startAmlWorld();
});

afterAll(async () => {
  await world?.close();
});

async function step(action: string, inputs: Record<string, string> = {}) {
  const result = await world.run(action, inputs);
  runs.push(result);
  return result;
}

function expectOk(result: RunResult) {
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}\n${result.log}`);
}

describe('blue/green on a managed online endpoint', () => {
  it('first deploy to an empty workspace creates the endpoint and green, at 0 %', async () => {
    const deploy = await step('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' });
    expectOk(deploy);
    expect(deploy.outputs).toMatchObject({
      deployment: 'green',
      endpoint: ENDPOINT,
      model: 'fraud',
      'model-version': '1',
      'live-deployment': '',
      traffic: '{}',
    });
    expect(deploy.outputs['scoring-uri']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({});
    expect(deploy.log).toContain(`Endpoint ${ENDPOINT} does not exist: creating it`);
    expect(deploy.summary).toContain(`to ${ENDPOINT}/green`);
    const deployed = await world.client.onlineDeployments.get('mlops-rg', 'mlops-ws', ENDPOINT, 'green');
    expect(deployed.tags).toMatchObject({ 'mlops-actions.commit': 'a'.repeat(40), 'mlops-actions.model-version': '1' });
  });

  it('the test passes on green with the right answers, without touching live traffic', async () => {
    writeCase(world, 'two-rows', expectedAnswer('1'));
    const test = await step('aml-endpoint-test', {
      deployment: 'green',
      cases: 'deploy/cases',
      'load-requests': '40',
    });
    expectOk(test);
    expect(test.outputs).toMatchObject({
      passed: 'true',
      deployment: 'green',
      'cases-passed': '1',
      'cases-total': '1',
      'error-rate': '0',
    });
    expect(Number(test.outputs['p95-ms'])).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(test.outputs['report'] as string, 'utf8'));
    expect(report.load).toMatchObject({ requests: 40, throttled: 0 });
    // No load-concurrency: the load runs at what green admits, 2 × 1 request per instance × 1 instance.
    expect(report.admission).toMatchObject({ admitted: 2, concurrency: 2 });
    expect(test.log).toContain('Load: 40 requests at concurrency 2 (the slot admits 2 in flight)');
    expect(report.cases[0].answeredBy).toBe('green');
  });

  it('swap gives green 100 %', async () => {
    const swap = await step('aml-endpoint-swap', { deployment: 'green', 'expected-traffic': '{}' });
    expectOk(swap);
    expect(swap.outputs).toMatchObject({ 'live-deployment': 'green', traffic: '{"green":100}' });
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('the second deploy goes to blue while green keeps 100 %', async () => {
    const deploy = await step('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
    expectOk(deploy);
    expect(deploy.outputs).toMatchObject({
      deployment: 'blue',
      'model-version': '2',
      'live-deployment': 'green',
      traffic: '{"green":100}',
    });
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('blue is tested against its own answers and compared with live green', async () => {
    writeCase(world, 'two-rows', expectedAnswer('2'));
    const test = await step('aml-endpoint-test', {
      deployment: 'blue',
      cases: 'deploy/cases',
      'compare-live': 'true',
      'load-requests': '20',
    });
    expectOk(test);
    expect(test.outputs['agreement']).toBe('0');
    expect(test.log).toContain('Compared with live green: 0 % of answers agree');
  });

  it('swap moves everything to blue and reads it back', async () => {
    const swap = await step('aml-endpoint-swap', { deployment: 'blue', 'expected-traffic': '{"green":100}' });
    expectOk(swap);
    expect(swap.outputs).toMatchObject({
      'live-deployment': 'blue',
      'previous-deployment': 'green',
      traffic: '{"green":0,"blue":100}',
    });
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 0, blue: 100 });
  });

  it('the third deploy reuses green in place (the workshop’s create would fail here)', async () => {
    const deploy = await step('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud@latest' });
    expectOk(deploy);
    expect(deploy.outputs).toMatchObject({ deployment: 'green', 'model-version': '3', 'live-deployment': 'blue' });
    expect(deploy.log).toContain('updating the idle slot in place');
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 0, blue: 100 });
  });

  it('rollback mode refuses green now: it no longer holds what was live before the swap (v1), but untested v3', async () => {
    const rollback = await step('aml-endpoint-swap', { mode: 'rollback', 'previous-deployment': 'green' });
    expect(rollback.exitCode).toBe(1);
    expect(rollback.errors.join('\n')).toContain(
      'green no longer holds what was live before the last promotion: model fraud version 1 then, model fraud version 3 now',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 0, blue: 100 });
  });

  it('no key, token or client secret reached a runner-visible text', async () => {
    const secrets = await world.secrets();
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(leakedSecrets(run, secrets)).toEqual([]);
  });
});
