/**
 * GitHub's OpenAPI description (the committed extract in test/fixtures/github) as routes and ajv validators:
 * which operation a request is, whether its body is what GitHub accepts, and whether a response body is what
 * GitHub documents for that status.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The part of ajv 8's API used here (typed locally: the root's `ajv` types are eslint's ajv 6). */
interface ValidateFunction {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}
interface AjvInstance {
  formats: Record<string, unknown>;
  addFormat(name: string, format: true): unknown;
  addSchema(schema: object, key: string): unknown;
  compile(schema: object): ValidateFunction;
}

export const FIXTURE_FILE = join(import.meta.dirname, '..', 'fixtures', 'github', 'api.github.com.json');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: JsonObject;
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  parameters: Parameter[];
  requestSchema?: JsonObject;
  requestRequired: boolean;
  /** status → response schema (`null`: the status is documented without a body). */
  responses: Map<string, JsonObject | null>;
  pattern: RegExp;
  pathParams: string[];
}

export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

export interface Fixture {
  source: JsonObject;
  operations: string[];
  paths: Record<string, Record<string, JsonObject>>;
  components: Record<string, Record<string, JsonObject>>;
}

/**
 * Statuses GitHub returns from any operation although the description does not always list them (bad
 * credentials, missing permission, no access); their bodies are validated as `basic-error`.
 */
const UNIVERSAL_ERRORS = new Set(['401', '403', '404']);

/** Path parameters whose values may contain `/` (`release/manifest.json`, `heads/feature/x`, `main...a/b`). */
const MULTI_SEGMENT = new Set(['path', 'ref', 'basehead']);

/*
 * ajv 8 and ajv-formats are dependencies of packages/core (the repository root hoists eslint's ajv 6), so they are
 * loaded from there: ajv-formats first, then the ajv it was built for, so both share one copy of ajv's code.
 */
const fromCore = createRequire(join(import.meta.dirname, '..', '..', 'packages', 'core', 'package.json'));
const formatsPath = fromCore.resolve('ajv-formats');
const addFormats = fromCore(formatsPath) as { default: (ajv: AjvInstance) => AjvInstance };
const { Ajv } = createRequire(formatsPath)('ajv') as { Ajv: new (options: object) => AjvInstance };

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `$ref`s point into the registered `github.json`, and `nullable: true`
 * becomes `anyOf: [schema, {type: 'null'}]` (GitHub also puts it beside `$ref`, `allOf` and `enum`, where ajv's
 * own `nullable` support does not apply).
 */
function toJsonSchema(value: Json): Json {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (value === null || typeof value !== 'object') return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'nullable') continue;
    if (key === 'properties' && child !== null && typeof child === 'object' && !Array.isArray(child)) {
      result[key] = Object.fromEntries(Object.entries(child).map(([name, schema]) => [name, toJsonSchema(schema)]));
    } else {
      result[key] = key === '$ref' && typeof child === 'string' ? `github.json${child}` : toJsonSchema(child);
    }
  }
  return value['nullable'] === true ? { anyOf: [result, { type: 'null' }] } : result;
}

