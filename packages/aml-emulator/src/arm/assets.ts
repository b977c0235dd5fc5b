/** Model, environment and code containers and their versions: synchronous CRUD with AML's listing options. */
import { badArgument, conflict, notFound, notFoundWithDetail } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import { systemData, touch } from '../state.ts';
import type { AssetContainerRecord, AssetKind, AssetVersionRecord, JsonObject, WorkspaceState } from '../state.ts';
import {
  armRoutes,
  checkApiVersion,
  optionalObject,
  page,
  PROVIDER,
  requireBody,
  resolveWorkspace,
  WORKSPACE_PATH,
  workspaceId,
} from './common.ts';
import { filterByViewType, orderItems, topOf } from './listing.ts';
import { checkVersionContent } from '../storage/asset-content.ts';

const ASSET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_.]{0,254}$/;
const collator = new Intl.Collator('en', { numeric: true });

interface AssetKindInfo {
  operationPrefix: string;
  label: string;
  /** Version properties that define the content: changing them on an existing version is refused. */
  contentFields: string[];
  readOnlyVersionFields: string[];
}

const KINDS: Record<AssetKind, AssetKindInfo> = {
  models: {
    operationPrefix: 'Model',
    label: 'Model',
    contentFields: ['modelUri'],
    readOnlyVersionFields: [],
  },
  environments: {
    operationPrefix: 'Environment',
    label: 'Environment',
    contentFields: ['image', 'condaFile', 'build', 'osType', 'inferenceConfig'],
    readOnlyVersionFields: ['environmentType'],
  },
  codes: {
    operationPrefix: 'Code',
    label: 'Code',
    contentFields: ['codeUri'],
    readOnlyVersionFields: [],
  },
};

function containerId(service: Service, workspace: WorkspaceState, kind: AssetKind, name: string): string {
  return `${workspaceId(service, workspace)}/${kind}/${name}`;
}

function latestVersion(container: AssetContainerRecord): string | undefined {
  const versions = Object.values(container.versions).sort((a, b) =>
    a.systemData.createdAt.localeCompare(b.systemData.createdAt),
  );
  return versions.at(-1)?.version;
}

function nextVersion(container: AssetContainerRecord): string {
  const numeric = Object.keys(container.versions)
    .map((version) => Number(version))
    .filter((version) => Number.isInteger(version));
  return String(numeric.length === 0 ? 1 : Math.max(...numeric) + 1);
}

function containerResource(
  service: Service,
  workspace: WorkspaceState,
  kind: AssetKind,
  container: AssetContainerRecord,
): JsonObject {
  const latest = latestVersion(container);
  return {
    id: containerId(service, workspace, kind, container.name),
    name: container.name,
    type: `${PROVIDER}/workspaces/${kind}`,
    systemData: container.systemData,
    properties: {
      isArchived: false,
      tags: {},
      properties: {},
      ...container.properties,
      ...(latest === undefined ? {} : { latestVersion: latest }),
      nextVersion: nextVersion(container),
    },
  };
}

function versionResource(
  service: Service,
  workspace: WorkspaceState,
  kind: AssetKind,
  container: string,
  version: AssetVersionRecord,
): JsonObject {
  return {
    id: `${containerId(service, workspace, kind, container)}/versions/${version.version}`,
    name: version.version,
    type: `${PROVIDER}/workspaces/${kind}/versions`,
    systemData: version.systemData,
    properties: {
      isAnonymous: false,
      isArchived: false,
      tags: {},
      properties: {},
      ...(kind === 'environments' ? { environmentType: 'UserCreated', osType: 'Linux', autoRebuild: 'Disabled' } : {}),
      ...version.properties,
    },
  };
}

function checkName(name: string, what: string): void {
  if (!ASSET_NAME.test(name))
    throw badArgument(
      `Invalid ${what} '${name}': it must start with a letter or digit and contain only letters, digits, '-', '_' and '.'.`,
    );
}

function findContainer(workspace: WorkspaceState, kind: AssetKind, name: string): AssetContainerRecord {
  const container = workspace.assets[kind][name];
  if (container === undefined)
    throw notFound(`${KINDS[kind].label} container ${name} not found in workspace ${workspace.name}.`);
  return container;
}

