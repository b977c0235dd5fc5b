/** The emulator's whole world as plain JSON, so it can be persisted and reloaded as is. */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ErrorDetail, WorkspaceRef } from './types.ts';

export type JsonObject = { [key: string]: unknown };

export interface SystemData {
  createdAt: string;
  createdBy: string;
  createdByType: 'Application';
  lastModifiedAt: string;
  lastModifiedBy: string;
  lastModifiedByType: 'Application';
}

/** Fields every tracked resource (endpoint, deployment) keeps as the client sent them. */
export interface TrackedFields {
  name: string;
  location: string;
  tags: Record<string, string>;
  kind?: string;
  identity?: JsonObject;
  sku?: JsonObject;
  systemData: SystemData;
  /** Id of the last long-running operation, echoed as `properties.AzureAsyncOperationUri`. */
  operationId?: string;
}

export interface Routing {
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
}

export interface EndpointRecord extends TrackedFields {
  /** Desired properties as last accepted (what GET returns). */
  properties: JsonObject;
  provisioningState: 'Creating' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed' | 'Canceled';
  /** What scoring routes by: changes only when an operation succeeds (or "someone else" changes it). */
  live: Routing;
  keys: { primaryKey: string; secondaryKey: string };
  /** Counters of the smooth weighted round robin, per deployment. */
  roundRobin: Record<string, number>;
  /** Accumulated mirror percentage: a request is copied each time it reaches 100. */
  mirrorCredit: number;
  /** Read-after-write lag (fault): reads show this routing until `until` (epoch ms; unset while the update runs). */
  staleRouting?: Routing & { lagMs: number; until?: number };
  /** The endpoint lock (fault): writes are refused until this epoch ms, though reads say Succeeded. */
  lockedUntil?: number;
  /** Lock to apply when the running update succeeds (fault), in ms. */
  lockAfterUpdateMs?: number;
}

export interface ServingState {
  model: string | null;
  requestTimeoutMs: number;
  /** `requestSettings` of the running version (absent in state files written before admission was emulated). */
  maxConcurrentRequestsPerInstance?: number;
  maxQueueWaitMs?: number;
}

export interface DeploymentRecord extends TrackedFields {
  properties: JsonObject;
  provisioningState: 'Creating' | 'Updating' | 'Scaling' | 'Deleting' | 'Succeeded' | 'Failed' | 'Canceled';
  /** The running version of the deployment; null until a create succeeds. */
  serving: ServingState | null;
  logs: { storageInitializer: string[]; inferenceServer: string[] };
}

export interface AssetVersionRecord {
  version: string;
  properties: JsonObject;
  systemData: SystemData;
}

export interface AssetContainerRecord {
  name: string;
  properties: JsonObject;
  systemData: SystemData;
  versions: Record<string, AssetVersionRecord>;
}

export type AssetKind = 'models' | 'environments' | 'codes';

export interface WorkspaceState {
  resourceGroup: string;
  name: string;
  workspaceId: string;
  location: string;
  createdAt: string;
  endpoints: Record<string, EndpointRecord>;
  deployments: Record<string, Record<string, DeploymentRecord>>;
  assets: Record<AssetKind, Record<string, AssetContainerRecord>>;
}

export type OperationAction = 'create' | 'update' | 'delete' | 'regenerateKeys';
export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface OperationRecord {
  id: string;
  location: string;
  resourceGroup: string;
  workspace: string;
  endpoint: string;
  deployment?: string;
  action: OperationAction;
  status: OperationStatus;
  startTime: string;
  endTime?: string;
  /** Epoch ms when the operation ends; null when it never ends. */
  dueAt: number | null;
  /** Failure decided when the operation started (fault injection). */
  plannedFailure?: { code: string; message: string; details?: ErrorDetail[] };
  /** State to return to if the operation fails (update of an existing resource). */
  previous?: JsonObject;
  payload?: JsonObject;
  error?: { code: string; message: string; details?: ErrorDetail[] };
}

export interface EmulatorState {
  version: 1;
  credentials: {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    subscriptionId: string;
    principalId: string;
  };
  /** Private JWKs: `entra` signs access and aml tokens, `oidc` signs GitHub-like ID tokens. */
  signingKeys?: { entra: JsonObject; oidc: JsonObject };
  ca?: { cert: string; key: string };
  /** The storage account behind the workspaces' default datastores (blob storage on). */
  storage?: { accountName: string; accountKey: string };
  workspaces: Record<string, WorkspaceState>;
  operations: Record<string, OperationRecord>;
}

export function workspaceKey(ref: WorkspaceRef): string {
  return `${ref.resourceGroup}/${ref.workspace}`.toLowerCase();
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function newState(): EmulatorState {
  return {
    version: 1,
    credentials: {
      tenantId: randomUUID(),
      clientId: randomUUID(),
      clientSecret: randomSecret(30),
      subscriptionId: randomUUID(),
      principalId: randomUUID(),
    },
    workspaces: {},
    operations: {},
  };
}

export function newWorkspace(ref: WorkspaceRef, location: string): WorkspaceState {
  return {
    resourceGroup: ref.resourceGroup,
    name: ref.workspace,
    workspaceId: randomUUID(),
    location,
    createdAt: new Date().toISOString(),
    endpoints: {},
    deployments: {},
    assets: { models: {}, environments: {}, codes: {} },
  };
}

export function loadState(file: string | undefined): EmulatorState {
  if (file === undefined || !existsSync(file)) return newState();
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as EmulatorState;
  if (parsed.version !== 1) throw new Error(`${file}: unsupported emulator state version ${String(parsed.version)}`);
  return parsed;
}

/** Writes through a temporary file so a crash never leaves half a state file. */
export function saveState(file: string, state: EmulatorState): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2));
  renameSync(temporary, file);
}

export function systemData(principal: string, now = new Date()): SystemData {
  const at = now.toISOString();
  return {
    createdAt: at,
    createdBy: principal,
    createdByType: 'Application',
    lastModifiedAt: at,
    lastModifiedBy: principal,
    lastModifiedByType: 'Application',
  };
}

export function touch(data: SystemData, principal: string, now = new Date()): SystemData {
  return { ...data, lastModifiedAt: now.toISOString(), lastModifiedBy: principal };
}

/** As online endpoints and deployments answer it (recorded): who created it and when, and when it last changed. */
export function onlineSystemData(data: SystemData): Pick<SystemData, 'createdAt' | 'createdBy' | 'lastModifiedAt'> {
  return { createdAt: data.createdAt, createdBy: data.createdBy, lastModifiedAt: data.lastModifiedAt };
}
