/** Starts an emulator for a test file and connects the real Azure SDK to it over HTTPS. */
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ClientSecretCredential } from '@azure/identity';
import { startEmulator } from '../../src/index.ts';
import type { EmulatedModel, Emulator, EmulatorOptions } from '../../src/index.ts';
import { conformanceProblems } from './conformance.ts';

/**
 * NODE_EXTRA_CA_CERTS is read once at process start, so a running test process trusts the emulator's CA this
 * way instead (Node 24.5+): every TLS connection made afterwards (https, fetch) accepts it.
 */
export function trustCa(caPem: string): void {
  setDefaultCACertificates([...getCACertificates('default'), caPem]);
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface Harness {
  emulator: Emulator;
  client: AzureMachineLearningWorkspaces;
  credential: ClientSecretCredential;
  resourceGroup: string;
  workspace: string;
  subscriptionId: string;
  /** Fast polling for the SDK's pollers. */
  poll: { updateIntervalInMs: number };
  /** ARM path of the default workspace, without the leading slash. */
  workspacePath: string;
  armToken(): Promise<string>;
  /** A raw ARM call with a valid bearer token, for headers and api-versions the SDK does not expose. */
  arm(
    method: string,
    path: string,
    options?: { body?: unknown; apiVersion?: string; token?: string | null },
  ): Promise<RawResponse>;
  modelId(name: string, version: string): string;
  registerModel(name: string, version: string, model: EmulatedModel): Promise<string>;
  close(): Promise<string[]>;
}

export async function readResponse(response: Response): Promise<RawResponse> {
  const text = await response.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, headers: response.headers, body };
}

/** Repeats `get` until `done` holds (for states the SDK pollers do not wait for). */
export async function waitFor(
  get: () => Promise<RawResponse>,
  done: (response: RawResponse) => boolean,
): Promise<RawResponse> {
  for (;;) {
    const response = await get();
    if (done(response)) return response;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True once a resource has left Creating/Updating/Scaling/Deleting. */
export function settled(response: RawResponse): boolean {
  const state = (response.body as { properties?: { provisioningState?: string } } | undefined)?.properties
    ?.provisioningState;
  return state !== 'Creating' && state !== 'Updating' && state !== 'Scaling' && state !== 'Deleting';
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ provisioningMs: 80, recordBodies: true, ...options });
  trustCa(emulator.caPem);
  const { tenantId, clientId, clientSecret, subscriptionId, resourceGroup, workspace } = emulator.credentials;
  const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
    authorityHost: emulator.urls.authorityHost,
    // A custom authority host is not in MSAL's list of clouds; without this MSAL asks login.microsoftonline.com.
    disableInstanceDiscovery: true,
  });
  const client = new AzureMachineLearningWorkspaces(credential, subscriptionId, { endpoint: emulator.urls.arm });
  const workspacePath = `subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${workspace}`;
  const armToken = async (): Promise<string> => (await credential.getToken(`${emulator.urls.arm}.default`)).token;
  const modelId = (name: string, version: string): string => `/${workspacePath}/models/${name}/versions/${version}`;
  return {
    emulator,
    client,
    credential,
    resourceGroup,
    workspace,
    subscriptionId,
    poll: { updateIntervalInMs: 10 },
    workspacePath,
    armToken,
    async arm(method, path, { body, apiVersion = '2022-10-01', token } = {}) {
      const url = new URL(path.startsWith('https://') ? path : `${emulator.urls.arm}${path.replace(/^\//, '')}`);
      if (!url.searchParams.has('api-version') && apiVersion !== '') url.searchParams.set('api-version', apiVersion);
      const bearer = token === undefined ? await armToken() : token;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return readResponse(response);
    },
    modelId,
    async registerModel(name, version, model) {
      await emulator.models.register(undefined, name, version, model);
      return modelId(name, version);
    },
    /** Stops the emulator and returns the conformance problems of everything that went through it. */
    async close() {
      await emulator.close();
      return conformanceProblems(emulator.requests());
    },
  };
}

export const LINEAR_V1: EmulatedModel = { format: 'linear/v1', weights: [1, 2, 3], bias: 0.5 };
export const LINEAR_V2: EmulatedModel = { format: 'linear/v1', weights: [-1, 0, 1], bias: 10 };

/** A managed deployment body as the SDK types it. */
export function managedDeployment(model: string, instanceType = 'Standard_DS3_v2', capacity = 1) {
  return {
    location: 'eastus',
    properties: { endpointComputeType: 'Managed' as const, model, instanceType },
    sku: { name: 'Default', capacity },
  };
}

export function keyEndpoint(traffic?: Record<string, number>) {
  return {
    location: 'eastus',
    properties: { authMode: 'Key' as const, ...(traffic === undefined ? {} : { traffic }) },
  };
}
