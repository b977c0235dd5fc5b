/** Helpers shared by the ARM handlers: api-version, workspace lookup, ids, bodies and paging. */
import { armError, badArgument } from '../http/errors.ts';
import { requireApiVersion } from './api-versions.ts';
import type { RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import type { JsonObject, WorkspaceState } from '../state.ts';

export const PROVIDER = 'Microsoft.MachineLearningServices';

/** The path of a workspace in ARM route patterns. */
export const WORKSPACE_PATH =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}';

/**
 * Routes of one swagger operation group under `base`: operation `Get` of group `OnlineEndpoints` is swagger's
 * `OnlineEndpoints_Get` and the request log's kind `onlineEndpoints.get`.
 */
export function armRoutes(base: string, group: string) {
  const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
  return (method: string, suffix: string, operation: string, handler: Route['handler']): Route => ({
    method,
    pattern: `${base}${suffix}`,
    kind: `${lowerFirst(group)}.${lowerFirst(operation)}`,
    operationId: `${group}_${operation}`,
    auth: 'arm',
    handler,
  });
}
/** The request's api-version, once ARM has checked the type serves it (see api-versions.ts). */
export function checkApiVersion(ctx: RequestContext, resourceType: string): string {
  return requireApiVersion(ctx.query.get('api-version'), resourceType, ctx.apiVersionScope ?? { locations: [] });
}

export function resolveWorkspace(service: Service, ctx: RequestContext): WorkspaceState {
  const subscriptionId = ctx.params['subscriptionId'] ?? '';
  const resourceGroup = ctx.params['resourceGroupName'] ?? '';
  const name = ctx.params['workspaceName'] ?? '';
  if (subscriptionId.toLowerCase() !== service.subscriptionId.toLowerCase()) {
    throw armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  }
  const workspace = service.workspace({ resourceGroup, workspace: name });
  if (workspace !== undefined) return workspace;
  const groupExists = Object.values(service.state.workspaces).some(
    (candidate) => candidate.resourceGroup.toLowerCase() === resourceGroup.toLowerCase(),
  );
  if (!groupExists)
    throw armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
  throw armError(
    404,
    'ResourceNotFound',
    `The Resource '${PROVIDER}/workspaces/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function workspaceId(service: Service, workspace: WorkspaceState): string {
  return `/subscriptions/${service.subscriptionId}/resourceGroups/${workspace.resourceGroup}/providers/${PROVIDER}/workspaces/${workspace.name}`;
}

/** A deployment's instance count: `sku.capacity`, 1 when the request gave none (as ARM defaults it). */
export function capacityOf(sku: JsonObject | undefined): number {
  const capacity = sku?.['capacity'];
  return typeof capacity === 'number' ? capacity : 1;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireBody(ctx: RequestContext): JsonObject {
  if (ctx.rawBody.trim() === '')
    throw armError(400, 'InvalidRequestContent', 'The request content was invalid: the body is empty.');
  if (!isObject(ctx.body)) {
    throw armError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized as a JSON object.',
    );
  }
  return ctx.body;
}

export function optionalObject(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badArgument(`'${key}' must be an object.`);
  return value;
}

export function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((item) => typeof item !== 'string')) {
    throw badArgument(`'${field}' must be an object of strings.`);
  }
  return value as Record<string, string>;
}

/** One page of a list, with a `nextLink` that carries the position in `$skip` (the spec's continuation token). */
export function page<T>(service: Service, ctx: RequestContext, items: T[]): { value: T[]; nextLink?: string } {
  const skipToken = ctx.query.get('$skip');
  const start = skipToken === null ? 0 : Number.parseInt(Buffer.from(skipToken, 'base64url').toString(), 10);
  if (!Number.isInteger(start) || start < 0) throw badArgument(`Invalid continuation token '${skipToken ?? ''}'.`);
  const end = start + service.options.pageSize;
  if (end >= items.length) return { value: items.slice(start) };
  const next = new URL(ctx.url.href);
  next.searchParams.set('$skip', Buffer.from(String(end)).toString('base64url'));
  return { value: items.slice(start, end), nextLink: next.href };
}
