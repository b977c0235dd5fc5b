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
let keys: { primaryKey?: string; secondaryKey?: string };
const ROW = { data: [[1, 2, 3]] };
const V1_ANSWER = [14.5];
const V2_ANSWER = [12];

beforeAll(async () => {
  h = await startHarness();
  const v1 = await h.registerModel('linear', '1', LINEAR_V1);
  const v2 = await h.registerModel('linear', '2', LINEAR_V2);
  const { onlineEndpoints, onlineDeployments } = h.client;
  await onlineEndpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-score', keyEndpoint(), h.poll);
  await onlineDeployments.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-score',
    'blue',
    managedDeployment(v1),
    h.poll,
  );
  await onlineDeployments.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-score',
    'green',
    managedDeployment(v2),
    h.poll,
  );
  await onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-score',
    keyEndpoint({ blue: 90, green: 10 }),
    h.poll,
  );
  keys = await onlineEndpoints.listKeys(h.resourceGroup, h.workspace, 'ep-score');
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

interface Scored {
  status: number;
  body: unknown;
  deployment: string | null;
  headers: Headers;
}

async function score(
  endpoint: string,
  options: { key?: string | null; deployment?: string; body?: unknown } = {},
): Promise<Scored> {
  const key = options.key === undefined ? keys.primaryKey : options.key;
  const response = await fetch(`${h.emulator.urls.arm}online/${endpoint}/score`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(options.deployment === undefined ? {} : { 'azureml-model-deployment': options.deployment }),
    },
    body: JSON.stringify(options.body ?? ROW),
  });
  return {
    status: response.status,
    body: await response.json(),
    deployment: response.headers.get('azureml-model-deployment'),
    headers: response.headers,
  };
}

async function setTraffic(traffic: Record<string, number>): Promise<void> {
  await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-score',
    keyEndpoint(traffic),
    h.poll,
  );
}

describe('routing', () => {
  it('splits requests exactly by the traffic weights, and each version computes its own answer', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => score('ep-score')));
    const byDeployment = (name: string) => answers.filter((answer) => answer.deployment === name);
    expect(byDeployment('blue')).toHaveLength(90);
    expect(byDeployment('green')).toHaveLength(10);
    expect(byDeployment('blue').every((answer) => JSON.stringify(answer.body) === JSON.stringify(V1_ANSWER))).toBe(
      true,
    );
    expect(byDeployment('green').every((answer) => JSON.stringify(answer.body) === JSON.stringify(V2_ANSWER))).toBe(
      true,
    );
    expect(
      h.emulator.requests().filter((entry) => entry.kind === 'score' && entry.deployment === 'green'),
    ).toHaveLength(10);
  });

  it('honours the azureml-model-deployment header, also for a deployment without traffic', async () => {
    await setTraffic({ blue: 100, green: 0 });
    expect(await score('ep-score', { deployment: 'green' })).toMatchObject({
      status: 200,
      body: V2_ANSWER,
      deployment: 'green',
    });
    expect(await score('ep-score', { deployment: 'orange' })).toMatchObject({ status: 404 });
  });

  it('answers 404 when no deployment has traffic and no header names one', async () => {
    await setTraffic({ blue: 0, green: 0 });
    const answer = await score('ep-score');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ message: expect.stringContaining('No valid deployments to route to') });
    await setTraffic({ blue: 100, green: 0 });
  });

  it('answers 503 for a deployment that is still being created', async () => {
    h.emulator.faults.operation({ endpoint: 'ep-score', deployment: 'yellow' }, { outcome: 'NeverEnds' });
    await h.client.onlineDeployments.beginCreateOrUpdate(
      h.resourceGroup,
      h.workspace,
      'ep-score',
      'yellow',
      managedDeployment(h.modelId('linear', '1')),
      h.poll,
    );
    expect((await score('ep-score', { deployment: 'yellow' })).status).toBe(503);
  });

  it("follows a traffic change made behind the pipeline's back", async () => {
    h.emulator.faults.changeTraffic('ep-score', { traffic: { blue: 0, green: 100 } });
    expect(h.emulator.traffic('ep-score')).toEqual({ blue: 0, green: 100 });
    expect(await score('ep-score')).toMatchObject({ status: 200, deployment: 'green' });
    const endpoint = await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-score');
    expect(endpoint.properties.traffic).toEqual({ blue: 0, green: 100 });
    await setTraffic({ blue: 100, green: 0 });
  });
});

describe('mirroring', () => {
  it('copies the mirrored share to the shadow deployment, never answers from it, and skips it for named requests', async () => {
    const put = await h.arm('PUT', `${h.workspacePath}/onlineEndpoints/ep-score`, {
      apiVersion: '2023-04-01',
      body: {
        location: 'eastus',
        properties: { authMode: 'Key', traffic: { blue: 100, green: 0 }, mirrorTraffic: { green: 20 } },
      },
    });
    expect(put.status).toBe(201);
    await waitFor(() => h.arm('GET', `${h.workspacePath}/onlineEndpoints/ep-score`), settled);
    const mirroredBefore = h.emulator.requests().filter((entry) => entry.kind === 'score.mirror').length;
    const answers = [];
    for (let index = 0; index < 10; index++) answers.push(await score('ep-score'));
    expect(answers.every((answer) => answer.deployment === 'blue')).toBe(true);
    const mirrored = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'score.mirror')
      .slice(mirroredBefore);
    expect(mirrored).toHaveLength(2);
    expect(mirrored.every((entry) => entry.deployment === 'green' && entry.status === 200)).toBe(true);
    await score('ep-score', { deployment: 'blue' });
    expect(h.emulator.requests().filter((entry) => entry.kind === 'score.mirror').length - mirroredBefore).toBe(2);
    await setTraffic({ blue: 100, green: 0 });
  });
});

