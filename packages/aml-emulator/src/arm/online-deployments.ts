/** Online deployments: get, list, PUT, PATCH, DELETE, getLogs and skus. */
import { armError, badArgument, notFound } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import { beginOperation, operationHeaders, operationStatusUrl } from '../lro.ts';
import { tail } from '../scoring/deployment-logs.ts';
import { findModelVersion } from '../scoring/model-lookup.ts';
import { parseModelId } from '../scoring/model.ts';
import type { Service } from '../service.ts';
import { onlineSystemData, systemData, touch } from '../state.ts';
import type { DeploymentRecord, JsonObject, WorkspaceState } from '../state.ts';
import {
  armRoutes,
  capacityOf,
  checkApiVersion,
  isObject,
  optionalObject,
  page,
  PROVIDER,
  requireBody,
  resolveWorkspace,
  stringMap,
  WORKSPACE_PATH,
} from './common.ts';
import { orderItems, topOf } from './listing.ts';
import { endpointId, expandIdentity, findEndpoint } from './online-endpoints.ts';
import { checkDeploymentCount, checkRequestTimeout, checkSizing, MAX_INSTANCES } from './deployment-limits.ts';
import { busy, checkDeletable, checkResourceName, isBusy, refuseDeploymentChangeWhileEndpointBusy } from './rules.ts';
import { checkDeploymentContent } from '../storage/asset-content.ts';
import { normaliseDurations } from '../duration.ts';
import { DEFAULT_PROBE, DEFAULT_REQUEST_SETTINGS, DURATION_FIELDS } from './deployment-defaults.ts';

const TYPE = `${PROVIDER}/workspaces/onlineEndpoints/deployments`;
const BASE = `${WORKSPACE_PATH}/onlineEndpoints/{endpointName}/deployments`;
const COMPUTE_TYPES = ['Managed', 'Kubernetes'];
const KNOWN_PROPERTIES = [
  'codeConfiguration',
  'description',
  'environmentId',
  'environmentVariables',
  'properties',
  'appInsightsEnabled',
  'egressPublicNetworkAccess',
  'endpointComputeType',
  'instanceType',
  'livenessProbe',
  'model',
  'modelMountPath',
  'readinessProbe',
  'requestSettings',
  'scaleSettings',
  'containerResourceRequirements',
];
function findDeployment(workspace: WorkspaceState, endpoint: string, name: string): DeploymentRecord {
  const deployment = workspace.deployments[endpoint]?.[name];
  if (deployment === undefined)
    throw notFound(`Deployment ${name} not found in endpoint ${endpoint}, workspace ${workspace.name}`);
  return deployment;
}

export function deploymentResource(
  service: Service,
  workspace: WorkspaceState,
  endpoint: string,
  deployment: DeploymentRecord,
  apiVersion: string,
): JsonObject {
  const userProperties: Record<string, string> = {
    ...((deployment.properties['properties'] as Record<string, string> | undefined) ?? {}),
  };
  if (deployment.operationId !== undefined) {
    const operation = service.state.operations[deployment.operationId];
    if (operation !== undefined)
      userProperties['AzureAsyncOperationUri'] = operationStatusUrl(service, operation, apiVersion);
  }
  return {
    id: `${endpointId(service, workspace, endpoint)}/deployments/${deployment.name}`,
    name: deployment.name,
    type: TYPE,
    location: deployment.location,
    tags: deployment.tags,
    kind: deployment.kind ?? String(deployment.properties['endpointComputeType']),
    ...(deployment.identity === undefined ? {} : { identity: deployment.identity }),
    sku: { name: 'Default', tier: 'Standard', ...deployment.sku, capacity: capacityOf(deployment.sku) },
    systemData: onlineSystemData(deployment.systemData),
    properties: {
      ...deployment.properties,
      properties: userProperties,
      provisioningState: deployment.provisioningState,
    },
  };
}

/** An asset reference in ARM-id form must exist; registry and other references cannot be checked here. */
function checkAssetReference(service: Service, reference: unknown, kind: 'environments' | 'codes'): void {
  if (typeof reference !== 'string') return;
  const match = new RegExp(
    `^(?:azureml:)?/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/${PROVIDER}/workspaces/([^/]+)/${kind}/([^/]+)/versions/([^/]+)$`,
    'i',
  ).exec(reference);
  if (match === null) return;
  const [, subscriptionId = '', resourceGroup = '', workspace = '', name = '', version = ''] = match;
  const found =
    subscriptionId.toLowerCase() === service.subscriptionId.toLowerCase() &&
    service.workspace({ resourceGroup, workspace })?.assets[kind][name]?.versions[version] !== undefined;
  if (!found)
    throw notFound(
      `${kind === 'codes' ? 'Code' : 'Environment'} version ${name}:${version} not found in workspace ${workspace}.`,
    );
}

