/**
 * The limits of online deployments ("Manage and increase quotas", Azure Machine Learning online endpoints):
 * supported VM sizes, instances per deployment, the request timeout and deployments per endpoint. See README.
 */
import { parseDurationMs } from '../duration.ts';
import { badArgument } from '../http/errors.ts';
import type { Service } from '../service.ts';
import type { DeploymentRecord, JsonObject, WorkspaceState } from '../state.ts';
import { checkQuota } from './quota.ts';
import { findVmSize, type VmSize } from './vm-sizes.ts';

export const MAX_INSTANCES = 50;
export const MAX_DEPLOYMENTS_PER_ENDPOINT = 20;
const MAX_REQUEST_TIMEOUT_MS = { Managed: 180_000, Kubernetes: 300_000 } as const;

/** A managed deployment's size must be one of the supported SKUs; Kubernetes instance types are the cluster's. */
export function checkInstanceType(instanceType: string): VmSize {
  const size = findVmSize(instanceType);
  if (size === undefined) {
    throw badArgument(
      `Instance type '${instanceType}' is not supported for managed online deployments. See the supported VM SKUs at https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list`,
    );
  }
  return size;
}

export function checkInstanceCount(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_INSTANCES) {
    throw badArgument(
      `The instance count of a managed online deployment must be between 1 and ${MAX_INSTANCES}, got ${capacity}.`,
    );
  }
}

/** A managed deployment's size and instances, on create, in-place update and scaling: listed, 1–50, in quota. */
export function checkSizing(
  service: Service,
  workspace: WorkspaceState,
  instanceType: string,
  instances: number,
  replacing: DeploymentRecord | undefined,
): void {
  const size = checkInstanceType(instanceType);
  checkInstanceCount(instances);
  checkQuota(service, workspace, { instanceType, size, instances }, replacing);
}

export function checkRequestTimeout(computeType: 'Managed' | 'Kubernetes', requestSettings: JsonObject | undefined) {
  const value = requestSettings?.['requestTimeout'];
  if (value === undefined || value === null) return;
  const ms = parseDurationMs(value);
  const max = MAX_REQUEST_TIMEOUT_MS[computeType];
  if (ms === undefined || ms <= 0 || ms > max) {
    throw badArgument(
      `'requestSettings.requestTimeout' must be a duration greater than 0 and at most ${max / 1000} seconds for ${computeType.toLowerCase()} online deployments, got ${JSON.stringify(value)}.`,
    );
  }
}

export function checkDeploymentCount(endpoint: string, existing: number): void {
  if (existing >= MAX_DEPLOYMENTS_PER_ENDPOINT) {
    throw badArgument(
      `Endpoint '${endpoint}' already has ${existing} deployments, the most an endpoint can have (${MAX_DEPLOYMENTS_PER_ENDPOINT}). Delete one first, or request a limit increase.`,
    );
  }
}
