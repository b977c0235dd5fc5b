/**
 * The online-endpoint client at api-version 2024-04-01, against the emulator over HTTPS through the SDK client's own
 * pipeline: mirrorTraffic is written and read back, operations are followed at that version, the pipeline's retries
 * apply, and the service's errors come back as the SDK's RestError.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RestError } from '@azure/core-rest-pipeline';
import { azureLogin } from '../../src/azure/auth.ts';
import { createMlClient } from '../../src/azure/client.ts';
import { toServiceError } from '../../src/azure/operation.ts';
import { ENDPOINT_API_VERSION, OnlineEndpointsClient, type EndpointRef } from '../../src/azure/online-endpoints.ts';
import { startAmlWorld, type AmlWorld } from '../../../../test/support/aml.ts';

let world: AmlWorld;
let endpoints: OnlineEndpointsClient;
let ref: EndpointRef;

beforeAll(async () => {
  world = await startAmlWorld();
  const { credentials, urls } = world.emulator;
  const login = azureLogin({
    azureCredentials: JSON.stringify(credentials),
    armEndpoint: urls.arm,
    authorityHost: urls.authorityHost,
  });
  endpoints = new OnlineEndpointsClient(createMlClient(login, { maxRetries: 2, retryDelayMs: 20 }));
  ref = { resourceGroup: credentials.resourceGroup, workspace: credentials.workspace, endpoint: 'shadowed' };
  const { resourceGroup, workspace } = credentials;
  await world.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    resourceGroup,
    workspace,
    'shadowed',
    { location: 'eastus', properties: { authMode: 'Key' } },
    { updateIntervalInMs: 20 },
  );
  const model = `/subscriptions/${credentials.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${workspace}/models/fraud/versions/1`;
  for (const name of ['blue', 'shadow']) {
    await world.client.onlineDeployments.beginCreateOrUpdateAndWait(
      resourceGroup,
      workspace,
      'shadowed',
      name,
      {
        location: 'eastus',
        sku: { name: 'Default', capacity: 1 },
        properties: { endpointComputeType: 'Managed', model, instanceType: 'Standard_DS3_v2' },
      },
      { updateIntervalInMs: 20 },
    );
  }
});

afterAll(async () => {
  await world?.close();
});

const put = async (properties: Record<string, unknown>) =>
  (
    await endpoints.beginCreateOrUpdate(
      ref,
      { location: 'eastus', properties: { authMode: 'Key', ...properties } },
      { updateIntervalInMs: 20 },
    )
  ).pollUntilDone();

describe('OnlineEndpointsClient (api-version 2024-04-01)', () => {
  it('writes a mirror split and reads it back, where the 2022-10-01 SDK sees none', async () => {
    const done = await put({ traffic: { blue: 100 }, mirrorTraffic: { shadow: 10 } });
    expect(done.properties).toMatchObject({
      traffic: { blue: 100 },
      mirrorTraffic: { shadow: 10 },
      provisioningState: 'Succeeded',
    });
    expect((await endpoints.get(ref)).properties.mirrorTraffic).toEqual({ shadow: 10 });
    const seenBySdk = await world.client.onlineEndpoints.get(ref.resourceGroup, ref.workspace, ref.endpoint);
    expect(seenBySdk.properties).not.toHaveProperty('mirrorTraffic');
  });

  it('sends the PUT, the operation polls and the final read at 2024-04-01', async () => {
    const from = world.emulator.requests().length;
    await put({ traffic: { blue: 100 }, mirrorTraffic: { shadow: 20 } });
    const ours = world.emulator
      .requests()
      .slice(from)
      .filter((entry) => entry.apiVersion !== undefined);
    expect(ours.map((entry) => entry.kind)).toEqual(
      expect.arrayContaining(['onlineEndpoints.createOrUpdate', 'operationStatus', 'onlineEndpoints.get']),
    );
    expect(new Set(ours.map((entry) => entry.apiVersion))).toEqual(new Set([ENDPOINT_API_VERSION]));
  });

  it("goes through the SDK client's pipeline: a 503 is retried by its retry policy", async () => {
    world.emulator.faults.http({ kind: 'onlineEndpoints.get', status: 503 });
    expect((await endpoints.get(ref)).properties.mirrorTraffic).toEqual({ shadow: 20 });
    const gets = world.emulator.requests().filter((entry) => entry.kind === 'onlineEndpoints.get');
    expect(gets.slice(-2).map((entry) => entry.status)).toEqual([503, 200]);
  });

  it("returns the service's refusal as a RestError with its code", async () => {
    const error = (await put({ traffic: { blue: 100 }, mirrorTraffic: { shadow: 60 } }).catch(
      (caught: unknown) => caught,
    )) as RestError;
    expect(error).toMatchObject({ name: 'RestError', statusCode: 400, code: 'BadArgument' });
    expect(toServiceError(error, 'Mirroring').message).toMatch(
      /^Mirroring failed \(HTTP 400\): BadArgument: At most 50%/,
    );
    expect((await endpoints.get(ref)).properties.mirrorTraffic).toEqual({ shadow: 20 });
  });

  it('answers 404 for a missing endpoint like the SDK does', async () => {
    const error = (await endpoints
      .get({ ...ref, endpoint: 'nowhere' })
      .catch((caught: unknown) => caught)) as RestError;
    expect(error).toMatchObject({ name: 'RestError', statusCode: 404 });
  });
});