function findVersion(workspace: WorkspaceState, kind: AssetKind, name: string, version: string): AssetVersionRecord {
  const found = workspace.assets[kind][name]?.versions[version];
  if (found === undefined)
    throw notFound(`${KINDS[kind].label} version ${name}:${version} not found in workspace ${workspace.name}.`);
  return found;
}

function propertiesOf(ctx: RequestContext, readOnly: string[]): JsonObject {
  const properties = optionalObject(requireBody(ctx), 'properties');
  if (properties === undefined) throw badArgument("'properties' is required.");
  const accepted = { ...properties };
  for (const field of ['latestVersion', 'nextVersion', ...readOnly]) delete accepted[field];
  return accepted;
}

function isArchived(properties: JsonObject): boolean {
  return properties['isArchived'] === true;
}

function tagsMatch(tags: unknown, filter: string | null): boolean {
  if (filter === null || filter === '') return true;
  const map = (tags ?? {}) as Record<string, string>;
  return filter.split(',').every((condition) => {
    const [key = '', value] = condition.split('=');
    return value === undefined ? key in map : map[key] === value;
  });
}

/** Creates (201) or updates (200) a version, creating its container on the way as AML does. */
export function putAssetVersion(
  workspace: WorkspaceState,
  kind: AssetKind,
  name: string,
  version: string,
  properties: JsonObject,
  caller: string,
  now: Date,
): 200 | 201 {
  const container = (workspace.assets[kind][name] ??= {
    name,
    properties: {},
    systemData: systemData(caller, now),
    versions: {},
  });
  const existing = container.versions[version];
  if (existing === undefined) {
    container.versions[version] = { version, properties, systemData: systemData(caller, now) };
    container.systemData = touch(container.systemData, caller, now);
    return 201;
  }
  for (const field of KINDS[kind].contentFields) {
    if (JSON.stringify(existing.properties[field]) !== JSON.stringify(properties[field])) {
      throw conflict(
        `${KINDS[kind].label} version ${name}:${version} already exists with a different ${field}; asset versions are immutable, register a new version.`,
      );
    }
  }
  existing.properties = properties;
  existing.systemData = touch(existing.systemData, caller, now);
  return 200;
}

