/** Online endpoints: get, list, PUT, PATCH, DELETE, listKeys, regenerateKeys and token. */
import { randomUUID } from 'node:crypto';
import { armError, badArgument, notFound } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import { targetKey } from '../faults.ts';
import { beginOperation, operationHeaders, operationStatusUrl } from '../lro.ts';
import type { Service } from '../service.ts';
import { onlineSystemData, randomSecret, systemData, touch } from '../state.ts';
import type { EndpointRecord, JsonObject, Routing, WorkspaceState } from '../state.ts';
import {
  armRoutes,
  checkApiVersion,
  isObject,
  optionalObject,
  page,
  PROVIDER,
  requireBody,
  resolveWorkspace,
  stringMap,
  WORKSPACE_PATH,
  workspaceId,
} from './common.ts';
import { endpointCarries } from './api-versions.ts';
import {
  checkEndpointNameFree,
  checkResourceName,
  checkRouting,
  checkTrafficOnCreate,
  readWeights,
  refuseEndpointWhileBusy,
} from './rules.ts';

const TYPE = `${PROVIDER}/workspaces/onlineEndpoints`;
const AUTH_MODES = ['Key', 'AMLToken', 'AADToken'];
const TOKEN_LIFETIME_SECONDS = 3600;
const BASE = `${WORKSPACE_PATH}/onlineEndpoints`;

export function endpointId(service: Service, workspace: WorkspaceState, name: string): string {
  return `${workspaceId(service, workspace)}/onlineEndpoints/${name}`;
}

export function findEndpoint(workspace: WorkspaceState, name: string): EndpointRecord {
  const endpoint = workspace.endpoints[name];
  if (endpoint === undefined) throw notFound(`Online endpoint ${name} not found in workspace ${workspace.name}.`);
  return endpoint;
}

/** Identity as ARM returns it: a system-assigned identity gets a principal (kept across updates) and the tenant. */
export function expandIdentity(service: Service, identity: JsonObject | undefined, current?: JsonObject): JsonObject {
  const requested = identity ?? { type: 'SystemAssigned' };
  const type = String(requested['type'] ?? 'None');
  if (!type.includes('SystemAssigned')) return requested;
  const principalId = typeof current?.['principalId'] === 'string' ? current['principalId'] : randomUUID();
  return { ...requested, principalId, tenantId: service.tenantId };
}

export function endpointResource(
  service: Service,
  workspace: WorkspaceState,
  endpoint: EndpointRecord,
  apiVersion: string,
): JsonObject {
  const id = endpointId(service, workspace, endpoint.name);
  const { mirrorTraffic, publicNetworkAccess, ...properties } = endpoint.properties;
  const userProperties: Record<string, string> = {
    ...((properties['properties'] as Record<string, string> | undefined) ?? {}),
    'azureml.onlineendpointid': id.toLowerCase(),
  };
  if (endpoint.operationId !== undefined) {
    const operation = service.state.operations[endpoint.operationId];
    if (operation !== undefined)
      userProperties['AzureAsyncOperationUri'] = operationStatusUrl(service, operation, apiVersion);
  }
  const stale = endpoint.staleRouting;
  const shown: Partial<Routing> =
    stale !== undefined && (stale.until === undefined || Date.now() < stale.until)
      ? stale
      : {
          traffic: properties['traffic'] as Record<string, number> | undefined,
          mirrorTraffic: mirrorTraffic as Record<string, number> | undefined,
        };
  return {
    id,
    name: endpoint.name,
    type: TYPE,
    location: endpoint.location,
    tags: endpoint.tags,
    kind: endpoint.kind ?? 'Managed',
    ...(endpoint.identity === undefined ? {} : { identity: endpoint.identity }),
    ...(endpoint.sku === undefined ? {} : { sku: endpoint.sku }),
    systemData: onlineSystemData(endpoint.systemData),
    properties: {
      ...properties,
      properties: userProperties,
      traffic: shown.traffic ?? {},
      ...(endpointCarries('publicNetworkAccess', apiVersion) ? { publicNetworkAccess } : {}),
      ...(endpointCarries('mirrorTraffic', apiVersion) ? { mirrorTraffic: shown.mirrorTraffic ?? {} } : {}),
      // Recorded: no URIs until the endpoint exists (null in the PUT's answer and while Creating).
      scoringUri: endpoint.provisioningState === 'Creating' ? null : service.scoringUri(endpoint.name),
      swaggerUri: endpoint.provisioningState === 'Creating' ? null : service.swaggerUri(endpoint.name),
      provisioningState: endpoint.provisioningState,
    },
  };
}

