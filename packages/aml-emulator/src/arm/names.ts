/**
 * ARM resource names are case-insensitive: `onlineEndpoints/My-Endpoint` names the stored `my-endpoint`. Path
 * parameters are mapped to the stored spelling once, before any handler reads them.
 */
import type { Service } from '../service.ts';
import type { AssetKind } from '../state.ts';

const ASSET_KINDS: AssetKind[] = ['models', 'environments', 'codes'];

function stored(names: Iterable<string>, wanted: string | undefined): string | undefined {
  if (wanted === undefined) return undefined;
  const lower = wanted.toLowerCase();
  for (const name of names) if (name.toLowerCase() === lower) return name;
  return wanted;
}

export function storedNames(service: Service, pattern: string, params: Record<string, string>): Record<string, string> {
  const { resourceGroupName, workspaceName } = params;
  if (resourceGroupName === undefined || workspaceName === undefined) return params;
  const workspace = service.workspace({ resourceGroup: resourceGroupName, workspace: workspaceName });
  if (workspace === undefined) return params;
  const result = { ...params };
  const endpoint = stored(Object.keys(workspace.endpoints), params['endpointName']);
  if (endpoint !== undefined) {
    result['endpointName'] = endpoint;
    const deployment = stored(Object.keys(workspace.deployments[endpoint] ?? {}), params['deploymentName']);
    if (deployment !== undefined) result['deploymentName'] = deployment;
  }
  const kind = ASSET_KINDS.find((candidate) => pattern.includes(`/${candidate}/{name}`));
  const asset = kind === undefined ? undefined : stored(Object.keys(workspace.assets[kind]), params['name']);
  if (asset !== undefined) result['name'] = asset;
  return result;
}
