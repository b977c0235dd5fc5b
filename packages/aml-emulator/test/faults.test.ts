import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keyEndpoint, LINEAR_V1, managedDeployment, readResponse, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-faults',
    keyEndpoint(),
    h.poll,
  );
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const endpointPath = () => `${h.workspacePath}/onlineEndpoints/ep-faults`;
const statusesOf = (kind: string) =>
  h.emulator
    .requests()
    .filter((entry) => entry.kind === kind)
    .map((entry) => entry.status);

function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return fetch(`${h.emulator.urls.control}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(readResponse);
}

describe('HTTP faults', () => {
  it('answers 429 with Retry-After to the next N matching requests; the SDK waits and retries', async () => {
    const before = statusesOf('onlineEndpoints.get').length;
    h.emulator.faults.http({ kind: 'onlineEndpoints.get', status: 429, retryAfterSeconds: 0, times: 2 });
    const endpoint = await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-faults');
    expect(endpoint.name).toBe('ep-faults');
    expect(statusesOf('onlineEndpoints.get').slice(before)).toEqual([429, 429, 200]);
  });

  it('answers 500 and 503 in ARM error shape, matching method and path glob', async () => {
    h.emulator.faults.http({
      method: 'GET',
      path: '/subscriptions/*/resourceGroups/*/providers/**/onlineEndpoints/*',
      status: 503,
      retryAfterSeconds: 7,
    });
    h.emulator.faults.http({ method: 'POST', path: '**/listKeys', status: 500 });
    const unavailable = await h.arm('GET', endpointPath());
    expect(unavailable).toMatchObject({ status: 503, body: { error: { code: 'ServiceUnavailable' } } });
    expect(unavailable.headers.get('retry-after')).toBe('7');
    expect((await h.arm('GET', endpointPath())).status).toBe(200);
    expect(await h.arm('POST', `${endpointPath()}/listKeys`)).toMatchObject({
      status: 500,
      body: { error: { code: 'InternalServerError' } },
    });
    expect((await h.arm('POST', `${endpointPath()}/listKeys`)).status).toBe(200);
  });

  it('adds latency, hangs, and keeps a rule until cleared when times is Infinity', async () => {
    h.emulator.faults.http({ kind: 'onlineEndpoints.get', delayMs: 150 });
    const started = Date.now();
    expect((await h.arm('GET', endpointPath())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    h.emulator.faults.http({ kind: 'workspaces.get', hang: true });
    await expect(
      fetch(`${h.emulator.urls.arm}${h.workspacePath}?api-version=2022-10-01`, { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    expect(
      h.emulator
        .requests()
        .filter((entry) => entry.kind === 'workspaces.get')
        .at(-1)?.status,
    ).toBe(0);

    h.emulator.faults.http({ kind: 'onlineEndpoints.list', status: 500, times: Infinity });
    for (let index = 0; index < 3; index++)
      expect((await h.arm('GET', `${h.workspacePath}/onlineEndpoints`)).status).toBe(500);
    h.emulator.faults.clear();
    expect((await h.arm('GET', `${h.workspacePath}/onlineEndpoints`)).status).toBe(200);
  });
});

describe('control API', () => {
  it('reports the connection details', async () => {
    const info = await control('GET', 'info');
    expect(info).toMatchObject({
      status: 200,
      body: {
        armEndpoint: h.emulator.urls.arm,
        tenantId: h.emulator.credentials.tenantId,
        caFile: h.emulator.caFile,
        controlUrl: h.emulator.urls.control,
      },
    });
  });

  it('adds HTTP faults and clears them', async () => {
    const added = await control('POST', 'faults/http', { kind: 'onlineEndpoints.get', status: 503, times: 'forever' });
    expect(added).toMatchObject({ status: 201, body: { id: expect.any(String) } });
    expect((await h.arm('GET', endpointPath())).status).toBe(503);
    expect((await h.arm('GET', endpointPath())).status).toBe(503);
    expect((await control('DELETE', 'faults')).status).toBe(204);
    expect((await h.arm('GET', endpointPath())).status).toBe(200);
    expect(await control('POST', 'faults/http', { kind: 'x' })).toMatchObject({
      status: 400,
      body: { error: { code: 'BadRequest' } },
    });
  });

  it('registers models, injects model and operation faults, and changes traffic', async () => {
    expect((await control('POST', 'models', { name: 'ctl-model', version: '1', model: LINEAR_V1 })).status).toBe(201);
    const model = await h.client.modelVersions.get(h.resourceGroup, h.workspace, 'ctl-model', '1');
    expect(model.properties.modelUri).toMatch(/^data:application\/json;base64,/);

    expect(
      (
        await control('POST', 'faults/operations', {
          endpoint: 'ep-faults',
          deployment: 'blue',
          outcome: 'Failed',
          code: 'ImageBuildFailure',
        })
      ).status,
    ).toBe(204);
    const deploy = () =>
      h.client.onlineDeployments.beginCreateOrUpdateAndWait(
        h.resourceGroup,
        h.workspace,
        'ep-faults',
        'blue',
        managedDeployment(h.modelId('ctl-model', '1')),
        h.poll,
      );
    await expect(deploy()).rejects.toThrow(/ImageBuildFailure/);
    await deploy();

    expect(
      (await control('POST', 'faults/models', { name: 'ctl-model', version: '1', answerOffset: 100 })).status,
    ).toBe(204);
    expect((await control('POST', 'faults/traffic', { endpoint: 'ep-faults', traffic: { blue: 100 } })).status).toBe(
      204,
    );
    expect(await control('GET', 'traffic/ep-faults')).toMatchObject({ status: 200, body: { blue: 100 } });
    const { primaryKey } = await h.client.onlineEndpoints.listKeys(h.resourceGroup, h.workspace, 'ep-faults');
    const scored = await fetch(`${h.emulator.urls.arm}online/ep-faults/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${primaryKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ data: [[0, 0, 0]] }),
    }).then(readResponse);
    expect(scored).toMatchObject({ status: 200, body: [100.5] });
    expect(await control('GET', 'traffic/no-such-endpoint')).toMatchObject({ status: 400 });
  });

  it("gives an operation fault's nested details to the failed operation's status", async () => {
    const details = [{ code: 'ResourceNotReady', message: 'User container has crashed or terminated.' }];
    const fault = { endpoint: 'ep-faults', deployment: 'nested', outcome: 'Failed', code: 'DeploymentFailed' };
    expect((await control('POST', 'faults/operations', { ...fault, details })).status).toBe(204);
    await expect(
      h.client.onlineDeployments.beginCreateOrUpdateAndWait(
        h.resourceGroup,
        h.workspace,
        'ep-faults',
        'nested',
        managedDeployment(h.modelId('ctl-model', '1')),
        h.poll,
      ),
    ).rejects.toThrow(/DeploymentFailed/);
    const status = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'operationStatus')
      .at(-1);
    expect(status?.responseBody).toMatchObject({ error: { code: 'DeploymentFailed', details } });
    expect(await control('POST', 'faults/operations', { ...fault, details: [{ code: 1 }] })).toMatchObject({
      status: 400,
    });
  });

  it('injects consistency faults and slow operations over the control API', async () => {
    expect((await control('POST', 'faults/consistency', { endpoint: 'ep-faults', readLagMs: 60_000 })).status).toBe(
      204,
    );
    expect(
      (await control('POST', 'faults/operations', { endpoint: 'ep-faults', outcome: 'Slow', durationMs: 50 })).status,
    ).toBe(204);
    const body = { location: 'eastus', properties: { authMode: 'Key' as const, traffic: { blue: 0 } } };
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-faults', body, h.poll);
    // Reads lag (the old split), scoring follows the update.
    expect((await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-faults')).properties.traffic).toEqual({
      blue: 100,
    });
    expect(await control('GET', 'traffic/ep-faults')).toMatchObject({ status: 200, body: { blue: 0 } });
    expect(await control('POST', 'faults/operations', { endpoint: 'ep-faults', outcome: 'Slow' })).toMatchObject({
      status: 400,
      body: { error: { message: "'durationMs' is required with outcome 'Slow'." } },
    });
    expect(await control('POST', 'faults/consistency', { endpoint: 'ep-faults', lockMs: 'soon' })).toMatchObject({
      status: 400,
    });
  });

  it('lists every request with method, path, api-version, status, kind and time', async () => {
    const { body } = await control('GET', 'requests');
    const entries = body as {
      method: string;
      path: string;
      apiVersion?: string;
      status: number;
      kind: string;
      time: string;
    }[];
    expect(entries.find((entry) => entry.kind === 'onlineEndpoints.createOrUpdate')).toMatchObject({
      method: 'PUT',
      path: `/${endpointPath()}`,
      apiVersion: '2022-10-01',
      status: 201,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(entries.some((entry) => entry.kind === 'token')).toBe(true);
    expect(entries.some((entry) => entry.kind === 'operationStatus')).toBe(true);
  });
});
