import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RestError } from '@azure/core-rest-pipeline';
import { keyEndpoint, LINEAR_V1, managedDeployment, settled, startHarness, waitFor } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;
let modelId: string;
const OTHER_WORKSPACE = { resourceGroup: 'other-rg', workspace: 'other-ws' };

beforeAll(async () => {
  h = await startHarness({
    pageSize: 2,
    workspaces: [{ resourceGroup: 'mlops-rg', workspace: 'mlops-ws' }, OTHER_WORKSPACE],
  });
  modelId = await h.registerModel('linear', '1', LINEAR_V1);
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

async function rejection(promise: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as RestError;
  }
  throw new Error('expected the call to fail');
}

const createEndpoint = (
  name: string,
  body: Parameters<Harness['client']['onlineEndpoints']['beginCreateOrUpdateAndWait']>[3] = keyEndpoint(),
) => h.client.onlineEndpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, name, body, h.poll);

const createDeployment = (endpoint: string, name: string) =>
  h.client.onlineDeployments.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    endpoint,
    name,
    managedDeployment(modelId),
    h.poll,
  );

const endpointPath = (name: string) => `${h.workspacePath}/onlineEndpoints/${name}`;

describe('online endpoints', () => {
  it('creates an endpoint (201, Creating → Succeeded) with its scoring and swagger URIs on the emulator', async () => {
    const poller = await h.client.onlineEndpoints.beginCreateOrUpdate(
      h.resourceGroup,
      h.workspace,
      'ep-create',
      keyEndpoint(),
      h.poll,
    );
    expect(h.emulator.requests().find((entry) => entry.method === 'PUT')).toMatchObject({
      kind: 'onlineEndpoints.createOrUpdate',
      status: 201,
    });
    const endpoint = await poller.pollUntilDone();
    expect(endpoint).toMatchObject({
      name: 'ep-create',
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
      location: 'eastus',
      identity: { type: 'SystemAssigned', principalId: expect.any(String), tenantId: h.emulator.credentials.tenantId },
      properties: {
        authMode: 'Key',
        provisioningState: 'Succeeded',
        traffic: {},
        scoringUri: `${h.emulator.urls.arm}online/ep-create/score`,
        swaggerUri: `${h.emulator.urls.arm}online/ep-create/swagger.json`,
      },
    });
    expect(endpoint.properties.keys).toBeUndefined();
    expect(endpoint.properties.properties?.['AzureAsyncOperationUri']).toMatch(/mfeOperationsStatus\/oe:/);
  });

  it('gets, lists across pages, filters by name, and answers 404 UserError for a missing endpoint', async () => {
    await createEndpoint('ep-list-a');
    await createEndpoint('ep-list-b');
    const got = await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-list-a');
    expect(got.id).toBe(`/${endpointPath('ep-list-a')}`);
    const names: string[] = [];
    for await (const endpoint of h.client.onlineEndpoints.list(h.resourceGroup, h.workspace))
      names.push(endpoint.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['ep-create', 'ep-list-a', 'ep-list-b']));
    expect(h.emulator.requests().filter((entry) => entry.kind === 'onlineEndpoints.list').length).toBeGreaterThan(1);
    const filtered: string[] = [];
    for await (const endpoint of h.client.onlineEndpoints.list(h.resourceGroup, h.workspace, { name: 'ep-list-b' }))
      filtered.push(endpoint.name ?? '');
    expect(filtered).toEqual(['ep-list-b']);
    const missing = await rejection(h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'no-such-endpoint'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'UserError' });
  });

  it('updates tags and identity with PATCH (202 + Location) and leaves the rest alone', async () => {
    await createEndpoint('ep-patch', {
      location: 'eastus',
      properties: { authMode: 'Key', description: 'kept' },
      tags: { a: '1' },
    });
    const updated = await h.client.onlineEndpoints.beginUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-patch',
      { tags: { b: '2' } },
      h.poll,
    );
    expect(updated).toMatchObject({
      tags: { b: '2' },
      properties: { description: 'kept', provisioningState: 'Succeeded' },
    });
    const patch = h.emulator.requests().find((entry) => entry.kind === 'onlineEndpoints.update');
    expect(patch?.status).toBe(202);
    expect(h.emulator.requests().some((entry) => entry.kind === 'operationResult' && entry.status === 200)).toBe(true);
  });

  it('deletes an endpoint with its deployments (202), then answers 204 for a repeated delete', async () => {
    await createEndpoint('ep-delete');
    await createDeployment('ep-delete', 'blue');
    await h.client.onlineEndpoints.beginDeleteAndWait(h.resourceGroup, h.workspace, 'ep-delete', h.poll);
    await expect(h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-delete')).rejects.toMatchObject({
      statusCode: 404,
    });
    expect((await h.arm('DELETE', endpointPath('ep-delete'))).status).toBe(204);
  });

  it('lists keys and regenerates the primary (random) and the secondary (given value)', async () => {
    await createEndpoint('ep-keys');
    const before = await h.client.onlineEndpoints.listKeys(h.resourceGroup, h.workspace, 'ep-keys');
    expect(before.primaryKey).toEqual(expect.any(String));
    await h.client.onlineEndpoints.beginRegenerateKeysAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-keys',
      { keyType: 'Primary' },
      h.poll,
    );
    await h.client.onlineEndpoints.beginRegenerateKeysAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-keys',
      { keyType: 'Secondary', keyValue: 'chosen-key' },
      h.poll,
    );
    const after = await h.client.onlineEndpoints.listKeys(h.resourceGroup, h.workspace, 'ep-keys');
    expect(after.primaryKey).not.toBe(before.primaryKey);
    expect(after.secondaryKey).toBe('chosen-key');
    expect(h.emulator.requests().find((entry) => entry.kind === 'onlineEndpoints.regenerateKeys')?.status).toBe(202);
    await expect(h.client.onlineEndpoints.getToken(h.resourceGroup, h.workspace, 'ep-keys')).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
    });
  });

  it('hands out aml tokens for AMLToken endpoints and refuses keys there', async () => {
    await createEndpoint('ep-token', { location: 'eastus', properties: { authMode: 'AMLToken' } });
    const token = await h.client.onlineEndpoints.getToken(h.resourceGroup, h.workspace, 'ep-token');
    expect(token).toMatchObject({ accessToken: expect.any(String), tokenType: 'Bearer' });
    expect(token.expiryTimeUtc).toBeGreaterThan(Date.now() / 1000);
    expect(token.refreshAfterTimeUtc).toBeLessThan(token.expiryTimeUtc ?? 0);
    await expect(h.client.onlineEndpoints.listKeys(h.resourceGroup, h.workspace, 'ep-token')).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
    });
  });
});

