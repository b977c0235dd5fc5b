/**
 * The api-versions ARM serves for the emulated `Microsoft.MachineLearningServices` resource types, the answer to any
 * other, and the online-endpoint properties that only some versions carry. Sources: README § api-versions.
 */
import { armError } from '../http/errors.ts';

/** Every published version of `workspaces/onlineEndpoints` (Azure's template reference lists the same set). */
const ONLINE_VERSIONS = [
  '2021-03-01-preview',
  '2022-02-01-preview',
  '2022-05-01',
  '2022-06-01-preview',
  '2022-10-01',
  '2022-10-01-preview',
  '2022-12-01-preview',
  '2023-02-01-preview',
  '2023-04-01',
  '2023-04-01-preview',
  '2023-06-01-preview',
  '2023-08-01-preview',
  '2023-10-01',
  '2024-01-01-preview',
  '2024-04-01',
  '2024-04-01-preview',
  '2024-07-01-preview',
  '2024-10-01',
  '2024-10-01-preview',
  '2025-01-01-preview',
  '2025-04-01',
  '2025-04-01-preview',
  '2025-06-01',
  '2025-07-01-preview',
  '2025-09-01',
  '2025-10-01-preview',
  '2025-12-01',
  '2026-01-15-preview',
  '2026-03-01',
  '2026-03-15-preview',
  '2026-05-01',
  '2026-05-15-preview',
  '2026-07-01',
  '2026-07-15-preview',
  '2026-09-01',
];

/** `workspaces` is older than the online endpoints: it also has the versions before 2021-03-01-preview. */
const WORKSPACE_ONLY_VERSIONS = [
  '2018-03-01-preview',
  '2018-11-19',
  '2019-05-01',
  '2019-06-01',
  '2019-11-01',
  '2020-01-01',
  '2020-02-18-preview',
  '2020-03-01',
  '2020-04-01',
  '2020-05-01-preview',
  '2020-05-15-preview',
  '2020-06-01',
  '2020-08-01',
  '2020-09-01-preview',
  '2021-01-01',
  '2021-04-01',
  '2021-07-01',
  '2022-01-01-preview',
];

/** ARM lists a type's versions oldest first; a `-preview` sorts after the stable version of the same date. */
const sorted = (versions: string[]): readonly string[] => [...new Set(versions)].sort();

const WORKSPACE_VERSIONS = sorted([...WORKSPACE_ONLY_VERSIONS, ...ONLINE_VERSIONS]);
const CHILD_VERSIONS = sorted(ONLINE_VERSIONS);

/** Versions of a resource type, named as ARM names it in errors (`workspaces/onlineEndpoints`). */
export function supportedApiVersions(resourceType: string): readonly string[] {
  return resourceType === 'workspaces' ? WORKSPACE_VERSIONS : CHILD_VERSIONS;
}

/** Where the request is, for ARM's message: the workspace's location, or `*` when there is none. */
export interface ApiVersionScope {
  location?: string;
  locations: readonly string[];
}

/**
 * The api-version of a request to `resourceType` (`Microsoft.MachineLearningServices/...` or the bare type), or
 * ARM's 400 when it is missing or not one the type serves.
 */
export function requireApiVersion(apiVersion: string | null, resourceType: string, scope: ApiVersionScope): string {
  if (apiVersion === null || apiVersion === '') {
    throw armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
  const type = resourceType.replace(/^Microsoft\.MachineLearningServices\//i, '');
  const supported = supportedApiVersions(type);
  if (!supported.includes(apiVersion)) {
    throw armError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${scope.location ?? '*'}' and API version '${apiVersion}' for type '${type}'. ` +
        `The supported api-versions are '${supported.join(', ')}'. The supported locations are '${scope.locations.join(', ')}'.`,
    );
  }
  return apiVersion;
}

/**
 * Online-endpoint properties missing from some versions (the template reference's change log): a request at such a
 * version neither sends nor receives them, so a PUT there leaves them at their defaults.
 */
const ENDPOINT_PROPERTIES_ABSENT_IN: Record<'mirrorTraffic' | 'publicNetworkAccess', readonly string[]> = {
  mirrorTraffic: ['2021-03-01-preview', '2022-05-01', '2022-10-01'],
  publicNetworkAccess: ['2021-03-01-preview', '2022-05-01'],
};

export type GatedEndpointProperty = keyof typeof ENDPOINT_PROPERTIES_ABSENT_IN;

export function endpointCarries(property: GatedEndpointProperty, apiVersion: string): boolean {
  return !ENDPOINT_PROPERTIES_ABSENT_IN[property].includes(apiVersion);
}
