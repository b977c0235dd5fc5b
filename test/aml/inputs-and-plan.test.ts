/**
 * Bad inputs are refused with a clear message, where there is one the file and line, before anything is called in
 * Azure; and `mode: plan` shows drift between git and the live endpoint without changing it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEPLOY, ENDPOINT, startAmlWorld, type AmlWorld } from '../support/aml.ts';
import { obeyedCommands } from '../support/runner-commands.ts';
import { MANIFEST } from '../../packages/core/test/fixtures.ts';

let world: AmlWorld;

beforeAll(async () => {
  world = await startAmlWorld();
});

afterAll(async () => {
  await world?.close();
});

function write(name: string, text: string): string {
  writeFileSync(join(world.repo, 'deploy', name), text);
  return `deploy/${name}`;
}

/** Azure calls made since the mark (ARM and token requests alike). */
function azureCallsSince(mark: number): string[] {
  return world.emulator
    .requests()
    .slice(mark)
    .map((r) => `${r.method} ${r.path}`);
}

describe('bad inputs are refused before any call to Azure', () => {
  const cases: [string, () => Record<string, string>, RegExp, RegExp?][] = [
    [
      'an unknown field, annotated on its line',
      () => ({
        ...DEPLOY,
        'deployment-file': write(
          'typo.yml',
          'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\ninstance_typ: Standard_DS3_v2\n',
        ),
      }),
      /unknown field 'instance_typ'/,
      /^::error title=Invalid Azure ML YAML,file=deploy\/typo\.yml,line=4,col=1::/m,
    ],
    [
      'broken YAML',
      () => ({ ...DEPLOY, 'endpoint-file': write('broken.yml', 'name: fraud-scorer\nauth_mode: [key\n') }),
      /Flow sequence/,
      /file=deploy\/broken\.yml,line=\d+/,
    ],
    [
      'a wrong type',
      () => ({
        ...DEPLOY,
        'deployment-file': write(
          'type.yml',
          'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\ninstance_type: x\ninstance_count: many\n',
        ),
      }),
      /instance_count:/,
      /line=5/,
    ],
    [
      'a VM size managed endpoints do not offer',
      () => ({
        ...DEPLOY,
        'deployment-file': write(
          'size.yml',
          'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\ninstance_type: Standard_B2s\n',
        ),
      }),
      /instance_type 'Standard_B2s' is not a VM size managed online endpoints support/,
      /file=deploy\/size\.yml,line=4/,
    ],
    [
      'more than 50 instances',
      () => ({
        ...DEPLOY,
        'deployment-file': write(
          'count.yml',
          'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\ninstance_type: Standard_DS3_v2\ninstance_count: 60\n',
        ),
      }),
      /instance_count must be between 1 and 50 for a managed deployment \(got 60\)/,
      /file=deploy\/count\.yml,line=5/,
    ],
    [
      'a request timeout above 180 s',
      () => ({
        ...DEPLOY,
        'deployment-file': write(
          'timeout.yml',
          'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\ninstance_type: Standard_DS3_v2\nrequest_settings:\n  request_timeout_ms: 300000\n',
        ),
      }),
      /request_timeout_ms is 300000, above the 180 s that managed online endpoints allow/,
      /file=deploy\/timeout\.yml,line=6/,
    ],
    [
      'an invalid endpoint name in the input',
      () => ({ ...DEPLOY, endpoint: 'my_endpoint' }),
      /Input 'endpoint' \(or 'endpoint' in the env file\): 'my_endpoint' is not a valid endpoint name/,
    ],
    [
      'the same slot twice',
      () => ({ ...DEPLOY, slots: 'green,green' }),
      /Input 'slots' is 'green,green': give two different deployment names/,
    ],
    [
      'a path outside the repository',
      () => ({ ...DEPLOY, 'endpoint-file': '../../etc/passwd' }),
      /Input 'endpoint-file' is '\.\.\/\.\.\/etc\/passwd', which is outside the repository/,
    ],
    [
      'a missing file',
      () => ({ ...DEPLOY, 'deployment-file': 'deploy/nope.yml' }),
      /Input 'deployment-file': deploy\/nope\.yml does not exist/,
    ],
    ['plain http to ARM', () => ({ ...DEPLOY, 'arm-endpoint': 'http://127.0.0.1:1' }), /'arm-endpoint' must use https/],
    [
      'model and manifest together',
      () => ({ ...DEPLOY, model: 'fraud:1', manifest: write('m.json', JSON.stringify(MANIFEST)) }),
      /Input 'model' and 'manifest' are both set/,
    ],
    [
      'a manifest from a newer release',
      () => ({ ...DEPLOY, manifest: write('new.json', JSON.stringify({ ...MANIFEST, schema: 2 })) }),
      /has schema 2, newer than the 1/,
    ],
    [
      'a local code folder that does not exist (checked before any upload)',
      () => ({
        ...DEPLOY,
        'deployment-file': write(
          'local.yml',
          'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\ncode_configuration:\n  code: ./src\n  scoring_script: score.py\ninstance_type: Standard_DS3_v2\n',
        ),
      }),
      /deploy\/local\.yml: code_configuration\.code: .*src does not exist/,
    ],
    ['an unknown mode', () => ({ ...DEPLOY, mode: 'yolo' }), /Input 'mode' is 'yolo': use one of 'deploy', 'plan'/],
    ['a bad timeout', () => ({ ...DEPLOY, timeout: 'forever' }), /Input 'timeout' is 'forever': use a duration/],
  ];

  it.each(cases.map(([name, inputs, message, annotation]) => ({ name, inputs, message, annotation })))(
    '$name',
    async ({ inputs, message, annotation }) => {
      const mark = world.emulator.requests().length;
      const result = await world.run('aml-endpoint-deploy', inputs());
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(message);
      if (annotation) expect(result.log).toMatch(annotation);
      expect(azureCallsSince(mark)).toEqual([]);
    },
  );

  it('the test action refuses a request file that is not JSON', async () => {
    const mark = world.emulator.requests().length;
    const result = await world.run('aml-endpoint-test', { 'request-file': write('bad.json', '{"data": [1, 2') });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/The request file .*deploy\/bad\.json is not valid JSON/);
    expect(azureCallsSince(mark)).toEqual([]);
  });

  it.each([
    [
      'a split that does not sum to 100',
      { 'expected-traffic': '{"green":60,"blue":30}' },
      /Input 'expected-traffic' is \{"green":60,"blue":30\}, which sums to 90/,
    ],
    [
      'malformed azure-credentials',
      { 'client-id': '', 'tenant-id': '', 'azure-credentials': '{"clientId": "x", ' },
      /'azure-credentials' is not valid JSON/,
    ],
    [
      'azure-credentials without a secret',
      { 'client-id': '', 'tenant-id': '', 'azure-credentials': '{"clientId": "x", "tenantId": "t"}' },
      /'azure-credentials' lacks clientSecret, subscriptionId/,
    ],
    [
      'a scale-down above the 50 instances of a managed deployment',
      { cleanup: 'scale-down', 'scale-down-to': '60' },
      /Input 'scale-down-to' is '60': use an integer from 1 to 50/,
    ],
    [
      'OpenID Connect without a tenant',
      { 'tenant-id': '' },
      /OpenID Connect login needs both 'client-id' and 'tenant-id': 'tenant-id' is missing/,
    ],
  ])('the swap action refuses %s before any call', async (_, inputs, message) => {
    const mark = world.emulator.requests().length;
    const result = await world.run('aml-endpoint-swap', { deployment: 'blue', ...inputs });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(message);
    expect(azureCallsSince(mark)).toEqual([]);
  });

  it('an unknown model is refused after reading only: no endpoint is created', async () => {
    const mark = world.emulator.requests().length;
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:99' });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /model fraud version 99 does not exist in workspace mlops-ws \(recent versions: 3, 2, 1\)/,
    );
    const changes = world.emulator
      .requests()
      .slice(mark)
      .filter((r) => r.method !== 'GET' && r.kind !== 'token');
    expect(changes).toEqual([]);
  });

  it('the swap action refuses expected-traffic that is not a traffic map', async () => {
    const result = await world.run('aml-endpoint-swap', { deployment: 'blue', 'expected-traffic': '{"green": "all"}' });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/Input 'expected-traffic' is not the expected JSON: green:/);
  });
});