describe('endpoint rules', () => {
  beforeAll(async () => {
    await createEndpoint('ep-rules');
    await createDeployment('ep-rules', 'blue');
    await createDeployment('ep-rules', 'green');
  });

  it.each([['ab'], ['1abc'], ['abc-'], ['a_bc'], ['a'.repeat(33)]])(
    'refuses the endpoint name %s (400 BadArgument)',
    async (name) => {
      const error = await rejection(createEndpoint(name));
      expect(error).toMatchObject({ statusCode: 400, code: 'BadArgument' });
      expect((await h.arm('GET', endpointPath(name))).status).toBe(404);
    },
  );

  it('refuses traffic when an endpoint is created (400 BadArgument)', async () => {
    const error = await rejection(createEndpoint('ep-with-traffic', keyEndpoint({ blue: 100 })));
    expect(error).toMatchObject({ statusCode: 400, code: 'BadArgument', message: expect.stringContaining('creating') });
  });

  it('refuses traffic that does not sum to 0 or 100, or names a missing deployment (400 BadArgument)', async () => {
    expect(await rejection(createEndpoint('ep-rules', keyEndpoint({ blue: 60, green: 30 })))).toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
      message: expect.stringContaining('sum to 0 or 100'),
    });
    expect(await rejection(createEndpoint('ep-rules', keyEndpoint({ blue: 50, orange: 50 })))).toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
      message: expect.stringContaining('orange'),
    });
    expect(h.emulator.traffic('ep-rules')).toEqual({});
  });

  it('accepts 100/0 and all-zero splits and applies them when the operation succeeds', async () => {
    await createEndpoint('ep-rules', keyEndpoint({ blue: 90, green: 10 }));
    expect(h.emulator.traffic('ep-rules')).toEqual({ blue: 90, green: 10 });
    await createEndpoint('ep-rules', keyEndpoint({ blue: 0, green: 0 }));
    expect(h.emulator.traffic('ep-rules')).toEqual({ blue: 0, green: 0 });
  });

  it('answers 409 Conflict to a change while the endpoint is still Updating', async () => {
    h.emulator.faults.operation({ endpoint: 'ep-rules' }, { outcome: 'NeverEnds' });
    await h.client.onlineEndpoints.beginCreateOrUpdate(
      h.resourceGroup,
      h.workspace,
      'ep-rules',
      keyEndpoint({ blue: 100 }),
      h.poll,
    );
    const state = await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-rules');
    expect(state.properties.provisioningState).toBe('Updating');
    expect(await rejection(createEndpoint('ep-rules', keyEndpoint({ green: 100 })))).toMatchObject({
      statusCode: 409,
      code: 'Conflict',
    });
    const patch = await h.arm('PATCH', endpointPath('ep-rules'), { body: { tags: {} } });
    expect(patch).toMatchObject({ status: 409, body: { error: { code: 'Conflict' } } });
    expect((await h.arm('DELETE', endpointPath('ep-rules'))).status).toBe(409);
  });

  it('refuses an endpoint name used by another workspace of the region (409)', async () => {
    await createEndpoint('ep-unique');
    const response = await h.arm(
      'PUT',
      `subscriptions/${h.subscriptionId}/resourceGroups/${OTHER_WORKSPACE.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${OTHER_WORKSPACE.workspace}/onlineEndpoints/ep-unique`,
      { body: keyEndpoint() },
    );
    expect(response).toMatchObject({
      status: 409,
      body: { error: { code: 'Conflict', message: expect.stringContaining('unique within a region') } },
    });
  });
});