function kindHandlers(service: Service, kind: AssetKind) {
  const info = KINDS[kind];
  return {
    listContainers(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}`);
      const workspace = resolveWorkspace(service, ctx);
      const sortable = Object.values(workspace.assets[kind]).map((container) => ({
        name: container.name,
        createdAt: container.systemData.createdAt,
        lastModifiedAt: container.systemData.lastModifiedAt,
        isArchived: isArchived(container.properties),
        container,
      }));
      const selected = topOf(filterByViewType(sortable, ctx), ctx, 'count');
      return {
        status: 200,
        body: page(
          service,
          ctx,
          selected.map((item) => containerResource(service, workspace, kind, item.container)),
        ),
      };
    },
    getContainer(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}`);
      const workspace = resolveWorkspace(service, ctx);
      return {
        status: 200,
        body: containerResource(service, workspace, kind, findContainer(workspace, kind, ctx.params['name'] ?? '')),
      };
    },
    putContainer(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}`);
      const workspace = resolveWorkspace(service, ctx);
      const name = ctx.params['name'] ?? '';
      checkName(name, `${kind} container name`);
      const properties = propertiesOf(ctx, []);
      const caller = ctx.caller ?? 'unknown';
      const existing = workspace.assets[kind][name];
      if (existing === undefined) {
        workspace.assets[kind][name] = { name, properties, systemData: systemData(caller, ctx.now), versions: {} };
      } else {
        existing.properties = properties;
        existing.systemData = touch(existing.systemData, caller, ctx.now);
      }
      const container = findContainer(workspace, kind, name);
      return {
        status: existing === undefined ? 201 : 200,
        body: containerResource(service, workspace, kind, container),
      };
    },
    deleteContainer(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}`);
      const workspace = resolveWorkspace(service, ctx);
      const name = ctx.params['name'] ?? '';
      if (workspace.assets[kind][name] === undefined) return { status: 204 };
      delete workspace.assets[kind][name];
      return { status: 200 };
    },
    listVersions(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}/versions`);
      const workspace = resolveWorkspace(service, ctx);
      const name = ctx.params['name'] ?? '';
      // Recorded: listing the versions of a model that does not exist is a 404 (codes answer an empty list).
      if (kind === 'models' && workspace.assets.models[name] === undefined)
        throw notFoundWithDetail('ModelNotFound', `Model container with name: ${name} not found.`);
      const wantedVersion = ctx.query.get('version');
      const sortable = Object.values(workspace.assets[kind][name]?.versions ?? {})
        .filter(
          (version) =>
            (wantedVersion === null || version.version === wantedVersion) &&
            tagsMatch(version.properties['tags'], ctx.query.get('tags')),
        )
        .map((version) => ({
          name: version.version,
          createdAt: version.systemData.createdAt,
          lastModifiedAt: version.systemData.lastModifiedAt,
          isArchived: isArchived(version.properties),
          version,
        }))
        .sort((a, b) => collator.compare(a.name, b.name));
      const selected = topOf(orderItems(filterByViewType(sortable, ctx), ctx.query.get('$orderBy')), ctx);
      return {
        status: 200,
        body: page(
          service,
          ctx,
          selected.map((item) => versionResource(service, workspace, kind, name, item.version)),
        ),
      };
    },
    getVersion(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}/versions`);
      const workspace = resolveWorkspace(service, ctx);
      const name = ctx.params['name'] ?? '';
      const version = findVersion(workspace, kind, name, ctx.params['version'] ?? '');
      return { status: 200, body: versionResource(service, workspace, kind, name, version) };
    },
    async putVersion(ctx: RequestContext): Promise<Reply> {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}/versions`);
      const workspace = resolveWorkspace(service, ctx);
      const name = ctx.params['name'] ?? '';
      const version = ctx.params['version'] ?? '';
      checkName(name, `${kind} name`);
      checkName(version, `${kind} version`);
      const properties = propertiesOf(ctx, info.readOnlyVersionFields);
      await checkVersionContent(service, workspace, kind, name, version, properties);
      const status = putAssetVersion(workspace, kind, name, version, properties, ctx.caller ?? 'unknown', ctx.now);
      const resource = versionResource(service, workspace, kind, name, findVersion(workspace, kind, name, version));
      // Recorded: a version's 201 carries its own URL as Location.
      const location = `${service.baseUrl}${String(resource['id']).replace(/^\//, '')}?api-version=${ctx.query.get('api-version') ?? ''}`;
      return { status, ...(status === 201 ? { headers: { Location: location } } : {}), body: resource };
    },
    deleteVersion(ctx: RequestContext): Reply {
      checkApiVersion(ctx, `${PROVIDER}/workspaces/${kind}/versions`);
      const workspace = resolveWorkspace(service, ctx);
      const container = workspace.assets[kind][ctx.params['name'] ?? ''];
      const version = ctx.params['version'] ?? '';
      if (container?.versions[version] === undefined) return { status: 204 };
      delete container.versions[version];
      return { status: 200 };
    },
  };
}

export function assetRoutes(service: Service): Route[] {
  const routes: Route[] = [];
  for (const kind of Object.keys(KINDS) as AssetKind[]) {
    const info = KINDS[kind];
    const handlers = kindHandlers(service, kind);
    const containers = armRoutes(`${WORKSPACE_PATH}/${kind}`, `${info.operationPrefix}Containers`);
    const versions = armRoutes(`${WORKSPACE_PATH}/${kind}`, `${info.operationPrefix}Versions`);
    routes.push(
      containers('GET', '', 'List', handlers.listContainers),
      containers('GET', '/{name}', 'Get', handlers.getContainer),
      containers('PUT', '/{name}', 'CreateOrUpdate', handlers.putContainer),
      containers('DELETE', '/{name}', 'Delete', handlers.deleteContainer),
      versions('GET', '/{name}/versions', 'List', handlers.listVersions),
      versions('GET', '/{name}/versions/{version}', 'Get', handlers.getVersion),
      versions('PUT', '/{name}/versions/{version}', 'CreateOrUpdate', handlers.putVersion),
      versions('DELETE', '/{name}/versions/{version}', 'Delete', handlers.deleteVersion),
    );
  }
  return routes;
}
