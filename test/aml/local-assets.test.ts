/**
 * Local assets through the bundled deploy action, against the emulator with blob storage (Azurite, started and
 * stopped here): the workshop's layout (a folder with score.py, conda.yml and a deployment.yml whose code is `./` and
 * whose environment is inline) deployed unchanged; a re-run uploads and registers nothing; a changed file makes a new
 * code version; ignored files never leave the machine; a refused upload leaves nothing half-registered and live
 * traffic as it was; plan mode uploads nothing; an identity-based datastore and a local model path work too.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RequestLogEntry } from '@mlops-actions/aml-emulator';
import { leakedSecrets, type RunResult } from '../support/run-action.ts';
import { ENDPOINT, expectedAnswer, FEATURES, startAmlWorld, type AmlWorld } from '../support/aml.ts';

const RG = 'mlops-rg';
const WS = 'mlops-ws';
const IMAGE = 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest';

/** The workshop's folder: scoring script, conda file and the two YAML files side by side; `code: ./`. */
function writeWorkshop(repo: string): string {
  const dir = join(repo, 'workshop');
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(
    join(dir, 'score.py'),
    'import json\n\ndef init():\n    pass\n\ndef run(raw):\n    return json.loads(raw)["data"]\n',
  );
  writeFileSync(
    join(dir, 'conda.yml'),
    'name: scoring\nchannels: [conda-forge]\ndependencies:\n  - python=3.12\n  - pip\n  - pip:\n      - azureml-inference-server-http\n',
  );
  writeFileSync(
    join(dir, 'endpoint.yml'),
    `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: ${ENDPOINT}\nauth_mode: key\n`,
  );
  writeFileSync(
    join(dir, 'deployment.yml'),
    `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: ${ENDPOINT}
model: azureml:fraud:1
code_configuration:
  code: ./
  scoring_script: score.py
environment:
  conda_file: conda.yml
  image: ${IMAGE}
instance_type: Standard_DS3_v2
instance_count: 1
`,
  );
  // Never uploaded: a secret and a data folder, left out by .amlignore.
  writeFileSync(join(dir, '.amlignore'), 'secrets.env\ndata/\n');
  writeFileSync(join(dir, 'secrets.env'), 'API_KEY=do-not-upload\n');
  writeFileSync(join(dir, 'data', 'train.csv'), 'a,b\n1,2\n');
  return dir;
}

const WORKSHOP = { 'endpoint-file': 'workshop/endpoint.yml', 'deployment-file': 'workshop/deployment.yml' };

function since(world: AmlWorld, mark: number): RequestLogEntry[] {
  return world.emulator.requests().slice(mark);
}

function count(entries: RequestLogEntry[], predicate: (entry: RequestLogEntry) => boolean): number {
  return entries.filter(predicate).length;
}

const isBlob = (entry: RequestLogEntry) => entry.kind.startsWith('blob.');
const isRegistration = (entry: RequestLogEntry) => /Versions\.createOrUpdate$/.test(entry.kind);

function expectOk(result: RunResult) {
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}\n${result.log}`);
}

async function codeIdOf(world: AmlWorld, deployment: string): Promise<string> {
  const live = await world.client.onlineDeployments.get(RG, WS, ENDPOINT, deployment);
  return live.properties.codeConfiguration?.codeId ?? '';
}

async function score(world: AmlWorld, deployment: string): Promise<unknown> {
  const endpoint = await world.client.onlineEndpoints.get(RG, WS, ENDPOINT);
  const keys = await world.client.onlineEndpoints.listKeys(RG, WS, ENDPOINT);
  const response = await fetch(endpoint.properties.scoringUri ?? '', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${keys.primaryKey ?? ''}`,
      'content-type': 'application/json',
      'azureml-model-deployment': deployment,
    },
    body: JSON.stringify({ data: FEATURES }),
  });
  return response.json();
}

