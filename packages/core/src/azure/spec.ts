import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseAssetRef, type AssetKind, type AssetRef } from './asset-ref.ts';
import { deploymentLimitProblems } from './deployment-limits.ts';
import { escapeFromWorkspace } from '../files.ts';
import { YamlFile, YamlFileError, type Problem } from '../yaml-file.ts';

/**
 * Azure ML CLI v2 YAML (managedOnlineEndpoint, kubernetesOnlineEndpoint, managedOnlineDeployment,
 * kubernetesOnlineDeployment) read into plain specs. Field names, casing rules and the name rule follow the CLI
 * (azure-ai-ml); unknown fields are errors, as in the CLI. Translation to ARM models is in translate.ts.
 */

/** The CLI's rule for endpoint and deployment names (azure-ai-ml validate_endpoint_or_deployment_name). */
export const NAME_PATTERN = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

export function nameProblem(name: string, what: 'endpoint' | 'deployment'): string | undefined {
  if (name.length < 3 || name.length > 32) {
    return `the name of ${what === 'endpoint' ? 'an endpoint' : 'a deployment'} must be 3 to 32 characters long ('${name}' has ${name.length})`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `'${name}' is not a valid ${what} name: start with a letter, use only letters, digits and '-', and end with a letter or digit`;
  }
  return undefined;
}

// ---------- field schemas, shared by both files ----------

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const stringMap = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v))),
);
const integer = (min: number) =>
  z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(min));
/** Case-insensitive enums, as the CLI's StringTransformedEnum. */
const caseless = <const T extends string>(values: readonly [T, ...T[]]) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(values));
const bool = z.preprocess(
  (v) => (v === 'true' || v === 'True' ? true : v === 'false' || v === 'False' ? false : v),
  z.boolean(),
);

/** Fields the service returns and `az ml ... show` writes: accepted in files, never sent. */
const readOnly = {
  id: z.unknown().optional(),
  provisioning_state: z.unknown().optional(),
  scoring_uri: z.unknown().optional(),
  openapi_uri: z.unknown().optional(),
  swagger_uri: z.unknown().optional(),
  creation_context: z.unknown().optional(),
};

const Identity = z
  .object({
    type: caseless(['system_assigned', 'user_assigned', 'system_assigned,user_assigned', 'none']),
    user_assigned_identities: z
      .array(
        z
          .object({ resource_id: z.string(), client_id: z.string().optional(), principal_id: z.string().optional() })
          .strict(),
      )
      .optional(),
    principal_id: z.unknown().optional(),
    tenant_id: z.unknown().optional(),
  })
  .strict();

const EndpointSchema = z
  .object({
    $schema: z.string().optional(),
    name: text,
    description: text.optional(),
    tags: stringMap.optional(),
    properties: stringMap.optional(),
    auth_mode: caseless(['key', 'aml_token', 'aad_token']).optional(),
    identity: Identity.optional(),
    traffic: z.record(z.string(), integer(0)).optional(),
    mirror_traffic: z.record(z.string(), integer(0)).optional(),
    public_network_access: caseless(['enabled', 'disabled']).optional(),
    compute: z.string().optional(),
    location: z.string().optional(),
    kind: z.string().optional(),
    allow_public_access: bool.optional(),
    ...readOnly,
  })
  .strict();

const Route = z.object({ port: integer(1), path: z.string() }).strict();
const InferenceConfig = z.object({ liveness_route: Route, readiness_route: Route, scoring_route: Route }).strict();

const InlineEnvironment = z
  .object({
    $schema: z.string().optional(),
    name: text.optional(),
    version: text.optional(),
    description: text.optional(),
    tags: stringMap.optional(),
    image: z.string().optional(),
    conda_file: z.string().optional(),
    build: z.object({ path: z.string(), dockerfile_path: z.string().optional() }).strict().optional(),
    inference_config: InferenceConfig.optional(),
    os_type: caseless(['linux', 'windows']).optional(),
    ...readOnly,
  })
  .strict()
  .refine((env) => Boolean(env.image) !== Boolean(env.build), {
    message: "an inline environment needs exactly one of 'image' or 'build'",
  });

