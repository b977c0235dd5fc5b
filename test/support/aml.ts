/**
 * An Azure ML world for end-to-end tests: the emulator over real HTTPS, the real SDK to seed it, a loopback stand-in
 * for the runner's ID-token service (OpenID Connect), and a repository checkout with the CLI v2 YAML files. The
 * actions run as bundled child processes (see run-action.ts) and reach all of it through their inputs only.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ClientSecretCredential } from '@azure/identity';
import {
  startEmulator,
  type EmulatedModel,
  type Emulator,
  type EmulatorOptions,
  type WorkspaceRef,
} from '@mlops-actions/aml-emulator';
import { runAction, type RunOptions, type RunResult } from './run-action.ts';

export const ENDPOINT = 'fraud-scorer';
export const FEATURES = [
  [1, 2, 3],
  [4, 5, 6],
];

/** Model versions that really compute: v1 and v2 answer differently, so a test can tell which one served. */
export const MODELS: Record<string, EmulatedModel> = {
  '1': { format: 'linear/v1', weights: [0.5, 0.25, 0.125], bias: 1 },
  '2': { format: 'linear/v1', weights: [0.5, 0.25, 0.125], bias: 2 },
  '3': { format: 'linear/v1', weights: [1, 1, 1], bias: 0 },
};

export function expectedAnswer(version: string, rows: number[][] = FEATURES): number[] {
  const model = MODELS[version] as EmulatedModel;
  return rows.map((row) => row.reduce((sum, x, i) => sum + x * (model.weights[i] ?? 0), model.bias ?? 0));
}

export interface AmlWorld {
  emulator: Emulator;
  /** The checked-out repository the actions see as GITHUB_WORKSPACE. */
  repo: string;
  /** Environment of every action run: the CA, the ID-token service. */
  env: Record<string, string>;
  /** Sign-in and target inputs (OpenID Connect). */
  inputs: Record<string, string>;
  /** Every secret a runner-visible text must not show. */
  secrets(): Promise<string[]>;
  run(action: string, inputs?: Record<string, string>, options?: RunOptions): Promise<RunResult>;
  client: AzureMachineLearningWorkspaces;
  close(): Promise<void>;
}

/** The real SDK, signed in with the emulator's client secret, for seeding and for checking state. */
export function managementClient(emulator: Pick<Emulator, 'urls' | 'credentials'>): AzureMachineLearningWorkspaces {
  const { credentials } = emulator;
  const arm = emulator.urls.arm.replace(/\/$/, '');
  return new AzureMachineLearningWorkspaces(
    new ClientSecretCredential(credentials.tenantId, credentials.clientId, credentials.clientSecret, {
      authorityHost: emulator.urls.authorityHost,
      disableInstanceDiscovery: true,
    }),
    credentials.subscriptionId,
    { $host: arm, endpoint: arm, credentialScopes: [`${arm}/.default`] },
  );
}

