/**
 * A shadow (mirror) split someone configured survives the pipeline: the bundled deploy (with an endpoint update) and
 * swap actions, run as the runner runs them against the emulator, send every endpoint PUT at an api-version that
 * carries mirrorTraffic and send the live split back. A rollback onto a mirrored deployment says what it does with
 * the mirror.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OnlineEndpointsClient } from '../../packages/core/src/azure/online-endpoints.ts';
import type { RunResult } from '../support/run-action.ts';
import { DEPLOY, ENDPOINT, startAmlWorld, type AmlWorld } from '../support/aml.ts';

let world: AmlWorld;
const UNTESTED = { 'require-tested': 'false' };
let endpoints: OnlineEndpointsClient;
const ref = () => ({
  resourceGroup: world.emulator.credentials.resourceGroup,
  workspace: world.emulator.credentials.workspace,
  endpoint: ENDPOINT,
});

beforeAll(async () => {
  world = await startAmlWorld();
  endpoints = new OnlineEndpointsClient(world.client);
});

afterAll(async () => {
  await world?.close();
});

function expectOk(result: RunResult) {
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}\n${result.log}`);
}

const routing = async () => {
  const { properties } = await endpoints.get(ref());
  return { traffic: properties.traffic, mirror: properties.mirrorTraffic };
};

/** What an operator does with `az ml online-endpoint update --mirror-traffic`: one PUT at a version that has it. */
async function setMirror(mirrorTraffic: Record<string, number>) {
  const current = await endpoints.get(ref());
  const poller = await endpoints.beginCreateOrUpdate(
    ref(),
    { ...current, properties: { ...current.properties, mirrorTraffic } },
    { updateIntervalInMs: 20 },
  );
  await poller.pollUntilDone();
}

describe('a mirror split through deploy, swap and rollback', () => {
  it('is set up: green live, a shadow deployment mirrored at 10 %', async () => {
    expectOk(await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' }));
    // The promotions here are about the mirror split, not the test record (test/aml/tested-identity.test.ts).
    expectOk(await world.run('aml-endpoint-swap', { ...UNTESTED, deployment: 'green', 'expected-traffic': '{}' }));
    const { resourceGroup, workspace } = ref();
    const green = await world.client.onlineDeployments.get(resourceGroup, workspace, ENDPOINT, 'green');
    await world.client.onlineDeployments.beginCreateOrUpdateAndWait(
      resourceGroup,
      workspace,
      ENDPOINT,
      'shadow',
      { location: green.location, sku: green.sku, properties: green.properties },
      { updateIntervalInMs: 20 },
    );
    await setMirror({ shadow: 10 });
    expect(await routing()).toEqual({ traffic: { green: 100 }, mirror: { shadow: 10 } });
  });

  it('survives a deploy that updates the endpoint', async () => {
    const endpointFile = join(world.repo, 'deploy', 'endpoint-described.yml');
    writeFileSync(
      endpointFile,
      `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: ${ENDPOINT}\nauth_mode: key\ndescription: fraud scoring\ntags:\n  team: risk\n`,
    );
    const deploy = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      'endpoint-file': 'deploy/endpoint-described.yml',
      model: 'fraud:2',
    });
    expectOk(deploy);
    expect(deploy.log).toContain(`Endpoint ${ENDPOINT}: updating properties.description`);
    expect(deploy.outputs).toMatchObject({ deployment: 'blue', 'live-deployment': 'green' });
    expect(await routing()).toEqual({ traffic: { green: 100 }, mirror: { shadow: 10 } });
    const writes = world.emulator.requests().filter((entry) => entry.kind === 'onlineEndpoints.createOrUpdate');
    expect(writes.every((entry) => entry.apiVersion === '2024-04-01')).toBe(true);
  });

  it('survives the swap to blue', async () => {
    const swap = await world.run('aml-endpoint-swap', {
      ...UNTESTED,
      deployment: 'blue',
      'expected-traffic': '{"green":100}',
    });
    expectOk(swap);
    expect(swap.outputs).toMatchObject({ 'live-deployment': 'blue' });
    expect(swap.summary).toContain('Mirrored traffic kept: shadow 10 %.');
    expect(await routing()).toEqual({ traffic: { green: 0, blue: 100 }, mirror: { shadow: 10 } });
  });

  it('is refused as the promotion target while mirrored, with nothing changed', async () => {
    await setMirror({ green: 10 });
    const swap = await world.run('aml-endpoint-swap', {
      deployment: 'green',
      'expected-traffic': '{"green":0,"blue":100}',
    });
    expect(swap.exitCode).not.toBe(0);
    expect(swap.errors.join('\n')).toContain('deployment green receives mirrored traffic');
    expect(await routing()).toEqual({ traffic: { green: 0, blue: 100 }, mirror: { green: 10 } });
  });

  it('is not taken as the idle slot by a deploy (the service now reports the mirror the deploy reads)', async () => {
    const deploy = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:3' });
    expect(deploy.exitCode).not.toBe(0);
    expect(deploy.errors.join('\n')).toContain('(green receives 10 % mirrored traffic; end the mirror phase first)');
    expect(await routing()).toEqual({ traffic: { green: 0, blue: 100 }, mirror: { green: 10 } });
    const green = await world.client.onlineDeployments.get(ref().resourceGroup, ref().workspace, ENDPOINT, 'green');
    expect(green.tags).toMatchObject({ 'mlops-actions.model-version': '1' });
  });

  it('a rollback onto the mirrored deployment stops its mirror and says so', async () => {
    const rollback = await world.run('aml-endpoint-swap', { mode: 'rollback', 'previous-deployment': 'green' });
    expectOk(rollback);
    expect(rollback.log).toContain(
      'Deployment green stops receiving its 10 % of mirrored traffic: it gets live traffic now, and a deployment cannot have both.',
    );
    expect(rollback.summary).toContain('Mirrored traffic: green 10 % → no traffic');
    expect(await routing()).toEqual({ traffic: { green: 100, blue: 0 }, mirror: {} });
  });
});