/** The endpoint properties the service keeps; `keys` is create-only and never returned. */
function acceptedProperties(body: JsonObject, apiVersion: string): JsonObject {
  const properties = optionalObject(body, 'properties');
  if (properties === undefined) throw badArgument("'properties' is required.");
  const authMode = properties['authMode'];
  if (typeof authMode !== 'string' || !AUTH_MODES.includes(authMode)) {
    throw badArgument(`'properties.authMode' must be one of ${AUTH_MODES.join(', ')}.`);
  }
  const accepted: JsonObject = {
    authMode,
    traffic: readWeights(properties['traffic'], 'traffic'),
    // A version without the property cannot send it: the endpoint gets the default, as after a create.
    publicNetworkAccess:
      (endpointCarries('publicNetworkAccess', apiVersion) ? properties['publicNetworkAccess'] : undefined) ?? 'Enabled',
  };
  for (const key of ['description', 'compute'] as const) {
    if (typeof properties[key] === 'string') accepted[key] = properties[key];
  }
  if (properties['properties'] !== undefined && properties['properties'] !== null) {
    accepted['properties'] = stringMap(properties['properties'], 'properties.properties');
  }
  // Clients on an api-version without mirrorTraffic overwrite it with nothing, as the service documents; a
  // mirrorTraffic they send anyway is not part of their version's model and is dropped.
  if (endpointCarries('mirrorTraffic', apiVersion))
    accepted['mirrorTraffic'] = readWeights(properties['mirrorTraffic'], 'mirrorTraffic');
  return accepted;
}

/** Kubernetes online endpoints name their compute; managed ones have none. */
function isKubernetes(properties: JsonObject): boolean {
  return typeof properties['compute'] === 'string';
}

function requireLocation(body: JsonObject): string {
  const location = body['location'];
  if (typeof location !== 'string' || location === '') {
    throw armError(400, 'LocationRequired', 'The location property is required for this definition.');
  }
  return location;
}

function snapshot(endpoint: EndpointRecord): JsonObject {
  const { properties, tags, identity, sku, kind, location } = endpoint;
  return structuredClone({ properties, tags, identity, sku, kind, location }) as JsonObject;
}

/**
 * What a PUT answers, for a new endpoint and an existing one alike: 201 with `provisioningState: Creating` and no
 * scoring or swagger URI yet (the 2025 recording test_online_deployment_update, entries 1 and 116).
 */
function putAnswer(service: Service, workspace: WorkspaceState, endpoint: EndpointRecord, apiVersion: string): Reply {
  const operation = service.state.operations[endpoint.operationId ?? ''];
  const resource = endpointResource(service, workspace, endpoint, apiVersion);
  return {
    status: 201,
    headers: operation === undefined ? {} : operationHeaders(service, operation, apiVersion, 'put'),
    body: {
      ...resource,
      properties: {
        ...(resource['properties'] as JsonObject),
        provisioningState: 'Creating',
        scoringUri: null,
        swaggerUri: null,
      },
    },
  };
}

/** The consistency faults armed for this endpoint's update: reads that lag, a lock that outlives the operation. */
function armConsistencyFaults(service: Service, workspace: WorkspaceState, endpoint: EndpointRecord): void {
  const ref = { resourceGroup: workspace.resourceGroup, workspace: workspace.name };
  const fault = service.faults.takeConsistencyFault(targetKey(ref, endpoint.name));
  delete endpoint.staleRouting;
  if (fault?.readLagMs !== undefined) {
    endpoint.staleRouting = {
      traffic: { ...((endpoint.properties['traffic'] as Record<string, number> | undefined) ?? {}) },
      mirrorTraffic: { ...((endpoint.properties['mirrorTraffic'] as Record<string, number> | undefined) ?? {}) },
      lagMs: fault.readLagMs,
    };
  }
  if (fault?.lockMs !== undefined) endpoint.lockAfterUpdateMs = fault.lockMs;
}

