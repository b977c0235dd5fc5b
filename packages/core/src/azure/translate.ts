import type {
  ContainerResourceSettings,
  OnlineDeployment,
  OnlineEndpoint,
  OnlineScaleSettingsUnion,
  ProbeSettings,
} from '@azure/arm-machinelearning';
import { workspaceId, type WorkspaceScope } from './asset-ref.ts';
import type { DeploymentSettings, DeploymentSpec, EndpointSpec } from './spec.ts';

/** CLI specs → the ARM models of @azure/arm-machinelearning (api-version 2022-10-01). Pure functions. */

/** ARM durations are ISO 8601 (`PT10S`); the CLI's YAML speaks seconds and milliseconds. */
const seconds = (value: number | undefined) => (value === undefined ? undefined : `PT${value}S`);
const milliseconds = (value: number | undefined) => (value === undefined ? undefined : `PT${value / 1000}S`);

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The endpoint without traffic: traffic is only ever changed by the swap action. */
export function toArmEndpoint(spec: EndpointSpec, location: string, scope: WorkspaceScope): OnlineEndpoint {
  return withoutUndefined({
    location,
    tags: spec.tags,
    identity: spec.identity && {
      type: spec.identity.type,
      ...(spec.identity.userAssigned.length > 0 && {
        userAssignedIdentities: Object.fromEntries(spec.identity.userAssigned.map((id) => [id, {}])),
      }),
    },
    properties: withoutUndefined({
      authMode: spec.authMode,
      description: spec.description,
      properties: spec.properties,
      publicNetworkAccess: spec.publicNetworkAccess,
      compute: spec.compute && `${workspaceId(scope)}/computes/${spec.compute}`,
    }),
  });
}

function probe(settings: DeploymentSettings['livenessProbe']): ProbeSettings | undefined {
  return (
    settings &&
    withoutUndefined({
      initialDelay: seconds(settings.initial_delay),
      period: seconds(settings.period),
      timeout: seconds(settings.timeout),
      successThreshold: settings.success_threshold,
      failureThreshold: settings.failure_threshold,
    })
  );
}

function scale(settings: DeploymentSettings['scaleSettings']): OnlineScaleSettingsUnion | undefined {
  if (!settings) return undefined;
  if (settings.type === 'default') return { scaleType: 'Default' };
  return withoutUndefined({
    scaleType: 'TargetUtilization' as const,
    minInstances: settings.min_instances,
    maxInstances: settings.max_instances,
    pollingInterval: seconds(settings.polling_interval),
    targetUtilizationPercentage: settings.target_utilization_percentage,
  });
}

function resources(settings: { cpu?: string; memory?: string; 'nvidia.com/gpu'?: string; gpu?: string } | undefined) {
  return (
    settings &&
    withoutUndefined<ContainerResourceSettings>({
      cpu: settings.cpu,
      memory: settings.memory,
      gpu: settings['nvidia.com/gpu'] ?? settings.gpu,
    })
  );
}

/** The exact asset ids the deployment uses, once references and local assets are resolved. */
export interface ResolvedAssets {
  modelId: string | undefined;
  environmentId: string | undefined;
  codeId: string | undefined;
}

export function toArmDeployment(
  spec: DeploymentSpec,
  assets: ResolvedAssets,
  location: string,
  extraTags: Record<string, string> = {},
): OnlineDeployment {
  const { settings } = spec;
  const requestSettings = settings.requestSettings && {
    requestTimeout: milliseconds(settings.requestSettings.request_timeout_ms),
    maxQueueWait: milliseconds(settings.requestSettings.max_queue_wait_ms),
    maxConcurrentRequestsPerInstance: settings.requestSettings.max_concurrent_requests_per_instance,
  };
  const common = withoutUndefined({
    description: settings.description,
    properties: settings.properties,
    model: assets.modelId,
    modelMountPath: settings.modelMountPath,
    environmentId: assets.environmentId,
    environmentVariables: settings.environmentVariables,
    codeConfiguration:
      spec.scoringScript === undefined
        ? undefined
        : withoutUndefined({ codeId: assets.codeId, scoringScript: spec.scoringScript }),
    instanceType: settings.instanceType,
    appInsightsEnabled: settings.appInsightsEnabled,
    egressPublicNetworkAccess: settings.egressPublicNetworkAccess,
    requestSettings: requestSettings && withoutUndefined(requestSettings),
    livenessProbe: probe(settings.livenessProbe),
    readinessProbe: probe(settings.readinessProbe),
    scaleSettings: scale(settings.scaleSettings),
  });
  const properties =
    spec.computeType === 'Kubernetes'
      ? {
          ...common,
          endpointComputeType: 'Kubernetes' as const,
          ...(settings.resources && {
            containerResourceRequirements: withoutUndefined({
              containerResourceRequests: resources(settings.resources.requests),
              containerResourceLimits: resources(settings.resources.limits),
            }),
          }),
        }
      : { ...common, endpointComputeType: 'Managed' as const };
  return {
    location,
    tags: { ...settings.tags, ...extraTags },
    sku: { name: 'Default', capacity: settings.instanceCount },
    properties,
  };
}
