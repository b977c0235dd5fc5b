/**
 * Datastores: list, get and listSecrets of the workspace's default `workspaceblobstore` (an AzureBlob datastore on
 * the emulator's Azurite account). Without blob storage a workspace has no datastore.
 */
import { armError, badArgument } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import type { JsonObject, WorkspaceState } from '../state.ts';
import { containerName, DEFAULT_DATASTORE } from '../storage/locations.ts';
import { armRoutes, checkApiVersion, page, PROVIDER, resolveWorkspace, WORKSPACE_PATH, workspaceId } from './common.ts';

const TYPE = `${PROVIDER}/workspaces/datastores`;

function datastoreResource(service: Service, workspace: WorkspaceState): JsonObject {
  const storage = service.storage;
  if (storage === undefined) throw new Error('blob storage is off');
  const created = {
    createdAt: workspace.createdAt,
    createdBy: 'aml-emulator',
    createdByType: 'Application',
    lastModifiedAt: workspace.createdAt,
    lastModifiedBy: 'aml-emulator',
    lastModifiedByType: 'Application',
  };
  return {
    id: `${workspaceId(service, workspace)}/datastores/${DEFAULT_DATASTORE}`,
    name: DEFAULT_DATASTORE,
    type: TYPE,
    systemData: created,
    properties: {
      description: 'The default blob datastore of the workspace.',
      tags: {},
      properties: {},
      datastoreType: 'AzureBlob',
      accountName: storage.accountName,
      containerName: containerName(workspace),
      // A real account is `https://<account>.blob.<endpoint>`; the emulator's is path-style on loopback, so
      // `endpoint` is its host and port (clients use path-style URLs for IP endpoints, as with Azurite).
      endpoint: storage.host,
      protocol: 'https',
      serviceDataAccessAuthIdentity: storage.datastoreAuth === 'identity' ? 'WorkspaceSystemAssignedIdentity' : 'None',
      credentials:
        storage.datastoreAuth === 'key'
          ? { credentialsType: 'AccountKey', secrets: { secretsType: 'AccountKey' } }
          : { credentialsType: 'None' },
      isDefault: true,
    },
  };
}

function notFound(service: Service, workspace: WorkspaceState, name: string) {
  return armError(
    404,
    'UserError',
    service.storage === undefined
      ? `Datastore ${name} not found in workspace ${workspace.name}: the emulator runs without blob storage (start it with blobStorage: true, or --blob-storage).`
      : `Datastore ${name} not found in workspace ${workspace.name}.`,
  );
}

function list(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  let items = service.storage === undefined ? [] : [datastoreResource(service, workspace)];
  const isDefault = ctx.query.get('isDefault');
  if (isDefault === 'false') items = [];
  const names = ctx.query.getAll('names').flatMap((value) => value.split(','));
  if (names.length > 0) items = items.filter((item) => names.includes(String(item['name'])));
  const search = ctx.query.get('searchText');
  if (search !== null && search !== '') items = items.filter((item) => String(item['name']).includes(search));
  return { status: 200, body: page(service, ctx, items) };
}

function get(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const name = ctx.params['name'] ?? '';
  if (service.storage === undefined || name !== DEFAULT_DATASTORE) throw notFound(service, workspace, name);
  return { status: 200, body: datastoreResource(service, workspace) };
}

function listSecrets(service: Service, ctx: RequestContext): Reply {
  checkApiVersion(ctx, TYPE);
  const workspace = resolveWorkspace(service, ctx);
  const name = ctx.params['name'] ?? '';
  const storage = service.storage;
  if (storage === undefined || name !== DEFAULT_DATASTORE) throw notFound(service, workspace, name);
  if (storage.datastoreAuth !== 'key') {
    throw badArgument(
      `Datastore ${name} is identity-based (credentials None): it has no secrets; use Microsoft Entra ID to reach the storage account.`,
    );
  }
  return { status: 200, body: { secretsType: 'AccountKey', key: storage.accountKey } };
}

export function datastoreRoutes(service: Service): Route[] {
  const route = armRoutes(`${WORKSPACE_PATH}/datastores`, 'Datastores');
  return [
    route('GET', '', 'List', (ctx) => list(service, ctx)),
    route('GET', '/{name}', 'Get', (ctx) => get(service, ctx)),
    route('POST', '/{name}/listSecrets', 'ListSecrets', (ctx) => listSecrets(service, ctx)),
  ];
}
