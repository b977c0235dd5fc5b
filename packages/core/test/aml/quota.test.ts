/**
 * The deploy's quota pre-check and the service's nested errors, in process against the emulator over real HTTPS with
 * the real SDK: the decision itself is pure and tested on plain data first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { azureLogin } from '../../src/azure/auth.ts';
import { createMlClient } from '../../src/azure/client.ts';
import { deployToIdleSlot, DeploymentFailedError, planDeploy, type DeployOptions } from '../../src/aml/deploy.ts';
import { decideQuota, deploymentCountProblem, type QuotaInput } from '../../src/aml/quota.ts';
import { planSummary } from '../../src/aml/summaries.ts';
import { AmlWorkspace } from '../../src/aml/workspace.ts';
import { UserError } from '../../src/errors.ts';
import { DEPLOY, ENDPOINT, startAmlWorld, type AmlWorld } from '../../../../test/support/aml.ts';

const DS3 = { name: 'Standard_DS3_v2', family: 'standardDSv2Family', vCPUs: 4 };
const input = (extra: Partial<QuotaInput>): QuotaInput => ({
  slot: 'blue',
  location: 'eastus',
  instanceType: 'Standard_DS3_v2',
  instances: 10,
  sizes: [DS3, { name: 'Standard_NC24ads_A100_v4', family: 'standardNCADSA100v4Family', vCPUs: 24 }],
  usages: [
    { names: ['standardDSv2Family', 'Standard DSv2 Family Cluster Dedicated vCPUs'], currentValue: 8, limit: 56 },
  ],
  ...extra,
});

describe('decideQuota', () => {
  it('needs ceil(1.2 × instances) × cores beside what is in use', () => {
    expect(decideQuota(input({}))).toEqual({ fits: true, family: 'standardDSv2Family', needed: 48, free: 48 });
    const refused = decideQuota(input({ instances: 11 }));
    expect(refused).toEqual({
      fits: false,
      reason: expect.stringMatching(
        /^Deployment blue needs 56 cores of VM family standardDSv2Family in eastus \(Standard_DS3_v2: 4 cores × 14 instances: the 11 requested and the 20 % Azure reserves for upgrades\), but only 48 are free \(limit 56, 8 in use\)\. Lower 'instance_count'/,
      ),
    });
  });

  it('counts the reserve on an in-place update of the idle slot, whose own cores come back first', () => {
    // blue holds ceil(1.2 × 1) × 4 = 8 of the 8 in use; 12 instances need 15 × 4 = 60 > 56 - 8 + 8.
    const update = input({ instances: 12, replacing: { instanceType: 'Standard_DS3_v2', instances: 1 } });
    expect(decideQuota(update)).toEqual({
      fits: false,
      reason: expect.stringContaining('only 56 are free (limit 56, 8 in use, of which 8 held by blue itself'),
    });
    expect(decideQuota({ ...update, instances: 11 })).toMatchObject({ fits: true, needed: 56, free: 56 });
  });

  it('matches the family by its spaced name too, skips the reserve for exempt sizes, and says when it cannot tell', () => {
    const spaced = input({
      usages: [{ names: ['Standard DSv2 Family Cluster Dedicated vCPUs'], currentValue: 0, limit: 8 }],
    });
    expect(decideQuota({ ...spaced, instances: 1 })).toMatchObject({ fits: true, needed: 8 });
    const a100 = input({
      instanceType: 'STANDARD_NC24ADS_A100_V4',
      instances: 2,
      usages: [{ names: ['standardNCADSA100v4Family'], currentValue: 0, limit: 48 }],
    });
    expect(decideQuota(a100)).toMatchObject({ fits: true, needed: 48 });
    expect(decideQuota(input({ instanceType: 'Standard_F2s_v2' }))).toEqual({
      fits: 'unknown',
      note: 'the region lists no VM size Standard_F2s_v2',
    });
    expect(decideQuota(input({ usages: [] }))).toMatchObject({ fits: 'unknown' });
  });

  it("checks the region's total dedicated cores too, and takes a negative limit for no limit", () => {
    const withTotal = (currentValue: number, limit: number) =>
      input({
        usages: [
          { names: ['standardDSv2Family'], currentValue: 8, limit: 100 },
          { names: ['Total Cluster Dedicated Regional vCPUs'], currentValue, limit },
        ],
      });
    expect(decideQuota(withTotal(40, 88))).toMatchObject({ fits: true, needed: 48, free: 92 });
    expect(decideQuota(withTotal(41, 88))).toEqual({
      fits: false,
      reason: expect.stringMatching(
        /^Deployment blue needs 48 cores of the region's total dedicated cores in eastus .* but only 47 are free \(limit 88, 41 in use\)\. .*request more quota for the region/,
      ),
    });
    expect(decideQuota(withTotal(500, -1))).toMatchObject({ fits: true });
  });

  it('refuses a 21st deployment on an endpoint, but not an update of one of the 20', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `d${i}`);
    expect(deploymentCountProblem('fraud', 'blue', twenty)).toMatch(/already has 20 deployments/);
    expect(deploymentCountProblem('fraud', 'd3', twenty)).toBeUndefined();
    expect(deploymentCountProblem('fraud', 'blue', twenty.slice(1))).toBeUndefined();
  });
});

describe('deploy against the emulator', () => {
  let world: AmlWorld;
  let workspace: AmlWorkspace;
  const lines: string[] = [];

  beforeAll(async () => {
    // 24 DSv2 cores: green (1 × Standard_DS3_v2) holds 8 of them.
    world = await startAmlWorld({ emulator: { quota: { standardDSv2Family: 24 } } });
    const { credentials, urls } = world.emulator;
    const login = azureLogin({
      azureCredentials: JSON.stringify(credentials),
      armEndpoint: urls.arm,
      authorityHost: urls.authorityHost,
    });
    workspace = new AmlWorkspace(createMlClient(login, { maxRetries: 0, retryDelayMs: 50 }), credentials, {
      credential: login.credential,
    });
    await deployToIdleSlot(options('deployment.yml'));
    await workspace.setTraffic(await workspace.requireEndpoint(ENDPOINT), { green: 100 }, operation);
  });

  afterAll(async () => {
    await world?.close();
  });

  const operation = { timeoutMs: 30_000, pollIntervalMs: 50, log: (line: string) => lines.push(line) };
  function options(file: string): DeployOptions {
    return {
      connect: async () => workspace,
      endpointFile: join(world.repo, DEPLOY['endpoint-file']),
      deploymentFile: join(world.repo, 'deploy', file),
      slots: ['green', 'blue'],
      model: 'fraud:1',
      tags: {},
      operation,
      log: (line) => lines.push(line),
    };
  }
  const sized = (count: number) => {
    writeFileSync(
      join(world.repo, 'deploy', `sized-${count}.yml`),
      `name: blue\nmodel: azureml:fraud:2\nenvironment: azureml:scoring-env:1\ninstance_type: Standard_DS3_v2\ninstance_count: ${count}\n`,
    );
    return `sized-${count}.yml`;
  };
  const writes = () =>
    world.emulator.requests().filter((entry) => entry.method !== 'GET' && entry.kind.startsWith('online'));

  it('refuses before any change when the new slot would not fit beside the live one', async () => {
    const before = writes().length;
    // 3 instances reserve ceil(3.6) × 4 = 16 cores; 24 - 8 = 16 are free: fits. 4 instances (20 cores) do not.
    const plan = await planDeploy(options(sized(4)));
    expect(plan).toMatchObject({
      candidate: 'blue',
      capacity: expect.stringMatching(/^Deployment blue needs 20 cores/),
    });
    expect(planSummary(plan).markdown()).toContain('A deploy would go to: blue. Deployment blue needs 20 cores');
    expect((await planDeploy(options(sized(3)))).capacity).toBe(
      'Quota: blue needs 16 cores of standardDSv2Family; 16 are free.',
    );
    const error = await deployToIdleSlot(options(sized(4))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^Deployment blue needs 20 cores of VM family standardDSv2Family in eastus \(Standard_DS3_v2: 4 cores × 5 instances: the 4 requested and the 20 % Azure reserves for upgrades\), but only 16 are free \(limit 24, 8 in use\)/,
    );
    expect(writes().length).toBe(before);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
    await deployToIdleSlot(options(sized(3)));
    expect(lines).toContain('Quota: blue needs 16 cores of standardDSv2Family; 16 are free.');
  });

  it("shows the service's nested quota error when the usages cannot be read, and leaves traffic as it was", async () => {
    // An identity scoped to the resource group cannot read the subscription's usages: the service decides.
    world.emulator.faults.http({ kind: 'usages.list', status: 403, times: Infinity });
    // blue (3 instances, 16 cores) is updated in place to 4: 20 cores, 8 + 20 > 24.
    const error = await deployToIdleSlot(options(sized(4))).catch((e: unknown) => e);
    world.emulator.faults.clear();
    expect(lines.some((line) => line.startsWith('Quota not checked (Reading the VM sizes'))).toBe(true);
    expect(error).toBeInstanceOf(DeploymentFailedError);
    const message = (error as Error).message;
    expect(message).toContain('failed (HTTP 400): BadRequest: The request is invalid.');
    expect(message).toContain('\n  ↳ InferencingClientCreateDeploymentFailed: InferencingClient HttpRequest error');
    expect(message).toContain('\n    ↳ VmSize: Not enough quota available for Standard_DS3_v2 in SubscriptionId');
    expect(message).toContain('Current usage/limit: 24/24. Additional needed: 4');
    expect(message).toContain('Live traffic is unchanged ({"green":100})');
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('refuses a new slot on an endpoint that already has 20 deployments, before any change', async () => {
    const { resourceGroup, workspace: ws } = world.emulator.credentials;
    const client = world.client;
    await client.onlineEndpoints.beginCreateOrUpdateAndWait(resourceGroup, ws, 'crowded', {
      location: 'eastus',
      properties: { authMode: 'Key' },
    });
    const model = `/subscriptions/${world.emulator.credentials.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws}/models/fraud/versions/1`;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.onlineDeployments.beginCreateOrUpdateAndWait(
          resourceGroup,
          ws,
          'crowded',
          `old-${i}`,
          {
            location: 'eastus',
            properties: { endpointComputeType: 'Managed', model, instanceType: 'Standard_F2s_v2' },
            sku: { name: 'Default', capacity: 1 },
          },
          { updateIntervalInMs: 50 },
        ),
      ),
    );
    const before = writes().length;
    const error = await deployToIdleSlot({ ...options('deployment.yml'), endpointName: 'crowded' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^Endpoint crowded already has 20 deployments, the most Azure allows per endpoint \(20\), so green cannot be created/,
    );
    expect(writes().length).toBe(before);
  });

  it("shows a failed operation's nested details", async () => {
    world.emulator.faults.operation(
      { endpoint: ENDPOINT, deployment: 'blue' },
      {
        outcome: 'Failed',
        code: 'DeploymentFailed',
        message: 'The deployment failed.',
        details: [{ code: 'ResourceNotReady', message: 'User container has crashed or terminated.' }],
      },
    );
    const error = await deployToIdleSlot(options(sized(3))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentFailedError);
    expect((error as Error).message).toContain(
      'failed: DeploymentFailed: The deployment failed.\n  ↳ ResourceNotReady: User container has crashed or terminated.',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });
});
