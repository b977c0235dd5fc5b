import type { OnlineDeployment } from '@azure/arm-machinelearning';
import type { OnlineEndpointResource } from '../azure/online-endpoints.ts';

/** Endpoints and deployments as the actions see them: the fields they decide on, and the raw resource. */

export interface EndpointState {
  name: string;
  provisioningState: string | undefined;
  authMode: string;
  scoringUri: string | undefined;
  traffic: Record<string, number>;
  /** The shadow split: read and written at an api-version that carries it (see azure/online-endpoints.ts). */
  mirror: Record<string, number>;
  raw: OnlineEndpointResource;
}

export interface DeploymentState {
  name: string;
  provisioningState: string | undefined;
  model: string | undefined;
  tags: Record<string, string>;
  instanceType: string | undefined;
  capacity: number | undefined;
  raw: OnlineDeployment;
}

export function endpointState(raw: OnlineEndpointResource): EndpointState {
  const { properties } = raw;
  return {
    name: raw.name as string,
    provisioningState: properties.provisioningState,
    authMode: properties.authMode,
    scoringUri: properties.scoringUri,
    traffic: { ...(properties.traffic ?? {}) },
    mirror: { ...(properties.mirrorTraffic ?? {}) },
    raw,
  };
}

export function deploymentState(raw: OnlineDeployment): DeploymentState {
  return {
    name: raw.name as string,
    provisioningState: raw.properties.provisioningState,
    model: raw.properties.model,
    tags: (raw.tags ?? {}) as Record<string, string>,
    instanceType: raw.properties.instanceType,
    capacity: raw.sku?.capacity,
    raw,
  };
}
