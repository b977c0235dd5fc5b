import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyEndpoint, LINEAR_V1, managedDeployment, readResponse, startHarness, waitFor } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ provisioningMs: 300 });
  await h.armToken();
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const endpointPath = (name: string) => `${h.workspacePath}/onlineEndpoints/${name}`;
const STATUS_URL =
  /^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/[0-9a-f-]+\/providers\/Microsoft\.MachineLearningServices\/locations\/eastus\/mfeOperationsStatus\/o[ed]:[0-9a-f-]+:[0-9a-f-]+\?api-version=2022-10-01$/;
const RESULT_URL = /\/mfeOperationResults\/o[ed]:[0-9a-f-]+:[0-9a-f-]+\?api-version=2022-10-01$/;

describe('long-running operations as ARM runs them', () => {
  it('PUT answers 201 + Azure-AsyncOperation (an mfeOperationsStatus URL) + Location (the resource); the status goes Updating → Succeeded', async () => {
    const created = await h.arm('PUT', endpointPath('ep-lro'), { body: keyEndpoint() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ properties: { provisioningState: 'Creating' } });
    const statusUrl = created.headers.get('azure-asyncoperation') ?? '';
    expect(statusUrl).toMatch(STATUS_URL);
    expect(created.headers.get('x-ms-async-operation-timeout')).toBe('PT30M');
    expect(created.headers.get('location')).toBe(
      `${h.emulator.urls.arm}${endpointPath('ep-lro').replace(/^\//, '')}?api-version=2022-10-01`,
    );
    expect(created.headers.get('retry-after')).toBeNull();
    expect(created.body).toMatchObject({ properties: { scoringUri: null, swaggerUri: null } });
    const running = await h.arm('GET', statusUrl);
    expect(running).toMatchObject({
      status: 200,
      body: {
        status: 'Updating',
        name: expect.stringMatching(/^oe:/),
        startTime: expect.any(String),
        endTime: '0001-01-01T00:00:00+00:00',
        percentComplete: 0,
      },
    });
    expect(running.headers.get('retry-after')).toBeNull();
    expect((running.body as { id: string }).id).toMatch(/^\/subscriptions\/.*\/mfeOperationsStatus\/oe:/);
    const finished = await waitFor(
      () => h.arm('GET', statusUrl),
      (response) => (response.body as { status: string }).status !== 'Updating',
    );
    expect(finished.body).toMatchObject({ status: 'Succeeded', endTime: expect.stringMatching(/^20\d\d-/) });
    expect((await h.arm('GET', endpointPath('ep-lro'))).body).toMatchObject({
      properties: { provisioningState: 'Succeeded', scoringUri: expect.stringMatching(/\/score$/) },
    });
  });

  it('PUT on an existing resource answers 201 Creating + Azure-AsyncOperation (as recorded), and reads say Updating until done', async () => {
    const updated = await h.arm('PUT', endpointPath('ep-lro'), { body: { ...keyEndpoint(), tags: { v: '2' } } });
    expect(updated.status).toBe(201);
    expect(updated.headers.get('azure-asyncoperation')).toMatch(STATUS_URL);
    expect(updated.body).toMatchObject({ tags: { v: '2' }, properties: { provisioningState: 'Creating' } });
    expect((await h.arm('GET', endpointPath('ep-lro'))).body).toMatchObject({
      properties: { provisioningState: 'Updating' },
    });
  });

  it('PATCH answers 202 + Location (mfeOperationResults) + Azure-AsyncOperation; Location gives 202, then the resource', async () => {
    await waitFor(
      () => h.arm('GET', endpointPath('ep-lro')),
      (response) =>
        (response.body as { properties: { provisioningState: string } }).properties.provisioningState === 'Succeeded',
    );
    const accepted = await h.arm('PATCH', endpointPath('ep-lro'), { body: { tags: { v: '3' } } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toBeUndefined();
    const location = accepted.headers.get('location') ?? '';
    expect(location).toMatch(RESULT_URL);
    expect(accepted.headers.get('azure-asyncoperation')).toMatch(STATUS_URL);
    const pending = await h.arm('GET', location);
    expect(pending.status).toBe(202);
    expect(pending.headers.get('location')).toBe(location);
    const done = await waitFor(
      () => h.arm('GET', location),
      (response) => response.status !== 202,
    );
    expect(done).toMatchObject({
      status: 200,
      body: { name: 'ep-lro', tags: { v: '3' }, properties: { provisioningState: 'Succeeded' } },
    });
  });

  it('DELETE answers 202 with the body null; its Location gives 204 when the resource is gone; then DELETE is 204', async () => {
    const accepted = await h.arm('DELETE', endpointPath('ep-lro'));
    expect(accepted.status).toBe(202);
    expect(accepted.body).toBeNull();
    expect(accepted.headers.get('x-ms-async-operation-timeout')).toBe('PT30M');
    expect((await h.arm('GET', endpointPath('ep-lro'))).body).toMatchObject({
      properties: { provisioningState: 'Deleting' },
    });
    const done = await waitFor(
      () => h.arm('GET', accepted.headers.get('location') ?? ''),
      (response) => response.status !== 202,
    );
    expect(done.status).toBe(204);
    expect((await h.arm('GET', endpointPath('ep-lro'))).status).toBe(404);
    const absent = await h.arm('DELETE', endpointPath('ep-lro'));
    expect(absent.status).toBe(204);
    expect(absent.body).toBeUndefined();
    expect(absent.headers.get('azure-asyncoperation')).toBeNull();
  });

  it('a failed operation reports its error on both URLs', async () => {
    h.emulator.faults.operation(
      { endpoint: 'ep-fail' },
      { outcome: 'Failed', code: 'InternalServerError', message: 'backend exploded' },
    );
    const created = await h.arm('PUT', endpointPath('ep-fail'), { body: keyEndpoint() });
    const status = await waitFor(
      () => h.arm('GET', created.headers.get('azure-asyncoperation') ?? ''),
      (response) => (response.body as { status: string }).status !== 'Updating',
    );
    expect(status.body).toMatchObject({
      status: 'Failed',
      error: { code: 'InternalServerError', message: 'backend exploded' },
    });
    const resultUrl = (created.headers.get('azure-asyncoperation') ?? '').replace(
      'mfeOperationsStatus',
      'mfeOperationResults',
    );
    expect(await h.arm('GET', resultUrl)).toMatchObject({
      status: 500,
      body: { error: { code: 'InternalServerError' } },
    });
    expect((await h.arm('GET', endpointPath('ep-fail'))).body).toMatchObject({
      properties: { provisioningState: 'Failed' },
    });
    expect((await h.arm('GET', resultUrl.replace(/oe:[^?]+/, 'oe:unknown'))).status).toBe(404);
  });

  it('sends Retry-After on operation responses when configured', async () => {
    const slow = await startHarness({ retryAfterSeconds: 3, provisioningMs: 10_000 });
    try {
      const created = await slow.arm('PUT', `${slow.workspacePath}/onlineEndpoints/ep-retry`, { body: keyEndpoint() });
      expect(created.headers.get('retry-after')).toBe('3');
      const status = await slow.arm('GET', created.headers.get('azure-asyncoperation') ?? '');
      expect(status.headers.get('retry-after')).toBe('3');
      const patch = await slow.arm('DELETE', `${slow.workspacePath}/onlineEndpoints/ep-retry`);
      expect(patch.status).toBe(409);
    } finally {
      expect(await slow.close()).toEqual([]);
    }
  });
});

describe('state file', () => {
  it('keeps credentials, CA, resources and keys across a restart, and finishes operations started before it', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'aml-emulator-state-')), 'state.json');
    const first = await startHarness({ stateFile, provisioningMs: 60 });
    const modelId = await first.registerModel('persisted', '1', LINEAR_V1);
    await first.client.onlineEndpoints.beginCreateOrUpdateAndWait(
      first.resourceGroup,
      first.workspace,
      'ep-kept',
      keyEndpoint(),
      first.poll,
    );
    await first.client.onlineDeployments.beginCreateOrUpdateAndWait(
      first.resourceGroup,
      first.workspace,
      'ep-kept',
      'blue',
      managedDeployment(modelId),
      first.poll,
    );
    await first.client.onlineEndpoints.beginCreateOrUpdate(
      first.resourceGroup,
      first.workspace,
      'ep-kept',
      keyEndpoint({ blue: 100 }),
      first.poll,
    );
    const keys = await first.client.onlineEndpoints.listKeys(first.resourceGroup, first.workspace, 'ep-kept');
    expect(await first.close()).toEqual([]);

    const second = await startHarness({ stateFile, provisioningMs: 60 });
    try {
      expect(second.emulator.credentials).toEqual(first.emulator.credentials);
      expect(second.emulator.caPem).toBe(first.emulator.caPem);
      const endpoint = await waitFor(
        () => second.arm('GET', `${second.workspacePath}/onlineEndpoints/ep-kept`),
        (response) =>
          (response.body as { properties: { provisioningState: string } }).properties.provisioningState === 'Succeeded',
      );
      expect(endpoint.body).toMatchObject({
        properties: { traffic: { blue: 100 }, scoringUri: `${second.emulator.urls.arm}online/ep-kept/score` },
      });
      const scored = await fetch(`${second.emulator.urls.arm}online/ep-kept/score`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.primaryKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ data: [[1, 1, 1]] }),
      }).then(readResponse);
      expect(scored).toMatchObject({ status: 200, body: [6.5] });
    } finally {
      expect(await second.close()).toEqual([]);
    }
  });
});
