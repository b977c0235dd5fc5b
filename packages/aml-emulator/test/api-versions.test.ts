/**
 * api-versions as ARM treats them: the versions a resource type serves are accepted (older previews that azure-ai-ml
 * still sends included), any other is refused with ARM's NoRegisteredProviderFound, and the online-endpoint
 * properties a version lacks are neither returned nor taken from it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { supportedApiVersions } from '../src/arm/api-versions.ts';
import { keyEndpoint, LINEAR_V1, managedDeployment, settled, startHarness, waitFor } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;
let modelId: string;

beforeAll(async () => {
  h = await startHarness();
  modelId = await h.registerModel('linear', '1', LINEAR_V1);
  await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-ver',
    keyEndpoint(),
    h.poll,
  );
  for (const name of ['blue', 'shadow']) {
    await h.client.onlineDeployments.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-ver',
      name,
      managedDeployment(modelId),
      h.poll,
    );
  }
});

/** The old-version PUTs below carry mirrorTraffic on purpose: the only bodies the specification must flag. */
const DELIBERATELY_OUT_OF_SPEC = ['2022-10-01', '2022-05-01', '2021-03-01-preview'];

afterAll(async () => {
  const problems = await h.close();
  expect(problems).toHaveLength(DELIBERATELY_OUT_OF_SPEC.length);
  DELIBERATELY_OUT_OF_SPEC.forEach((apiVersion, index) =>
    expect(problems[index]).toContain(
      `(onlineEndpoints.createOrUpdate, api-version ${apiVersion}) → 201: request body /properties must NOT have ` +
        'additional properties {"additionalProperty":"mirrorTraffic"}',
    ),
  );
});

const endpointPath = (name: string) => `${h.workspacePath}/onlineEndpoints/${name}`;
type EndpointBody = { properties: Record<string, unknown> };

const put = (apiVersion: string, properties: Record<string, unknown>, name = 'ep-ver') =>
  h.arm('PUT', endpointPath(name), {
    apiVersion,
    body: { location: 'eastus', properties: { authMode: 'Key', ...properties } },
  });

const settledAt = (apiVersion: string, name = 'ep-ver') =>
  waitFor(() => h.arm('GET', endpointPath(name), { apiVersion }), settled);

describe('the api-versions ARM serves', () => {
  it.each([
    ['2022-02-01-preview', 'onlineEndpoints (azure-ai-ml)'],
    ['2023-04-01-preview', 'onlineEndpoints'],
    ['2023-08-01-preview', 'onlineEndpoints'],
    ['2024-10-01-preview', 'onlineEndpoints'],
    ['2024-04-01', 'onlineEndpoints'],
    ['2022-10-01', 'onlineEndpoints (@azure/arm-machinelearning 2.1.1)'],
  ])('accepts %s for %s', async (apiVersion) => {
    expect((await h.arm('GET', endpointPath('ep-ver'), { apiVersion })).status).toBe(200);
    expect((await h.arm('GET', `${endpointPath('ep-ver')}/deployments`, { apiVersion })).status).toBe(200);
  });

  it('serves the workspace versions that predate online endpoints on the workspace only', async () => {
    expect((await h.arm('GET', h.workspacePath, { apiVersion: '2018-11-19' })).status).toBe(200);
    expect(await h.arm('GET', endpointPath('ep-ver'), { apiVersion: '2018-11-19' })).toMatchObject({
      status: 400,
      body: { error: { code: 'NoRegisteredProviderFound' } },
    });
  });

  it.each(['2099-01-01', '2022-10-02', '2023-04-01-privatepreview', 'latest'])(
    'refuses %s with ARM’s NoRegisteredProviderFound, naming the type, location and supported versions',
    async (apiVersion) => {
      const response = await h.arm('GET', endpointPath('ep-ver'), { apiVersion });
      const versions = supportedApiVersions('workspaces/onlineEndpoints').join(', ');
      expect(response).toMatchObject({
        status: 400,
        body: {
          error: {
            code: 'NoRegisteredProviderFound',
            message:
              `No registered resource provider found for location 'eastus' and API version '${apiVersion}' for type ` +
              `'workspaces/onlineEndpoints'. The supported api-versions are '${versions}'. The supported locations are 'eastus'.`,
          },
        },
      });
    },
  );

  it('lists the versions oldest first, a preview after the stable version of its date', () => {
    const versions = supportedApiVersions('workspaces/onlineEndpoints');
    expect(versions[0]).toBe('2021-03-01-preview');
    expect(versions.indexOf('2022-10-01')).toBe(versions.indexOf('2022-10-01-preview') - 1);
    expect(versions).toEqual([...versions].sort());
  });

  it('follows an operation at the api-version of the request that started it', async () => {
    const accepted = await put('2022-02-01-preview', {});
    expect(accepted.status).toBe(201);
    const statusUrl = accepted.headers.get('azure-asyncoperation') as string;
    expect(statusUrl).toContain('api-version=2022-02-01-preview');
    expect((await h.arm('GET', statusUrl.replace(h.emulator.urls.arm, ''))).status).toBe(200);
    await settledAt('2022-02-01-preview');
  });
});

