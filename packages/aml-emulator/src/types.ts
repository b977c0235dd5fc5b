/** Public types of the emulator's library API. */

export interface WorkspaceRef {
  resourceGroup: string;
  workspace: string;
}

export interface EmulatorOptions {
  /** 0 (default) picks any free port on 127.0.0.1. */
  port?: number;
  /** How long a long-running operation stays Creating/Updating/Deleting (default 1500 ms; `uniform` timing). */
  provisioningMs?: number;
  /**
   * `uniform` (default): every operation lasts `provisioningMs`. `realistic`: each kind lasts what it took in the
   * recorded sessions against Azure (endpoint create 50 s, deployment create 9 min, update 5 min 20 s, traffic update
   * 70 s, delete 7 s), times `timeScale`.
   */
  timing?: 'uniform' | 'realistic';
  /** Multiplies the `realistic` durations (default 1; e.g. 0.01 runs a 9-minute deployment in 5.4 s). */
  timeScale?: number;
  /** `Retry-After` sent on long-running-operation responses; no header when undefined. */
  retryAfterSeconds?: number;
  /** Keeps resources, credentials, keys and the CA across restarts. */
  stateFile?: string;
  /** Default: one workspace `mlops-ws` in resource group `mlops-rg`. */
  workspaces?: WorkspaceRef[];
  /**
   * Dedicated cores per VM family in the region (`standardDSv2Family`, …, as the SKU list names them), shared by the
   * subscription's workspaces there; unlisted families get {@link DEFAULT_QUOTA}.
   */
  quota?: Record<string, number>;
  /** Where `ca.pem` is written (default: a fresh temporary directory). */
  dataDir?: string;
  /** Location of the workspaces (default `eastus`). */
  location?: string;
  /** Page size of list operations before a `nextLink` is returned (default 100). */
  pageSize?: number;
  /** Keep request and response bodies in {@link Emulator.requests} (for conformance checks). */
  recordBodies?: boolean;
  /**
   * Scoring requests an endpoint takes in any second before it answers 429 (default
   * {@link DEFAULT_ENDPOINT_RPS}, the service's documented default limit; 0 turns the limit off, for benchmarks).
   */
  endpointRequestsPerSecond?: number;
  /**
   * A real blob service behind each workspace's default datastore `workspaceblobstore`: Azurite, started as a child
   * process on loopback (HTTPS, a certificate from the emulator's CA) and stopped by `close()`. `true` gives an
   * account-key datastore (`listSecrets` returns the key); `{ datastoreAuth: 'identity' }` an identity-based one
   * (clients use Microsoft Entra ID tokens for `https://storage.azure.com`). Off by default (Azurite takes ~1.5 s
   * to start). Blobs are kept in `dataDir` when `stateFile` is set, in memory otherwise.
   */
  blobStorage?: boolean | { datastoreAuth?: 'key' | 'identity' };
  /**
   * The audiences the app's federated identity credential accepts in a client assertion's `aud` (Entra's
   * `audiences` field of a federated credential). Default: `['api://AzureADTokenExchange']`, Entra's recommended value.
   */
  federationAudiences?: string[];
}

/** Cores per VM family: the top of Azure's default range for dedicated cores per region (24 to 300). */
export const DEFAULT_QUOTA = 300;
export const DEFAULT_ENDPOINT_RPS = 500;

export interface EmulatorUrls {
  /** ARM endpoint, e.g. `https://127.0.0.1:PORT/`. */
  arm: string;
  /** Entra authority host, e.g. `https://127.0.0.1:PORT/`. */
  authorityHost: string;
  /** Control API base, e.g. `https://127.0.0.1:PORT/_emulator/`. */
  control: string;
  /** Issuer of GitHub-like OIDC tokens, e.g. `https://127.0.0.1:PORT/oidc`. */
  oidcIssuer: string;
  /** The blob service of the datastores, e.g. `https://127.0.0.1:PORT2/amlemu1a2b3c4d` (blob storage on). */
  blob?: string;
}

/** A blob as the emulator's storage holds it. */
export interface StoredBlob {
  name: string;
  size: number;
  metadata: Record<string, string>;
}

/** The blob service behind the default datastores (`blobStorage` on). */
export interface EmulatorStorage {
  accountName: string;
  /** `https://127.0.0.1:PORT/<account>` */
  serviceUrl: string;
  /** Process id of the Azurite child process. */
  azuritePid: number;
  /** The default datastore's container of a workspace (`azureml-blobstore-<workspace id>`). */
  container(workspace?: WorkspaceRef): string;
  /** Blobs in a workspace's default container, read directly from Azurite (not logged, never faulted). */
  list(prefix?: string, workspace?: WorkspaceRef): Promise<StoredBlob[]>;
}

export interface EmulatorCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

/** The model artifact format the scoring plane understands. */
export interface EmulatedModel {
  format: 'linear/v1';
  weights: number[];
  bias?: number;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  apiVersion?: string;
  status: number;
  /** e.g. `onlineEndpoints.get`, `onlineDeployments.createOrUpdate`, `operationStatus`, `token`, `score`, `control`. */
  kind: string;
  /** Swagger operationId for ARM requests, e.g. `OnlineEndpoints_Get`. */
  operationId?: string;
  durationMs: number;
  /** Deployment that answered a scoring request. */
  deployment?: string;
  requestBody?: unknown;
  responseBody?: unknown;
}