function createOrUpdate(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const name = ctx.params['endpointName'] ?? '';
  const body = requireBody(ctx);
  const existing = workspace.endpoints[name];
  const location = requireLocation(body);
  const properties = acceptedProperties(body, apiVersion);
  const traffic = properties['traffic'] as Record<string, number>;
  const mirror = (properties['mirrorTraffic'] ?? {}) as Record<string, number>;
  const tracked = {
    location,
    tags: stringMap(body['tags'], 'tags'),
    identity: expandIdentity(service, optionalObject(body, 'identity'), existing?.identity),
    ...(typeof body['kind'] === 'string' ? { kind: body['kind'] } : {}),
    ...(isObject(body['sku']) ? { sku: body['sku'] } : {}),
  };
  if (existing === undefined) {
    checkResourceName('endpoint', name);
    checkEndpointNameFree(service, workspace, name);
    checkTrafficOnCreate(name, traffic);
    checkRouting(name, traffic, mirror, {}, isKubernetes(properties));
    const initialKeys = optionalObject(optionalObject(body, 'properties') ?? {}, 'keys');
    const endpoint: EndpointRecord = {
      name,
      ...tracked,
      properties,
      provisioningState: 'Creating',
      live: { traffic: {}, mirrorTraffic: {} },
      keys: {
        primaryKey: typeof initialKeys?.['primaryKey'] === 'string' ? initialKeys['primaryKey'] : randomSecret(),
        secondaryKey: typeof initialKeys?.['secondaryKey'] === 'string' ? initialKeys['secondaryKey'] : randomSecret(),
      },
      roundRobin: {},
      mirrorCredit: 0,
      systemData: systemData(ctx.caller ?? 'unknown', ctx.now),
    };
    workspace.endpoints[name] = endpoint;
    const operation = beginOperation(service, ctx, { workspace, endpoint: name, action: 'create' });
    endpoint.operationId = operation.id;
    return putAnswer(service, workspace, endpoint, apiVersion);
  }
  refuseEndpointWhileBusy(existing, ctx.now);
  checkRouting(name, traffic, mirror, workspace.deployments[name] ?? {}, isKubernetes(properties));
  const previous = snapshot(existing);
  armConsistencyFaults(service, workspace, existing);
  Object.assign(existing, tracked, { properties, provisioningState: 'Updating' });
  existing.systemData = touch(existing.systemData, ctx.caller ?? 'unknown', ctx.now);
  const operation = beginOperation(service, ctx, { workspace, endpoint: name, action: 'update', previous });
  existing.operationId = operation.id;
  return putAnswer(service, workspace, existing, apiVersion);
}

/** PATCH takes tags and identity only (PartialMinimalTrackedResourceWithIdentity); anything else is ignored. */
function update(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpoint = findEndpoint(workspace, ctx.params['endpointName'] ?? '');
  const body = requireBody(ctx);
  refuseEndpointWhileBusy(endpoint, ctx.now);
  const previous = snapshot(endpoint);
  if (body['tags'] !== undefined) endpoint.tags = stringMap(body['tags'], 'tags');
  const identity = optionalObject(body, 'identity');
  if (identity !== undefined) endpoint.identity = expandIdentity(service, identity, endpoint.identity);
  endpoint.provisioningState = 'Updating';
  endpoint.systemData = touch(endpoint.systemData, ctx.caller ?? 'unknown', ctx.now);
  const operation = beginOperation(service, ctx, { workspace, endpoint: endpoint.name, action: 'update', previous });
  endpoint.operationId = operation.id;
  return { status: 202, headers: operationHeaders(service, operation, apiVersion, 'accepted') };
}

function remove(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpoint = workspace.endpoints[ctx.params['endpointName'] ?? ''];
  if (endpoint === undefined) return { status: 204 };
  refuseEndpointWhileBusy(endpoint, ctx.now);
  endpoint.provisioningState = 'Deleting';
  const operation = beginOperation(service, ctx, { workspace, endpoint: endpoint.name, action: 'delete' });
  endpoint.operationId = operation.id;
  // Recorded: the 202 of a DELETE has the JSON body `null`.
  return { status: 202, headers: operationHeaders(service, operation, apiVersion, 'accepted'), body: null };
}

function matchesTags(tags: Record<string, string>, filter: string | null): boolean {
  if (filter === null || filter === '') return true;
  return filter.split(',').every((condition) => {
    const [key = '', value] = condition.split('=');
    return value === undefined ? key in tags : tags[key] === value;
  });
}

