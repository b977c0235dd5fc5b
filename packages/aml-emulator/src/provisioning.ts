/** What happens when a long-running operation ends: the resource becomes live, fails, or goes away. */
import { randomSecret } from './state.ts';
import type {
  DeploymentRecord,
  EndpointRecord,
  JsonObject,
  OperationRecord,
  Routing,
  WorkspaceState,
} from './state.ts';
import type { Service } from './service.ts';
import { logDownload, logInitFailed, logInitSucceeded, logServerStart, logStopped } from './scoring/deployment-logs.ts';
import { resolveModel } from './scoring/model-lookup.ts';
import { parseDurationMs } from './duration.ts';

type Failure = NonNullable<OperationRecord['error']>;

/** What scoring needs of `requestSettings` (defaults as in the specification: 5 s, 1 request, 500 ms). */
function requestSettings(deployment: DeploymentRecord) {
  const settings = (deployment.properties['requestSettings'] as JsonObject | undefined) ?? {};
  const perInstance = settings['maxConcurrentRequestsPerInstance'];
  return {
    requestTimeoutMs: parseDurationMs(settings['requestTimeout']) ?? 5000,
    maxConcurrentRequestsPerInstance: typeof perInstance === 'number' && perInstance >= 1 ? perInstance : 1,
    maxQueueWaitMs: parseDurationMs(settings['maxQueueWait']) ?? 500,
  };
}

function routingOf(properties: JsonObject): Routing {
  return {
    traffic: { ...((properties['traffic'] as Record<string, number> | undefined) ?? {}) },
    mirrorTraffic: { ...((properties['mirrorTraffic'] as Record<string, number> | undefined) ?? {}) },
  };
}

function finish(operation: OperationRecord, at: Date, failure: Failure | undefined): void {
  operation.endTime = at.toISOString();
  if (failure === undefined) {
    operation.status = 'Succeeded';
  } else {
    operation.status = failure.code === 'OperationCanceled' ? 'Canceled' : 'Failed';
    operation.error = failure;
  }
}

function restore(record: EndpointRecord | DeploymentRecord, previous: JsonObject | undefined): void {
  if (previous === undefined) return;
  Object.assign(record, structuredClone(previous));
}

function completeEndpoint(service: Service, workspace: WorkspaceState, operation: OperationRecord, at: Date): void {
  const endpoint = workspace.endpoints[operation.endpoint];
  const failure = operation.plannedFailure;
  if (endpoint === undefined) return finish(operation, at, failure);
  switch (operation.action) {
    case 'delete':
      if (failure === undefined) {
        delete workspace.endpoints[endpoint.name];
        delete workspace.deployments[endpoint.name];
      } else {
        endpoint.provisioningState = 'Failed';
      }
      break;
    case 'regenerateKeys':
      if (failure === undefined) {
        const keyName = operation.payload?.['keyType'] === 'Secondary' ? 'secondaryKey' : 'primaryKey';
        const value = operation.payload?.['keyValue'];
        endpoint.keys[keyName] = typeof value === 'string' && value !== '' ? value : randomSecret();
      }
      break;
    default:
      if (failure === undefined) {
        endpoint.provisioningState = 'Succeeded';
        endpoint.live = routingOf(endpoint.properties);
        if (endpoint.staleRouting !== undefined)
          endpoint.staleRouting.until = at.getTime() + endpoint.staleRouting.lagMs;
        if (endpoint.lockAfterUpdateMs !== undefined) endpoint.lockedUntil = at.getTime() + endpoint.lockAfterUpdateMs;
      } else {
        restore(endpoint, operation.previous);
        endpoint.provisioningState = failure.code === 'OperationCanceled' ? 'Canceled' : 'Failed';
        delete endpoint.staleRouting;
      }
      delete endpoint.lockAfterUpdateMs;
  }
  finish(operation, at, failure);
}

