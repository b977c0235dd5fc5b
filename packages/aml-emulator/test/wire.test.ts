/**
 * Wire details the recorded sessions show (../shared/reference/recordings): names in any case, the nested
 * ModelNotFound of a missing model, logs before the container is up, durations as the service re-serializes them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keyEndpoint, LINEAR_V1, managedDeployment, settled, startHarness, waitFor } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;
let model: string;

beforeAll(async () => {
  h = await startHarness();
  model = await h.registerModel('wire-model', '1', LINEAR_V1);
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const endpointPath = (name: string) => `${h.workspacePath}/onlineEndpoints/${name}`;
const untilSettled = (path: string) => waitFor(() => h.arm('GET', path), settled);

describe('wire details of the recorded service', () => {
  it('finds endpoints, deployments and models by their name in any case, and answers with the stored name', async () => {
    expect((await h.arm('PUT', endpointPath('Wire-Ep'), { body: keyEndpoint() })).status).toBe(201);
    await untilSettled(endpointPath('wire-ep'));
    const read = await h.arm('GET', endpointPath('WIRE-EP'));
    expect(read).toMatchObject({ status: 200, body: { name: 'Wire-Ep' } });
    const deploymentPath = `${endpointPath('wire-EP')}/deployments/Blue`;
    expect((await h.arm('PUT', deploymentPath, { body: managedDeployment(model) })).status).toBe(201);
    await untilSettled(`${endpointPath('wire-ep')}/deployments/blue`);
    expect(await h.arm('GET', `${endpointPath('WIRE-ep')}/deployments/BLUE`)).toMatchObject({
      status: 200,
      body: { name: 'Blue' },
    });
    // A PUT in another case updates the one endpoint instead of creating a second.
    const traffic = await h.arm('PUT', endpointPath('wire-ep'), { body: keyEndpoint({ Blue: 100 }) });
    expect(traffic.status).toBeLessThan(300);
    await untilSettled(endpointPath('Wire-Ep'));
    const listed = (await h.arm('GET', `${h.workspacePath}/onlineEndpoints`)).body as { value: { name: string }[] };
    expect(listed.value.filter((endpoint) => endpoint.name.toLowerCase() === 'wire-ep')).toHaveLength(1);
    expect(await h.arm('GET', `${h.workspacePath}/models/WIRE-MODEL/versions/1`)).toMatchObject({ status: 200 });
  });

  it('answers 404 UserError with a nested ModelNotFound for the versions of a model that does not exist', async () => {
    const missing = await h.arm('GET', `${h.workspacePath}/models/no-such-model/versions`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      error: {
        code: 'UserError',
        message: 'The specified resource was not found.',
        details: [{ code: 'ModelNotFound', message: 'Model container with name: no-such-model not found.' }],
      },
    });
    // Code versions of an unknown container are an empty list, as recorded (the SDK's hash lookup).
    expect(await h.arm('GET', `${h.workspacePath}/codes/no-such-code/versions`)).toMatchObject({
      status: 200,
      body: { value: [] },
    });
  });

  it('answers getLogs with "try again later" until the container of a new deployment is up', async () => {
    await h.arm('PUT', endpointPath('wire-logs'), { body: keyEndpoint() });
    await untilSettled(endpointPath('wire-logs'));
    const deploymentPath = `${endpointPath('wire-logs')}/deployments/green`;
    await h.arm('PUT', deploymentPath, { body: managedDeployment(model) });
    const early = await h.arm('POST', `${deploymentPath}/getLogs`, { body: { containerType: 'InferenceServer' } });
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({
      error: { code: 'UserError', message: expect.stringMatching(/try again later/) },
    });
    await untilSettled(deploymentPath);
    const later = await h.arm('POST', `${deploymentPath}/getLogs`, { body: { containerType: 'InferenceServer' } });
    expect(later).toMatchObject({ status: 200, body: { content: expect.stringMatching(/init has completed/) } });
  });

  it('answers durations re-serialized (PT60S → PT1M, PT0.50S → PT0.5S) and maxQueueWait PT0S by default', async () => {
    await h.arm('PUT', endpointPath('wire-durations'), { body: keyEndpoint() });
    await untilSettled(endpointPath('wire-durations'));
    const body = managedDeployment(model);
    const created = await h.arm('PUT', `${endpointPath('wire-durations')}/deployments/blue`, {
      body: {
        ...body,
        properties: {
          ...body.properties,
          requestSettings: { requestTimeout: 'PT60S' },
          livenessProbe: { initialDelay: 'PT0.50S', period: 'PT90S', timeout: 'PT2S' },
        },
      },
    });
    expect(created.body).toMatchObject({
      properties: {
        requestSettings: { requestTimeout: 'PT1M', maxQueueWait: 'PT0S' },
        livenessProbe: { initialDelay: 'PT0.5S', period: 'PT1M30S', timeout: 'PT2S' },
      },
    });
    const refused = await h.arm('PUT', `${endpointPath('wire-durations')}/deployments/green`, {
      body: { ...body, properties: { ...body.properties, requestSettings: { requestTimeout: '5 seconds' } } },
    });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'BadArgument' } } });
  });
});
