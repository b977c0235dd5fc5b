/**
 * Runs the fault matrix (matrix.ts): each cell from the same baseline — green (v1) live, blue (v2) deployed idle and
 * tested — asserting the exit, the live traffic afterwards, the service's code in the message, and that no secret
 * reached what the runner shows. With FAULT_REPORT set, what each cell observed is written there for `npm run report:faults`.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEPLOY, ENDPOINT, startAmlWorld, writeCase, expectedAnswer, type AmlWorld } from '../support/aml.ts';
import { leakedSecrets, type RunResult } from '../support/run-action.ts';
import { TEST_TAGS } from '../../packages/core/src/aml/tested-identity.ts';
import { BASELINE, CELLS, cellName, DSV2_CORES, type Cell } from './matrix.ts';

const observed: Record<
  string,
  { exitCode: number | null; traffic: Record<string, number>; message: string; recovered?: Record<string, number> }
> = {};

async function baselineWorld(): Promise<AmlWorld> {
  const world = await startAmlWorld({ emulator: { quota: { standardDSv2Family: DSV2_CORES } } });
  writeCase(world, 'two-rows', expectedAnswer('1'));
  for (const [action, inputs] of [
    ['aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' }],
    ['aml-endpoint-test', { deployment: 'green', cases: 'deploy/cases', 'load-requests': '0' }],
    ['aml-endpoint-swap', { deployment: 'green' }],
    ['aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' }],
  ] as const) {
    const result = await world.run(action, inputs);
    if (result.exitCode !== 0) throw new Error(result.log);
  }
  writeCase(world, 'two-rows', expectedAnswer('2'));
  await testBlue(world);
  return world;
}

/** The test of blue that a swap needs (its record on the deployment): after the baseline, and after each cell. */
async function testBlue(world: AmlWorld): Promise<void> {
  const blue = await world.client.onlineDeployments.get('mlops-rg', 'mlops-ws', ENDPOINT, 'blue');
  if (blue.tags?.[TEST_TAGS.result] === 'passed') return;
  const result = await world.run('aml-endpoint-test', {
    deployment: 'blue',
    cases: 'deploy/cases',
    'load-requests': '0',
  });
  if (result.exitCode !== 0) throw new Error(`testing blue for the baseline failed:\n${result.log}`);
}

/** Back to the baseline after a cell: no faults, the baseline split, blue Succeeded with v2. */
async function restore(world: AmlWorld): Promise<void> {
  world.emulator.faults.clear();
  world.emulator.faults.changeTraffic(ENDPOINT, { traffic: BASELINE });
  // A killed or failed deploy may still be finishing in the emulator: wait until blue settles.
  for (let i = 0; i < 50; i++) {
    const blue = await world.client.onlineDeployments.get('mlops-rg', 'mlops-ws', ENDPOINT, 'blue');
    const state = blue.properties.provisioningState;
    if (state === 'Succeeded' && blue.properties.model?.endsWith('/fraud/versions/2')) return testBlue(world);
    if (state === 'Succeeded' || state === 'Failed' || state === 'Canceled') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const redeploy = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' });
  if (redeploy.exitCode !== 0) throw new Error(`restoring the baseline failed:\n${redeploy.log}`);
  await testBlue(world);
}

/** A split as the service serves it: deployments at 0 % are the same as absent. */
const live = (traffic: Record<string, number>) => Object.fromEntries(Object.entries(traffic).filter(([, p]) => p > 0));

async function check(world: AmlWorld, cell: Cell, result: RunResult): Promise<void> {
  const traffic = world.emulator.traffic(ENDPOINT);
  observed[cellName(cell)] = { exitCode: result.exitCode, traffic, message: result.errors.join(' ') };
  if (cell.exit === 'ok' && result.exitCode !== 0) throw new Error(`expected success:\n${result.log}`);
  if (cell.exit === 'fail') expect(result.exitCode).toBe(1);
  if (cell.exit === 'killed') expect(result.exitCode).toBeNull(); // killed by a signal
  if (cell.message) expect(result.errors.join('\n')).toMatch(cell.message);
  expect(live(traffic)).toEqual(live(cell.traffic ?? BASELINE));
  expect(leakedSecrets(result, await world.secrets())).toEqual([]);
  if (cell.recover) {
    const recovery = await cell.recover(world);
    expect(recovery.exitCode).toBe(0);
    const restored = world.emulator.traffic(ENDPOINT);
    (observed[cellName(cell)] as { recovered?: Record<string, number> }).recovered = restored;
    expect(live(restored)).toEqual(live(BASELINE));
  }
}

describe('fault matrix', () => {
  let world: AmlWorld;

  beforeAll(async () => {
    world = await baselineWorld();
  });

  afterAll(async () => {
    await world?.close();
    if (process.env['FAULT_REPORT']) writeFileSync(process.env['FAULT_REPORT'], JSON.stringify(observed, null, 2));
  });

  it.each(CELLS.filter((cell) => !cell.isolated).map((cell) => [cellName(cell), cell] as const))(
    '%s',
    async (_, cell) => {
      try {
        await check(world, cell, await cell.run(world));
      } finally {
        await restore(world);
      }
    },
  );

  // An operation that never ends leaves its resource busy for good: these cells get a world each.
  it.each(CELLS.filter((cell) => cell.isolated).map((cell) => [cellName(cell), cell] as const))(
    '%s',
    async (_, cell) => {
      const own = await baselineWorld();
      try {
        await check(own, cell, await cell.run(own));
      } finally {
        await own.close();
      }
    },
  );
});