describe('mirror traffic (at the api-versions that carry it)', () => {
  const API = '2023-04-01';
  const put = (traffic: Record<string, number>, mirrorTraffic: Record<string, number>) =>
    h.arm('PUT', endpointPath('ep-mirror'), {
      apiVersion: API,
      body: { location: 'eastus', properties: { authMode: 'Key', traffic, mirrorTraffic } },
    });

  beforeAll(async () => {
    await createEndpoint('ep-mirror');
    await createDeployment('ep-mirror', 'blue');
    await createDeployment('ep-mirror', 'green');
    await createDeployment('ep-mirror', 'red');
  });

  it.each([
    ['more than 50 %', { green: 60 }, 'At most 50%'],
    ['two deployments', { green: 10, red: 10 }, 'only one deployment'],
    ['a deployment with live traffic', { blue: 10 }, 'both live traffic and mirrored traffic'],
    ['a missing deployment', { orange: 10 }, 'orange'],
  ])('refuses mirroring to %s (400 BadArgument)', async (_label, mirrorTraffic, message) => {
    const response = await put({ blue: 100 }, mirrorTraffic);
    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: 'BadArgument', message: expect.stringContaining(message) } },
    });
  });

  it('accepts 10 % to an idle deployment, returns it only where the version carries it, and a 2022-10-01 PUT drops it', async () => {
    const accepted = await put({ blue: 100 }, { green: 10 });
    expect(accepted.status).toBe(201);
    expect(accepted.headers.get('azure-asyncoperation')).toContain(`api-version=${API}`);
    const current = await waitFor(() => h.arm('GET', endpointPath('ep-mirror'), { apiVersion: API }), settled);
    expect(current.body).toMatchObject({
      properties: { traffic: { blue: 100 }, mirrorTraffic: { green: 10 }, provisioningState: 'Succeeded' },
    });
    const old = await h.arm('GET', endpointPath('ep-mirror'));
    expect((old.body as { properties: Record<string, unknown> }).properties).not.toHaveProperty('mirrorTraffic');
    await createEndpoint('ep-mirror', keyEndpoint({ blue: 100 }));
    const after = await h.arm('GET', endpointPath('ep-mirror'), { apiVersion: '2024-04-01' });
    expect(after.body).toMatchObject({ properties: { mirrorTraffic: {} } });
  });
});