/** Makes the next `times` requests that match respond differently. */
export interface HttpFaultRule {
  /** HTTP method; any when omitted. */
  method?: string;
  /** Glob on the URL path (`*` within a segment, `**` across segments) or a RegExp. */
  path?: string | RegExp;
  /** Request kind as in the request log, e.g. `onlineEndpoints.get`. */
  kind?: string;
  /** How many matching requests are affected (default 1; `Infinity` for all). */
  times?: number;
  /** Respond with this status instead of serving the request. */
  status?: number;
  /** `Retry-After` header of the injected response. */
  retryAfterSeconds?: number;
  /** Body of the injected response (default: an ARM error body). */
  body?: unknown;
  /** Extra latency before the request is served (or before the injected status). */
  delayMs?: number;
  /** Never respond. */
  hang?: boolean;
}

export type OperationFailureCode =
  'ResourceNotReady' | 'OutOfQuota' | 'ImageBuildFailure' | 'OperationCanceled' | 'BadArgument' | 'InternalServerError';

/** One entry of an ARM error's `details` (the service nests the real reason there). */
export interface ErrorDetail {
  code: string;
  message: string;
}

/** Decides how the next long-running operation on a resource ends. */
export type OperationFault =
  | { outcome: 'Failed'; code: OperationFailureCode | string; message?: string; details?: ErrorDetail[] }
  | { outcome: 'NeverEnds' }
  /** Succeeds, but only after `durationMs` (longer than a client's timeout: it completes after the client gave up). */
  | { outcome: 'Slow'; durationMs: number };

/** How the service's eventual consistency shows around the next update of an endpoint. */
export interface ConsistencyFault {
  /**
   * Read-after-write lag: from the update's PUT until this long after its operation succeeded, reads of the endpoint
   * (GET, list) show its traffic as it was before the update; scoring uses the new split as soon as it succeeds.
   */
  readLagMs?: number;
  /**
   * The endpoint lock: for this long after the update's operation reported success (and reads say Succeeded), the
   * endpoint and its deployments refuse changes (409) as if the endpoint were still Updating.
   */
  lockMs?: number;
}

export interface OperationFaultTarget {
  endpoint: string;
  /** Targets a deployment of the endpoint; the endpoint itself when omitted. */
  deployment?: string;
  workspace?: WorkspaceRef;
}

/** Behaviour of a model version wherever it is deployed. */
export interface ModelFault {
  /** `init()` raises this; provisioning ends Failed (ResourceNotReady) with a traceback in the logs. */
  initError?: string;
  /** `run()` raises this; scoring answers 424. */
  scoreError?: string;
  /** Added to every prediction (wrong answers). */
  answerOffset?: number;
  /** Extra latency of every scoring request. */
  latencyMs?: number;
}

export interface TrafficChange {
  traffic?: Record<string, number>;
  mirrorTraffic?: Record<string, number>;
}

export interface Faults {
  /** Adds an HTTP fault rule; returns its id. */
  http(rule: HttpFaultRule): string;
  /** The next long-running operation on the target ends as described. */
  operation(target: OperationFaultTarget, fault: OperationFault): void;
  /** Sets (or replaces) the behaviour of a model version. */
  model(name: string, version: string, fault: ModelFault, workspace?: WorkspaceRef): void;
  /** The next update of the endpoint lags in reads and/or keeps the endpoint locked after it succeeded. */
  consistency(endpoint: string, fault: ConsistencyFault, workspace?: WorkspaceRef): void;
  /** Changes live traffic "behind the pipeline's back": no operation, no validation. */
  changeTraffic(endpoint: string, change: TrafficChange, workspace?: WorkspaceRef): void;
  /** Removes every HTTP, operation and model fault. */
  clear(): void;
}

/** A long-running operation as the emulator ran it (for benches: how long the emulated provisioning took). */
export interface OperationLogEntry {
  id: string;
  endpoint: string;
  deployment?: string;
  action: 'create' | 'update' | 'delete' | 'regenerateKeys';
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  startTime: string;
  /** When it ends or ended; undefined when it never ends. */
  dueTime?: string;
}

export interface Emulator {
  urls: EmulatorUrls;
  credentials: EmulatorCredentials;
  caFile: string;
  caPem: string;
  /** A GitHub-OIDC-like JWT (aud `api://AzureADTokenExchange`) that the token endpoint accepts as client assertion. */
  mintFederatedToken(claims?: Record<string, unknown>): Promise<string>;
  models: {
    /** Registers a model container and version whose artifact is `model`. */
    register(workspace: WorkspaceRef | undefined, name: string, version: string, model: EmulatedModel): Promise<void>;
  };
  faults: Faults;
  requests(): RequestLogEntry[];
  /** Every long-running operation started, oldest first. */
  operations(): OperationLogEntry[];
  /** The blob service of the datastores; undefined unless `blobStorage` is on. */
  storage: EmulatorStorage | undefined;
  /** Live traffic of an endpoint, read from state (what scoring routes by). */
  traffic(endpoint: string, workspace?: WorkspaceRef): Record<string, number>;
  close(): Promise<void>;
}
