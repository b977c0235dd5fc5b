import type { AzureMachineLearningWorkspaces, OnlineDeployment } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import { UserError } from '../errors.ts';
import {
  assetVersionId,
  registryAssetId,
  type AssetKind,
  type AssetRef,
  type WorkspaceScope,
} from '../azure/asset-ref.ts';
import { followOperation, toServiceError, type BeginOptions } from '../azure/operation.ts';
import { OnlineEndpointsClient, type EndpointRef, type OnlineEndpointResource } from '../azure/online-endpoints.ts';
import { isBusyState, retryWhileBusy, waitUntilSettled, type BusyRetry } from './busy-endpoint.ts';
import { maskSecret } from '../summary.ts';
import { deploymentState, endpointState, type DeploymentState, type EndpointState } from './resource-state.ts';
import type { Traffic } from '../slots.ts';

/**
 * The Azure ML workspace as the actions see it: a small typed client over @azure/arm-machinelearning. Every call
 * names what it was doing in its errors, every long operation is followed with progress and a timeout, and every
 * key and token it fetches is masked.
 */

export type { DeploymentState, EndpointState };

export interface ResolvedAsset {
  id: string;
  name: string;
  version: string;
}

export interface OperationSettings {
  timeoutMs: number;
  pollIntervalMs?: number;
  progressEveryMs?: number;
  log?: (line: string) => void;
  /** First wait before a write refused because the endpoint is busy is sent again (doubling, at most 30 s). */
  busyRetryMs?: number;
  /** Stops waiting for operations when aborted (the step is being cancelled). */
  signal?: AbortSignal | undefined;
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

export class AmlWorkspace {
  readonly client: AzureMachineLearningWorkspaces;
  readonly scope: WorkspaceScope;
  /** The sign-in ARM calls use; also reaches the workspace's storage with Microsoft Entra ID. */
  readonly credential: TokenCredential | undefined;
  private readonly endpoints: OnlineEndpointsClient;

  constructor(
    client: AzureMachineLearningWorkspaces,
    scope: Omit<WorkspaceScope, 'subscriptionId'>,
    options: { credential?: TokenCredential } = {},
  ) {
    this.client = client;
    this.scope = { ...scope, subscriptionId: client.subscriptionId };
    this.credential = options.credential;
    this.endpoints = new OnlineEndpointsClient(client);
  }

  private get rg(): string {
    return this.scope.resourceGroup;
  }

  private get ws(): string {
    return this.scope.workspace;
  }

  private endpointRef(endpoint: string): EndpointRef {
    return { resourceGroup: this.rg, workspace: this.ws, endpoint };
  }