describe('mode: plan', () => {
  it('reports a new endpoint without creating it', async () => {
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, mode: 'plan' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['has-changes']).toBe('true');
    expect(result.summary).toContain('The endpoint does not exist: a deploy creates it and deployment green.');
    await expect(world.client.onlineEndpoints.get('mlops-rg', 'mlops-ws', ENDPOINT)).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('shows no drift right after a deploy and swap, then the drift a hand edit makes', async () => {
    expect((await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' })).exitCode).toBe(0);
    // Untested on purpose: this is about drift, not promotion.
    const swap = await world.run('aml-endpoint-swap', { deployment: 'green', 'require-tested': 'false' });
    expect(swap.exitCode).toBe(0);
    // An annotation the runner shows, not a line printed inert among untrusted text.
    expect(obeyedCommands(swap.log)).toContain(
      "::warning::require-tested is false: green's test record is not checked.",
    );
    const clean = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      model: 'fraud:1',
      mode: 'plan',
      'fail-on-drift': 'true',
    });
    expect(clean.exitCode).toBe(0);
    expect(clean.outputs).toMatchObject({ 'has-changes': 'false', changes: '[]' });
    expect(clean.log).toContain(`Endpoint ${ENDPOINT} matches the YAML.`);

    // Someone scales the live deployment by hand in the portal.
    const green = await world.client.onlineDeployments.get('mlops-rg', 'mlops-ws', ENDPOINT, 'green');
    await world.client.onlineDeployments.beginUpdateAndWait(
      'mlops-rg',
      'mlops-ws',
      ENDPOINT,
      'green',
      { sku: { capacity: 3 } },
      { updateIntervalInMs: 50 },
    );
    expect(green.sku?.capacity).toBe(1);
    const mark = world.emulator.requests().length;
    const drift = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      model: 'fraud:1',
      mode: 'plan',
      'fail-on-drift': 'true',
    });
    expect(drift.exitCode).toBe(1);
    expect(JSON.parse(drift.outputs['changes'] as string)).toEqual([{ path: 'sku.capacity', live: 3, desired: 1 }]);
    expect(drift.log).toContain('~ sku.capacity: 3 → 1');
    expect(drift.errors.join('\n')).toContain(`Endpoint ${ENDPOINT} has drifted from git (1 difference(s))`);
    // Reads only.
    expect(
      world.emulator
        .requests()
        .slice(mark)
        .filter((r) => r.method !== 'GET' && r.kind !== 'token'),
    ).toEqual([]);
  });
});