function checkModelReference(service: Service, model: unknown): void {
  if (model === undefined || model === null) return;
  if (typeof model !== 'string') throw badArgument("'properties.model' must be a string.");
  if (/^azureml:\/\/registries\//i.test(model)) {
    throw notFound(`Model ${model} not found: registries are not emulated; register the model in the workspace.`);
  }
  const ref = parseModelId(model);
  if (ref === undefined) throw badArgument(`'properties.model' must be the ARM id of a model version, got '${model}'.`);
  if (findModelVersion(service, ref) === undefined) {
    throw notFound(`Model version ${ref.name}:${ref.version} not found in workspace ${ref.workspace}.`);
  }
}

function acceptedProperties(service: Service, body: JsonObject): JsonObject {
  const properties = optionalObject(body, 'properties');
  if (properties === undefined) throw badArgument("'properties' is required.");
  const computeType = properties['endpointComputeType'];
  if (typeof computeType !== 'string' || !COMPUTE_TYPES.includes(computeType)) {
    throw badArgument(`'properties.endpointComputeType' must be one of ${COMPUTE_TYPES.join(', ')}.`);
  }
  const accepted: JsonObject = {};
  for (const key of KNOWN_PROPERTIES)
    if (properties[key] !== undefined && properties[key] !== null) accepted[key] = properties[key];
  if (accepted['properties'] !== undefined)
    accepted['properties'] = stringMap(accepted['properties'], 'properties.properties');
  if (typeof accepted['instanceType'] !== 'string' || accepted['instanceType'] === '') {
    if (computeType === 'Managed')
      throw badArgument("'properties.instanceType' is required for managed online deployments.");
    accepted['instanceType'] = 'defaultinstancetype';
  }
  checkRequestTimeout(computeType as 'Managed' | 'Kubernetes', accepted['requestSettings'] as JsonObject | undefined);
  checkModelReference(service, accepted['model']);
  checkAssetReference(service, accepted['environmentId'], 'environments');
  checkAssetReference(service, (accepted['codeConfiguration'] as JsonObject | undefined)?.['codeId'], 'codes');
  return normaliseDurations(DURATION_FIELDS, {
    appInsightsEnabled: false,
    egressPublicNetworkAccess: 'Enabled',
    scaleSettings: { scaleType: 'Default' },
    livenessProbe: DEFAULT_PROBE,
    readinessProbe: DEFAULT_PROBE,
    ...accepted,
    requestSettings: {
      ...DEFAULT_REQUEST_SETTINGS,
      ...((accepted['requestSettings'] as JsonObject | undefined) ?? {}),
    },
  });
}

function snapshot(deployment: DeploymentRecord): JsonObject {
  const { properties, tags, identity, sku, kind, location } = deployment;
  return structuredClone({ properties, tags, identity, sku, kind, location }) as JsonObject;
}

/** A PUT answers 201 `Creating` for an existing deployment too (the 2025 recording test_online_deployment_update, entry 126). */
function putAnswer(
  service: Service,
  workspace: WorkspaceState,
  endpoint: string,
  deployment: DeploymentRecord,
  apiVersion: string,
): Reply {
  const operation = service.state.operations[deployment.operationId ?? ''];
  const resource = deploymentResource(service, workspace, endpoint, deployment, apiVersion);
  return {
    status: 201,
    headers: operation === undefined ? {} : operationHeaders(service, operation, apiVersion, 'put'),
    body: { ...resource, properties: { ...(resource['properties'] as JsonObject), provisioningState: 'Creating' } },
  };
}

