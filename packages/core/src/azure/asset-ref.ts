import { UserError } from '../errors.ts';

/**
 * References to Azure ML assets as users write them in YAML and inputs:
 *   azureml:name:version · azureml:name@latest · name:version · name@latest (inputs only)
 *   azureml:/subscriptions/.../models/name/versions/3 (ARM id)
 *   azureml://registries/<registry>/models/<name>/versions/<v> · .../labels/latest
 */
export type AssetKind = 'models' | 'environments' | 'codes';

export type AssetRef =
  | { type: 'workspace'; name: string; version: string }
  | { type: 'workspace-label'; name: string; label: string }
  | { type: 'arm-id'; id: string; name: string; version: string }
  | { type: 'registry'; registry: string; name: string; version: string }
  | { type: 'registry-label'; registry: string; name: string; label: string };

const NAME = '[A-Za-z0-9][A-Za-z0-9_.-]*';
const VERSION = '[A-Za-z0-9_.-]+';

export function parseAssetRef(text: string, kind: AssetKind, options: { requirePrefix?: boolean } = {}): AssetRef {
  const value = text.trim();
  const noun = kind === 'codes' ? 'code' : kind.slice(0, -1);
  const examples =
    `'azureml:<name>:<version>', 'azureml:<name>@latest'` +
    (kind === 'codes' ? '' : ` or 'azureml://registries/<registry>/${kind}/<name>/versions/<version>'`);
  const registry = new RegExp(`^azureml://registries/(${NAME})/${kind}/(${NAME})/(versions|labels)/(${VERSION})$`).exec(
    value,
  );
  if (registry) {
    const [, reg, name, which, last] = registry as unknown as [string, string, string, string, string];
    return which === 'versions'
      ? { type: 'registry', registry: reg, name, version: last }
      : { type: 'registry-label', registry: reg, name, label: last };
  }
  const armId = new RegExp(
    `^(?:azureml:)?(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.MachineLearningServices/workspaces/[^/]+/${kind}/(${NAME})/versions/(${VERSION}))$`,
    'i',
  ).exec(value);
  if (armId) return { type: 'arm-id', id: armId[1] as string, name: armId[2] as string, version: armId[3] as string };
  const hasPrefix = value.startsWith('azureml:');
  if (!hasPrefix && options.requirePrefix) {
    throw new UserError(`'${value}' is not a ${noun} reference: write ${examples}.`);
  }
  const short = hasPrefix ? value.slice('azureml:'.length) : value;
  const withVersion = new RegExp(`^(${NAME}):(${VERSION})$`).exec(short);
  if (withVersion) return { type: 'workspace', name: withVersion[1] as string, version: withVersion[2] as string };
  const withLabel = new RegExp(`^(${NAME})@(${VERSION})$`).exec(short);
  if (withLabel) return { type: 'workspace-label', name: withLabel[1] as string, label: withLabel[2] as string };
  if (new RegExp(`^${NAME}$`).test(short)) {
    throw new UserError(`${noun} reference '${value}' has no version: add ':<version>' or '@latest'.`);
  }
  throw new UserError(`'${value}' is not a ${noun} reference: write ${examples}.`);
}

export function formatAssetRef(ref: AssetRef): string {
  switch (ref.type) {
    case 'workspace':
      return `${ref.name}:${ref.version}`;
    case 'workspace-label':
      return `${ref.name}@${ref.label}`;
    case 'arm-id':
      return `${ref.name}:${ref.version}`;
    case 'registry':
      return `azureml://registries/${ref.registry}/…/${ref.name}/versions/${ref.version}`;
    case 'registry-label':
      return `azureml://registries/${ref.registry}/…/${ref.name}/labels/${ref.label}`;
  }
}

export interface WorkspaceScope {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

export function workspaceId(scope: WorkspaceScope): string {
  return (
    `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}` +
    `/providers/Microsoft.MachineLearningServices/workspaces/${scope.workspace}`
  );
}

/** The ARM id of one version of a workspace asset, as deployments reference it. */
export function assetVersionId(scope: WorkspaceScope, kind: AssetKind, name: string, version: string): string {
  return `${workspaceId(scope)}/${kind}/${name}/versions/${version}`;
}

export function registryAssetId(registry: string, kind: AssetKind, name: string, version: string): string {
  return `azureml://registries/${registry}/${kind}/${name}/versions/${version}`;
}