export class OpenApi {
  readonly fixture: Fixture;
  readonly operations = new Map<string, Operation>();
  private readonly ajv: AjvInstance;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(file = FIXTURE_FILE) {
    this.fixture = JSON.parse(readFileSync(file, 'utf8')) as Fixture;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.ajv);
    // Formats GitHub uses that JSON Schema does not define: accepted as plain strings.
    for (const format of ['repo.nwo', 'ssh-key', 'ssh-key fingerprint', 'uri-template', 'binary']) {
      if (!this.ajv.formats[format]) this.ajv.addFormat(format, true);
    }
    this.ajv.addSchema(
      toJsonSchema({ components: this.fixture.components } as unknown as Json) as JsonObject,
      'github.json',
    );
    for (const [path, item] of Object.entries(this.fixture.paths)) {
      for (const [method, raw] of Object.entries(item)) this.addOperation(path, method, raw);
    }
  }

  private deref<T>(value: JsonObject): T {
    const ref = value['$ref'];
    if (typeof ref !== 'string') return value as T;
    const [, kind, name] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref) ?? [];
    const target = this.fixture.components[kind as string]?.[name as string];
    if (!target) throw new Error(`github-server: dangling $ref ${ref} in the fixture`);
    return this.deref<T>(target);
  }

  private addOperation(path: string, method: string, raw: JsonObject): void {
    const id = raw['operationId'] as string;
    const parameters = ((raw['parameters'] ?? []) as JsonObject[]).map((p) => this.deref<Parameter>(p));
    const requestBody = raw['requestBody'] ? this.deref<JsonObject>(raw['requestBody'] as JsonObject) : undefined;
    const requestSchema = (requestBody?.['content'] as JsonObject | undefined)?.['application/json'] as
      JsonObject | undefined;
    const responses = new Map<string, JsonObject | null>();
    for (const [status, response] of Object.entries(raw['responses'] as JsonObject)) {
      const resolved = this.deref<JsonObject>(response as JsonObject);
      const content = resolved['content'] as JsonObject | undefined;
      const json = (content?.['application/json'] ?? content?.['application/scim+json']) as JsonObject | undefined;
      responses.set(status, (json?.['schema'] as JsonObject | undefined) ?? null);
    }
    // A last path parameter that names a file or a ref may hold unencoded slashes, so it matches the rest.
    const pathParams: string[] = [];
    const segments = path.split('/').map((segment, index, all) => {
      const match = /^\{(.+)\}$/.exec(segment);
      if (!match) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      pathParams.push(match[1] as string);
      return index === all.length - 1 && MULTI_SEGMENT.has(match[1] as string) ? '(.+)' : '([^/]+)';
    });
    this.operations.set(id, {
      id,
      method: method.toUpperCase(),
      path,
      parameters,
      requestSchema: requestSchema?.['schema'] as JsonObject | undefined,
      requestRequired: requestBody?.['required'] === true,
      responses,
      pattern: new RegExp(`^${segments.join('/')}$`),
      pathParams,
    });
  }

  /** The operation for a method and path (without query), most specific (fewest parameters) first. */
  match(method: string, pathname: string): RouteMatch | undefined {
    const candidates: RouteMatch[] = [];
    for (const operation of this.operations.values()) {
      if (operation.method !== method) continue;
      const found = operation.pattern.exec(pathname);
      if (!found) continue;
      const params: Record<string, string> = {};
      operation.pathParams.forEach((name, index) => (params[name] = decodeURIComponent(found[index + 1] as string)));
      candidates.push({ operation, params });
    }
    candidates.sort((a, b) => a.operation.pathParams.length - b.operation.pathParams.length);
    return candidates[0];
  }

  /** Whether some operation has this path for another method (405 rather than an unknown route). */
  knowsPath(pathname: string): boolean {
    return [...this.operations.values()].some((op) => op.pattern.test(pathname));
  }

  private validator(key: string, schema: JsonObject): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as JsonObject);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private problems(validate: ValidateFunction): string[] {
    return (validate.errors ?? []).slice(0, 12).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`.trim());
  }

  /** Problems with a request: required query parameters, parameter types, and the JSON body. */
  validateRequest(operation: Operation, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const problems: string[] = [];
    for (const parameter of operation.parameters) {
      if (parameter.in !== 'query') continue;
      const value = query.get(parameter.name);
      if (value === null) {
        if (parameter.required) problems.push(`query parameter '${parameter.name}' is required`);
        continue;
      }
      const schema = parameter.schema ?? {};
      const coerced =
        schema['type'] === 'integer' || schema['type'] === 'number'
          ? Number(value)
          : schema['type'] === 'boolean'
            ? value === 'true'
              ? true
              : value === 'false'
                ? false
                : value
            : value;
      const validate = this.validator(`${operation.id}?${parameter.name}`, schema);
      if (!validate(coerced)) problems.push(...this.problems(validate).map((p) => `query '${parameter.name}': ${p}`));
    }
    if (operation.requestSchema) {
      if (!hasBody) {
        if (operation.requestRequired) problems.push('a JSON body is required');
      } else {
        const validate = this.validator(`${operation.id} request`, operation.requestSchema);
        if (!validate(body)) problems.push(...this.problems(validate));
      }
    } else if (hasBody && operation.method === 'GET') {
      problems.push('GET with a body');
    }
    return problems;
  }

  /** Problems with a response body for a status; an undocumented status is a problem in itself. */
  validateResponse(operation: Operation, status: number, body: unknown): string[] {
    const key = String(status);
    let schema: JsonObject | null | undefined = operation.responses.get(key);
    if (schema === undefined) {
      if (!UNIVERSAL_ERRORS.has(key)) return [`status ${status} is not documented for ${operation.id}`];
      schema = { $ref: '#/components/schemas/basic-error' };
      if (!this.fixture.components['schemas']?.['basic-error']) return [];
    }
    if (schema === null) return [];
    const validate = this.validator(`${operation.id} ${key}`, schema);
    return validate(body) ? [] : this.problems(validate);
  }
}

let shared: OpenApi | undefined;
/** One parsed fixture and one set of compiled validators per process (compiling is the slow part). */
export function openApi(): OpenApi {
  return (shared ??= new OpenApi());
}
