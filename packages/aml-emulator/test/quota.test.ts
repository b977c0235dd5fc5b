/**
 * Quota and limits of managed online deployments: cores per VM family with the 20 % upgrade reserve, refused with
 * Azure's nested 400; the usages, quotas and VM sizes APIs; supported instance types, instance counts, the request
 * timeout and deployments per endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OnlineDeployment } from '@azure/arm-machinelearning';
import type { RestError } from '@azure/core-rest-pipeline';
import { keyEndpoint, LINEAR_V1, managedDeployment, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;
let v1: string;

beforeAll(async () => {
  // 10 cores of Fsv2: one 2-instance Standard_F2s_v2 deployment reserves ceil(2.4) × 2 = 6 of them.
  h = await startHarness({ quota: { standardFSv2Family: 10 } });
  v1 = await h.registerModel('linear', '1', LINEAR_V1);
  for (const endpoint of ['ep-quota', 'ep-limits'])
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      endpoint,
      keyEndpoint(),
      h.poll,
    );
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const create = (name: string, body: OnlineDeployment, endpoint = 'ep-quota') =>
  h.client.onlineDeployments.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, endpoint, name, body, h.poll);
const scale = (name: string, capacity: number) =>
  h.client.onlineDeployments.beginUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    'ep-quota',
    name,
    { sku: { capacity } },
    h.poll,
  );
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as RestError,
  );
const body = (error: RestError | undefined) => JSON.parse(error?.response?.bodyAsText ?? '{}') as { error: unknown };
const usages = async () =>
  (
    await h.arm(
      'GET',
      `subscriptions/${h.subscriptionId}/providers/Microsoft.MachineLearningServices/locations/eastus/usages`,
    )
  ).body as { value: { name: { value: string }; currentValue: number; limit: number }[] };
const fsv2 = async () => (await usages()).value.find((usage) => usage.name.value === 'standardFSv2Family');

describe('quota per VM family', () => {
  it('reserves ceil(1.2 × instances) × cores and refuses beyond the limit with a nested 400 BadRequest', async () => {
    await create('quota-a', managedDeployment(v1, 'Standard_F2s_v2', 2));
    expect(await fsv2()).toMatchObject({ currentValue: 6, limit: 10 });
    const error = await refusal(create('quota-b', managedDeployment(v1, 'Standard_F2s_v2', 2)));
    expect(error).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    const { error: armError } = body(error);
    expect(armError).toMatchObject({
      code: 'BadRequest',
      message: 'The request is invalid.',
      details: [{ code: 'InferencingClientCreateDeploymentFailed', details: [], additionalInfo: [] }],
    });
    const detail = (armError as { details: { message: string }[] }).details[0]?.message ?? '';
    expect(detail).toMatch(/^InferencingClient HttpRequest error, error detail: \{/);
    const problem = JSON.parse(detail.slice(detail.indexOf('{'))) as { errors: { VmSize: string[] } };
    expect(problem.errors.VmSize[0]).toBe(
      `Not enough quota available for Standard_F2s_v2 in SubscriptionId ${h.subscriptionId}. Current usage/limit: 6/10. Additional needed: 6 Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-outofquota`,
    );
    // Nothing was created by the refused request.
    await expect(
      h.client.onlineDeployments.get(h.resourceGroup, h.workspace, 'ep-quota', 'quota-b'),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('counts the reserve on in-place updates and scaling too, the replaced reservation given back first', async () => {
    // 3 instances: ceil(3.6) × 2 = 8 cores in place of 6.
    await create('quota-a', managedDeployment(v1, 'Standard_F2s_v2', 3));
    expect(await fsv2()).toMatchObject({ currentValue: 8 });
    // 5 instances would reserve ceil(6) × 2 = 12 > 10, though 5 × 2 = 10 instances' cores would fit.
    const error = await refusal(scale('quota-a', 5));
    expect(error).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(body(error).error).toMatchObject({
      details: [{ message: expect.stringContaining('Additional needed: 4') }],
    });
    const inPlace = await refusal(create('quota-a', managedDeployment(v1, 'Standard_F2s_v2', 5)));
    expect(inPlace).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    await scale('quota-a', 4);
    expect(await fsv2()).toMatchObject({ currentValue: 10 });
  });

  it('keeps families apart and skips the reserve for the exempt sizes', async () => {
    // DSv2 has the default limit; its usage is its own.
    await create('other-family', managedDeployment(v1, 'Standard_DS3_v2', 1));
    const all = await usages();
    expect(all.value.find((usage) => usage.name.value === 'standardDSv2Family')).toMatchObject({
      currentValue: 8,
      limit: 300,
      unit: 'Count',
      type: 'Microsoft.MachineLearningServices/vmFamily/usages',
      name: { localizedValue: 'Standard DSv2 Family Cluster Dedicated vCPUs' },
    });
    expect(all.value.find((usage) => usage.name.value === 'standardFSv2Family')?.currentValue).toBe(10);
    await h.client.onlineDeployments.beginDeleteAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-quota',
      'other-family',
      h.poll,
    );
    expect((await usages()).value.find((usage) => usage.name.value === 'standardDSv2Family')?.currentValue).toBe(0);
  });

  it('lists the VM sizes with family and vCPUs, and the quotas per family, through the SDK', async () => {
    const { value: sizes = [] } = await h.client.virtualMachineSizes.list('eastus');
    expect(sizes.find((size) => size.name?.toLowerCase() === 'standard_ds3_v2')).toMatchObject({
      family: 'standardDSv2Family',
      vCPUs: 4,
    });
    const usage = [];
    for await (const item of h.client.usages.list('eastus')) usage.push(item);
    expect(usage.find((item) => item.name?.value === 'standardFSv2Family')).toMatchObject({ limit: 10 });
    const quotas = [];
    for await (const item of h.client.quotas.list('eastus')) quotas.push(item);
    expect(quotas.find((item) => item.name?.value === 'standardFSv2Family')).toMatchObject({ limit: 10 });
  });
});

describe('deployment limits', () => {
  it('refuses instance types that are not on the managed online endpoints SKU list', async () => {
    const error = await refusal(create('odd', managedDeployment(v1, 'Standard_B1s', 1), 'ep-limits'));
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
      message: expect.stringContaining('Standard_B1s'),
    });
    // Matched without regard to case, as the SKU list writes them in capitals.
    await create('caps', managedDeployment(v1, 'STANDARD_DS2_V2', 1), 'ep-limits');
  });

  it.each([0, 51])('refuses %i instances (1 to 50)', async (capacity) => {
    const error = await refusal(create('many', managedDeployment(v1, 'Standard_DS1_v2', capacity), 'ep-limits'));
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
      message: expect.stringContaining('between 1 and 50'),
    });
  });

  it('refuses a request timeout above 180 seconds', async () => {
    const withTimeout = (requestTimeout: string) => {
      const deployment = managedDeployment(v1, 'Standard_DS1_v2', 1);
      return { ...deployment, properties: { ...deployment.properties, requestSettings: { requestTimeout } } };
    };
    const error = await refusal(create('slow', withTimeout('PT181S'), 'ep-limits'));
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
      message: expect.stringContaining('180 seconds'),
    });
    await create('slow', withTimeout('PT3M'), 'ep-limits');
  });

  it('refuses a 21st deployment on an endpoint, and still updates the existing ones', async () => {
    const existing = 2; // caps, slow
    for (let i = existing; i < 20; i++)
      await create(`dep${i}`, managedDeployment(v1, 'Standard_DS1_v2', 1), 'ep-limits');
    const error = await refusal(create('dep20', managedDeployment(v1, 'Standard_DS1_v2', 1), 'ep-limits'));
    expect(error).toMatchObject({ statusCode: 400, code: 'BadArgument', message: expect.stringContaining('(20)') });
    await create('dep2', managedDeployment(v1, 'Standard_DS1_v2', 2), 'ep-limits');
  });
});