function createOrUpdate(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpointName = ctx.params['endpointName'] ?? '';
  const name = ctx.params['deploymentName'] ?? '';
  const body = requireBody(ctx);
  const existing = workspace.deployments[endpointName]?.[name];
  const endpoint = findEndpoint(workspace, endpointName);
  refuseDeploymentChangeWhileEndpointBusy(endpoint, ctx.now, existing ? 'update' : 'create');
  const location = body['location'];
  if (typeof location !== 'string' || location === '') {
    throw armError(400, 'LocationRequired', 'The location property is required for this definition.');
  }
  if (existing === undefined) {
    checkResourceName('deployment', name);
    checkDeploymentCount(endpoint.name, Object.keys(workspace.deployments[endpoint.name] ?? {}).length);
  } else if (isBusy(existing.provisioningState)) throw busy('online deployment', name, existing.provisioningState);
  const properties = acceptedProperties(service, body);
  if (existing !== undefined && existing.properties['instanceType'] !== properties['instanceType']) {
    throw badArgument(
      `The instance type of deployment '${name}' cannot be changed (${String(existing.properties['instanceType'])} → ${String(properties['instanceType'])}); create a new deployment instead.`,
    );
  }
  const sku = optionalObject(body, 'sku');
  if (properties['endpointComputeType'] === 'Managed')
    checkSizing(service, workspace, String(properties['instanceType']), capacityOf(sku), existing);
  const tracked = {
    location,
    tags: stringMap(body['tags'], 'tags'),
    ...(typeof body['kind'] === 'string' ? { kind: body['kind'] } : {}),
    ...(sku === undefined ? {} : { sku }),
    ...(isObject(body['identity']) ? { identity: expandIdentity(service, body['identity'], existing?.identity) } : {}),
  };
  if (existing === undefined) {
    const deployment: DeploymentRecord = {
      name,
      ...tracked,
      properties,
      provisioningState: 'Creating',
      serving: null,
      logs: { storageInitializer: [], inferenceServer: [] },
      systemData: systemData(ctx.caller ?? 'unknown', ctx.now),
    };
    (workspace.deployments[endpoint.name] ??= {})[name] = deployment;
    const operation = beginOperation(service, ctx, {
      workspace,
      endpoint: endpoint.name,
      deployment: name,
      action: 'create',
    });
    deployment.operationId = operation.id;
    return putAnswer(service, workspace, endpoint.name, deployment, apiVersion);
  }
  const previous = snapshot(existing);
  Object.assign(existing, tracked, { properties, provisioningState: 'Updating' });
  existing.systemData = touch(existing.systemData, ctx.caller ?? 'unknown', ctx.now);
  const operation = beginOperation(service, ctx, {
    workspace,
    endpoint: endpoint.name,
    deployment: name,
    action: 'update',
    previous,
  });
  existing.operationId = operation.id;
  return putAnswer(service, workspace, endpoint.name, existing, apiVersion);
}

/** PATCH takes tags and sku only (PartialMinimalTrackedResourceWithSku): scaling, in practice. */
function update(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpointName = ctx.params['endpointName'] ?? '';
  const deployment = findDeployment(workspace, endpointName, ctx.params['deploymentName'] ?? '');
  const body = requireBody(ctx);
  refuseDeploymentChangeWhileEndpointBusy(findEndpoint(workspace, endpointName), ctx.now, 'update');
  if (isBusy(deployment.provisioningState))
    throw busy('online deployment', deployment.name, deployment.provisioningState);
  const previous = snapshot(deployment);
  const sku = optionalObject(body, 'sku');
  const scaling = sku?.['capacity'] !== undefined && capacityOf(sku) !== capacityOf(deployment.sku);
  if (scaling && deployment.properties['endpointComputeType'] === 'Managed')
    checkSizing(service, workspace, String(deployment.properties['instanceType']), capacityOf(sku), deployment);
  if (sku !== undefined) deployment.sku = { ...deployment.sku, ...sku };
  if (body['tags'] !== undefined) deployment.tags = stringMap(body['tags'], 'tags');
  deployment.provisioningState = scaling ? 'Scaling' : 'Updating';
  deployment.systemData = touch(deployment.systemData, ctx.caller ?? 'unknown', ctx.now);
  const operation = beginOperation(service, ctx, {
    workspace,
    endpoint: endpointName,
    deployment: deployment.name,
    action: 'update',
    previous,
  });
  deployment.operationId = operation.id;
  return { status: 202, headers: operationHeaders(service, operation, apiVersion, 'accepted') };
}