describe('properties gated by api-version', () => {
  it('carries mirrorTraffic on 2022-02-01-preview (as azure-ai-ml sends it) and on 2024-04-01', async () => {
    expect((await put('2022-02-01-preview', { traffic: { blue: 100 }, mirrorTraffic: { shadow: 10 } })).status).toBe(
      201,
    );
    expect((await settledAt('2022-02-01-preview')).body).toMatchObject({
      properties: { traffic: { blue: 100 }, mirrorTraffic: { shadow: 10 } },
    });
    expect((await settledAt('2024-04-01')).body).toMatchObject({ properties: { mirrorTraffic: { shadow: 10 } } });
  });

  it.each(DELIBERATELY_OUT_OF_SPEC)(
    'on %s neither returns mirrorTraffic nor takes it, and a PUT there clears the mirror',
    async (apiVersion) => {
      expect((await put('2024-04-01', { traffic: { blue: 100 }, mirrorTraffic: { shadow: 10 } })).status).toBe(201);
      const before = await settledAt(apiVersion);
      expect((before.body as EndpointBody).properties).not.toHaveProperty('mirrorTraffic');
      // Sent anyway, it is not part of that version's model: dropped, and the split goes with the rest of the PUT.
      expect((await put(apiVersion, { traffic: { blue: 100 }, mirrorTraffic: { shadow: 20 } })).status).toBe(201);
      await settledAt(apiVersion);
      expect((await settledAt('2024-04-01')).body).toMatchObject({ properties: { mirrorTraffic: {} } });
    },
  );

  it('returns publicNetworkAccess only on versions that have it', async () => {
    expect((await put('2024-04-01', { traffic: { blue: 100 }, publicNetworkAccess: 'Disabled' })).status).toBe(201);
    expect((await settledAt('2024-04-01')).body).toMatchObject({ properties: { publicNetworkAccess: 'Disabled' } });
    expect(((await settledAt('2022-05-01')).body as EndpointBody).properties).not.toHaveProperty('publicNetworkAccess');
    expect((await settledAt('2022-10-01')).body).toMatchObject({ properties: { publicNetworkAccess: 'Disabled' } });
  });
});

describe('mirror traffic on Kubernetes online endpoints', () => {
  it('is refused (400 BadArgument), as the safe-rollout documentation says', async () => {
    const compute = `/${h.workspacePath}/computes/k8s-compute`;
    expect((await put('2024-04-01', { compute }, 'ep-k8s')).status).toBe(201);
    await settledAt('2024-04-01', 'ep-k8s');
    const response = await put('2024-04-01', { compute, mirrorTraffic: { shadow: 10 } }, 'ep-k8s');
    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: 'BadArgument', message: expect.stringContaining('Kubernetes online endpoints') } },
    });
  });
});
