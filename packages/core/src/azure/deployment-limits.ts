/**
 * Limits of managed online deployments that a deployment file can break, checked before anything is sent: the VM
 * sizes of the "Managed online endpoints SKU list" (reference-managed-online-endpoints-vm-sku-list.md), at most 50
 * instances, and a request timeout of at most 180 s (300 s on Kubernetes), from "Manage and increase quotas"
 * (how-to-manage-quotas.md, online endpoints). Sizes are matched without regard to case, as the list writes them
 * in capitals and the CLI examples do not.
 */
import type { Problem, YamlFile } from '../yaml-file.ts';

/** Sizes that reserve 20 % more instances for upgrades: ceil(1.2 × instances) × cores of quota. */
const WITH_UPGRADE_RESERVE = [
  'STANDARD_D2AS_V4',
  'STANDARD_D4AS_V4',
  'STANDARD_D8AS_V4',
  'STANDARD_D16AS_V4',
  'STANDARD_D32AS_V4',
  'STANDARD_D48AS_V4',
  'STANDARD_D64AS_V4',
  'STANDARD_D96AS_V4',
  'STANDARD_D2A_V4',
  'STANDARD_D4A_V4',
  'STANDARD_D8A_V4',
  'STANDARD_D16A_V4',
  'STANDARD_D32A_V4',
  'STANDARD_D48A_V4',
  'STANDARD_D64A_V4',
  'STANDARD_D96A_V4',
  'STANDARD_DS1_V2',
  'STANDARD_DS2_V2',
  'STANDARD_DS3_V2',
  'STANDARD_DS4_V2',
  'STANDARD_DS5_V2',
  'STANDARD_E2S_V3',
  'STANDARD_E4S_V3',
  'STANDARD_E8S_V3',
  'STANDARD_E16S_V3',
  'STANDARD_E32S_V3',
  'STANDARD_E48S_V3',
  'STANDARD_E64S_V3',
  'STANDARD_F2S_V2',
  'STANDARD_F4S_V2',
  'STANDARD_F8S_V2',
  'STANDARD_F16S_V2',
  'STANDARD_F32S_V2',
  'STANDARD_F48S_V2',
  'STANDARD_F64S_V2',
  'STANDARD_F72S_V2',
  'STANDARD_FX4MDS',
  'STANDARD_FX12MDS',
  'STANDARD_FX24MDS',
  'STANDARD_FX36MDS',
  'STANDARD_FX48MDS',
  'STANDARD_L8AS_V3',
  'STANDARD_L16AS_V3',
  'STANDARD_L32AS_V3',
  'STANDARD_L48AS_V3',
  'STANDARD_L64AS_V3',
  'STANDARD_L80AS_V3',
  'STANDARD_L8S_V2',
  'STANDARD_L16S_V2',
  'STANDARD_L32S_V2',
  'STANDARD_L48S_V2',
  'STANDARD_L64S_V2',
  'STANDARD_L80S_V2',
  'STANDARD_L8S_V3',
  'STANDARD_L16S_V3',
  'STANDARD_L32S_V3',
  'STANDARD_L48S_V3',
  'STANDARD_L64S_V3',
  'STANDARD_L80S_V3',
  'STANDARD_NC4AS_T4_V3',
  'STANDARD_NC8AS_T4_V3',
  'STANDARD_NC16AS_T4_V3',
  'STANDARD_NC64AS_T4_V3',
  'STANDARD_NC6S_V2',
  'STANDARD_NC12S_V2',
  'STANDARD_NC24S_V2',
  'STANDARD_NC6S_V3',
  'STANDARD_NC12S_V3',
  'STANDARD_NC24S_V3',
  'STANDARD_NV6ADS_A10_V5',
  'STANDARD_NV12ADS_A10_V5',
  'STANDARD_NV18ADS_A10_V5',
  'STANDARD_NV36ADS_A10_V5',
  'STANDARD_NV36ADMS_A10_V5',
  'STANDARD_NV72ADS_A10_V5',
];

