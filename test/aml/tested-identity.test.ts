/**
 * What the test recorded, and what the swap and the rollback check against it, end to end through the bundled
 * actions: a slot changed after its test, a swap after a failed test, a slot made live by someone else, a re-run of
 * the whole pipeline after a swap, and a rollback to a slot that no longer holds what was live.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { specHash, TEST_TAGS } from '../../packages/core/src/aml/tested-identity.ts';
import { DEPLOY, ENDPOINT, expectedAnswer, startAmlWorld, writeCase, type AmlWorld } from '../support/aml.ts';
import type { RunResult } from '../support/run-action.ts';
import { changeSlotModel } from '../faults/matrix.ts';

let world: AmlWorld;
const RG = 'mlops-rg';
const WS = 'mlops-ws';

function expectOk(result: RunResult): RunResult {
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}\n${result.log}`);
  return result;
}

const deploy = (model: string) => world.run('aml-endpoint-deploy', { ...DEPLOY, model });
const test = (deployment: string, extra: Record<string, string> = {}) =>
  world.run('aml-endpoint-test', { deployment, cases: 'deploy/cases', 'load-requests': '0', ...extra });
const swap = (deployment: string, expected: Record<string, number>, extra: Record<string, string> = {}) =>
  world.run('aml-endpoint-swap', { deployment, 'expected-traffic': JSON.stringify(expected), ...extra });
const blue = () => world.client.onlineDeployments.get(RG, WS, ENDPOINT, 'blue');
const changesSince = (mark: number) =>
  world.emulator
    .requests()
    .slice(mark)
    .filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method))
    .map((r) => `${r.method} ${r.kind}`);

beforeAll(async () => {
  world = await startAmlWorld();
  writeCase(world, 'two-rows', expectedAnswer('1'));
  expectOk(await deploy('fraud:1'));
  expectOk(await test('green'));
  expectOk(await swap('green', {}));
  expectOk(await deploy('fraud:2'));
  writeCase(world, 'two-rows', expectedAnswer('2'));
});

afterAll(async () => {
  await world?.close();
});

describe('the test records what it tested', () => {
  it('in its outputs, report, release manifest and as tags set by a PATCH that leaves the spec as it was', async () => {
    const mark = world.emulator.requests().length;
    const result = expectOk(await test('blue', { 'manifest-path': 'out/manifest.json' }));
    const record = JSON.parse(result.outputs['test-record'] as string);
    expect(record).toMatchObject({
      deployment: 'blue',
      result: 'passed',
      model: 'fraud:2',
      environment: 'scoring-env:1',
      image: 'mcr.microsoft.com/azureml/minimal-py312-inference:latest',
      instanceType: 'Standard_DS3_v2',
    });
    expect(record.specHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.outputs['spec-hash']).toBe(record.specHash);
    expect(result.summary).toContain('Recorded on blue: test passed');
    expect(result.summary).toContain(record.specHash);
    expect(JSON.parse(readFileSync(result.outputs['report'] as string, 'utf8')).tested).toEqual(record);
    const manifest = JSON.parse(readFileSync(join(world.repo, 'out', 'manifest.json'), 'utf8'));
    expect(manifest.evidence).toMatchObject({ specHash: record.specHash, instanceType: 'Standard_DS3_v2' });

    const tagged = await blue();
    expect(tagged.tags).toMatchObject({
      [TEST_TAGS.result]: 'passed',
      [TEST_TAGS.specHash]: record.specHash,
      [TEST_TAGS.model]: 'fraud:2',
      'mlops-actions.model-version': '2',
    });
    // Tags only: one PATCH, no PUT of the deployment, and the hash of the resource is what was recorded.
    expect(changesSince(mark)).toEqual(['PATCH onlineDeployments.update']);
    expect(specHash(tagged)).toBe(record.specHash);
  });
});

describe('the swap compares the slot with the record', () => {
  it('refuses a slot whose model was changed after its test, naming the change', async () => {
    await changeSlotModel(world, 'blue', '3');
    const result = await swap('blue', { green: 100 });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(
      'deployment blue changed after its test: model fraud:2 then, fraud:3 now',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('refuses a slot whose last test failed (a swap under if: always(), or re-run alone)', async () => {
    expectOk(await deploy('fraud:2'));
    writeCase(world, 'two-rows', expectedAnswer('1'));
    const failed = await test('blue');
    writeCase(world, 'two-rows', expectedAnswer('2'));
    expect(failed.exitCode).toBe(1);
    expect(JSON.parse(failed.outputs['test-record'] as string).result).toBe('failed');
    expect((await blue()).tags?.[TEST_TAGS.result]).toBe('failed');
    const result = await swap('blue', { green: 100 });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/the last test of deployment blue failed \(\d{4}-/);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it("compares with the test's record output too, and names a change outside the model", async () => {
    const passed = expectOk(await test('blue'));
    const current = await blue();
    const { provisioningState: _state, ...properties } = current.properties;
    await world.client.onlineDeployments.beginCreateOrUpdateAndWait(
      RG,
      WS,
      ENDPOINT,
      'blue',
      {
        location: current.location,
        tags: current.tags,
        sku: current.sku,
        properties: { ...properties, environmentVariables: { DEBUG_SCORING: '1' } },
      },
      { updateIntervalInMs: 50 },
    );
    const result = await swap('blue', { green: 100 }, { 'test-record': passed.outputs['test-record'] as string });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain('deployment blue changed after its test: the rest of its spec changed');
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('refuses a slot someone else made live when expected-traffic differs and it was never tested', async () => {
    expectOk(await deploy('fraud:2'));
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 0, blue: 100 } });
    const result = await swap('blue', { green: 100 });
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 100, blue: 0 } });
    expect(result.exitCode).toBe(1);
    const message = result.errors.join('\n');
    expect(message).toContain('live traffic changed since the pipeline started');
    expect(message).toContain('deployment blue has no test record');
    expect(result.log).not.toContain('Nothing to do');
  });
});

describe('a re-run after a swap, and rollback', () => {
  it('a re-run of the first swap alone (expected-traffic {}) has nothing to do', async () => {
    const again = expectOk(await swap('green', {}));
    expect(again.log).toContain('Nothing to do on endpoint fraud-scorer: deployment green already has 100 %');
  });

  it('a re-run of the whole pipeline leaves the idle slot (the rollback target) alone', async () => {
    expectOk(await test('blue'));
    expectOk(await swap('blue', { green: 100, blue: 0 }));
    const greenBefore = await world.client.onlineDeployments.get(RG, WS, ENDPOINT, 'green');

    const mark = world.emulator.requests().length;
    const again = expectOk(await deploy('fraud:2'));
    expect(again.outputs).toMatchObject({ deployment: 'blue', 'already-live': 'true', 'model-version': '2' });
    expect(again.log).toContain('Live slot blue already holds exactly this deployment: nothing deployed');
    expect(changesSince(mark)).toEqual([]);
    const green = await world.client.onlineDeployments.get(RG, WS, ENDPOINT, 'green');
    expect(green.properties.model).toBe(greenBefore.properties.model);
    expect(green.properties.model).toMatch(/\/fraud\/versions\/1$/);

    expectOk(await test(again.outputs['deployment'] as string));
    const noop = expectOk(await swap('blue', JSON.parse(again.outputs['traffic'] as string)));
    expect(noop.log).toContain(
      'Nothing to do on endpoint fraud-scorer: deployment blue already has 100 % of the traffic.',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 0, blue: 100 });
  });

  it('rollback restores green and names the model version it restores', async () => {
    const rollback = expectOk(
      await world.run('aml-endpoint-swap', { mode: 'rollback', 'previous-deployment': 'green' }),
    );
    expect(rollback.log).toContain('restoring green (model fraud version 1)');
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100, blue: 0 });
  });

  it('rollback refuses a previous slot that was changed since it was live', async () => {
    expectOk(await swap('blue', { green: 100, blue: 0 }));
    await changeSlotModel(world, 'green', '3');
    const rollback = await world.run('aml-endpoint-swap', { mode: 'rollback' });
    expect(rollback.exitCode).toBe(1);
    expect(rollback.errors.join('\n')).toContain(
      'green no longer holds what was live before the last promotion: model fraud version 1 then, model fraud version 3 now',
    );
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 0, blue: 100 });
  });
});
