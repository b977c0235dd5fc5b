/**
 * The hostile-input suite, Azure ML actions: deploy, test and swap run as the runner runs them, against the emulator,
 * over crafted inputs (runner commands and markup in container logs, service messages, case file names and scoring
 * answers; paths and links out of the repository; a plain-http datastore; secrets in deployment variables and
 * credentials). Every run is scanned: no secret shown, no crafted command obeyed, no crafted markup rendered.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEPLOY, ENDPOINT, FEATURES, startAmlWorld, type AmlWorld } from '../support/aml.ts';
import type { RunResult } from '../support/run-action.ts';
import { CLEAN, HOSTILE, MARKUP, scan } from './hostile.ts';

const LIVE_SECRET = 'live-db-password-7d1c9e';
const GIT_SECRET = 'git-db-password-0b44aa';
const RG = 'mlops-rg';
const WS = 'mlops-ws';

let world: AmlWorld;
let outside: string;
let secrets: string[];

function write(path: string, text: string): string {
  mkdirSync(join(world.repo, path, '..'), { recursive: true });
  writeFileSync(join(world.repo, path), text);
  return path;
}

function deploymentYaml(name: string, extra: string): string {
  return `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: ${name}
endpoint_name: ${ENDPOINT}
environment: azureml:scoring-env:1
instance_type: Standard_DS3_v2
instance_count: 1
${extra}`;
}

const REFS =
  'model: azureml:fraud:1\ncode_configuration:\n  code: azureml:scoring-code:1\n  scoring_script: score.py\n';

async function hostileRun(
  action: string,
  inputs: Record<string, string>,
  options: { files?: string[]; expectExit?: 0 | 1; extraSecrets?: string[] } = {},
): Promise<RunResult> {
  const result = await world.run(action, inputs);
  const expectExit = options.expectExit ?? 1;
  if ((result.exitCode === 0) !== (expectExit === 0))
    throw new Error(
      `${action} exited ${result.exitCode}, expected ${expectExit === 0 ? 0 : 'non-zero'}:\n${result.log}`,
    );
  expect(scan(result, [...secrets, ...(options.extraSecrets ?? [])], options.files)).toEqual(CLEAN);
  return result;
}

function armCallsSince(mark: number): string[] {
  return world.emulator
    .requests()
    .slice(mark)
    .filter((r) => r.kind !== 'token')
    .map((r) => `${r.method} ${r.path}`);
}

beforeAll(async () => {
  world = await startAmlWorld({ emulator: { blobStorage: true } });
  outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'id_rsa'), 'PRIVATE KEY of the runner');
  // The live slot (green: the deploy's first idle slot), with a secret in its environment variables.
  write(
    'deploy/secret.yml',
    deploymentYaml('blue', `${REFS}environment_variables:\n  API_KEY: ${LIVE_SECRET}\n  WORKERS: "2"\n`),
  );
  const deploy = await world.run('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/secret.yml' });
  if (deploy.exitCode !== 0) throw new Error(deploy.log);
  const swap = await world.run('aml-endpoint-swap', { deployment: 'green', 'require-tested': 'false' });
  if (swap.exitCode !== 0) throw new Error(swap.log);
  secrets = [...(await world.secrets()), LIVE_SECRET, GIT_SECRET];
});

afterAll(async () => {
  await world?.close();
});

describe('secrets', () => {
  it('plan / drift names a differing environment variable, never its values', async () => {
    write(
      'deploy/plan.yml',
      deploymentYaml('blue', `${REFS}environment_variables:\n  API_KEY: ${GIT_SECRET}\n  WORKERS: "2"\n`),
    );
    const result = await hostileRun(
      'aml-endpoint-deploy',
      { ...DEPLOY, 'deployment-file': 'deploy/plan.yml', mode: 'plan', 'fail-on-drift': 'true' },
      { expectExit: 1 },
    );
    expect(result.log).toContain('properties.environmentVariables.API_KEY: value differs');
    expect(JSON.parse(result.outputs['changes'] as string)).toContainEqual({
      path: 'properties.environmentVariables.API_KEY',
      live: '(value hidden)',
      desired: '(value hidden)',
    });
  });

  it("'azure-credentials' null is a clear error, and ids stay readable", async () => {
    const result = await hostileRun('aml-endpoint-deploy', {
      ...DEPLOY,
      'client-id': '',
      'tenant-id': '',
      'azure-credentials': 'null',
    });
    expect(result.errors.join('\n')).toContain("'azure-credentials' is JSON null, not an object");
    expect(result.log).not.toContain('TypeError');
  });

  it('a service-principal secret is masked, its ids are not', async () => {
    const credentials = world.emulator.credentials;
    const json = JSON.stringify({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      tenantId: credentials.tenantId,
      subscriptionId: credentials.subscriptionId,
    });
    const result = await hostileRun(
      'aml-endpoint-deploy',
      { ...DEPLOY, 'client-id': '', 'tenant-id': '', 'azure-credentials': json, mode: 'plan' },
      { expectExit: 0, extraSecrets: [json] },
    );
    expect(result.log).toContain(`(client ${credentials.clientId})`);
    expect(result.log).toContain(`subscription ${credentials.subscriptionId}`);
  });
});

describe('runner commands and markup in text we did not write', () => {
  it('a model whose init() logs commands and markup: container logs and the service message', async () => {
    world.emulator.faults.model('fraud', '2', { initError: HOSTILE });
    write('deploy/v2.yml', deploymentYaml('green', REFS.replace('fraud:1', 'fraud:2')));
    try {
      const result = await hostileRun('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/v2.yml' });
      // The text was shown (inside stop-commands blocks, escaped in the summary), not dropped.
      expect(result.log).toContain('::stop-commands::PWNED');
      expect(result.summary).toContain('init() failed (model log line');
      expect(world.emulator.traffic(ENDPOINT)).toMatchObject({ green: 100 });
    } finally {
      world.emulator.faults.clear();
    }
  });

  it('a service error whose message carries commands and markup', async () => {
    world.emulator.faults.http({
      kind: 'onlineEndpoints.get',
      status: 400,
      body: { error: { code: 'BadArgument', message: HOSTILE, details: [{ code: 'Inner', message: MARKUP }] } },
    });
    try {
      const result = await hostileRun('aml-endpoint-deploy', DEPLOY);
      expect(result.errors.join('\n')).toContain('PWNED');
    } finally {
      world.emulator.faults.clear();
    }
  });

  it('case file names and scoring answers with commands and markup', async () => {
    const cases = join('deploy', 'hostile-cases');
    const name = `a\n::add-mask::PWNED <img src=x onerror=alert(1)> [p](https:%2F%2Fphish.example)`;
    write(join(cases, `${name}.request.json`), JSON.stringify({ data: FEATURES }));
    write(join(cases, `${name}.expected.json`), JSON.stringify([0, 0]));
    world.emulator.faults.model('fraud', '1', { scoreError: HOSTILE });
    try {
      const result = await hostileRun('aml-endpoint-test', { cases, deployment: 'green', 'load-requests': '5' });
      expect(result.log).toMatch(/HTTP 424/);
    } finally {
      world.emulator.faults.clear();
    }
  });

  it('a promotion whose traffic update is refused with a crafted message leaves traffic as it was', async () => {
    write('deploy/green.yml', deploymentYaml('green', REFS.replace('fraud:1', 'fraud:2')));
    const deploy = await world.run('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/green.yml' });
    expect(deploy.exitCode).toBe(0);
    world.emulator.faults.http({
      kind: 'onlineEndpoints.createOrUpdate',
      status: 400,
      body: { error: { code: 'BadArgument', message: HOSTILE } },
      times: Infinity,
    });
    try {
      await hostileRun('aml-endpoint-swap', { deployment: 'blue', 'require-tested': 'false' });
      expect(world.emulator.traffic(ENDPOINT)).toMatchObject({ green: 100 });
    } finally {
      world.emulator.faults.clear();
    }
  });

  it('an endpoint name that is markup is refused with an annotation that cannot inject', async () => {
    await hostileRun('aml-endpoint-swap', { endpoint: `x\n${COMMANDS_LINE}` });
  });
});

const COMMANDS_LINE = '::add-mask::PWNED';

describe('gates that cannot be evaluated and tests that check only the status', () => {
  it('a latency gate with no load fails the step unless allowed', async () => {
    const inputs = {
      'request-file': 'deploy/request.json',
      deployment: 'green',
      'load-requests': '0',
      'max-p95-ms': '100',
    };
    const refused = await hostileRun('aml-endpoint-test', inputs);
    expect(refused.log).toContain(
      "gate 'max-p95-ms' could not be evaluated: 'load-requests' is 0, so no latency was measured",
    );
    const allowed = await hostileRun(
      'aml-endpoint-test',
      { ...inputs, 'allow-unevaluated-gates': 'true' },
      { expectExit: 0 },
    );
    expect(allowed.summary).toContain('Gates not evaluated');
  });

  it('a comparison gate with no live slot to compare with fails the step', async () => {
    const result = await hostileRun('aml-endpoint-test', {
      'request-file': 'deploy/request.json',
      deployment: 'green',
      'compare-live': 'true',
      'min-agreement': '1',
      'load-requests': '0',
    });
    expect(result.log).toContain("gate 'min-agreement' could not be evaluated: no other deployment holds live traffic");
  });

  it('a request file without an expectation says that only the status was checked', async () => {
    const result = await hostileRun(
      'aml-endpoint-test',
      { 'request-file': 'deploy/request.json', deployment: 'green', 'load-requests': '0' },
      { expectExit: 0 },
    );
    expect(result.log).toContain('Only the HTTP status was checked for case request');
    expect(result.summary).toContain('Only the HTTP status was checked for case request');
    expect(result.summary).toContain("Add an expectation: 'expected-file' or 'expected-schema'");
  });
});

describe('paths and links out of the repository', () => {
  it('code: outside the repository is refused on its line, before any call to Azure', async () => {
    write(
      'deploy/outside.yml',
      deploymentYaml(
        'green',
        `model: azureml:fraud:1\ncode_configuration:\n  code: ${outside}\n  scoring_script: score.py\n`,
      ),
    );
    const mark = world.emulator.requests().length;
    const result = await hostileRun('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/outside.yml' });
    expect(result.log).toMatch(
      /^::error title=Invalid Azure ML YAML,file=deploy\/outside\.yml,line=9,col=\d+::code_configuration\.code: .* is refused: it is outside the repository/m,
    );
    expect(armCallsSince(mark)).toEqual([]);
  });

  it('a model path that is a link out of the repository is refused', async () => {
    symlinkSync(outside, join(world.repo, 'deploy', 'model-link'));
    write('deploy/model-link.yml', deploymentYaml('green', 'model:\n  path: model-link\n'));
    const mark = world.emulator.requests().length;
    const result = await hostileRun('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/model-link.yml' });
    expect(result.errors.join('\n')).toMatch(/model\.path: 'model-link' is refused: a symbolic link takes it outside/);
    expect(armCallsSince(mark)).toEqual([]);
  });

  it('a link inside the code folder that leads out of the repository is refused before any upload', async () => {
    write('deploy/linked-code/score.py', 'def init():\n    pass\n');
    symlinkSync(join(outside, 'id_rsa'), join(world.repo, 'deploy', 'linked-code', 'key'));
    write(
      'deploy/linked.yml',
      deploymentYaml(
        'green',
        'model: azureml:fraud:1\ncode_configuration:\n  code: linked-code\n  scoring_script: score.py\n',
      ),
    );
    const mark = world.emulator.requests().length;
    const result = await hostileRun('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/linked.yml' });
    expect(result.errors.join('\n')).toMatch(/key is a symbolic link to .*id_rsa, outside the repository/);
    expect(armCallsSince(mark)).toEqual([]);
  });

  it('a case file that links out of the repository is refused, not read', async () => {
    write('deploy/linked-cases/a.request.json', JSON.stringify({ data: FEATURES }));
    symlinkSync(join(outside, 'id_rsa'), join(world.repo, 'deploy', 'linked-cases', 'a.expected.json'));
    const result = await hostileRun('aml-endpoint-test', { cases: 'deploy/linked-cases', deployment: 'green' });
    expect(result.errors.join('\n')).toMatch(/a\.expected\.json is refused: a symbolic link takes it outside/);
  });

  it('report and manifest paths behind dangling links out of the repository are not written', async () => {
    symlinkSync(join(outside, 'report.json'), join(world.repo, 'report.json'));
    symlinkSync(outside, join(world.repo, 'release'));
    const report = await hostileRun('aml-endpoint-test', {
      'request-file': 'deploy/request.json',
      deployment: 'green',
      'load-requests': '0',
      'report-path': 'report.json',
    });
    expect(report.errors.join('\n')).toContain("Input 'report-path': report.json is a link to a place outside");
    const manifest = await hostileRun('aml-endpoint-test', {
      'request-file': 'deploy/request.json',
      deployment: 'green',
      'load-requests': '0',
      'manifest-path': 'release/manifest.json',
    });
    expect(manifest.errors.join('\n')).toContain(
      "Input 'manifest-path': release/manifest.json is a link to a place outside",
    );
    expect([existsSync(join(outside, 'report.json')), existsSync(join(outside, 'manifest.json'))]).toEqual([
      false,
      false,
    ]);
  });
});

describe('plain http', () => {
  it('a default datastore with protocol http is refused before anything is uploaded', async () => {
    write('deploy/local-code/score.py', 'def init():\n    pass\n');
    write(
      'deploy/local.yml',
      deploymentYaml(
        'green',
        'model: azureml:fraud:1\ncode_configuration:\n  code: local-code\n  scoring_script: score.py\n',
      ),
    );
    const [datastore] = await (async () => {
      const items = [];
      for await (const item of world.client.datastores.list(RG, WS)) items.push(item);
      return items;
    })();
    const plain = JSON.parse(JSON.stringify(datastore));
    Object.assign(plain.properties, { protocol: 'http', endpoint: 'core.windows.net' });
    world.emulator.faults.http({ kind: 'datastores.list', status: 200, body: { value: [plain] }, times: Infinity });
    const mark = world.emulator.requests().length;
    try {
      const result = await hostileRun('aml-endpoint-deploy', { ...DEPLOY, 'deployment-file': 'deploy/local.yml' });
      expect(result.errors.join('\n')).toContain("uses protocol 'http': http://");
      expect(
        world.emulator
          .requests()
          .slice(mark)
          .filter((r) => r.kind.startsWith('blob.') || /Versions\.createOrUpdate$/.test(r.kind)),
      ).toEqual([]);
    } finally {
      world.emulator.faults.clear();
    }
  });
});