const InlineModel = z
  .object({
    $schema: z.string().optional(),
    name: text.optional(),
    version: text.optional(),
    path: z.string().optional(),
    type: caseless(['custom_model', 'mlflow_model', 'triton_model']).optional(),
    description: text.optional(),
    tags: stringMap.optional(),
    properties: stringMap.optional(),
    stage: z.string().optional(),
    ...readOnly,
  })
  .strict()
  .refine((model) => model.path !== undefined, {
    message: "an inline model needs 'path' (or reference a registered model as 'azureml:<name>:<version>')",
  });

const CodeAsset = z
  .object({ local_path: z.string().optional(), path: z.string().optional(), code_uri: z.string().optional() })
  .strict();

const Probe = z
  .object({
    initial_delay: integer(0).optional(),
    period: integer(1).optional(),
    timeout: integer(1).optional(),
    success_threshold: integer(1).optional(),
    failure_threshold: integer(1).optional(),
  })
  .strict();

const ScaleSettings = z.discriminatedUnion('type', [
  z.object({ type: z.literal('default') }).strict(),
  z
    .object({
      type: z.literal('target_utilization'),
      min_instances: integer(0).optional(),
      max_instances: integer(1).optional(),
      polling_interval: integer(1).optional(),
      target_utilization_percentage: integer(1).optional(),
    })
    .strict(),
]);

const Resources = z
  .object({ cpu: text.optional(), memory: text.optional(), 'nvidia.com/gpu': text.optional(), gpu: text.optional() })
  .strict();

const DeploymentSchema = z
  .object({
    $schema: z.string().optional(),
    name: text.optional(),
    endpoint_name: text.optional(),
    type: caseless(['managed', 'kubernetes']).optional(),
    description: text.optional(),
    tags: stringMap.optional(),
    properties: stringMap.optional(),
    model: z.union([z.string(), InlineModel]).optional(),
    model_mount_path: z.string().optional(),
    code_configuration: z
      .object({ code: z.union([z.string(), CodeAsset]).optional(), scoring_script: z.string() })
      .strict()
      .optional(),
    environment: z.union([z.string(), InlineEnvironment]).optional(),
    environment_variables: stringMap.optional(),
    instance_type: z.string().optional(),
    instance_count: integer(0).optional(),
    app_insights_enabled: bool.optional(),
    scale_settings: z
      .preprocess(
        (v) =>
          v && typeof v === 'object' && 'type' in v
            ? { ...v, type: String((v as { type: unknown }).type).toLowerCase() }
            : v,
        ScaleSettings,
      )
      .optional(),
    request_settings: z
      .object({
        request_timeout_ms: integer(1).optional(),
        max_concurrent_requests_per_instance: integer(1).optional(),
        max_queue_wait_ms: integer(0).optional(),
      })
      .strict()
      .optional(),
    liveness_probe: Probe.optional(),
    readiness_probe: Probe.optional(),
    egress_public_network_access: caseless(['enabled', 'disabled']).optional(),
    resources: z.object({ requests: Resources.optional(), limits: Resources.optional() }).strict().optional(),
    data_collector: z.unknown().optional(),
    with_package: z.unknown().optional(),
    ...readOnly,
  })
  .strict();

// ---------- specs ----------

export type ComputeType = 'Managed' | 'Kubernetes';