/** The list's "Skip 20% Reservation" sizes: instances × cores. */
const WITHOUT_UPGRADE_RESERVE = [
  'STANDARD_NC24ADS_A100_V4',
  'STANDARD_NC48ADS_A100_V4',
  'STANDARD_NC96ADS_A100_V4',
  'STANDARD_NC40ADS_H100_V5',
  'STANDARD_NC80ADIS_H100_V5',
  'STANDARD_ND96AMSR_A100_V4',
  'STANDARD_ND96ASR_V4',
  'STANDARD_ND40RS_V2',
  'STANDARD_ND96IS_H100_V5',
  'STANDARD_ND96ISR_H100_V5',
];

const RESERVE = new Map([
  ...WITH_UPGRADE_RESERVE.map((name) => [name.toLowerCase(), true] as const),
  ...WITHOUT_UPGRADE_RESERVE.map((name) => [name.toLowerCase(), false] as const),
]);

export const MAX_INSTANCES = 50;
export const MAX_DEPLOYMENTS_PER_ENDPOINT = 20;
const MAX_REQUEST_TIMEOUT_MS = { Managed: 180_000, Kubernetes: 300_000 } as const;

export function isManagedInstanceType(instanceType: string): boolean {
  return RESERVE.has(instanceType.toLowerCase());
}

/** Instances a deployment holds quota for: 20 % more, rounded up, except for the sizes exempt from the reserve. */
export function reservedInstances(instanceType: string, instances: number): number {
  return RESERVE.get(instanceType.toLowerCase()) === false ? instances : Math.ceil(1.2 * instances);
}

/** Supported sizes that look like the one given (same series letters), to suggest a fix. */
function similarSizes(instanceType: string): string[] {
  const series = /^standard_([a-z]+)/i.exec(instanceType)?.[1]?.toLowerCase();
  const all = [...WITH_UPGRADE_RESERVE, ...WITHOUT_UPGRADE_RESERVE];
  const similar = series ? all.filter((name) => name.toLowerCase().startsWith(`standard_${series[0]}`)) : [];
  return (similar.length > 0 ? similar : ['STANDARD_DS3_V2', 'STANDARD_F4S_V2', 'STANDARD_E4S_V3']).slice(0, 6);
}

export interface DeploymentLimitsInput {
  computeType: 'Managed' | 'Kubernetes';
  instanceType: string | undefined;
  instanceCount: number | undefined;
  requestTimeoutMs: number | undefined;
}

/** What in a deployment file Azure would refuse, each with its line. */
export function deploymentLimitProblems(file: YamlFile, input: DeploymentLimitsInput): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string[], message: string) => problems.push({ message, ...file.locate(path) });
  const managed = input.computeType === 'Managed';
  if (managed && input.instanceType && !isManagedInstanceType(input.instanceType)) {
    at(
      ['instance_type'],
      `instance_type '${input.instanceType}' is not a VM size managed online endpoints support; use one of the managed online endpoints SKU list (https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list), e.g. ${similarSizes(input.instanceType).join(', ')}`,
    );
  }
  if (
    managed &&
    input.instanceCount !== undefined &&
    (input.instanceCount < 1 || input.instanceCount > MAX_INSTANCES)
  ) {
    at(
      ['instance_count'],
      `instance_count must be between 1 and ${MAX_INSTANCES} for a managed deployment (got ${input.instanceCount}); Azure allows no more than ${MAX_INSTANCES} instances per deployment unless the limit is raised by a support request`,
    );
  }
  const maxTimeout = MAX_REQUEST_TIMEOUT_MS[input.computeType];
  if (input.requestTimeoutMs !== undefined && input.requestTimeoutMs > maxTimeout) {
    at(
      ['request_settings', 'request_timeout_ms'],
      `request_timeout_ms is ${input.requestTimeoutMs}, above the ${maxTimeout / 1000} s that ${managed ? 'managed' : 'Kubernetes'} online endpoints allow; use at most ${maxTimeout}`,
    );
  }
  return problems;
}