describe('the workshop layout, with an account-key datastore', () => {
  let world: AmlWorld;
  let dir: string;
  const runs: RunResult[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    world = await startAmlWorld({ emulator: { blobStorage: true } });
    dir = writeWorkshop(world.repo);
  }, 60_000);

  afterAll(async () => {
    const pid = world?.emulator.storage?.azuritePid;
    await world?.close();
    // Azurite is stopped with the emulator.
    if (pid) expect(() => process.kill(pid, 0)).toThrow();
  });

  async function deploy(inputs: Record<string, string> = {}) {
    const result = await world.run('aml-endpoint-deploy', { ...WORKSHOP, ...inputs });
    runs.push(result);
    return result;
  }

  it('deploys the files unchanged: code and environment uploaded and registered, then the deployment', async () => {
    const mark = world.emulator.requests().length;
    const first = await deploy();
    expectOk(first);
    timings['first'] = first.durationMs;
    const calls = since(world, mark);
    expect(count(calls, (entry) => entry.kind === 'codeVersions.createOrUpdate')).toBe(1);
    expect(count(calls, (entry) => entry.kind === 'environmentVersions.createOrUpdate')).toBe(1);
    expect(count(calls, (entry) => entry.kind === 'datastores.listSecrets')).toBe(1);
    // .amlignore, conda.yml, deployment.yml, endpoint.yml, score.py: one Put Blob each, then the confirmation.
    expect(count(calls, (entry) => entry.kind === 'blob.putBlob')).toBe(5);
    expect(count(calls, (entry) => entry.kind === 'blob.setMetadata')).toBe(1);
    // Uploads come before the deployment PUT.
    const lastBlob = calls.map((entry) => entry.kind).lastIndexOf('blob.setMetadata');
    const put = calls.findIndex((entry) => entry.kind === 'onlineDeployments.createOrUpdate');
    expect(lastBlob).toBeLessThan(put);

    const codeId = await codeIdOf(world, first.outputs['deployment'] ?? '');
    expect(codeId).toMatch(/\/codes\/[0-9a-f]{64}\/versions\/1$/);
    const live = await world.client.onlineDeployments.get(RG, WS, ENDPOINT, first.outputs['deployment'] ?? '');
    expect(live.properties.environmentId).toMatch(/\/environments\/CliV2AnonymousEnvironment\/versions\/[0-9a-f]{32}$/);
    expect(live.properties.codeConfiguration?.scoringScript).toBe('score.py');
    const env = await world.client.environmentVersions.get(
      RG,
      WS,
      'CliV2AnonymousEnvironment',
      live.properties.environmentId?.split('/').at(-1) ?? '',
    );
    expect(env.properties).toMatchObject({ image: IMAGE, condaFile: readFileSync(join(dir, 'conda.yml'), 'utf8') });
    expect(await score(world, first.outputs['deployment'] ?? '')).toEqual(expectedAnswer('1'));

    expect(first.summary).toContain('Local assets');
    expect(first.summary).toMatch(/code \| [0-9a-f]{64}:1 \| workshop \| uploaded 5 file\(s\)/);
    expect(first.summary).toContain('.amlignore left out: data/, secrets.env');
  });

  it('never uploads ignored files', async () => {
    const names = (await world.emulator.storage?.list('LocalUpload/'))?.map((blob) => blob.name) ?? [];
    expect(names.filter((name) => name.endsWith('/workshop/score.py'))).toHaveLength(1);
    expect(names.some((name) => name.includes('secrets.env') || name.includes('/data/'))).toBe(false);
    const indicator = (await world.emulator.storage?.list('LocalUpload/'))?.find((blob) =>
      blob.name.endsWith('/workshop/.amlignore'),
    );
    expect(indicator?.metadata).toMatchObject({ upload_status: 'completed', version: '1' });
  });

  it('a re-run with nothing changed uploads nothing and registers nothing', async () => {
    const mark = world.emulator.requests().length;
    const again = await deploy();
    expectOk(again);
    timings['rerun'] = again.durationMs;
    const calls = since(world, mark);
    expect(count(calls, isBlob)).toBe(0);
    expect(count(calls, isRegistration)).toBe(0);
    expect(count(calls, (entry) => entry.kind.startsWith('datastores.'))).toBe(0);
    expect(count(calls, (entry) => entry.kind === 'codeVersions.get')).toBe(1);
    expect(count(calls, (entry) => entry.kind === 'environmentVersions.get')).toBe(1);
    expect(again.summary).toContain('0 uploaded, 0 registered, 2 reused');
    console.log(
      `local assets: first deploy ${timings['first']} ms, re-run with nothing to upload ${timings['rerun']} ms ` +
        `(ratio ${((timings['rerun'] ?? 0) / (timings['first'] ?? 1)).toFixed(2)})`,
    );
  });

  it('a changed file makes a new code version; the environment is reused', async () => {
    world.emulator.faults.changeTraffic(ENDPOINT, { traffic: { green: 100 } });
    const before = await codeIdOf(world, 'green');
    writeFileSync(join(dir, 'score.py'), `${readFileSync(join(dir, 'score.py'), 'utf8')}# v2\n`);
    const mark = world.emulator.requests().length;
    const changed = await deploy();
    expectOk(changed);
    expect(changed.outputs['deployment']).toBe('blue');
    const calls = since(world, mark);
    expect(count(calls, (entry) => entry.kind === 'codeVersions.createOrUpdate')).toBe(1);
    expect(count(calls, (entry) => entry.kind === 'environmentVersions.createOrUpdate')).toBe(0);
    const after = await codeIdOf(world, 'blue');
    expect(after).toMatch(/\/codes\/[0-9a-f]{64}\/versions\/1$/);
    expect(after).not.toBe(before);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('plan mode says what a deploy would upload, and uploads and registers nothing', async () => {
    writeFileSync(join(dir, 'score.py'), `${readFileSync(join(dir, 'score.py'), 'utf8')}# v3\n`);
    const mark = world.emulator.requests().length;
    const plan = await world.run('aml-endpoint-deploy', { ...WORKSHOP, mode: 'plan' });
    expectOk(plan);
    const calls = since(world, mark);
    expect(count(calls, isBlob)).toBe(0);
    expect(count(calls, isRegistration)).toBe(0);
    expect(count(calls, (entry) => entry.method !== 'GET' && entry.kind !== 'token')).toBe(0);
    expect(plan.summary).toMatch(/a deploy would upload 5 file\(s\), [\d.]+ (B|KiB) and register it/);
    expect(plan.outputs['has-changes']).toBe('true');
  });

  it('a refused upload leaves no half-registered asset and live traffic untouched; the next run completes it', async () => {
    const blueBefore = await codeIdOf(world, 'blue');
    // score.py is the last file (sorted): the other four are up when the storage refuses it.
    world.emulator.faults.http({ kind: 'blob.putBlob', path: '**/score.py', status: 403, times: 1 });
    const mark = world.emulator.requests().length;
    const refused = await deploy();
    expect(refused.exitCode).toBe(1);
    expect(refused.errors.join('\n')).toMatch(/Uploading score\.py to .*failed \(HTTP 403\): AuthorizationFailure/);
    const calls = since(world, mark);
    expect(count(calls, (entry) => entry.kind === 'blob.putBlob' && entry.status === 201)).toBe(4);
    expect(count(calls, isRegistration)).toBe(0);
    expect(count(calls, (entry) => entry.kind === 'onlineDeployments.createOrUpdate')).toBe(0);
    expect(count(calls, (entry) => entry.kind === 'blob.setMetadata')).toBe(0);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
    expect(await codeIdOf(world, 'blue')).toBe(blueBefore);
    // The partial upload carries no confirmation, so it is not taken for a complete one.
    const partial = (await world.emulator.storage?.list('LocalUpload/'))?.filter(
      (blob) => blob.name.endsWith('/workshop/.amlignore') && blob.metadata['upload_status'] !== 'completed',
    );
    expect(partial).toHaveLength(1);

    const retried = await deploy();
    expectOk(retried);
    expect(await codeIdOf(world, 'blue')).not.toBe(blueBefore);
    expect(world.emulator.traffic(ENDPOINT)).toEqual({ green: 100 });
  });

  it('never shows the account key or any other secret', async () => {
    const secrets = await world.secrets();
    const datastoreKey = ((await world.client.datastores.listSecrets(RG, WS, 'workspaceblobstore')) as { key?: string })
      .key;
    expect(datastoreKey).toBeTruthy();
    const all = [...secrets, datastoreKey ?? ''].filter(Boolean);
    expect(runs.flatMap((run) => leakedSecrets(run, all))).toEqual([]);
  });
});

describe('an identity-based datastore and a local model path', () => {
  let world: AmlWorld;

  beforeAll(async () => {
    world = await startAmlWorld({ emulator: { blobStorage: { datastoreAuth: 'identity' } } });
    const dir = writeWorkshop(world.repo);
    mkdirSync(join(dir, 'model'));
    writeFileSync(
      join(dir, 'model', 'model.json'),
      JSON.stringify({ format: 'linear/v1', weights: [1, 1, 1], bias: 0.5 }),
    );
    writeFileSync(
      join(dir, 'deployment.yml'),
      readFileSync(join(dir, 'deployment.yml'), 'utf8').replace(
        'model: azureml:fraud:1',
        'model:\n  name: fraud-local\n  path: model\n',
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  it('uploads with Microsoft Entra ID (no account key) and serves the uploaded model', async () => {
    const mark = world.emulator.requests().length;
    const deployed = await world.run('aml-endpoint-deploy', WORKSHOP);
    expectOk(deployed);
    const calls = since(world, mark);
    expect(count(calls, (entry) => entry.kind === 'datastores.listSecrets')).toBe(0);
    // The code folder (`./`) holds the model folder too, as in the CLI: 6 files for the code, 1 for the model.
    expect(count(calls, (entry) => entry.kind === 'blob.putBlob' && entry.status === 201)).toBe(7);
    expect(count(calls, (entry) => entry.kind === 'modelVersions.createOrUpdate')).toBe(1);
    expect(deployed.outputs).toMatchObject({ model: 'fraud-local', 'model-version': '1' });
    const model = await world.client.modelVersions.get(RG, WS, 'fraud-local', '1');
    expect(model.properties.modelUri).toMatch(
      /^azureml:\/\/subscriptions\/.+\/datastores\/workspaceblobstore\/paths\/LocalUpload\/[0-9a-f]{32}\/model$/,
    );
    expect(await score(world, deployed.outputs['deployment'] ?? '')).toEqual(
      FEATURES.map((row) => row.reduce((sum, x) => sum + x, 0.5)),
    );

    // Same files again: the model version holding them is found, nothing new is registered.
    const mark2 = world.emulator.requests().length;
    expectOk(await world.run('aml-endpoint-deploy', WORKSHOP));
    expect(count(since(world, mark2), isRegistration)).toBe(0);
    expect(count(since(world, mark2), isBlob)).toBe(0);
  });
});
