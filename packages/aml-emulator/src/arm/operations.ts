/**
 * The two URLs a long-running operation hands out: `mfeOperationsStatus` (Azure-AsyncOperation, always 200
 * with a status body) and `mfeOperationResults` (Location: 202 while running, then the final result).
 */
import { armError, armErrorBody } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import { operationResultUrl, operationStatusId, retryAfterHeader } from '../lro.ts';
import type { Service } from '../service.ts';
import type { OperationRecord } from '../state.ts';
import { checkApiVersion, PROVIDER } from './common.ts';
import { deploymentResource } from './online-deployments.ts';
import { endpointResource } from './online-endpoints.ts';

const NOT_ENDED = '0001-01-01T00:00:00+00:00';
const BASE = '/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/locations/{location}';

function findOperation(service: Service, ctx: RequestContext): OperationRecord {
  const operation = service.state.operations[ctx.params['operationId'] ?? ''];
  if (
    operation === undefined ||
    (ctx.params['subscriptionId'] ?? '').toLowerCase() !== service.subscriptionId.toLowerCase() ||
    (ctx.params['location'] ?? '').toLowerCase() !== operation.location.toLowerCase()
  ) {
    throw armError(404, 'ResourceNotFound', `The operation '${ctx.params['operationId'] ?? ''}' could not be found.`);
  }
  return operation;
}

function status(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, `${PROVIDER}/locations/mfeOperationsStatus`);
  const operation = findOperation(service, ctx);
  const running = operation.status === 'InProgress';
  return {
    status: 200,
    headers: running ? retryAfterHeader(service) : {},
    body: {
      id: operationStatusId(service, operation),
      name: operation.id,
      // As recorded: a running operation reads `Updating` with .NET's DateTime.MinValue as its end, and
      // `percentComplete` stays 0 even after it has succeeded.
      status: running ? 'Updating' : operation.status,
      startTime: operation.startTime,
      endTime: operation.endTime ?? NOT_ENDED,
      percentComplete: 0,
      ...(operation.error === undefined
        ? {}
        : {
            error: armErrorBody(operation.error.code, operation.error.message, undefined, operation.error.details)
              .error,
          }),
    },
  };
}

function finalResource(service: Service, operation: OperationRecord, apiVersion: string): unknown {
  const workspace = service.workspace({ resourceGroup: operation.resourceGroup, workspace: operation.workspace });
  if (workspace === undefined) return undefined;
  if (operation.deployment === undefined) {
    const endpoint = workspace.endpoints[operation.endpoint];
    return endpoint === undefined ? undefined : endpointResource(service, workspace, endpoint, apiVersion);
  }
  const deployment = workspace.deployments[operation.endpoint]?.[operation.deployment];
  return deployment === undefined
    ? undefined
    : deploymentResource(service, workspace, operation.endpoint, deployment, apiVersion);
}

function result(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, `${PROVIDER}/locations/mfeOperationResults`);
  const operation = findOperation(service, ctx);
  switch (operation.status) {
    case 'InProgress':
      return {
        status: 202,
        headers: { Location: operationResultUrl(service, operation, apiVersion), ...retryAfterHeader(service) },
      };
    case 'Succeeded': {
      if (operation.action === 'delete') return { status: 204 };
      if (operation.action === 'regenerateKeys') return { status: 200 };
      return { status: 200, body: finalResource(service, operation, apiVersion) };
    }
    default: {
      const error = operation.error ?? { code: 'InternalServerError', message: 'The operation failed.' };
      const statusCode = error.code === 'InternalServerError' ? 500 : operation.status === 'Canceled' ? 409 : 400;
      return { status: statusCode, body: armErrorBody(error.code, error.message) };
    }
  }
}

export function operationRoutes(service: Service): Route[] {
  return [
    {
      method: 'GET',
      pattern: `${BASE}/mfeOperationsStatus/{operationId}`,
      kind: 'operationStatus',
      auth: 'arm',
      handler: (ctx) => status(service, ctx),
    },
    {
      method: 'GET',
      pattern: `${BASE}/mfeOperationResults/{operationId}`,
      kind: 'operationResult',
      auth: 'arm',
      handler: (ctx) => result(service, ctx),
    },
  ];
}
