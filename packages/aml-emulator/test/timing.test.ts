/**
 * The realistic timing profile: each kind of long operation lasts what it lasted in the recorded sessions against
 * Azure, times a scale. Durations are read from the emulator's operation log (start → due), not measured.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator } from '../src/index.ts';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { keyEndpoint, LINEAR_V1, managedDeployment, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

const SCALE = 0.001;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timing: 'realistic', timeScale: SCALE, provisioningMs: undefined });
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

const lastingMs = (entry: { startTime: string; dueTime?: string }) =>
  Date.parse(entry.dueTime ?? '') - Date.parse(entry.startTime);

describe('realistic timing', () => {
  it('lasts as recorded, scaled: endpoint 49.8 s, deployment 8 min 56 s, update 5 min 20 s, traffic 70.1 s, delete 7.2 s', async () => {
    const model = await h.registerModel('timed', '1', LINEAR_V1);
    const poll = { updateIntervalInMs: 5 };
    const endpoints = h.client.onlineEndpoints;
    const deployments = h.client.onlineDeployments;
    await endpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-timed', keyEndpoint(), poll);
    const body = managedDeployment(model);
    await deployments.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-timed', 'blue', body, poll);
    await deployments.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-timed',
      'blue',
      { ...body, sku: { name: 'Default', capacity: 2 } },
      poll,
    );
    await endpoints.beginCreateOrUpdateAndWait(
      h.resourceGroup,
      h.workspace,
      'ep-timed',
      keyEndpoint({ blue: 100 }),
      poll,
    );
    await endpoints.beginDeleteAndWait(h.resourceGroup, h.workspace, 'ep-timed', poll);
    const log = h.emulator.operations().map((entry) => ({
      what: `${entry.deployment === undefined ? 'endpoint' : 'deployment'} ${entry.action}`,
      status: entry.status,
      ms: lastingMs(entry),
    }));
    expect(log).toEqual([
      { what: 'endpoint create', status: 'Succeeded', ms: Math.round(49_800 * SCALE) },
      { what: 'deployment create', status: 'Succeeded', ms: Math.round(536_000 * SCALE) },
      { what: 'deployment update', status: 'Succeeded', ms: Math.round(320_400 * SCALE) },
      { what: 'endpoint update', status: 'Succeeded', ms: Math.round(70_100 * SCALE) },
      { what: 'endpoint delete', status: 'Succeeded', ms: Math.round(7_200 * SCALE) },
    ]);
    // No Retry-After anywhere, as recorded: clients poll at their own pace.
    const created = await h.arm('PUT', `${h.workspacePath}/onlineEndpoints/ep-timed-2`, { body: keyEndpoint() });
    expect(created.headers.get('retry-after')).toBeNull();
  });

  it('keeps uniform timing the default, and refuses settings that mix the two', async () => {
    await expect(startEmulator({ timing: 'realistic', provisioningMs: 10 })).rejects.toThrow(/timeScale/);
    await expect(startEmulator({ timeScale: 0.5 })).rejects.toThrow(/realistic/);
    await expect(startEmulator({ timing: 'realistic', timeScale: 0 })).rejects.toThrow(/positive/);
    const cli = spawnSync(
      process.execPath,
      [resolve(import.meta.dirname, '../bin/aml-emulator.js'), '--timing', 'quick'],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain("--timing must be uniform or realistic, got 'quick'");
  });
});