export interface EndpointSpec {
  file: string;
  name: string;
  computeType: ComputeType;
  /** Kubernetes endpoints: the attached compute's name. */
  compute: string | undefined;
  authMode: 'Key' | 'AMLToken' | 'AADToken';
  description: string | undefined;
  tags: Record<string, string>;
  properties: Record<string, string>;
  identity:
    | { type: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned,UserAssigned' | 'None'; userAssigned: string[] }
    | undefined;
  publicNetworkAccess: 'Enabled' | 'Disabled' | undefined;
  /** Fields the file sets that we deliberately do not apply (traffic belongs to the swap action). */
  ignored: string[];
}

export type ModelSource =
  | { kind: 'ref'; ref: AssetRef; text: string }
  | {
      kind: 'local';
      path: string;
      name?: string;
      version?: string;
      type?: string;
      description?: string;
      tags: Record<string, string>;
    };

export type EnvironmentSource =
  | { kind: 'ref'; ref: AssetRef; text: string }
  | {
      kind: 'inline';
      name?: string;
      version?: string;
      image?: string;
      condaFile?: string;
      build?: { path: string; dockerfilePath?: string };
      inferenceConfig?: z.infer<typeof InferenceConfig>;
      osType?: 'Linux' | 'Windows';
      description?: string;
      tags: Record<string, string>;
    };

export type CodeSource = { kind: 'ref'; ref: AssetRef; text: string } | { kind: 'local'; path: string };

export interface DeploymentSettings {
  description: string | undefined;
  tags: Record<string, string>;
  properties: Record<string, string>;
  instanceType: string | undefined;
  instanceCount: number;
  appInsightsEnabled: boolean | undefined;
  environmentVariables: Record<string, string>;
  modelMountPath: string | undefined;
  egressPublicNetworkAccess: 'Enabled' | 'Disabled' | undefined;
  requestSettings: z.infer<typeof DeploymentSchema>['request_settings'];
  livenessProbe: z.infer<typeof Probe> | undefined;
  readinessProbe: z.infer<typeof Probe> | undefined;
  scaleSettings: z.infer<typeof ScaleSettings> | undefined;
  resources: z.infer<typeof DeploymentSchema>['resources'];
}

export interface DeploymentSpec {
  file: string;
  name: string;
  /** The endpoint named in the file, if any (the action's target endpoint wins, as `--endpoint-name` does). */
  endpointName: string | undefined;
  computeType: ComputeType;
  model: ModelSource | undefined;
  environment: EnvironmentSource | undefined;
  code: CodeSource | undefined;
  scoringScript: string | undefined;
  settings: DeploymentSettings;
}

const AUTH_MODE = { key: 'Key', aml_token: 'AMLToken', aad_token: 'AADToken' } as const;
const IDENTITY = {
  system_assigned: 'SystemAssigned',
  user_assigned: 'UserAssigned',
  'system_assigned,user_assigned': 'SystemAssigned,UserAssigned',
  none: 'None',
} as const;
const ACCESS = { enabled: 'Enabled', disabled: 'Disabled' } as const;

function schemaKind(schemaUrl: string | undefined): string | undefined {
  return schemaUrl ? /\/([A-Za-z]+)\.schema\.json$/.exec(schemaUrl)?.[1] : undefined;
}

function expectSchema(
  file: YamlFile,
  data: Record<string, unknown>,
  accepted: readonly string[],
  what: string,
): string | undefined {
  const kind = schemaKind(typeof data['$schema'] === 'string' ? data['$schema'] : undefined);
  if (kind !== undefined && !accepted.includes(kind)) {
    throw new YamlFileError(file.file, [
      {
        message: `$schema is ${kind}, but this input takes ${what} (${accepted.join(' or ')})`,
        ...file.locate(['$schema']),
      },
    ]);
  }
  return kind;
}

/** Problems that schemas cannot express; collected so the user sees them all at once. */
function check(problems: Problem[], file: YamlFile, path: readonly string[], message: string | undefined): void {
  if (message) problems.push({ message, ...file.locate(path) });
}

export function parseEndpoint(file: YamlFile, options: { name?: string } = {}): EndpointSpec {
  const data = file.toJS();
  const kind = expectSchema(file, data, ['managedOnlineEndpoint', 'kubernetesOnlineEndpoint'], 'an online endpoint');
  const spec = file.validate(EndpointSchema, data);
  const name = options.name ?? spec.name;
  const problems: Problem[] = [];
  check(problems, file, ['name'], nameProblem(name, 'endpoint'));
  const computeType: ComputeType = kind === 'kubernetesOnlineEndpoint' || spec.compute ? 'Kubernetes' : 'Managed';
  if (computeType === 'Kubernetes' && !spec.compute) {
    check(problems, file, ['$schema'], "a Kubernetes endpoint needs 'compute: azureml:<attached-compute-name>'");
  }
  let compute: string | undefined;
  if (spec.compute) {
    compute = /^azureml:([A-Za-z0-9][A-Za-z0-9_-]*)$/.exec(spec.compute)?.[1];
    check(
      problems,
      file,
      ['compute'],
      compute ? undefined : `compute '${spec.compute}' must be written 'azureml:<compute-name>'`,
    );
  }
  if (spec.identity?.type === 'user_assigned' && !spec.identity.user_assigned_identities?.length) {
    check(
      problems,
      file,
      ['identity'],
      "identity type user_assigned needs 'user_assigned_identities' with at least one resource_id",
    );
  }
  if (problems.length > 0) throw new YamlFileError(file.file, problems);
  return {
    file: file.file,
    name,
    computeType,
    compute,
    authMode: AUTH_MODE[spec.auth_mode ?? 'key'],
    description: spec.description,
    tags: spec.tags ?? {},
    properties: spec.properties ?? {},
    identity: spec.identity && {
      type: IDENTITY[spec.identity.type],
      userAssigned: (spec.identity.user_assigned_identities ?? []).map((identity) => identity.resource_id),
    },
    publicNetworkAccess: spec.public_network_access && ACCESS[spec.public_network_access],
    ignored: ['traffic', 'mirror_traffic'].filter((field) => field in data),
  };
}

function assetRef(
  file: YamlFile,
  path: readonly string[],
  value: string,
  kind: AssetKind,
  problems: Problem[],
): AssetRef | undefined {
  try {
    return parseAssetRef(value, kind, { requirePrefix: true });
  } catch (error) {
    check(problems, file, path, `${path.join('.')}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Local paths are relative to the YAML file, as in the CLI. */
function localPath(file: YamlFile, path: string): string {
  return resolve(dirname(file.path), path.replace(/^file:/, ''));
}

/**
 * `workspace`: the checked-out repository that local paths (`code`, `model.path`, `conda_file`, `build.path`) must
 * stay in, links followed, so that nothing outside it is uploaded (checked when given).
 */
export function parseDeployment(file: YamlFile, options: { name?: string; workspace?: string } = {}): DeploymentSpec {
  const data = file.toJS();
  const kind = expectSchema(
    file,
    data,
    ['managedOnlineDeployment', 'kubernetesOnlineDeployment'],
    'an online deployment',
  );
  const spec = file.validate(DeploymentSchema, data);
  const problems: Problem[] = [];
  const name = options.name ?? spec.name;
  if (name === undefined) check(problems, file, [], "the deployment has no 'name'");
  else check(problems, file, ['name'], nameProblem(name, 'deployment'));
  const computeType: ComputeType =
    kind === 'kubernetesOnlineDeployment' || spec.type === 'kubernetes' ? 'Kubernetes' : 'Managed';
  if (spec.data_collector !== undefined) {
    check(
      problems,
      file,
      ['data_collector'],
      'data_collector needs Azure ML API 2023-04-01-preview or later; this action speaks 2022-10-01 (the version of @azure/arm-machinelearning): remove it, or configure data collection with the CLI after the deployment',
    );
  }
  if (spec.with_package !== undefined) {
    check(
      problems,
      file,
      ['with_package'],
      'with_package (model packaging, preview) is not supported by the 2022-10-01 API this action uses: remove it',
    );
  }
  if (computeType === 'Managed' && spec.resources) {
    check(
      problems,
      file,
      ['resources'],
      "'resources' applies to Kubernetes deployments only; managed deployments size with 'instance_type'",
    );
  }
  if (computeType === 'Managed' && !spec.instance_type) {
    check(problems, file, [], "a managed deployment needs 'instance_type' (e.g. Standard_DS3_v2)");
  }
  problems.push(
    ...deploymentLimitProblems(file, {
      computeType,
      instanceType: spec.instance_type,
      instanceCount: spec.instance_count,
      requestTimeoutMs: spec.request_settings?.request_timeout_ms,
    }),
  );
  if (spec.scale_settings?.type === 'target_utilization' && computeType === 'Managed') {
    check(
      problems,
      file,
      ['scale_settings', 'type'],
      "scale_settings type target_utilization is for Kubernetes deployments; managed deployments use 'default' (and autoscale rules)",
    );
  }

  const local = (path: string, at: readonly string[]) => {
    const absolute = localPath(file, path);
    const escape = options.workspace && escapeFromWorkspace(absolute, options.workspace);
    if (escape)
      check(
        problems,
        file,
        at,
        `${at.join('.')}: '${path}' is refused: ${escape}. Local assets are uploaded from the checked-out repository only: move them into it.`,
      );
    return absolute;
  };

  let model: ModelSource | undefined;
  if (typeof spec.model === 'string') {
    const ref = assetRef(file, ['model'], spec.model, 'models', problems);
    if (ref) model = { kind: 'ref', ref, text: spec.model };
  } else if (spec.model) {
    model = {
      kind: 'local',
      path: local(spec.model.path as string, ['model', 'path']),
      ...(spec.model.name !== undefined && { name: spec.model.name }),
      ...(spec.model.version !== undefined && { version: spec.model.version }),
      ...(spec.model.type !== undefined && { type: spec.model.type }),
      ...(spec.model.description !== undefined && { description: spec.model.description }),
      tags: spec.model.tags ?? {},
    };
  }

  let environment: EnvironmentSource | undefined;
  if (typeof spec.environment === 'string') {
    const ref = assetRef(file, ['environment'], spec.environment, 'environments', problems);
    if (ref) environment = { kind: 'ref', ref, text: spec.environment };
  } else if (spec.environment) {
    const env = spec.environment;
    environment = {
      kind: 'inline',
      ...(env.name !== undefined && { name: env.name }),
      ...(env.version !== undefined && { version: env.version }),
      ...(env.image !== undefined && { image: env.image }),
      ...(env.conda_file !== undefined && { condaFile: local(env.conda_file, ['environment', 'conda_file']) }),
      ...(env.build && {
        build: {
          path: local(env.build.path, ['environment', 'build', 'path']),
          ...(env.build.dockerfile_path !== undefined && { dockerfilePath: env.build.dockerfile_path }),
        },
      }),
      ...(env.inference_config && { inferenceConfig: env.inference_config }),
      ...(env.os_type && { osType: env.os_type === 'windows' ? ('Windows' as const) : ('Linux' as const) }),
      ...(env.description !== undefined && { description: env.description }),
      tags: env.tags ?? {},
    };
  }
  if (!environment && !model) {
    check(
      problems,
      file,
      [],
      "the deployment needs an 'environment' (a registered 'azureml:<name>:<version>' or an inline image), or a model that brings its own (mlflow_model, triton_model)",
    );
  }

  let code: CodeSource | undefined;
  const codeValue = spec.code_configuration?.code;
  if (typeof codeValue === 'string' && codeValue.startsWith('azureml:')) {
    const ref = assetRef(file, ['code_configuration', 'code'], codeValue, 'codes', problems);
    if (ref) code = { kind: 'ref', ref, text: codeValue };
  } else if (codeValue !== undefined) {
    const path = typeof codeValue === 'string' ? codeValue : (codeValue.local_path ?? codeValue.path);
    if (path === undefined)
      check(
        problems,
        file,
        ['code_configuration', 'code'],
        "code needs a local folder path or 'azureml:<name>:<version>'",
      );
    else code = { kind: 'local', path: local(path, ['code_configuration', 'code']) };
  }
  if (spec.code_configuration && !code) {
    check(
      problems,
      file,
      ['code_configuration'],
      "code_configuration needs 'code' (the folder that holds the scoring script)",
    );
  }
  if (problems.length > 0) throw new YamlFileError(file.file, problems);

  return {
    file: file.file,
    name: name as string,
    endpointName: spec.endpoint_name,
    computeType,
    model,
    environment,
    code,
    scoringScript: spec.code_configuration?.scoring_script,
    settings: {
      description: spec.description,
      tags: spec.tags ?? {},
      properties: spec.properties ?? {},
      instanceType: spec.instance_type,
      instanceCount: spec.instance_count ?? 1,
      appInsightsEnabled: spec.app_insights_enabled,
      environmentVariables: spec.environment_variables ?? {},
      modelMountPath: spec.model_mount_path,
      egressPublicNetworkAccess: spec.egress_public_network_access && ACCESS[spec.egress_public_network_access],
      requestSettings: spec.request_settings,
      livenessProbe: spec.liveness_probe,
      readinessProbe: spec.readiness_probe,
      scaleSettings: spec.scale_settings,
      resources: spec.resources,
    },
  };
}

export function readEndpointFile(path: string, options: { name?: string } = {}): EndpointSpec {
  return parseEndpoint(YamlFile.read(path), options);
}

export function readDeploymentFile(path: string, options: { name?: string; workspace?: string } = {}): DeploymentSpec {
  return parseDeployment(YamlFile.read(path), options);
}

/** Which kind of CLI file a document is, from its `$schema` (or its fields when it has none). */
export function detectFileKind(file: YamlFile): 'endpoint' | 'deployment' | undefined {
  const data = file.toJS();
  const kind = schemaKind(typeof data['$schema'] === 'string' ? data['$schema'] : undefined);
  if (kind)
    return /OnlineEndpoint$/.test(kind) ? 'endpoint' : /OnlineDeployment$/.test(kind) ? 'deployment' : undefined;
  if ('endpoint_name' in data || 'instance_type' in data || 'code_configuration' in data) return 'deployment';
  if ('auth_mode' in data) return 'endpoint';
  return undefined;
}