function list(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const name = ctx.query.get('name');
  const computeType = ctx.query.get('computeType');
  let endpoints = Object.values(workspace.endpoints).filter(
    (endpoint) =>
      (name === null || endpoint.name === name) &&
      (computeType === null || (computeType === 'Kubernetes') === isKubernetes(endpoint.properties)) &&
      matchesTags(endpoint.tags, ctx.query.get('tags')),
  );
  const orderBy = ctx.query.get('orderBy');
  if (orderBy !== null) {
    const field = orderBy.startsWith('Updated') ? 'lastModifiedAt' : 'createdAt';
    const direction = orderBy.endsWith('Desc') ? -1 : 1;
    endpoints = [...endpoints].sort((a, b) => a.systemData[field].localeCompare(b.systemData[field]) * direction);
  }
  const count = Number.parseInt(ctx.query.get('count') ?? '', 10);
  if (Number.isInteger(count) && count > 0) endpoints = endpoints.slice(0, count);
  return {
    status: 200,
    body: page(
      service,
      ctx,
      endpoints.map((endpoint) => endpointResource(service, workspace, endpoint, apiVersion)),
    ),
  };
}

function requireAuthMode(endpoint: EndpointRecord, mode: string, what: string): void {
  if (endpoint.properties['authMode'] !== mode) {
    throw badArgument(
      `${what} is only available for endpoints with auth mode ${mode}; endpoint '${endpoint.name}' uses ${String(endpoint.properties['authMode'])}.`,
    );
  }
}

function listKeys(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, TYPE);
  const endpoint = findEndpoint(resolveWorkspace(service, ctx), ctx.params['endpointName'] ?? '');
  requireAuthMode(endpoint, 'Key', 'listKeys');
  return { status: 200, body: { ...endpoint.keys } };
}

function regenerateKeys(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpoint = findEndpoint(workspace, ctx.params['endpointName'] ?? '');
  const body = requireBody(ctx);
  requireAuthMode(endpoint, 'Key', 'regenerateKeys');
  const keyType = body['keyType'];
  if (keyType !== 'Primary' && keyType !== 'Secondary')
    throw badArgument("'keyType' must be 'Primary' or 'Secondary'.");
  refuseEndpointWhileBusy(endpoint, ctx.now);
  const payload: JsonObject = {
    keyType,
    ...(typeof body['keyValue'] === 'string' ? { keyValue: body['keyValue'] } : {}),
  };
  const operation = beginOperation(service, ctx, {
    workspace,
    endpoint: endpoint.name,
    action: 'regenerateKeys',
    payload,
  });
  return { status: 202, headers: operationHeaders(service, operation, apiVersion, 'accepted') };
}

async function getToken(service: Service, ctx: RequestContext): Promise<Reply> {
  checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpoint = findEndpoint(workspace, ctx.params['endpointName'] ?? '');
  requireAuthMode(endpoint, 'AMLToken', 'token');
  const issuedAt = Math.floor(ctx.now.getTime() / 1000);
  const accessToken = await service.entraKey.sign(
    {
      aud: service.scoringUri(endpoint.name),
      iss: service.tokenIssuer,
      endpoint: endpointId(service, workspace, endpoint.name),
      typ: 'aml_token',
    },
    TOKEN_LIFETIME_SECONDS,
    ctx.now,
  );
  return {
    status: 200,
    body: {
      accessToken,
      tokenType: 'Bearer',
      expiryTimeUtc: issuedAt + TOKEN_LIFETIME_SECONDS,
      refreshAfterTimeUtc: issuedAt + TOKEN_LIFETIME_SECONDS / 2,
    },
  };
}

function get(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  return {
    status: 200,
    body: endpointResource(service, workspace, findEndpoint(workspace, ctx.params['endpointName'] ?? ''), apiVersion),
  };
}

export function endpointRoutes(service: Service): Route[] {
  const route = armRoutes(BASE, 'OnlineEndpoints');
  return [
    route('GET', '', 'List', (ctx) => list(service, ctx)),
    route('GET', '/{endpointName}', 'Get', (ctx) => get(service, ctx)),
    route('PUT', '/{endpointName}', 'CreateOrUpdate', (ctx) => createOrUpdate(service, ctx)),
    route('PATCH', '/{endpointName}', 'Update', (ctx) => update(service, ctx)),
    route('DELETE', '/{endpointName}', 'Delete', (ctx) => remove(service, ctx)),
    route('POST', '/{endpointName}/listKeys', 'ListKeys', (ctx) => listKeys(service, ctx)),
    route('POST', '/{endpointName}/regenerateKeys', 'RegenerateKeys', (ctx) => regenerateKeys(service, ctx)),
    route('POST', '/{endpointName}/token', 'GetToken', (ctx) => getToken(service, ctx)),
  ];
}
