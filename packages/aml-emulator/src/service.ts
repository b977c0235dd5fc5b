/** What every handler needs: the state, the options, the signing keys, the faults and the request log. */
import type { SigningKey } from './auth/signing-key.ts';
import type { FaultRegistry } from './faults.ts';
import { AdmissionControl } from './scoring/admission.ts';
import type { StorageRuntime } from './storage/locations.ts';
import type { TimingProfile } from './timing.ts';
import { saveState, workspaceKey } from './state.ts';
import type { EmulatorState, WorkspaceState } from './state.ts';
import type { RequestLogEntry, WorkspaceRef } from './types.ts';

export interface ResolvedOptions {
  timing: TimingProfile;
  retryAfterSeconds?: number;
  quota: Record<string, number>;
  defaultQuota: number;
  location: string;
  pageSize: number;
  recordBodies: boolean;
  endpointRequestsPerSecond: number;
  stateFile?: string;
  defaultWorkspace: WorkspaceRef;
  federationAudiences: string[];
}

export class Service {
  readonly state: EmulatorState;
  readonly options: ResolvedOptions;
  readonly entraKey: SigningKey;
  readonly oidcKey: SigningKey;
  readonly faults: FaultRegistry;
  readonly requestLog: RequestLogEntry[] = [];
  /** Requests in flight and waiting per deployment, recent requests per endpoint: never persisted. */
  readonly admission = new AdmissionControl();
  /** `https://127.0.0.1:PORT/`, known once the server listens. */
  baseUrl = '';
  /** The blob service, when `blobStorage` is on. */
  storage: StorageRuntime | undefined = undefined;

  constructor(
    state: EmulatorState,
    options: ResolvedOptions,
    keys: { entra: SigningKey; oidc: SigningKey },
    faults: FaultRegistry,
  ) {
    this.state = state;
    this.options = options;
    this.entraKey = keys.entra;
    this.oidcKey = keys.oidc;
    this.faults = faults;
  }

  get tenantId(): string {
    return this.state.credentials.tenantId;
  }

  get subscriptionId(): string {
    return this.state.credentials.subscriptionId;
  }

  /** Issuer of the access tokens the token endpoint hands out (Entra v2 style). */
  get tokenIssuer(): string {
    return `${this.baseUrl}${this.tenantId}/v2.0`;
  }

  get oidcIssuer(): string {
    return `${this.baseUrl}oidc`;
  }

  scoringUri(endpoint: string): string {
    return `${this.baseUrl}online/${encodeURIComponent(endpoint)}/score`;
  }

  swaggerUri(endpoint: string): string {
    return `${this.baseUrl}online/${encodeURIComponent(endpoint)}/swagger.json`;
  }

  workspace(ref: WorkspaceRef | undefined): WorkspaceState | undefined {
    return this.state.workspaces[workspaceKey(ref ?? this.options.defaultWorkspace)];
  }

  requireWorkspace(ref: WorkspaceRef | undefined): WorkspaceState {
    const found = this.workspace(ref);
    if (found === undefined) {
      const wanted = ref ?? this.options.defaultWorkspace;
      throw new Error(`no workspace ${wanted.workspace} in resource group ${wanted.resourceGroup}`);
    }
    return found;
  }

  /** The cores limit of a VM family in this region. */
  quotaFor(family: string): number {
    return this.options.quota[family] ?? this.options.defaultQuota;
  }

  save(): void {
    if (this.options.stateFile !== undefined) saveState(this.options.stateFile, this.state);
  }
}
