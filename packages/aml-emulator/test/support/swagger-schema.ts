/**
 * Turns the Swagger 2.0 definitions of the 2022-10-01 specification into JSON Schema for ajv:
 * `$ref`s resolved across files, `allOf` inheritance flattened (so `additionalProperties: false` sees inherited
 * properties), discriminators turned into if/then dispatch, `x-nullable` into `null`, `readOnly` made optional in
 * requests (ARM ignores read-only properties a client sends), the other `x-ms-*` keywords dropped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import type { ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;
type Mode = 'request' | 'response';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2019) => void;
const KEEP = new Set([
  'type',
  'format',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'description',
]);
const INT32 = { min: -2147483648, max: 2147483647 };
const DURATION =
  /^-?P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;

export const MFE =
  'specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2022-10-01/mfe.json';
export const WORKSPACES =
  'specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2022-10-01/machineLearningServices.json';
export const MFE_2024 =
  'specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2024-04-01/mfe.json';
export const WORKSPACES_2024 =
  'specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2024-04-01/machineLearningServices.json';
export const COMMON_TYPES = 'specification/common-types/resource-management/v3/types.json';

interface SwaggerFile {
  definitions?: Record<string, Schema>;
  parameters?: Record<string, Schema>;
  paths?: Record<string, Record<string, Schema>>;
}

export interface OperationSchemas {
  body?: string;
  responses: Record<string, string | null>;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isReadOnly(schema: Schema): boolean {
  const mutability = schema['x-ms-mutability'];
  return (
    schema['readOnly'] === true || (Array.isArray(mutability) && mutability.length === 1 && mutability[0] === 'read')
  );
}

export class SwaggerSchemas {
  private readonly root: string;
  private readonly files = new Map<string, SwaggerFile>();
  private readonly ajv: Ajv2019;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `file#name` of every definition with a discriminator → its subtypes. */
  private readonly subtypes = new Map<string, { file: string; name: string; value: string }[]>();

  constructor(specsRoot: string, entryFiles: string[]) {
    this.root = specsRoot;
    for (const file of entryFiles) this.load(file);
    this.indexSubtypes();
    this.ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addFormat('int32', {
      type: 'number',
      validate: (value: number) => Number.isInteger(value) && value >= INT32.min && value <= INT32.max,
    });
    this.ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
    this.ajv.addFormat('float', { type: 'number', validate: () => true });
    this.ajv.addFormat('double', { type: 'number', validate: () => true });
    this.ajv.addFormat('duration', DURATION);
    for (const mode of ['request', 'response'] as const) {
      for (const file of this.files.keys()) this.ajv.addSchema(this.fileSchema(file, mode), this.id(file, mode));
    }
  }

  static exists(specsRoot: string): boolean {
    return existsSync(join(specsRoot, MFE));
  }

  /** Loads a file and, transitively, every file its `$ref`s name. */
  private load(file: string): void {
    if (this.files.has(file)) return;
    const document = JSON.parse(readFileSync(join(this.root, file), 'utf8')) as SwaggerFile;
    this.files.set(file, document);
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (!isSchema(value)) return;
      const ref = value['$ref'];
      if (typeof ref === 'string' && !ref.startsWith('#')) {
        const target = ref.split('#')[0] ?? '';
        if (target.endsWith('.json') && !target.includes('/examples/') && !target.startsWith('./examples')) {
          this.load(relative(this.root, resolve(dirname(join(this.root, file)), target)));
        }
      }
      for (const [key, child] of Object.entries(value)) if (key !== 'x-ms-examples') visit(child);
    };
    visit(document);
  }

  private id(file: string, mode: Mode): string {
    return `https://spec.local/${mode}/${file}`;
  }

  /** `{file, name}` of the definition a `$ref` (relative to `file`) points to. */
  private target(file: string, ref: string): { file: string; name: string } {
    const [path = '', pointer = ''] = ref.split('#');
    const targetFile = path === '' ? file : relative(this.root, resolve(dirname(join(this.root, file)), path));
    return { file: targetFile, name: pointer.replace(/^\/definitions\//, '') };
  }

  private definition(file: string, name: string): Schema {
    const found = this.files.get(file)?.definitions?.[name];
    if (found === undefined) throw new Error(`definition ${name} not found in ${file}`);
    return found;
  }

  private indexSubtypes(): void {
    for (const [file, document] of this.files) {
      for (const [name, definition] of Object.entries(document.definitions ?? {})) {
        for (const parent of (definition['allOf'] as Schema[] | undefined) ?? []) {
          if (typeof parent['$ref'] !== 'string') continue;
          const base = this.target(file, parent['$ref']);
          if (this.definition(base.file, base.name)['discriminator'] === undefined) continue;
          const value = String(definition['x-ms-discriminator-value'] ?? name);
          const key = `${base.file}#${base.name}`;
          this.subtypes.set(key, [...(this.subtypes.get(key) ?? []), { file, name, value }]);
        }
      }
    }
  }

  private refTo(file: string, name: string, mode: Mode, flavour: 'flat' | 'poly' = 'poly'): Schema {
    const polymorphic = flavour === 'poly' && this.definition(file, name)['discriminator'] !== undefined;
    return { $ref: `${this.id(file, mode)}#/$defs/${name}${polymorphic ? '__polymorphic' : ''}` };
  }

  /** Own and inherited properties and required names of a definition. */
  private flatten(
    file: string,
    name: string,
  ): { properties: Record<string, Schema>; required: string[]; schema: Schema } {
    const schema = this.definition(file, name);
    let properties: Record<string, Schema> = {};
    let required: string[] = [];
    for (const parent of (schema['allOf'] as Schema[] | undefined) ?? []) {
      if (typeof parent['$ref'] !== 'string') continue;
      const base = this.target(file, parent['$ref']);
      const inherited = this.flatten(base.file, base.name);
      const rebased = Object.fromEntries(
        Object.entries(inherited.properties).map(([key, value]) => [
          key,
          { ...value, 'x-file': value['x-file'] ?? base.file },
        ]),
      );
      properties = { ...properties, ...rebased };
      required = [...required, ...inherited.required];
    }
    properties = { ...properties, ...((schema['properties'] as Record<string, Schema> | undefined) ?? {}) };
    required = [...required, ...((schema['required'] as string[] | undefined) ?? [])];
    return { properties, required: [...new Set(required)], schema };
  }

  private convert(file: string, schema: Schema, mode: Mode): Schema {
    const sourceFile = typeof schema['x-file'] === 'string' ? schema['x-file'] : file;
    let converted: Schema;
    if (typeof schema['$ref'] === 'string') {
      const target = this.target(sourceFile, schema['$ref']);
      converted = this.refTo(target.file, target.name, mode);
    } else {
      converted = {};
      for (const [key, value] of Object.entries(schema)) if (KEEP.has(key)) converted[key] = value;
      if (isSchema(schema['items'])) converted['items'] = this.convert(sourceFile, schema['items'], mode);
      if (isSchema(schema['additionalProperties'])) {
        converted['additionalProperties'] = this.convert(sourceFile, schema['additionalProperties'], mode);
      } else if (typeof schema['additionalProperties'] === 'boolean') {
        converted['additionalProperties'] = schema['additionalProperties'];
      }
      if (isSchema(schema['properties']) || Array.isArray(schema['allOf'])) {
        Object.assign(converted, this.objectBody(sourceFile, schema, mode));
      }
    }
    return schema['x-nullable'] === true ? { anyOf: [converted, { type: 'null' }] } : converted;
  }

  /** Properties and required of an inline or flattened object schema. */
  private objectBody(
    file: string,
    schema: Schema,
    mode: Mode,
    flat?: { properties: Record<string, Schema>; required: string[] },
  ): Schema {
    const properties = flat?.properties ?? (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    const required = flat?.required ?? (schema['required'] as string[] | undefined) ?? [];
    const convertedProperties: Record<string, Schema> = {};
    for (const [key, value] of Object.entries(properties)) convertedProperties[key] = this.convert(file, value, mode);
    const effectiveRequired =
      mode === 'request' ? required.filter((key) => !isReadOnly(properties[key] ?? {})) : required;
    return {
      type: 'object',
      properties: convertedProperties,
      ...(effectiveRequired.length > 0 ? { required: effectiveRequired } : {}),
    };
  }

  private definitionSchema(file: string, name: string, mode: Mode): Schema {
    const flat = this.flatten(file, name);
    const { schema } = flat;
    if (!isSchema(schema['properties']) && !Array.isArray(schema['allOf']) && schema['type'] !== 'object') {
      return this.convert(file, schema, mode);
    }
    const body = this.objectBody(file, schema, mode, flat);
    if (isSchema(schema['additionalProperties']))
      body['additionalProperties'] = this.convert(file, schema['additionalProperties'], mode);
    else if (schema['additionalProperties'] === false) body['additionalProperties'] = false;
    // A subtype pins the discriminator of its base to its own value.
    for (const parent of (schema['allOf'] as Schema[] | undefined) ?? []) {
      if (typeof parent['$ref'] !== 'string') continue;
      const base = this.target(file, parent['$ref']);
      const discriminator = this.definition(base.file, base.name)['discriminator'];
      if (typeof discriminator === 'string') {
        (body['properties'] as Record<string, Schema>)[discriminator] = {
          const: String(schema['x-ms-discriminator-value'] ?? name),
        };
      }
    }
    return body;
  }

  private polymorphicSchema(file: string, name: string, mode: Mode): Schema {
    const discriminator = String(this.definition(file, name)['discriminator']);
    const subtypes = this.subtypes.get(`${file}#${name}`) ?? [];
    return {
      type: 'object',
      required: [discriminator],
      allOf: [
        ...subtypes.map((subtype) => ({
          if: { properties: { [discriminator]: { const: subtype.value } }, required: [discriminator] },
          then: this.refTo(subtype.file, subtype.name, mode, 'flat'),
        })),
        {
          if: { properties: { [discriminator]: { enum: subtypes.map((subtype) => subtype.value) } } },
          else: this.refTo(file, name, mode, 'flat'),
        },
      ],
    };
  }

  private fileSchema(file: string, mode: Mode): Schema {
    const defs: Record<string, Schema> = {};
    for (const [name, definition] of Object.entries(this.files.get(file)?.definitions ?? {})) {
      defs[name] = this.definitionSchema(file, name, mode);
      if (definition['discriminator'] !== undefined)
        defs[`${name}__polymorphic`] = this.polymorphicSchema(file, name, mode);
    }
    return { $id: this.id(file, mode), $defs: defs };
  }

  private parameter(file: string, parameter: Schema): Schema {
    if (typeof parameter['$ref'] !== 'string') return parameter;
    const [path = '', pointer = ''] = parameter['$ref'].split('#');
    const targetFile = path === '' ? file : relative(this.root, resolve(dirname(join(this.root, file)), path));
    return this.files.get(targetFile)?.parameters?.[pointer.replace(/^\/parameters\//, '')] ?? {};
  }

  /** `$ref`-able schema ids of an operation's body and responses. */
  operation(operationId: string): OperationSchemas | undefined {
    for (const [file, document] of this.files) {
      for (const methods of Object.values(document.paths ?? {})) {
        for (const operation of Object.values(methods)) {
          if (!isSchema(operation) || operation['operationId'] !== operationId) continue;
          const schemaRef = (schema: unknown, mode: Mode): string | undefined => {
            if (!isSchema(schema) || typeof schema['$ref'] !== 'string') return undefined;
            const target = this.target(file, schema['$ref']);
            return `${this.id(target.file, mode)}#/$defs/${target.name}${this.definition(target.file, target.name)['discriminator'] === undefined ? '' : '__polymorphic'}`;
          };
          const parameters = ((operation['parameters'] as Schema[] | undefined) ?? []).map((parameter) =>
            this.parameter(file, parameter),
          );
          const body = parameters.find((parameter) => parameter['in'] === 'body');
          const responses: Record<string, string | null> = {};
          for (const [status, response] of Object.entries((operation['responses'] as Record<string, Schema>) ?? {})) {
            responses[status] = schemaRef(response['schema'], 'response') ?? null;
          }
          const bodyRef = schemaRef(body?.['schema'], 'request');
          return { ...(bodyRef === undefined ? {} : { body: bodyRef }), responses };
        }
      }
    }
    return undefined;
  }

  /** The `x-ms-examples` files that exist, with the operation they illustrate. */
  examples(): {
    operationId: string;
    path: string;
    example: { parameters?: Schema; responses?: Record<string, { body?: unknown }> };
  }[] {
    const found = [];
    for (const [file, document] of this.files) {
      for (const methods of Object.values(document.paths ?? {})) {
        for (const operation of Object.values(methods)) {
          if (!isSchema(operation) || !isSchema(operation['x-ms-examples'])) continue;
          for (const reference of Object.values(operation['x-ms-examples'])) {
            const path = join(dirname(join(this.root, file)), String((reference as Schema)['$ref']));
            if (!existsSync(path)) continue;
            found.push({
              operationId: String(operation['operationId']),
              path: relative(this.root, path),
              example: JSON.parse(readFileSync(path, 'utf8')),
            });
          }
        }
      }
    }
    return found;
  }

  definitionRef(file: string, name: string, mode: Mode): string {
    return `${this.id(file, mode)}#/$defs/${name}`;
  }

  /** Error messages, empty when `value` conforms. */
  validate(schemaRef: string, value: unknown): string[] {
    let validate = this.compiled.get(schemaRef);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: schemaRef });
      this.compiled.set(schemaRef, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
    );
  }
}
