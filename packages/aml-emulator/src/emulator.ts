/** `startEmulator`: loads or creates the state, generates the CA, and serves everything on one loopback port. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetRoutes, putAssetVersion } from './arm/assets.ts';
import { datastoreRoutes } from './arm/datastores.ts';
import { deploymentRoutes } from './arm/online-deployments.ts';
import { endpointRoutes } from './arm/online-endpoints.ts';
import { operationRoutes } from './arm/operations.ts';
import { usageRoutes } from './arm/usages.ts';
import { workspaceRoutes } from './arm/workspaces.ts';
import { entraRoutes } from './auth/entra.ts';
import { FEDERATION_AUDIENCE, mintFederatedToken, oidcRoutes } from './auth/oidc.ts';
import { SigningKey } from './auth/signing-key.ts';
import { controlRoutes } from './control.ts';
import { FaultRegistry, modelKey } from './faults.ts';
import { Router } from './http/router.ts';
import { createRequestListener } from './http/server.ts';
import { advance } from './lro.ts';
import { toDataUri } from './scoring/model.ts';
import { scoringRoutes } from './scoring/plane.ts';
import { Service } from './service.ts';
import { loadState, newWorkspace, workspaceKey } from './state.ts';
import type { JsonObject } from './state.ts';
import { startAzurite, type AzuriteProcess } from './storage/azurite.ts';
import { startBlobFront, type BlobFront } from './storage/blob-front.ts';
import { BlobStore } from './storage/blob-store.ts';
import { containerName } from './storage/locations.ts';
import { prepareTls } from './tls.ts';
import type { TlsMaterial } from './tls.ts';
import { DEFAULT_ENDPOINT_RPS, DEFAULT_QUOTA } from './types.ts';
import type { TimingProfile } from './timing.ts';
import type {
  EmulatedModel,
  Emulator,
  EmulatorOptions,
  EmulatorStorage,
  Faults,
  OperationLogEntry,
  WorkspaceRef,
} from './types.ts';

const DEFAULT_WORKSPACE: WorkspaceRef = { resourceGroup: 'mlops-rg', workspace: 'mlops-ws' };

async function signingKeys(service: { state: Service['state'] }): Promise<{ entra: SigningKey; oidc: SigningKey }> {
  const stored = service.state.signingKeys;
  if (stored !== undefined) {
    return { entra: await SigningKey.fromJwk(stored.entra), oidc: await SigningKey.fromJwk(stored.oidc) };
  }
  const keys = { entra: await SigningKey.generate(), oidc: await SigningKey.generate() };
  service.state.signingKeys = { entra: keys.entra.toJSON() as JsonObject, oidc: keys.oidc.toJSON() as JsonObject };
  return keys;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function createFaults(service: Service): Faults {
  return {
    http: (rule) => service.faults.addHttpRule(rule),
    operation: (target, fault) => {
      const workspace = service.requireWorkspace(target.workspace);
      service.faults.setOperationFault(
        { resourceGroup: workspace.resourceGroup, workspace: workspace.name },
        target,
        fault,
      );
    },
    model: (name, version, fault, workspace) => {
      const found = service.requireWorkspace(workspace);
      service.faults.setModelFault(
        modelKey({ resourceGroup: found.resourceGroup, workspace: found.name }, name, version),
        fault,
      );
    },
    consistency: (endpointName, fault, workspace) => {
      const found = service.requireWorkspace(workspace);
      service.faults.setConsistencyFault(
        { resourceGroup: found.resourceGroup, workspace: found.name },
        endpointName,
        fault,
      );
    },
    changeTraffic: (endpointName, change, workspace) => {
      advance(service, new Date());
      const endpoint = service.requireWorkspace(workspace).endpoints[endpointName];
      if (endpoint === undefined) throw new Error(`no online endpoint ${endpointName}`);
      for (const key of ['traffic', 'mirrorTraffic'] as const) {
        const weights = change[key];
        if (weights === undefined) continue;
        endpoint.properties[key] = { ...weights };
        endpoint.live[key] = { ...weights };
      }
      endpoint.roundRobin = {};
      endpoint.mirrorCredit = 0;
      service.save();
    },
    clear: () => service.faults.clear(),
  };
}

interface RunningStorage {
  azurite: AzuriteProcess;
  front: BlobFront;
  api: EmulatorStorage;
}

/** Azurite behind the blob front, one container per workspace; `service.storage` is set once it answers. */
async function startStorage(
  service: Service,
  options: EmulatorOptions,
  dataDir: string,
  tls: TlsMaterial,
  azurite: Promise<AzuriteProcess>,
): Promise<RunningStorage> {
  const account = service.state.storage;
  if (account === undefined) throw new Error('no storage account in the state');
  const running = await azurite;
  try {
    const store = new BlobStore(running.url, { name: account.accountName, key: account.accountKey }, tls.ca.cert);
    for (const workspace of Object.values(service.state.workspaces))
      await store.ensureContainer(containerName(workspace));
    const front = await startBlobFront(service, { azuriteUrl: running.url, tls: tls.server, caPem: tls.ca.cert });
    const datastoreAuth =
      typeof options.blobStorage === 'object' ? (options.blobStorage.datastoreAuth ?? 'key') : 'key';
    const serviceUrl = `https://${front.host}/${account.accountName}`;
    service.storage = {
      accountName: account.accountName,
      accountKey: account.accountKey,
      host: front.host,
      serviceUrl,
      datastoreAuth,
      store,
      artifacts: new Map(),
    };
    const container = (workspace?: WorkspaceRef): string => containerName(service.requireWorkspace(workspace));
    return {
      azurite: running,
      front,
      api: {
        accountName: account.accountName,
        serviceUrl,
        azuritePid: running.pid,
        container,
        list: (prefix, workspace) => store.list(container(workspace), prefix),
      },
    };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

function launchAzurite(service: Service, options: EmulatorOptions, dataDir: string, tls: TlsMaterial) {
  service.state.storage ??= {
    accountName: `amlemu${randomBytes(4).toString('hex')}`,
    accountKey: randomBytes(64).toString('base64'),
  };
  const certFile = join(dataDir, 'blob-server.pem');
  const keyFile = join(dataDir, 'blob-server.key');
  writeFileSync(certFile, tls.server.cert);
  writeFileSync(keyFile, tls.server.key, { mode: 0o600 });
  const launched = startAzurite({
    certFile,
    keyFile,
    account: { name: service.state.storage.accountName, key: service.state.storage.accountKey },
    ...(options.stateFile === undefined ? {} : { location: join(dataDir, 'azurite') }),
  });
  // Awaited later; a failure must not be an unhandled rejection in the meantime.
  launched.catch(() => undefined);
  return launched;
}

function timingProfile(options: EmulatorOptions): TimingProfile {
  if (options.timing === 'realistic') {
    if (options.provisioningMs !== undefined)
      throw new Error('provisioningMs is for uniform timing; scale the realistic profile with timeScale');
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
    return { kind: 'realistic', timeScale };
  }
  if (options.timeScale !== undefined) throw new Error("timeScale scales timing: 'realistic' only");
  return { kind: 'uniform', provisioningMs: options.provisioningMs ?? 1500 };
}

function operationLog(service: Service): OperationLogEntry[] {
  return Object.values(service.state.operations)
    .map((operation) => ({
      id: operation.id,
      endpoint: operation.endpoint,
      ...(operation.deployment === undefined ? {} : { deployment: operation.deployment }),
      action: operation.action,
      status: operation.status,
      startTime: operation.startTime,
      ...(operation.dueAt === null ? {} : { dueTime: new Date(operation.dueAt).toISOString() }),
    }))
    .sort((a, b) => a.startTime.localeCompare(b.startTime));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = loadState(options.stateFile);
  const workspaces = options.workspaces ?? [DEFAULT_WORKSPACE];
  const [primary = DEFAULT_WORKSPACE] = workspaces;
  const location = options.location ?? 'eastus';
  for (const ref of workspaces) state.workspaces[workspaceKey(ref)] ??= newWorkspace(ref, location);

  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'aml-emulator-'));
  mkdirSync(dataDir, { recursive: true });
  const tls = await prepareTls(dataDir, state.ca);
  state.ca = tls.ca;

  const service = new Service(
    state,
    {
      timing: timingProfile(options),
      ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
      quota: options.quota ?? {},
      defaultQuota: DEFAULT_QUOTA,
      location,
      pageSize: options.pageSize ?? 100,
      recordBodies: options.recordBodies ?? false,
      endpointRequestsPerSecond: options.endpointRequestsPerSecond ?? DEFAULT_ENDPOINT_RPS,
      ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
      defaultWorkspace: primary,
      federationAudiences: options.federationAudiences ?? [FEDERATION_AUDIENCE],
    },
    await signingKeys({ state }),
    new FaultRegistry(),
  );
  const faults = createFaults(service);
  const azurite = options.blobStorage ? launchAzurite(service, options, dataDir, tls) : undefined;

  const registerModel = async (
    workspace: WorkspaceRef | undefined,
    name: string,
    version: string,
    model: EmulatedModel,
  ): Promise<void> => {
    const found = service.requireWorkspace(workspace);
    const properties = {
      description: `Registered through aml-emulator (${model.format})`,
      modelType: 'custom_model',
      modelUri: toDataUri(model),
    };
    putAssetVersion(found, 'models', name, version, properties, 'aml-emulator', new Date());
    service.save();
  };
  const traffic = (endpointName: string, workspace?: WorkspaceRef): Record<string, number> => {
    advance(service, new Date());
    const endpoint = service.requireWorkspace(workspace).endpoints[endpointName];
    if (endpoint === undefined) throw new Error(`no online endpoint ${endpointName}`);
    return { ...endpoint.live.traffic };
  };

  const urls = () => ({
    arm: service.baseUrl,
    authorityHost: service.baseUrl,
    control: `${service.baseUrl}_emulator/`,
    oidcIssuer: service.oidcIssuer,
    ...(service.storage === undefined ? {} : { blob: service.storage.serviceUrl }),
  });
  const credentials = {
    tenantId: state.credentials.tenantId,
    clientId: state.credentials.clientId,
    clientSecret: state.credentials.clientSecret,
    subscriptionId: state.credentials.subscriptionId,
    resourceGroup: primary.resourceGroup,
    workspace: primary.workspace,
  };
  const info = (): Record<string, unknown> => ({
    armEndpoint: service.baseUrl,
    authorityHost: service.baseUrl,
    ...credentials,
    caFile: tls.caFile,
    controlUrl: urls().control,
    ...(service.storage === undefined ? {} : { blobServiceUrl: service.storage.serviceUrl }),
    oidcIssuer: service.oidcIssuer,
    location,
    workspaces,
  });

  const router = new Router();
  router.add(
    ...controlRoutes({ service, faults, info, registerModel, traffic }),
    ...oidcRoutes(service),
    ...scoringRoutes(service),
    ...workspaceRoutes(service),
    ...endpointRoutes(service),
    ...deploymentRoutes(service),
    ...assetRoutes(service),
    ...datastoreRoutes(service),
    ...operationRoutes(service),
    ...usageRoutes(service),
    ...entraRoutes(service),
  );
  const listener = createRequestListener(service, router);
  const server = createServer({ key: tls.server.key, cert: tls.server.cert }, (request, response) => {
    void listener(request, response);
  });
  let storage: RunningStorage | undefined;
  try {
    const port = await listen(server, options.port ?? 0);
    service.baseUrl = `https://127.0.0.1:${port}/`;
    if (azurite !== undefined) storage = await startStorage(service, options, dataDir, tls, azurite);
  } catch (error) {
    server.close();
    if (azurite !== undefined) await azurite.then((running) => running.stop()).catch(() => undefined);
    throw error;
  }
  service.save();

  return {
    urls: urls(),
    credentials,
    caFile: tls.caFile,
    caPem: tls.ca.cert,
    mintFederatedToken: (claims) => mintFederatedToken(service, claims),
    models: { register: registerModel },
    faults,
    requests: () => service.requestLog.map((entry) => ({ ...entry })),
    operations: () => {
      advance(service, new Date());
      return operationLog(service);
    },
    storage: storage?.api,
    traffic,
    close: async () => {
      service.save();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      if (storage !== undefined) {
        await storage.front.close();
        await storage.azurite.stop();
      }
      // A folder of its own (no dataDir given) holds nothing to keep unless the state is kept across restarts.
      if (options.dataDir === undefined && options.stateFile === undefined)
        rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
