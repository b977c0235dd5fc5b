/** The service's rules on names, traffic, mirroring and deletion, each with ARM's status and code (quota: quota.ts). */
import { armError, badArgument } from '../http/errors.ts';
import type { HttpError } from '../http/errors.ts';
import type { Service } from '../service.ts';
import type { DeploymentRecord, EndpointRecord, WorkspaceState } from '../state.ts';
import { isObject } from './common.ts';

const RESOURCE_NAME = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const MAX_MIRROR_PERCENT = 50;

export function checkResourceName(kind: 'endpoint' | 'deployment', name: string): void {
  if (name.length < 3 || name.length > 32 || !RESOURCE_NAME.test(name)) {
    throw badArgument(
      `Invalid ${kind} name '${name}': a name must be 3-32 characters long, start with a letter, contain only letters, digits and '-', and end with a letter or digit.`,
    );
  }
}

export function readWeights(value: unknown, field: 'traffic' | 'mirrorTraffic'): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badArgument(`'${field}' must be an object mapping deployment names to percentages.`);
  for (const [deployment, weight] of Object.entries(value)) {
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw badArgument(
        `${field} of deployment '${deployment}' must be an integer between 0 and 100, got ${JSON.stringify(weight)}.`,
      );
    }
  }
  return value as Record<string, number>;
}

function unknownDeployments(weights: Record<string, number>, deployments: Record<string, DeploymentRecord>): string[] {
  return Object.keys(weights).filter((name) => deployments[name] === undefined);
}

export function checkTrafficOnCreate(endpoint: string, traffic: Record<string, number>): void {
  if (Object.keys(traffic).length > 0) {
    throw badArgument(
      `Traffic cannot be set when creating endpoint '${endpoint}': create the endpoint, then its deployments, then update the endpoint's traffic.`,
    );
  }
}

export function checkRouting(
  endpoint: string,
  traffic: Record<string, number>,
  mirrorTraffic: Record<string, number>,
  deployments: Record<string, DeploymentRecord>,
  kubernetes = false,
): void {
  const missing = unknownDeployments(traffic, deployments);
  if (missing.length > 0) {
    throw badArgument(
      `Traffic refers to deployment(s) that do not exist under endpoint '${endpoint}': ${missing.join(', ')}.`,
    );
  }
  const total = Object.values(traffic).reduce((sum, weight) => sum + weight, 0);
  if (total !== 0 && total !== 100) {
    throw badArgument(`Traffic values of endpoint '${endpoint}' must sum to 0 or 100, got ${total}.`);
  }
  const mirrored = Object.entries(mirrorTraffic).filter(([, weight]) => weight > 0);
  if (kubernetes && mirrored.length > 0) {
    throw badArgument(
      `Mirror traffic is not supported for Kubernetes online endpoints; endpoint '${endpoint}' is one.`,
    );
  }
  const missingMirror = unknownDeployments(mirrorTraffic, deployments);
  if (missingMirror.length > 0) {
    throw badArgument(
      `Mirror traffic refers to deployment(s) that do not exist under endpoint '${endpoint}': ${missingMirror.join(', ')}.`,
    );
  }
  if (mirrored.length > 1) throw badArgument('Traffic can be mirrored to only one deployment of an endpoint.');
  for (const [deployment, weight] of mirrored) {
    if (weight > MAX_MIRROR_PERCENT) {
      throw badArgument(
        `At most ${MAX_MIRROR_PERCENT}% of the traffic can be mirrored; got ${weight}% for deployment '${deployment}'.`,
      );
    }
    if ((traffic[deployment] ?? 0) > 0) {
      throw badArgument(`Deployment '${deployment}' cannot receive both live traffic and mirrored traffic.`);
    }
  }
}

export function checkDeletable(endpoint: { properties: Record<string, unknown> }, deployment: string): void {
  const traffic = (endpoint.properties['traffic'] ?? {}) as Record<string, number>;
  const mirror = (endpoint.properties['mirrorTraffic'] ?? {}) as Record<string, number>;
  if ((traffic[deployment] ?? 0) > 0 || (mirror[deployment] ?? 0) > 0) {
    throw badArgument(
      `Deployment '${deployment}' cannot be deleted because it receives ${(traffic[deployment] ?? 0) > 0 ? 'live' : 'mirrored'} traffic. Set its traffic to 0 first.`,
    );
  }
}

export function busy(kind: 'online endpoint' | 'online deployment', name: string, state: string): HttpError {
  return armError(
    409,
    'Conflict',
    `The ${kind} '${name}' is ${state.toLowerCase()}; another operation is in progress on it. Wait for it to finish and retry.`,
  );
}

export function isBusy(state: string): boolean {
  return state === 'Creating' || state === 'Updating' || state === 'Scaling' || state === 'Deleting';
}

/**
 * The state that makes an endpoint refuse changes to itself and its deployments: its running operation's, or
 * `Updating` while the endpoint lock holds (a fault: Azure refuses for a while after the operation said Succeeded).
 */
export function endpointBlocker(endpoint: EndpointRecord, now: Date): string | undefined {
  if (isBusy(endpoint.provisioningState)) return endpoint.provisioningState;
  if (endpoint.lockedUntil !== undefined && now.getTime() < endpoint.lockedUntil) return 'Updating';
  return undefined;
}

export function refuseEndpointWhileBusy(endpoint: EndpointRecord, now: Date): void {
  const blocker = endpointBlocker(endpoint, now);
  if (blocker !== undefined) throw busy('online endpoint', endpoint.name, blocker);
}

/** A deployment change while its endpoint is busy, in the words of the service's error (azure-sdk-for-net#36961). */
export function refuseDeploymentChangeWhileEndpointBusy(
  endpoint: EndpointRecord,
  now: Date,
  verb: 'create' | 'update' | 'delete',
): void {
  const blocker = endpointBlocker(endpoint, now);
  if (blocker === undefined) return;
  throw armError(
    409,
    'Conflict',
    `Cannot ${verb} a deployment in endpoint ${endpoint.name} because it is in ${blocker} provisioning state.`,
  );
}

/** Endpoint names are unique in a region, across workspaces, because they name the scoring host. */
export function checkEndpointNameFree(service: Service, workspace: WorkspaceState, name: string): void {
  for (const other of Object.values(service.state.workspaces)) {
    if (other === workspace || other.location !== workspace.location) continue;
    if (Object.keys(other.endpoints).some((existing) => existing.toLowerCase() === name.toLowerCase())) {
      throw armError(
        409,
        'Conflict',
        `There is already an endpoint with the name '${name}'; endpoint names need to be unique within a region.`,
      );
    }
  }
}