describe('authentication', () => {
  it('accepts the primary and secondary keys and answers 401 to a bad or missing key', async () => {
    expect((await score('ep-score', { key: keys.secondaryKey ?? '' })).status).toBe(200);
    expect(await score('ep-score', { key: 'wrong' })).toMatchObject({ status: 401 });
    expect(await score('ep-score', { key: null })).toMatchObject({ status: 401 });
  });

  it('accepts an aml_token for an AMLToken endpoint, and not one issued for another endpoint', async () => {
    const { onlineEndpoints, onlineDeployments } = h.client;
    for (const name of ['ep-token-a', 'ep-token-b']) {
      await onlineEndpoints.beginCreateOrUpdateAndWait(
        h.resourceGroup,
        h.workspace,
        name,
        { location: 'eastus', properties: { authMode: 'AMLToken' } },
        h.poll,
      );
    }
    await onlineDeployments.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-token-a',
      'blue',
      managedDeployment(h.modelId('linear', '1')),
      h.poll,
    );
    await onlineEndpoints.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-token-a',
      { location: 'eastus', properties: { authMode: 'AMLToken', traffic: { blue: 100 } } },
      h.poll,
    );
    const tokenA = await onlineEndpoints.getToken(h.resourceGroup, h.workspace, 'ep-token-a');
    const tokenB = await onlineEndpoints.getToken(h.resourceGroup, h.workspace, 'ep-token-b');
    expect(await score('ep-token-a', { key: tokenA.accessToken ?? '' })).toMatchObject({
      status: 200,
      body: V1_ANSWER,
    });
    expect((await score('ep-token-a', { key: tokenB.accessToken ?? '' })).status).toBe(401);
    expect((await score('ep-token-a', { key: keys.primaryKey ?? '' })).status).toBe(401);
  });

  it('accepts an Entra token for https://ml.azure.com on an AADToken endpoint', async () => {
    const { onlineEndpoints, onlineDeployments } = h.client;
    const body = (traffic?: Record<string, number>) => ({
      location: 'eastus',
      properties: { authMode: 'AADToken' as const, ...(traffic === undefined ? {} : { traffic }) },
    });
    await onlineEndpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-aad', body(), h.poll);
    await onlineDeployments.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-aad',
      'blue',
      managedDeployment(h.modelId('linear', '2')),
      h.poll,
    );
    await onlineEndpoints.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-aad',
      body({ blue: 100 }),
      h.poll,
    );
    const token = await h.credential.getToken('https://ml.azure.com/.default');
    expect(await score('ep-aad', { key: token.token })).toMatchObject({ status: 200, body: V2_ANSWER });
    expect((await score('ep-aad', { key: await h.armToken() })).status).toBe(401);
  });

  it('serves swagger.json to authenticated callers', async () => {
    const response = await fetch(`${h.emulator.urls.arm}online/ep-score/swagger.json`, {
      headers: { authorization: `Bearer ${keys.primaryKey}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ swagger: '2.0', paths: { '/score': expect.any(Object) } });
  });
});

describe('model behaviour', () => {
  it('answers 400 with a clear message for a wrong input shape', async () => {
    const wrongWidth = await score('ep-score', { body: { data: [[1, 2]] } });
    expect(wrongWidth).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('Row 0 must be an array of 3 numbers') },
    });
    expect((await score('ep-score', { body: { input: [1, 2, 3] } })).status).toBe(400);
  });

  it('answers 424 with the model error headers when the model fails while scoring', async () => {
    h.emulator.faults.model('linear', '1', { scoreError: 'ValueError: boom' });
    const answer = await score('ep-score');
    expect(answer.status).toBe(424);
    expect(answer.headers.get('ms-azureml-model-error-statuscode')).toBe('500');
    expect(answer.deployment).toBe('blue');
    const logs = await h.client.onlineDeployments.getLogs(h.resourceGroup, h.workspace, 'ep-score', 'blue', {
      tail: 5,
    });
    expect(logs.content).toContain('ValueError: boom');
    h.emulator.faults.clear();
  });

  it('returns wrong answers and answers slowly when told to', async () => {
    h.emulator.faults.model('linear', '1', { answerOffset: 1, latencyMs: 150 });
    const started = Date.now();
    const answer = await score('ep-score');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.body).toEqual([V1_ANSWER[0]! + 1]);
    h.emulator.faults.clear();
  });

  it('answers 408 when the model is slower than the request timeout of the deployment', async () => {
    const slow = managedDeployment(h.modelId('linear', '1'));
    await h.client.onlineDeployments.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-score',
      'quick',
      { ...slow, properties: { ...slow.properties, requestSettings: { requestTimeout: 'PT0.1S' } } },
      h.poll,
    );
    h.emulator.faults.model('linear', '1', { latencyMs: 1000 });
    const started = Date.now();
    expect((await score('ep-score', { deployment: 'quick' })).status).toBe(408);
    expect(Date.now() - started).toBeLessThan(900);
    h.emulator.faults.clear();
  });

  it('logs every request served, with status and duration', async () => {
    const logs = await h.client.onlineDeployments.getLogs(h.resourceGroup, h.workspace, 'ep-score', 'green', {});
    expect(logs.content).toMatch(/POST \/score 200 \d+\.\d{3}ms/);
  });
});