/** Starts the new version of a deployment: download the model, run `init()`. */
function startContainer(service: Service, deployment: DeploymentRecord, at: Date): Failure | undefined {
  const modelId = deployment.properties['model'];
  const timeoutMs = requestSettings(deployment).requestTimeoutMs;
  if (typeof modelId !== 'string' || modelId === '') {
    logDownload(deployment, at, undefined);
    logServerStart(deployment, at, undefined, timeoutMs);
    logInitSucceeded(deployment, at);
    return undefined;
  }
  const resolved = resolveModel(service, modelId);
  if (resolved === undefined) {
    const message = `Model ${modelId} was not found. Make sure you registered the model to the same workspace as the deployment.`;
    logDownload(deployment, at, { name: modelId, version: '?', uri: modelId }, 'model not found');
    return { code: 'BadArgument', message: `Unable to download user model. ${message}` };
  }
  const model = {
    name: resolved.ref.name,
    version: resolved.ref.version,
    uri: String(resolved.version.properties['modelUri']),
  };
  if (!resolved.artifact.ok && resolved.artifact.stage === 'download') {
    logDownload(deployment, at, model, resolved.artifact.message);
    return {
      code: 'BadArgument',
      message: `Unable to download user model: ${resolved.artifact.message}. Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-badargument`,
    };
  }
  logDownload(deployment, at, model);
  logServerStart(deployment, at, model, timeoutMs);
  const initError = resolved.fault.initError ?? (resolved.artifact.ok ? undefined : resolved.artifact.message);
  if (initError !== undefined) {
    logInitFailed(deployment, at, initError);
    return {
      code: 'ResourceNotReady',
      message: `User container has crashed or terminated: init() failed (${initError}). Use getLogs to see the traceback. Please see troubleshooting guide, available here: https://aka.ms/oe-tsg#error-resourcenotready`,
    };
  }
  logInitSucceeded(deployment, at);
  return undefined;
}

function removeFromRouting(routing: Routing | JsonObject, deployment: string): void {
  for (const key of ['traffic', 'mirrorTraffic'] as const) {
    const weights = routing[key] as Record<string, number> | undefined;
    if (weights !== undefined) delete weights[deployment];
  }
}

function completeDeployment(service: Service, workspace: WorkspaceState, operation: OperationRecord, at: Date): void {
  const deployments = workspace.deployments[operation.endpoint] ?? {};
  const deployment = deployments[operation.deployment ?? ''];
  let failure: Failure | undefined = operation.plannedFailure;
  if (deployment === undefined) return finish(operation, at, failure);
  if (operation.action === 'delete') {
    if (failure === undefined) {
      delete deployments[deployment.name];
      const endpoint = workspace.endpoints[operation.endpoint];
      if (endpoint !== undefined) {
        removeFromRouting(endpoint.properties, deployment.name);
        removeFromRouting(endpoint.live, deployment.name);
      }
    } else {
      deployment.provisioningState = 'Failed';
    }
    return finish(operation, at, failure);
  }
  const modelChanged = deployment.properties['model'] !== deployment.serving?.model;
  if (failure === undefined && (operation.action === 'create' || modelChanged))
    failure = startContainer(service, deployment, at);
  if (failure === undefined) {
    if (deployment.serving !== null && modelChanged) logStopped(deployment, at);
    deployment.provisioningState = 'Succeeded';
    deployment.serving = {
      model: typeof deployment.properties['model'] === 'string' ? deployment.properties['model'] : null,
      ...requestSettings(deployment),
    };
  } else {
    // A failed update leaves the previous version running, as the service does.
    restore(deployment, operation.previous);
    deployment.provisioningState = failure.code === 'OperationCanceled' ? 'Canceled' : 'Failed';
  }
  finish(operation, at, failure);
}

export function completeOperation(service: Service, operation: OperationRecord, at: Date): void {
  const workspace = service.workspace({ resourceGroup: operation.resourceGroup, workspace: operation.workspace });
  if (workspace === undefined) return finish(operation, at, undefined);
  if (operation.deployment === undefined) completeEndpoint(service, workspace, operation, at);
  else completeDeployment(service, workspace, operation, at);
}
