/** Workspaces are fixed at start (options.workspaces); only GET is served. */
import type { Reply, RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import type { JsonObject, WorkspaceState } from '../state.ts';
import { armRoutes, checkApiVersion, PROVIDER, resolveWorkspace, WORKSPACE_PATH, workspaceId } from './common.ts';

function workspaceResource(service: Service, workspace: WorkspaceState): JsonObject {
  const group = `/subscriptions/${service.subscriptionId}/resourceGroups/${workspace.resourceGroup}/providers`;
  const suffix = workspace.workspaceId.slice(0, 8);
  const at = { createdAt: workspace.createdAt, lastModifiedAt: workspace.createdAt };
  return {
    id: workspaceId(service, workspace),
    name: workspace.name,
    type: `${PROVIDER}/workspaces`,
    location: workspace.location,
    tags: {},
    identity: {
      type: 'SystemAssigned',
      principalId: service.state.credentials.principalId,
      tenantId: service.tenantId,
    },
    sku: { name: 'Basic', tier: 'Basic' },
    systemData: {
      ...at,
      createdBy: 'aml-emulator',
      createdByType: 'Application',
      lastModifiedBy: 'aml-emulator',
      lastModifiedByType: 'Application',
    },
    properties: {
      workspaceId: workspace.workspaceId,
      friendlyName: workspace.name,
      description: 'Emulated by aml-emulator',
      keyVault: `${group}/Microsoft.KeyVault/vaults/kv${suffix}`,
      applicationInsights: `${group}/Microsoft.Insights/components/ai${suffix}`,
      containerRegistry: `${group}/Microsoft.ContainerRegistry/registries/cr${suffix}`,
      storageAccount: `${group}/Microsoft.Storage/storageAccounts/st${suffix}`,
      discoveryUrl: `${service.baseUrl}discovery`,
      provisioningState: 'Succeeded',
      hbiWorkspace: false,
      publicNetworkAccess: 'Enabled',
      tenantId: service.tenantId,
      storageHnsEnabled: false,
      v1LegacyMode: false,
      privateLinkCount: 0,
      mlFlowTrackingUri: `azureml://${workspace.location}.api.azureml.ms/mlflow/v1.0${workspaceId(service, workspace)}`,
    },
  };
}

function get(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, `${PROVIDER}/workspaces`);
  return { status: 200, body: workspaceResource(service, resolveWorkspace(service, ctx)) };
}

export function workspaceRoutes(service: Service): Route[] {
  return [armRoutes(WORKSPACE_PATH, 'Workspaces')('GET', '', 'Get', (ctx) => get(service, ctx))];
}