  private async call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toServiceError(error, action);
    }
  }

  async location(): Promise<string> {
    const workspace = await this.call(`Reading workspace ${this.ws} in resource group ${this.rg}`, async () => {
      try {
        return await this.client.workspaces.get(this.rg, this.ws);
      } catch (error) {
        if (isNotFound(error)) {
          throw new UserError(
            `Workspace ${this.ws} was not found in resource group ${this.rg} of subscription ${this.scope.subscriptionId}: ` +
              "check 'resource-group' and 'workspace' (or 'group' and 'workspace' in the env file), and that the identity has access.",
          );
        }
        throw error;
      }
    });
    return workspace.location as string;
  }

  async getEndpoint(name: string): Promise<EndpointState | undefined> {
    return this.call(`Reading endpoint ${name}`, async () => {
      try {
        return endpointState(await this.endpoints.get(this.endpointRef(name)));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  async requireEndpoint(name: string): Promise<EndpointState> {
    const endpoint = await this.getEndpoint(name);
    if (!endpoint) {
      throw new UserError(
        `Endpoint ${name} does not exist in workspace ${this.ws}: run aml-endpoint-deploy first, or check 'endpoint'.`,
      );
    }
    return endpoint;
  }

  async listDeployments(endpoint: string): Promise<DeploymentState[]> {
    return this.call(`Listing the deployments of endpoint ${endpoint}`, async () => {
      const result: DeploymentState[] = [];
      for await (const deployment of this.client.onlineDeployments.list(this.rg, this.ws, endpoint)) {
        result.push(deploymentState(deployment));
      }
      return result;
    });
  }

  async getDeployment(endpoint: string, name: string): Promise<DeploymentState | undefined> {
    return this.call(`Reading deployment ${name} of endpoint ${endpoint}`, async () => {
      try {
        return deploymentState(await this.client.onlineDeployments.get(this.rg, this.ws, endpoint, name));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  /**
   * Waits until the endpoint has left Creating/Updating/Deleting (someone else's operation, or ours still settling),
   * at most `settings.timeoutMs`; returns the endpoint as it then is. A `known` settled state is taken as is (no read):
   * a write that still meets a busy endpoint is refused with a 409 and sent again (`begin`).
   */
  async waitForEndpoint(
    name: string,
    settings: OperationSettings,
    known?: EndpointState,
  ): Promise<EndpointState | undefined> {
    const endpoint = known ?? (await this.getEndpoint(name));
    if (!endpoint || !isBusyState(endpoint.provisioningState)) return endpoint;
    return waitUntilSettled(
      () => this.getEndpoint(name),
      (state) => state?.provisioningState,
      { action: `Waiting for endpoint ${name} to finish its ${endpoint.provisioningState} operation`, ...settings },
    );
  }

  /** Starts a write; one refused because the endpoint is busy (409) is sent again with backoff, within the timeout. */
  private begin<T>(
    action: string,
    settings: OperationSettings,
    start: () => Promise<T>,
    retry: Pick<BusyRetry, 'beforeRetry'> = {},
  ): Promise<T> {
    return retryWhileBusy(start, { action, ...settings, ...retry });
  }

  async putEndpoint(
    name: string,
    body: OnlineEndpointResource,
    action: string,
    settings: OperationSettings,
    retry: Pick<BusyRetry, 'beforeRetry'> = {},
  ): Promise<EndpointState> {
    const result = await followOperation(
      (options: BeginOptions) =>
        this.begin(
          action,
          settings,
          () => this.endpoints.beginCreateOrUpdate(this.endpointRef(name), body, options),
          retry,
        ),
      {
        action,
        ...settings,
        readState: async () => (await this.getEndpoint(name))?.provisioningState,
      },
    );
    return endpointState(result);
  }

  /**
   * Sets traffic with one PUT of the endpoint as it is now (PATCH cannot change traffic). Everything but the traffic
   * map (and the mirror split, when the plan changes it) is sent back exactly as read.
   */
  async setTraffic(
    endpoint: EndpointState,
    traffic: Traffic,
    settings: OperationSettings,
    /** Tags to set with the traffic; `undefined` removes one. */
    tags: Record<string, string | undefined> = {},
    mirror: Traffic = endpoint.mirror,
    retry: Pick<BusyRetry, 'beforeRetry'> = {},
  ): Promise<EndpointState> {
    const { raw } = endpoint;
    const merged = Object.entries({ ...raw.tags, ...tags }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const body: OnlineEndpointResource = {
      location: raw.location,
      tags: Object.fromEntries(merged),
      identity: raw.identity && {
        type: raw.identity.type,
        userAssignedIdentities: raw.identity.userAssignedIdentities,
      },
      kind: raw.kind,
      sku: raw.sku,
      properties: {
        authMode: raw.properties.authMode,
        description: raw.properties.description,
        properties: raw.properties.properties,
        publicNetworkAccess: raw.properties.publicNetworkAccess,
        compute: raw.properties.compute,
        traffic: { ...traffic },
        mirrorTraffic: { ...mirror },
      },
    };
    return this.putEndpoint(
      endpoint.name,
      body,
      `Setting traffic of endpoint ${endpoint.name} to ${JSON.stringify(traffic)}`,
      settings,
      retry,
    );
  }

  async putDeployment(
    endpoint: string,
    name: string,
    body: OnlineDeployment,
    action: string,
    settings: OperationSettings,
  ): Promise<DeploymentState> {
    const result = await followOperation(
      (options) =>
        this.begin(action, settings, () =>
          this.client.onlineDeployments.beginCreateOrUpdate(this.rg, this.ws, endpoint, name, body, options),
        ),
      {
        action,
        ...settings,
        readState: async () => (await this.getDeployment(endpoint, name))?.provisioningState,
      },
    );
    return deploymentState(result);
  }

  async scaleDeployment(endpoint: string, name: string, capacity: number, settings: OperationSettings): Promise<void> {
    const action = `Scaling deployment ${name} of endpoint ${endpoint} to ${capacity} instance(s)`;
    await followOperation(
      (options) =>
        this.begin(action, settings, () =>
          this.client.onlineDeployments.beginUpdate(this.rg, this.ws, endpoint, name, { sku: { capacity } }, options),
        ),
      { action, ...settings },
    );
  }

  async deleteDeployment(endpoint: string, name: string, settings: OperationSettings): Promise<void> {
    const action = `Deleting deployment ${name} of endpoint ${endpoint}`;
    await followOperation(
      (options) =>
        this.begin(action, settings, () =>
          this.client.onlineDeployments.beginDelete(this.rg, this.ws, endpoint, name, options),
        ),
      { action, ...settings },
    );
  }

  /** The last lines of a container's log; never throws (logs are evidence, not a step that can fail). */
  async logs(
    endpoint: string,
    deployment: string,
    container: 'InferenceServer' | 'StorageInitializer',
    tail = 200,
  ): Promise<string> {
    try {
      const result = await this.client.onlineDeployments.getLogs(this.rg, this.ws, endpoint, deployment, {
        containerType: container,
        tail,
      });
      return result.content ?? '';
    } catch (error) {
      return `(could not read the ${container} log: ${toServiceError(error, 'getLogs').message})`;
    }
  }

  /** The credential for scoring requests, masked at once. */
  async scoringCredential(endpoint: EndpointState): Promise<{ kind: 'key' | 'aml_token'; value: string }> {
    if (endpoint.authMode === 'AMLToken') {
      const token = await this.call(`Getting a scoring token for endpoint ${endpoint.name}`, () =>
        this.client.onlineEndpoints.getToken(this.rg, this.ws, endpoint.name),
      );
      maskSecret(token.accessToken);
      return { kind: 'aml_token', value: token.accessToken as string };
    }
    if (endpoint.authMode !== 'Key') {
      throw new UserError(
        `Endpoint ${endpoint.name} uses ${endpoint.authMode} auth, which the test action does not support yet: use key or aml_token.`,
      );
    }
    const keys = await this.call(`Reading the keys of endpoint ${endpoint.name}`, () =>
      this.client.onlineEndpoints.listKeys(this.rg, this.ws, endpoint.name),
    );
    maskSecret(keys.primaryKey);
    maskSecret(keys.secondaryKey);
    return { kind: 'key', value: keys.primaryKey as string };
  }

  /** An asset reference → the exact version it names (`@latest` → the newest version). */
  async resolveAsset(kind: AssetKind, ref: AssetRef): Promise<ResolvedAsset> {
    const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
    switch (ref.type) {
      case 'arm-id':
        return { id: ref.id, name: ref.name, version: ref.version };
      case 'registry':
        return { id: registryAssetId(ref.registry, kind, ref.name, ref.version), name: ref.name, version: ref.version };
      case 'registry-label':
        if (kind === 'environments') {
          // The service resolves registry environment labels itself (curated environments are used this way).
          return {
            id: `azureml://registries/${ref.registry}/${kind}/${ref.name}/labels/${ref.label}`,
            name: ref.name,
            version: ref.label,
          };
        }
        throw new UserError(
          `${noun} ${ref.name}@${ref.label} in registry ${ref.registry}: registry labels cannot be resolved through the workspace API; ` +
            `name the exact version (azureml://registries/${ref.registry}/${kind}/${ref.name}/versions/<version>).`,
        );
      case 'workspace':
        await this.requireVersion(kind, ref.name, ref.version);
        return { id: assetVersionId(this.scope, kind, ref.name, ref.version), name: ref.name, version: ref.version };
      case 'workspace-label': {
        if (ref.label !== 'latest') {
          throw new UserError(`${noun} label '@${ref.label}' is not supported: use '@latest' or an exact version.`);
        }
        const version = await this.latestVersion(kind, ref.name);
        return { id: assetVersionId(this.scope, kind, ref.name, version), name: ref.name, version };
      }
    }
  }

  private versions(kind: AssetKind) {
    return kind === 'models'
      ? this.client.modelVersions
      : kind === 'environments'
        ? this.client.environmentVersions
        : this.client.codeVersions;
  }

  private async requireVersion(kind: AssetKind, name: string, version: string): Promise<void> {
    const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
    await this.call(`Reading ${noun} ${name}:${version}`, async () => {
      try {
        await this.versions(kind).get(this.rg, this.ws, name, version);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        const known = await this.recentVersions(kind, name);
        throw new UserError(
          `${noun} ${name} version ${version} does not exist in workspace ${this.ws}` +
            (known.length > 0
              ? ` (recent versions: ${known.join(', ')})`
              : ` (no versions of ${name} are registered)`) +
            '. Register it first, or fix the reference.',
        );
      }
    });
  }

  /** Newest first, by creation time, then by version number (versions registered in the same instant). */
  private async recentVersions(kind: AssetKind, name: string, top = 5): Promise<string[]> {
    const versions: { name: string; created: number }[] = [];
    try {
      for await (const item of this.versions(kind).list(this.rg, this.ws, name, { orderBy: 'createdtime desc', top })) {
        versions.push({ name: item.name as string, created: item.systemData?.createdAt?.getTime() ?? 0 });
        if (versions.length >= top) break;
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const collator = new Intl.Collator('en', { numeric: true });
    return versions.sort((a, b) => b.created - a.created || collator.compare(b.name, a.name)).map((v) => v.name);
  }

  private async latestVersion(kind: AssetKind, name: string): Promise<string> {
    const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
    const [latest] = await this.call(`Finding the latest version of ${noun} ${name}`, () =>
      this.recentVersions(kind, name, 10),
    );
    if (!latest)
      throw new UserError(`${noun} ${name} has no registered versions in workspace ${this.ws}: register one first.`);
    return latest;
  }
}
