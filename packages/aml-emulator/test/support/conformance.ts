/**
 * Checks recorded exchanges against the specification in ../shared/reference (relative to the repo root): those at
 * 2024-04-01 (the online-endpoint client of core) against 2024-04-01, all others against 2022-10-01. Without the
 * folder the check is skipped with a printed reason, unless REQUIRE_REFERENCE=1.
 */
import { resolve } from 'node:path';
import type { RequestLogEntry } from '../../src/index.ts';
import { endpointCarries } from '../../src/arm/api-versions.ts';
import { COMMON_TYPES, MFE, MFE_2024, SwaggerSchemas, WORKSPACES, WORKSPACES_2024 } from './swagger-schema.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const SPECS_ROOT = resolve(REPO_ROOT, '../shared/reference/azure-rest-api-specs');

let loaded: SwaggerSchemas | undefined;
let loaded2024: SwaggerSchemas | undefined;
const skipsReported = new Set<string>();

/** The specification under `root`, or undefined (after saying why) when it is absent; REQUIRE_REFERENCE=1 makes that an error. */
export function loadSpecSchemas(root: string): SwaggerSchemas | undefined {
  if (!SwaggerSchemas.exists(root)) {
    const reason = `reference specification not found at ${root}`;
    if (process.env['REQUIRE_REFERENCE'] === '1') throw new Error(`${reason} (REQUIRE_REFERENCE=1)`);
    if (!skipsReported.has(root)) console.warn(`conformance checks skipped: ${reason}`);
    skipsReported.add(root);
    return undefined;
  }
  return new SwaggerSchemas(root, [MFE, WORKSPACES]);
}

export function specSchemas(): SwaggerSchemas | undefined {
  loaded ??= loadSpecSchemas(SPECS_ROOT);
  return loaded;
}

const SPEC_2024 = '2024-04-01';

/** The specification an exchange is checked against, and the `mfe.json` of that version. */
function specFor(apiVersion: string | undefined): { schemas: SwaggerSchemas; mfe: string } | undefined {
  const schemas = specSchemas();
  if (schemas === undefined) return undefined;
  if (apiVersion !== SPEC_2024) return { schemas, mfe: MFE };
  loaded2024 ??= new SwaggerSchemas(SPECS_ROOT, [MFE_2024, WORKSPACES_2024]);
  return { schemas: loaded2024, mfe: MFE_2024 };
}

/** `mirrorTraffic` is not in 2022-10-01: versions that carry it have it taken out before the check. */
function withoutMirrorTraffic(value: unknown, apiVersion: string | undefined): unknown {
  if (
    apiVersion === undefined ||
    apiVersion === SPEC_2024 ||
    !endpointCarries('mirrorTraffic', apiVersion) ||
    typeof value !== 'object' ||
    value === null
  )
    return value;
  const copy = structuredClone(value) as { value?: unknown[]; properties?: Record<string, unknown> };
  const strip = (item: unknown): void => {
    const properties = (item as { properties?: Record<string, unknown> } | null)?.properties;
    if (properties !== undefined) delete properties['mirrorTraffic'];
  };
  strip(copy);
  if (Array.isArray(copy.value)) copy.value.forEach(strip);
  return copy;
}

function responseSchema(schemas: SwaggerSchemas, mfe: string, entry: RequestLogEntry): string | null | 'unknown' {
  if (entry.kind === 'operationStatus') {
    return entry.status === 200
      ? schemas.definitionRef(COMMON_TYPES, 'OperationStatusResult', 'response')
      : schemas.definitionRef(COMMON_TYPES, 'ErrorResponse', 'response');
  }
  if (entry.kind === 'operationResult') {
    if (entry.status === 202 || entry.status === 204) return null;
    if (entry.status >= 300) return schemas.definitionRef(COMMON_TYPES, 'ErrorResponse', 'response');
    const type = (entry.responseBody as { type?: string } | undefined)?.type ?? '';
    if (type.endsWith('/deployments')) return schemas.definitionRef(mfe, 'OnlineDeploymentTrackedResource', 'response');
    if (type.endsWith('/onlineEndpoints'))
      return schemas.definitionRef(mfe, 'OnlineEndpointTrackedResource', 'response');
    return null;
  }
  if (entry.operationId === undefined) return 'unknown';
  const operation = schemas.operation(entry.operationId);
  if (operation === undefined) return 'unknown';
  const status = String(entry.status);
  if (status in operation.responses) return operation.responses[status] ?? null;
  return entry.status >= 400 && 'default' in operation.responses ? (operation.responses['default'] ?? null) : 'unknown';
}

/** Problems found in ARM exchanges; requests the emulator rejected with 400 may break the schema on purpose. */
export function conformanceProblems(entries: RequestLogEntry[]): string[] {
  if (specSchemas() === undefined) return [];
  const problems: string[] = [];
  for (const entry of entries) {
    const isArm =
      entry.operationId !== undefined || entry.kind === 'operationStatus' || entry.kind === 'operationResult';
    const spec = specFor(entry.apiVersion);
    if (!isArm || entry.status === 0 || spec === undefined) continue;
    const { schemas } = spec;
    const label = `${entry.method} ${entry.path} (${entry.kind}, api-version ${entry.apiVersion ?? '-'}) → ${entry.status}`;
    const operation = entry.operationId === undefined ? undefined : schemas.operation(entry.operationId);
    if (operation?.body !== undefined && entry.requestBody !== undefined && entry.status !== 400) {
      for (const error of schemas.validate(operation.body, withoutMirrorTraffic(entry.requestBody, entry.apiVersion))) {
        problems.push(`${label}: request body ${error}`);
      }
    }
    const schema = responseSchema(schemas, spec.mfe, entry);
    if (schema === 'unknown') {
      problems.push(`${label}: status ${entry.status} is not a response of this operation in the specification`);
    } else if (schema === null) {
      // The recorded service sends the JSON `null` as the body of a DELETE's 202.
      const recordedNull = entry.responseBody === null && entry.method === 'DELETE' && entry.status === 202;
      if (entry.responseBody !== undefined && !recordedNull)
        problems.push(`${label}: the specification defines no response body`);
    } else {
      for (const error of schemas.validate(schema, withoutMirrorTraffic(entry.responseBody, entry.apiVersion))) {
        problems.push(`${label}: response body ${error}`);
      }
    }
  }
  return problems;
}