function remove(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpoint = findEndpoint(workspace, ctx.params['endpointName'] ?? '');
  const deployment = workspace.deployments[endpoint.name]?.[ctx.params['deploymentName'] ?? ''];
  if (deployment === undefined) return { status: 204 };
  refuseDeploymentChangeWhileEndpointBusy(endpoint, ctx.now, 'delete');
  if (isBusy(deployment.provisioningState))
    throw busy('online deployment', deployment.name, deployment.provisioningState);
  checkDeletable(endpoint, deployment.name);
  deployment.provisioningState = 'Deleting';
  const operation = beginOperation(service, ctx, {
    workspace,
    endpoint: endpoint.name,
    deployment: deployment.name,
    action: 'delete',
  });
  deployment.operationId = operation.id;
  return { status: 202, headers: operationHeaders(service, operation, apiVersion, 'accepted'), body: null };
}

function get(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpointName = ctx.params['endpointName'] ?? '';
  findEndpoint(workspace, endpointName);
  const deployment = findDeployment(workspace, endpointName, ctx.params['deploymentName'] ?? '');
  return { status: 200, body: deploymentResource(service, workspace, endpointName, deployment, apiVersion) };
}

function list(service: Service, ctx: RequestContext): Reply {
  const apiVersion = checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpoint = findEndpoint(workspace, ctx.params['endpointName'] ?? '');
  const sortable = Object.values(workspace.deployments[endpoint.name] ?? {}).map((deployment) => ({
    name: deployment.name,
    createdAt: deployment.systemData.createdAt,
    lastModifiedAt: deployment.systemData.lastModifiedAt,
    isArchived: false,
    deployment,
  }));
  const selected = topOf(orderItems(sortable, ctx.query.get('$orderBy')), ctx);
  return {
    status: 200,
    body: page(
      service,
      ctx,
      selected.map((item) => deploymentResource(service, workspace, endpoint.name, item.deployment, apiVersion)),
    ),
  };
}

function getLogs(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpointName = ctx.params['endpointName'] ?? '';
  findEndpoint(workspace, endpointName);
  const deployment = findDeployment(workspace, endpointName, ctx.params['deploymentName'] ?? '');
  const body = requireBody(ctx);
  const containerType = body['containerType'] ?? 'InferenceServer';
  if (containerType !== 'InferenceServer' && containerType !== 'StorageInitializer') {
    throw badArgument("'containerType' must be InferenceServer or StorageInitializer.");
  }
  const lines =
    containerType === 'InferenceServer' ? deployment.logs.inferenceServer : deployment.logs.storageInitializer;
  if (lines.length === 0 && deployment.provisioningState === 'Creating') {
    throw armError(
      400,
      'UserError',
      `The ${containerType} container of deployment ${deployment.name} is not running yet, so it has no logs. Please try again later.`,
    );
  }
  const count = body['tail'];
  if (count !== undefined && count !== null && (typeof count !== 'number' || !Number.isInteger(count) || count < 0)) {
    throw badArgument("'tail' must be a non-negative integer.");
  }
  return { status: 200, body: { content: tail(lines, typeof count === 'number' ? count : undefined) } };
}

function listSkus(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const endpointName = ctx.params['endpointName'] ?? '';
  findEndpoint(workspace, endpointName);
  findDeployment(workspace, endpointName, ctx.params['deploymentName'] ?? '');
  const skus = [
    {
      resourceType: TYPE,
      sku: { name: 'Default', tier: 'Standard' },
      capacity: {
        minimum: 1,
        maximum: MAX_INSTANCES,
        default: 1,
        scaleType: 'Manual',
      },
    },
  ];
  return { status: 200, body: page(service, ctx, topOf(skus, ctx, 'count')) };
}

export function deploymentRoutes(service: Service): Route[] {
  const route = armRoutes(BASE, 'OnlineDeployments');
  return [
    route('GET', '', 'List', (ctx) => list(service, ctx)),
    route('GET', '/{deploymentName}', 'Get', (ctx) => get(service, ctx)),
    route('PUT', '/{deploymentName}', 'CreateOrUpdate', async (ctx) => {
      // Asynchronous checks first (blob content of the assets it uses), then the synchronous state change.
      checkApiVersion(ctx, TYPE);
      resolveWorkspace(service, ctx);
      await checkDeploymentContent(service, ctx.body);
      return createOrUpdate(service, ctx);
    }),
    route('PATCH', '/{deploymentName}', 'Update', (ctx) => update(service, ctx)),
    route('DELETE', '/{deploymentName}', 'Delete', (ctx) => remove(service, ctx)),
    route('POST', '/{deploymentName}/getLogs', 'GetLogs', (ctx) => getLogs(service, ctx)),
    route('GET', '/{deploymentName}/skus', 'ListSkus', (ctx) => listSkus(service, ctx)),
  ];
}
