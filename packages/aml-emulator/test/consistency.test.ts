/**
 * The service's locks and lags, as recorded and reported: PUTs of existing resources answer 201 Creating, deployment
 * changes are refused while the endpoint is Updating (also just after its operation said Succeeded: the lock fault),
 * reads after a traffic update can show the old split for a while (the lag fault), and an operation can finish
 * long after a client gave up waiting (the Slow outcome).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  keyEndpoint,
  LINEAR_V1,
  managedDeployment,
  settled,
  startHarness,
  waitFor,
  type Harness,
} from './support/harness.ts';

let h: Harness;
let v1: string;

beforeAll(async () => {
  h = await startHarness({ provisioningMs: 100 });
  v1 = await h.registerModel('linear', '1', LINEAR_V1);
  await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-c',
    keyEndpoint(),
    h.poll,
  );
  for (const name of ['blue', 'green'])
    await h.client.onlineDeployments.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-c',
      name,
      managedDeployment(v1),
      h.poll,
    );
  await setTraffic({ blue: 100, green: 0 });
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const path = () => `${h.workspacePath}/onlineEndpoints/ep-c`;
const setTraffic = (traffic: Record<string, number>) =>
  h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-c',
    keyEndpoint(traffic),
    h.poll,
  );
const readTraffic = async () =>
  (await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-c')).properties.traffic;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PUT of an existing resource', () => {
  it('answers 201 with provisioningState Creating and no scoring URI, as the 2025 recording shows', async () => {
    const endpoint = await h.arm('PUT', path(), { body: keyEndpoint({ blue: 100, green: 0 }) });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body).toMatchObject({
      properties: { provisioningState: 'Creating', scoringUri: null, swaggerUri: null },
    });
    await waitFor(() => h.arm('GET', path()), settled);
    const deployment = await h.arm('PUT', `${path()}/deployments/green`, { body: managedDeployment(v1) });
    expect(deployment.status).toBe(201);
    expect(deployment.body).toMatchObject({ properties: { provisioningState: 'Creating' } });
    await waitFor(() => h.arm('GET', `${path()}/deployments/green`), settled);
  });
});

describe('the endpoint lock', () => {
  it('refuses deployment changes while the endpoint is Updating, in the service’s words', async () => {
    const update = await h.arm('PUT', path(), { body: keyEndpoint({ blue: 100, green: 0 }) });
    expect(update.status).toBe(201);
    const refused = await h.arm('PUT', `${path()}/deployments/green`, { body: managedDeployment(v1) });
    expect(refused).toMatchObject({
      status: 409,
      body: {
        error: {
          code: 'Conflict',
          message: 'Cannot update a deployment in endpoint ep-c because it is in Updating provisioning state.',
        },
      },
    });
    expect((await h.arm('PATCH', `${path()}/deployments/green`, { body: { sku: { capacity: 2 } } })).status).toBe(409);
    await waitFor(() => h.arm('GET', path()), settled);
  });

  it('outlives the operation that reported success when the lock fault is set, then lets changes through', async () => {
    h.emulator.faults.consistency('ep-c', { lockMs: 600 });
    await setTraffic({ blue: 100, green: 0 });
    // The operation said Succeeded and a read says so too, yet changes are refused for a while.
    expect((await h.arm('GET', path())).body).toMatchObject({ properties: { provisioningState: 'Succeeded' } });
    await expect(
      h.client.onlineDeployments.beginCreateOrUpdate(
        h.resourceGroup,
        h.workspace,
        'ep-c',
        'green',
        managedDeployment(v1),
        h.poll,
      ),
    ).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect((await h.arm('PUT', path(), { body: keyEndpoint({ blue: 100, green: 0 }) })).status).toBe(409);
    await sleep(700);
    const accepted = await h.arm('PUT', `${path()}/deployments/green`, { body: managedDeployment(v1) });
    expect(accepted.status).toBe(201);
    await waitFor(() => h.arm('GET', `${path()}/deployments/green`), settled);
  });
});

describe('read-after-write lag', () => {
  it('shows the old traffic from the PUT until the lag after success, while scoring already uses the new split', async () => {
    h.emulator.faults.consistency('ep-c', { readLagMs: 600 });
    await setTraffic({ blue: 0, green: 100 });
    expect(await readTraffic()).toEqual({ blue: 100, green: 0 });
    expect(h.emulator.traffic('ep-c')).toEqual({ blue: 0, green: 100 });
    await sleep(700);
    expect(await readTraffic()).toEqual({ blue: 0, green: 100 });
    // Without the fault, reads are consistent at once.
    await setTraffic({ blue: 100, green: 0 });
    expect(await readTraffic()).toEqual({ blue: 100, green: 0 });
  });
});

describe('an operation that ends after the client gave up (outcome Slow)', () => {
  it('is still running after a short wait, then succeeds and moves traffic', async () => {
    h.emulator.faults.operation({ endpoint: 'ep-c' }, { outcome: 'Slow', durationMs: 500 });
    const started = await h.arm('PUT', path(), { body: keyEndpoint({ blue: 0, green: 100 }) });
    expect(started.status).toBe(201);
    await sleep(200);
    expect((await h.arm('GET', path())).body).toMatchObject({ properties: { provisioningState: 'Updating' } });
    expect(h.emulator.traffic('ep-c')).toEqual({ blue: 100, green: 0 });
    await waitFor(() => h.arm('GET', path()), settled);
    expect(h.emulator.traffic('ep-c')).toEqual({ blue: 0, green: 100 });
  });
});