/** What a training pipeline and a platform team leave in a workspace: the scoring environment and code, and models. */
export async function seedWorkspace(
  emulator: Emulator,
  client: AzureMachineLearningWorkspaces,
  target: WorkspaceRef,
  models: Record<string, EmulatedModel> = MODELS,
): Promise<void> {
  await client.environmentVersions.createOrUpdate(target.resourceGroup, target.workspace, 'scoring-env', '1', {
    properties: { image: 'mcr.microsoft.com/azureml/minimal-py312-inference:latest' },
  });
  await client.codeVersions.createOrUpdate(target.resourceGroup, target.workspace, 'scoring-code', '1', {
    properties: { codeUri: 'https://mlopsstorage.blob.core.windows.net/code/scoring-code/1' },
  });
  for (const [version, model] of Object.entries(models))
    await emulator.models.register(target, 'fraud', version, model);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

const ID_TOKEN_REQUEST_TOKEN = 'runner-request-token-7f3a';

export interface WorldOptions {
  emulator?: EmulatorOptions;
  /** An existing checkout (the demo uses the project's examples); a temporary one with test fixtures otherwise. */
  repo?: string;
  /** Model versions registered in every workspace at start. */
  models?: Record<string, EmulatedModel>;
  /** Inputs every action run gets (default: the staging env file of the fixture checkout). */
  inputs?: Record<string, string>;
}

export async function startAmlWorld(options: WorldOptions = {}): Promise<AmlWorld> {
  const emulator = await startEmulator({ provisioningMs: 150, ...options.emulator });
  // This process talks to the emulator too (seeding): trust its CA as the child processes do via NODE_EXTRA_CA_CERTS.
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), emulator.caPem]);
  const { credentials } = emulator;

  // The runner's ID-token service: GET ?audience=… with the request token → { value: <GitHub-like JWT> }, whose
  // `aud` is the audience asked for (GitHub's default, the repository owner's URL, when none is).
  const idTokenServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.headers.authorization !== `Bearer ${ID_TOKEN_REQUEST_TOKEN}`) {
      response.writeHead(401).end();
      return;
    }
    const audience = url.searchParams.get('audience') ?? 'https://github.com/octo-org';
    void emulator
      .mintFederatedToken({ sub: 'repo:octo-org/ml-service:environment:staging', aud: audience })
      .then((token) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: token })),
      );
  });
  const idTokenPort = await listen(idTokenServer);

  const client = managementClient(emulator);
  const workspaces = options.emulator?.workspaces ?? [
    { resourceGroup: credentials.resourceGroup, workspace: credentials.workspace },
  ];
  for (const target of workspaces) await seedWorkspace(emulator, client, target, options.models);
  const { resourceGroup: rg, workspace: ws } = credentials;
  const repo = options.repo ?? writeFixtureRepo(rg, ws);
  // What this world leaves in the temp folder: its runs' folders and the fixture checkout it wrote.
  const leftovers = options.repo ? [] : [repo];

  const env = {
    NODE_EXTRA_CA_CERTS: emulator.caFile,
    ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${idTokenPort}/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: ID_TOKEN_REQUEST_TOKEN,
  };
  const inputs = {
    'client-id': credentials.clientId,
    'tenant-id': credentials.tenantId,
    'subscription-id': credentials.subscriptionId,
    'arm-endpoint': emulator.urls.arm,
    'authority-host': emulator.urls.authorityHost,
    'poll-interval': '100ms',
    ...(options.inputs ?? { 'env-file': 'env/.env.staging' }),
  };
  return {
    emulator,
    repo,
    env,
    inputs,
    client,
    async secrets() {
      const keys = await client.onlineEndpoints
        .listKeys(rg, ws, ENDPOINT)
        .catch(() => ({ primaryKey: '', secondaryKey: '' }));
      return [credentials.clientSecret, ID_TOKEN_REQUEST_TOKEN, keys.primaryKey ?? '', keys.secondaryKey ?? ''].filter(
        Boolean,
      );
    },
    async run(action, extra = {}, runOptions = {}) {
      const result = await runAction(action, {
        ...runOptions,
        inputs: { ...inputs, ...extra },
        env: { ...env, ...runOptions.env },
        github: { workspace: repo, ...runOptions.github },
      });
      leftovers.push(result.dir);
      return result;
    },
    async close() {
      idTokenServer.close();
      await emulator.close();
      for (const folder of leftovers) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A checkout with the CLI v2 files, a request and the staging env file of the default workspace. */
function writeFixtureRepo(rg: string, ws: string): string {
  const repo = mkdtempSync(join(tmpdir(), 'repo-'));
  mkdirSync(join(repo, 'deploy', 'cases'), { recursive: true });
  writeFileSync(
    join(repo, 'deploy', 'endpoint.yml'),
    `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: ${ENDPOINT}\nauth_mode: key\ntags:\n  team: risk\n`,
  );
  writeFileSync(
    join(repo, 'deploy', 'deployment.yml'),
    `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: ${ENDPOINT}
model: azureml:fraud@latest
code_configuration:
  code: azureml:scoring-code:1
  scoring_script: score.py
environment: azureml:scoring-env:1
instance_type: Standard_DS3_v2
instance_count: 1
request_settings:
  request_timeout_ms: 3000
`,
  );
  writeFileSync(join(repo, 'deploy', 'request.json'), JSON.stringify({ data: FEATURES }));
  mkdirSync(join(repo, 'env'));
  writeFileSync(
    join(repo, 'env', '.env.staging'),
    `group=${rg}\nworkspace=${ws}\nlocation=eastus\ncompute=cpu\nendpoint=${ENDPOINT}\nmodel=fraud\n`,
  );

  return repo;
}

/** The files of a deploy step. */
export const DEPLOY = { 'endpoint-file': 'deploy/endpoint.yml', 'deployment-file': 'deploy/deployment.yml' };

export function writeCase(world: AmlWorld, name: string, expected: unknown, rows: number[][] = FEATURES): void {
  writeFileSync(join(world.repo, 'deploy', 'cases', `${name}.request.json`), JSON.stringify({ data: rows }));
  writeFileSync(join(world.repo, 'deploy', 'cases', `${name}.expected.json`), JSON.stringify(expected));
}
