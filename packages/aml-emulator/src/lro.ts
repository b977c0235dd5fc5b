/**
 * Long-running operations as ARM runs them. An operation ends at a due time and is completed lazily,
 * whenever anything looks at the state, so there are no timers to leak and persisted operations resume.
 */
import { randomUUID } from 'node:crypto';
import { targetKey } from './faults.ts';
import type { RequestContext } from './http/router.ts';
import { completeOperation } from './provisioning.ts';
import type { Service } from './service.ts';
import { operationDurationMs } from './timing.ts';
import type { JsonObject, OperationAction, OperationRecord, WorkspaceState } from './state.ts';

export interface OperationSpec {
  workspace: WorkspaceState;
  endpoint: string;
  deployment?: string;
  action: OperationAction;
  previous?: JsonObject;
  payload?: JsonObject;
}

const DEFAULT_FAILURE_MESSAGES: Record<string, string> = {
  ResourceNotReady:
    'User container has crashed or terminated. Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-resourcenotready',
  OutOfQuota:
    'Not enough quota available for this deployment. Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-outofquota',
  ImageBuildFailure:
    'Image build failed. Check the build log in the workspace storage. Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-imagebuildfailure',
  OperationCanceled:
    'The operation was canceled by another operation with a higher priority. Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-operationcanceled',
};

export function beginOperation(service: Service, ctx: RequestContext, spec: OperationSpec): OperationRecord {
  const ref = { resourceGroup: spec.workspace.resourceGroup, workspace: spec.workspace.name };
  const fault = service.faults.takeOperationFault(targetKey(ref, spec.endpoint, spec.deployment));
  const prefix = spec.deployment === undefined ? 'oe' : 'od';
  const operation: OperationRecord = {
    id: `${prefix}:${randomUUID()}:${randomUUID()}`,
    location: spec.workspace.location,
    resourceGroup: spec.workspace.resourceGroup,
    workspace: spec.workspace.name,
    endpoint: spec.endpoint,
    ...(spec.deployment === undefined ? {} : { deployment: spec.deployment }),
    action: spec.action,
    status: 'InProgress',
    startTime: ctx.now.toISOString(),
    dueAt:
      fault?.outcome === 'NeverEnds'
        ? null
        : ctx.now.getTime() +
          (fault?.outcome === 'Slow'
            ? fault.durationMs
            : operationDurationMs(
                service.options.timing,
                spec.deployment === undefined ? 'endpoint' : 'deployment',
                spec.action,
              )),
    ...(spec.previous === undefined ? {} : { previous: spec.previous }),
    ...(spec.payload === undefined ? {} : { payload: spec.payload }),
  };
  if (fault?.outcome === 'Failed') {
    operation.plannedFailure = {
      code: fault.code,
      message: fault.message ?? DEFAULT_FAILURE_MESSAGES[fault.code] ?? `The operation failed with ${fault.code}.`,
      ...(fault.details === undefined ? {} : { details: fault.details }),
    };
  }
  service.state.operations[operation.id] = operation;
  return operation;
}

/** Completes every operation whose time has come, oldest first. */
export function advance(service: Service, now: Date): boolean {
  const due = Object.values(service.state.operations)
    .filter(
      (operation) => operation.status === 'InProgress' && operation.dueAt !== null && operation.dueAt <= now.getTime(),
    )
    .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
  for (const operation of due) completeOperation(service, operation, new Date(operation.dueAt ?? now.getTime()));
  return due.length > 0;
}

function providerPath(service: Service, operation: OperationRecord, collection: string): string {
  return `subscriptions/${service.subscriptionId}/providers/Microsoft.MachineLearningServices/locations/${operation.location}/${collection}/${operation.id}`;
}

export function operationStatusId(service: Service, operation: OperationRecord): string {
  return `/${providerPath(service, operation, 'mfeOperationsStatus')}`;
}

export function operationStatusUrl(service: Service, operation: OperationRecord, apiVersion: string): string {
  return `${service.baseUrl}${providerPath(service, operation, 'mfeOperationsStatus')}?api-version=${apiVersion}`;
}

export function operationResultUrl(service: Service, operation: OperationRecord, apiVersion: string): string {
  return `${service.baseUrl}${providerPath(service, operation, 'mfeOperationResults')}?api-version=${apiVersion}`;
}

export function retryAfterHeader(service: Service): Record<string, string> {
  const seconds = service.options.retryAfterSeconds;
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

/**
 * The LRO headers of the recorded sessions: `Azure-AsyncOperation` and `x-ms-async-operation-timeout: PT30M`
 * always; `Location` is the resource's own URL on a PUT and the `mfeOperationResults` URL on a 202 (PATCH, DELETE,
 * POST), which is where the final result is read.
 */
export function operationHeaders(
  service: Service,
  operation: OperationRecord,
  apiVersion: string,
  style: 'put' | 'accepted',
): Record<string, string> {
  return {
    'Azure-AsyncOperation': operationStatusUrl(service, operation, apiVersion),
    'x-ms-async-operation-timeout': 'PT30M',
    Location:
      style === 'accepted'
        ? operationResultUrl(service, operation, apiVersion)
        : `${service.baseUrl}${resourcePath(service, operation)}?api-version=${apiVersion}`,
    ...retryAfterHeader(service),
  };
}

/** The ARM path (no leading slash) of the endpoint or deployment an operation works on. */
function resourcePath(service: Service, operation: OperationRecord): string {
  const endpoint = `subscriptions/${service.subscriptionId}/resourceGroups/${operation.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${operation.workspace}/onlineEndpoints/${operation.endpoint}`;
  return operation.deployment === undefined ? endpoint : `${endpoint}/deployments/${operation.deployment}`;
}
