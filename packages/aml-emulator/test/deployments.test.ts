import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  keyEndpoint,
  LINEAR_V1,
  LINEAR_V2,
  managedDeployment,
  settled,
  startHarness,
  waitFor,
} from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;
let v1: string;
let v2: string;

beforeAll(async () => {
  h = await startHarness();
  v1 = await h.registerModel('linear', '1', LINEAR_V1);
  v2 = await h.registerModel('linear', '2', LINEAR_V2);
  await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-main',
    keyEndpoint(),
    h.poll,
  );
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const deployments = () => h.client.onlineDeployments;
const create = (name: string, body = managedDeployment(v1), endpoint = 'ep-main') =>
  deployments().beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, endpoint, name, body, h.poll);
const deploymentPath = (name: string, endpoint = 'ep-main') =>
  `${h.workspacePath}/onlineEndpoints/${endpoint}/deployments/${name}`;
const logs = async (
  name: string,
  containerType: 'InferenceServer' | 'StorageInitializer' = 'InferenceServer',
  tail?: number,
) =>
  (
    await deployments().getLogs(h.resourceGroup, h.workspace, 'ep-main', name, {
      containerType,
      ...(tail === undefined ? {} : { tail }),
    })
  ).content ?? '';

async function score(endpoint: string, deployment?: string): Promise<{ status: number; body: unknown }> {
  const { primaryKey } = await h.client.onlineEndpoints.listKeys(h.resourceGroup, h.workspace, endpoint);
  const response = await fetch(`${h.emulator.urls.arm}online/${endpoint}/score`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${primaryKey}`,
      'content-type': 'application/json',
      ...(deployment === undefined ? {} : { 'azureml-model-deployment': deployment }),
    },
    body: JSON.stringify({ data: [[1, 1, 1]] }),
  });
  return { status: response.status, body: await response.json() };
}

describe('online deployments', () => {
  it('creates a deployment (201, Creating → Succeeded) with the service defaults filled in', async () => {
    const poller = await deployments().beginCreateOrUpdate(
      h.resourceGroup,
      h.workspace,
      'ep-main',
      'blue',
      managedDeployment(v1),
      h.poll,
    );
    expect(h.emulator.requests().find((entry) => entry.kind === 'onlineDeployments.createOrUpdate')?.status).toBe(201);
    const deployment = await poller.pollUntilDone();
    expect(deployment).toMatchObject({
      name: 'blue',
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments',
      kind: 'Managed',
      sku: { name: 'Default', capacity: 1 },
      properties: {
        endpointComputeType: 'Managed',
        model: v1,
        instanceType: 'Standard_DS3_v2',
        provisioningState: 'Succeeded',
        scaleSettings: { scaleType: 'Default' },
        requestSettings: { requestTimeout: 'PT5S', maxConcurrentRequestsPerInstance: 1 },
        livenessProbe: { failureThreshold: 30 },
      },
    });
  });

  it('gets and lists deployments with $orderBy and $top', async () => {
    await create('green', managedDeployment(v2));
    const got = await deployments().get(h.resourceGroup, h.workspace, 'ep-main', 'green');
    expect(got.id).toBe(`/${deploymentPath('green')}`);
    const newestFirst: string[] = [];
    for await (const item of deployments().list(h.resourceGroup, h.workspace, 'ep-main', {
      orderBy: 'createdtime desc',
      top: 1,
    }))
      newestFirst.push(item.name ?? '');
    expect(newestFirst).toEqual(['green']);
    await expect(deployments().get(h.resourceGroup, h.workspace, 'ep-main', 'missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'UserError',
    });
  });

  it('returns logs of both containers, with tail', async () => {
    expect(await logs('blue', 'StorageInitializer')).toContain('Downloading model azureml:linear:1');
    const server = await logs('blue');
    expect(server).toContain("Users's init has completed successfully");
    expect((await logs('blue', 'InferenceServer', 2)).split('\n')).toHaveLength(2);
    const invalid = await h.arm('POST', `${deploymentPath('blue')}/getLogs`, { body: { containerType: 'Sidecar' } });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'BadArgument' } } });
  });

  it('lists the SKU capacity of a deployment', async () => {
    const skus = [];
    for await (const sku of deployments().listSkus(h.resourceGroup, h.workspace, 'ep-main', 'blue')) skus.push(sku);
    expect(skus).toEqual([
      expect.objectContaining({
        sku: { name: 'Default', tier: 'Standard' },
        capacity: expect.objectContaining({ minimum: 1, default: 1 }),
      }),
    ]);
  });

  it('scales with PATCH (202, Scaling → Succeeded)', async () => {
    const poller = await deployments().beginUpdate(
      h.resourceGroup,
      h.workspace,
      'ep-main',
      'blue',
      { sku: { capacity: 2 } },
      h.poll,
    );
    expect((await h.arm('GET', deploymentPath('blue'))).body).toMatchObject({
      properties: { provisioningState: 'Scaling' },
    });
    const scaled = await poller.pollUntilDone();
    expect(scaled).toMatchObject({ sku: { capacity: 2 }, properties: { provisioningState: 'Succeeded' } });
    expect(h.emulator.requests().find((entry) => entry.kind === 'onlineDeployments.update')?.status).toBe(202);
  });

  it('deletes an idle deployment (202) and refuses to delete one with traffic (400 BadArgument)', async () => {
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-main',
      keyEndpoint({ blue: 100, green: 0 }),
      h.poll,
    );
    await expect(
      deployments().beginDeleteAndWait(h.resourceGroup, h.workspace, 'ep-main', 'blue', h.poll),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
      message: expect.stringContaining('receives live traffic'),
    });
    await deployments().beginDeleteAndWait(h.resourceGroup, h.workspace, 'ep-main', 'green', h.poll);
    expect(
      h.emulator.requests().find((entry) => entry.kind === 'onlineDeployments.delete' && entry.status === 202),
    ).toBeDefined();
    const endpoint = await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-main');
    expect(endpoint.properties.traffic).toEqual({ blue: 100 });
    expect((await h.arm('DELETE', deploymentPath('green'))).status).toBe(204);
  });
});

describe('deployment rules', () => {
  it('answers 404 for a missing model version or registry model, 400 for a malformed model id', async () => {
    await expect(create('nomodel', managedDeployment(h.modelId('linear', '9')))).rejects.toMatchObject({
      statusCode: 404,
      code: 'UserError',
    });
    await expect(
      create('regmodel', managedDeployment('azureml://registries/azureml/models/x/versions/1')),
    ).rejects.toMatchObject({ statusCode: 404 });
    await expect(create('badmodel', managedDeployment('linear:1'))).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
    });
    await expect(create('noendpoint', managedDeployment(v1), 'no-such-endpoint')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('refuses invalid deployment names (400 BadArgument)', async () => {
    for (const name of ['bl', '9lives', 'blue-', 'b'.repeat(33)]) {
      await expect(create(name)).rejects.toMatchObject({
        statusCode: 400,
        code: 'BadArgument',
        message: expect.stringContaining('Invalid deployment name'),
      });
    }
  });

  it('refuses to delete a deployment that receives mirrored traffic (400 BadArgument)', async () => {
    await create('shadow');
    const endpoint = `${h.workspacePath}/onlineEndpoints/ep-main`;
    const body = (mirrorTraffic: Record<string, number>) => ({
      location: 'eastus',
      properties: { authMode: 'Key', traffic: { blue: 100 }, mirrorTraffic },
    });
    expect((await h.arm('PUT', endpoint, { apiVersion: '2023-04-01', body: body({ shadow: 10 }) })).status).toBe(201);
    await waitFor(() => h.arm('GET', endpoint), settled);
    const refused = await h.arm('DELETE', deploymentPath('shadow'));
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { code: 'BadArgument', message: expect.stringContaining('mirrored') } },
    });
    expect((await h.arm('PUT', endpoint, { apiVersion: '2023-04-01', body: body({}) })).status).toBe(201);
    await waitFor(() => h.arm('GET', endpoint), settled);
    await deployments().beginDeleteAndWait(h.resourceGroup, h.workspace, 'ep-main', 'shadow', h.poll);
  });

  it('refuses to change the instance type of a deployment (400 BadArgument)', async () => {
    await create('sized', managedDeployment(v1, 'Standard_F2s_v2', 1));
    await expect(create('sized', managedDeployment(v1, 'Standard_DS3_v2', 1))).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
    });
  });

  it('answers 409 Conflict while a deployment is still Creating, and while its endpoint is Creating', async () => {
    h.emulator.faults.operation({ endpoint: 'ep-main', deployment: 'stuck' }, { outcome: 'NeverEnds' });
    await deployments().beginCreateOrUpdate(
      h.resourceGroup,
      h.workspace,
      'ep-main',
      'stuck',
      managedDeployment(v1),
      h.poll,
    );
    await expect(create('stuck')).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect((await h.arm('DELETE', deploymentPath('stuck'))).status).toBe(409);
    h.emulator.faults.operation({ endpoint: 'ep-new' }, { outcome: 'NeverEnds' });
    await h.client.onlineEndpoints.beginCreateOrUpdate(h.resourceGroup, h.workspace, 'ep-new', keyEndpoint(), h.poll);
    await expect(create('blue', managedDeployment(v1), 'ep-new')).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
    });
  });
});

describe('failing operations', () => {
  it.each([
    ['ResourceNotReady', 'Failed'],
    ['OutOfQuota', 'Failed'],
    ['ImageBuildFailure', 'Failed'],
    ['OperationCanceled', 'Canceled'],
  ])('ends with %s when told to, and the SDK reports the code', async (code, state) => {
    const name = `fail-${code.toLowerCase()}`.slice(0, 32);
    h.emulator.faults.operation(
      { endpoint: 'ep-main', deployment: name },
      { outcome: 'Failed', code, message: `injected ${code}` },
    );
    const outcome = create(name);
    if (state === 'Failed') await expect(outcome).rejects.toThrow(new RegExp(`${code}\\. injected ${code}`));
    else await expect(outcome).rejects.toThrow();
    const deployment = await deployments().get(h.resourceGroup, h.workspace, 'ep-main', name);
    expect(deployment.properties.provisioningState).toBe(state);
    const operation = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'operationStatus')
      .at(-1);
    expect(operation?.responseBody).toMatchObject({ status: state, error: { code, message: `injected ${code}` } });
  });

  it("puts a fault's nested details in the failed operation's status error", async () => {
    h.emulator.faults.operation(
      { endpoint: 'ep-main', deployment: 'fail-nested' },
      {
        outcome: 'Failed',
        code: 'DeploymentFailed',
        message: 'Deployment failed.',
        details: [{ code: 'ResourceNotReady', message: 'User container has crashed or terminated.' }],
      },
    );
    await expect(create('fail-nested')).rejects.toThrow(/DeploymentFailed\. Deployment failed\./);
    const operation = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'operationStatus')
      .at(-1);
    expect(operation?.responseBody).toMatchObject({
      status: 'Failed',
      error: {
        code: 'DeploymentFailed',
        details: [{ code: 'ResourceNotReady', message: 'User container has crashed or terminated.', details: [] }],
      },
    });
  });

  it('fails provisioning when the model errors in init(), with the traceback in the logs', async () => {
    await h.registerModel('broken', '1', LINEAR_V1);
    h.emulator.faults.model('broken', '1', { initError: 'ModuleNotFoundError: No module named sklearn' });
    await expect(create('broken', managedDeployment(h.modelId('broken', '1')))).rejects.toThrow(/ResourceNotReady/);
    expect(
      (await deployments().get(h.resourceGroup, h.workspace, 'ep-main', 'broken')).properties.provisioningState,
    ).toBe('Failed');
    const content = await logs('broken');
    expect(content).toContain('Traceback (most recent call last):');
    expect(content).toContain('ModuleNotFoundError: No module named sklearn');
  });

  it('fails provisioning (BadArgument) when the model artifact cannot be downloaded', async () => {
    await h.client.modelVersions.createOrUpdate(h.resourceGroup, h.workspace, 'remote', '1', {
      properties: { modelUri: 'azureml://datastores/workspaceblobstore/paths/models/remote/' },
    });
    await expect(create('remote', managedDeployment(h.modelId('remote', '1')))).rejects.toThrow(
      /BadArgument\. Unable to download user model/,
    );
    expect(await logs('remote', 'StorageInitializer')).toContain('Failed to download model azureml:remote:1');
  });

  it('keeps the previous version serving when an update fails', async () => {
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-main',
      keyEndpoint({ blue: 100 }),
      h.poll,
    );
    expect(await score('ep-main')).toEqual({ status: 200, body: [6.5] });
    h.emulator.faults.model('linear', '2', { initError: 'RuntimeError: cannot load weights' });
    await expect(create('blue', managedDeployment(v2))).rejects.toThrow(/ResourceNotReady/);
    const blue = await deployments().get(h.resourceGroup, h.workspace, 'ep-main', 'blue');
    expect(blue.properties).toMatchObject({ provisioningState: 'Failed', model: v1 });
    expect(await score('ep-main')).toEqual({ status: 200, body: [6.5] });
    h.emulator.faults.clear();
    await create('blue', managedDeployment(v2));
    expect(await score('ep-main')).toEqual({ status: 200, body: [10] });
    expect(await logs('blue')).toContain('Shutting down the previous version');
  });

  it('leaves an operation Updating forever when told to', async () => {
    h.emulator.faults.operation({ endpoint: 'ep-main', deployment: 'forever' }, { outcome: 'NeverEnds' });
    const created = await h.arm('PUT', deploymentPath('forever'), { body: managedDeployment(v1) });
    const statusUrl = created.headers.get('azure-asyncoperation') ?? '';
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await h.arm('GET', statusUrl)).toMatchObject({
      status: 200,
      body: { status: 'Updating', endTime: '0001-01-01T00:00:00+00:00' },
    });
    expect((await h.arm('GET', deploymentPath('forever'))).body).toMatchObject({
      properties: { provisioningState: 'Creating' },
    });
  });
});
