/**
 * The VM sizes managed online deployments accept, with their quota family and cores: the table of
 * "Managed online endpoints SKU list" (MicrosoftDocs/azure-ai-docs, articles/machine-learning/
 * reference-managed-online-endpoints-vm-sku-list.md). Family names are the table's, without its spaces
 * ("standard NCASv3_T4 Family" → standardNCASv3_T4Family). `surgeExempt`: the table's "Skip 20% Reservation".
 */

export interface VmSize {
  /** As the table spells it (upper case); requests are matched case-insensitively. */
  name: string;
  family: string;
  cores: number;
  surgeExempt: boolean;
}

const TABLE: readonly [string, string, number, boolean][] = [
  ['STANDARD_D2AS_V4', 'standardDASv4Family', 2, false],
  ['STANDARD_D4AS_V4', 'standardDASv4Family', 4, false],
  ['STANDARD_D8AS_V4', 'standardDASv4Family', 8, false],
  ['STANDARD_D16AS_V4', 'standardDASv4Family', 16, false],
  ['STANDARD_D32AS_V4', 'standardDASv4Family', 32, false],
  ['STANDARD_D48AS_V4', 'standardDASv4Family', 48, false],
  ['STANDARD_D64AS_V4', 'standardDASv4Family', 64, false],
  ['STANDARD_D96AS_V4', 'standardDASv4Family', 96, false],
  ['STANDARD_D2A_V4', 'standardDAv4Family', 2, false],
  ['STANDARD_D4A_V4', 'standardDAv4Family', 4, false],
  ['STANDARD_D8A_V4', 'standardDAv4Family', 8, false],
  ['STANDARD_D16A_V4', 'standardDAv4Family', 16, false],
  ['STANDARD_D32A_V4', 'standardDAv4Family', 32, false],
  ['STANDARD_D48A_V4', 'standardDAv4Family', 48, false],
  ['STANDARD_D64A_V4', 'standardDAv4Family', 64, false],
  ['STANDARD_D96A_V4', 'standardDAv4Family', 96, false],
  ['STANDARD_DS1_V2', 'standardDSv2Family', 1, false],
  ['STANDARD_DS2_V2', 'standardDSv2Family', 2, false],
  ['STANDARD_DS3_V2', 'standardDSv2Family', 4, false],
  ['STANDARD_DS4_V2', 'standardDSv2Family', 8, false],
  ['STANDARD_DS5_V2', 'standardDSv2Family', 16, false],
  ['STANDARD_E2S_V3', 'standardESv3Family', 2, false],
  ['STANDARD_E4S_V3', 'standardESv3Family', 4, false],
  ['STANDARD_E8S_V3', 'standardESv3Family', 8, false],
  ['STANDARD_E16S_V3', 'standardESv3Family', 16, false],
  ['STANDARD_E32S_V3', 'standardESv3Family', 32, false],
  ['STANDARD_E48S_V3', 'standardESv3Family', 48, false],
  ['STANDARD_E64S_V3', 'standardESv3Family', 64, false],
  ['STANDARD_F2S_V2', 'standardFSv2Family', 2, false],
  ['STANDARD_F4S_V2', 'standardFSv2Family', 4, false],
  ['STANDARD_F8S_V2', 'standardFSv2Family', 8, false],
  ['STANDARD_F16S_V2', 'standardFSv2Family', 16, false],
  ['STANDARD_F32S_V2', 'standardFSv2Family', 32, false],
  ['STANDARD_F48S_V2', 'standardFSv2Family', 48, false],
  ['STANDARD_F64S_V2', 'standardFSv2Family', 64, false],
  ['STANDARD_F72S_V2', 'standardFSv2Family', 72, false],
  ['STANDARD_FX4MDS', 'standardFXMDVSFamily', 4, false],
  ['STANDARD_FX12MDS', 'standardFXMDVSFamily', 12, false],
  ['STANDARD_FX24MDS', 'standardFXMDVSFamily', 24, false],
  ['STANDARD_FX36MDS', 'standardFXMDVSFamily', 36, false],
  ['STANDARD_FX48MDS', 'standardFXMDVSFamily', 48, false],
  ['STANDARD_L8AS_V3', 'standardLASv3Family', 8, false],
  ['STANDARD_L16AS_V3', 'standardLASv3Family', 16, false],
  ['STANDARD_L32AS_V3', 'standardLASv3Family', 32, false],
  ['STANDARD_L48AS_V3', 'standardLASv3Family', 48, false],
  ['STANDARD_L64AS_V3', 'standardLASv3Family', 64, false],
  ['STANDARD_L80AS_V3', 'standardLASv3Family', 80, false],
  ['STANDARD_L8S_V2', 'standardLSv2Family', 8, false],
  ['STANDARD_L16S_V2', 'standardLSv2Family', 16, false],
  ['STANDARD_L32S_V2', 'standardLSv2Family', 32, false],
  ['STANDARD_L48S_V2', 'standardLSv2Family', 48, false],
  ['STANDARD_L64S_V2', 'standardLSv2Family', 64, false],
  ['STANDARD_L80S_V2', 'standardLSv2Family', 80, false],
  ['STANDARD_L8S_V3', 'standardLSv3Family', 8, false],
  ['STANDARD_L16S_V3', 'standardLSv3Family', 16, false],
  ['STANDARD_L32S_V3', 'standardLSv3Family', 32, false],
  ['STANDARD_L48S_V3', 'standardLSv3Family', 48, false],
  ['STANDARD_L64S_V3', 'standardLSv3Family', 64, false],
  ['STANDARD_L80S_V3', 'standardLSv3Family', 80, false],
  ['STANDARD_NC24ADS_A100_V4', 'standardNCADSA100v4Family', 24, true],
  ['STANDARD_NC48ADS_A100_V4', 'standardNCADSA100v4Family', 48, true],
  ['STANDARD_NC96ADS_A100_V4', 'standardNCADSA100v4Family', 96, true],
  ['STANDARD_NC4AS_T4_V3', 'standardNCASv3_T4Family', 4, false],
  ['STANDARD_NC8AS_T4_V3', 'standardNCASv3_T4Family', 8, false],
  ['STANDARD_NC16AS_T4_V3', 'standardNCASv3_T4Family', 16, false],
  ['STANDARD_NC64AS_T4_V3', 'standardNCASv3_T4Family', 64, false],
  ['STANDARD_NC6S_V2', 'standardNCSv2Family', 6, false],
  ['STANDARD_NC12S_V2', 'standardNCSv2Family', 12, false],
  ['STANDARD_NC24S_V2', 'standardNCSv2Family', 24, false],
  ['STANDARD_NC6S_V3', 'standardNCSv3Family', 6, false],
  ['STANDARD_NC12S_V3', 'standardNCSv3Family', 12, false],
  ['STANDARD_NC24S_V3', 'standardNCSv3Family', 24, false],
  ['STANDARD_NC40ADS_H100_V5', 'standardNCADSH100v5Family', 40, true],
  ['STANDARD_NC80ADIS_H100_V5', 'standardNCADSH100v5Family', 80, true],
  ['STANDARD_ND96AMSR_A100_V4', 'standardNDAMSv4_A100Family', 96, true],
  ['STANDARD_ND96ASR_V4', 'standardNDASv4_A100Family', 96, true],
  ['STANDARD_ND40RS_V2', 'standardNDSv2Family', 40, true],
  ['STANDARD_ND96IS_H100_V5', 'standardNDv5H100Family', 96, true],
  ['STANDARD_ND96ISR_H100_V5', 'standardNDv5H100Family', 96, true],
  ['STANDARD_NV6ADS_A10_V5', 'standardNVADSA10v5Family', 6, false],
  ['STANDARD_NV12ADS_A10_V5', 'standardNVADSA10v5Family', 12, false],
  ['STANDARD_NV18ADS_A10_V5', 'standardNVADSA10v5Family', 18, false],
  ['STANDARD_NV36ADS_A10_V5', 'standardNVADSA10v5Family', 36, false],
  ['STANDARD_NV36ADMS_A10_V5', 'standardNVADSA10v5Family', 36, false],
  ['STANDARD_NV72ADS_A10_V5', 'standardNVADSA10v5Family', 72, false],
];

const BY_NAME = new Map(
  TABLE.map(([name, family, cores, surgeExempt]) => [name.toLowerCase(), { name, family, cores, surgeExempt }]),
);

export const VM_SIZES: readonly VmSize[] = [...BY_NAME.values()];

export function findVmSize(instanceType: string): VmSize | undefined {
  return BY_NAME.get(instanceType.toLowerCase());
}

/** Azure ML reserves 20 % more instances for upgrades on most sizes: ceil(1.2 × instances) × cores. */
export function reservedCores(size: VmSize, instances: number): number {
  return (size.surgeExempt ? instances : Math.ceil(1.2 * instances)) * size.cores;
}

/** "standardDSv2Family" → "Standard DSv2 Family Cluster Dedicated vCPUs", the usages API's localized name. */
export function familyDisplayName(family: string): string {
  const words = family.replace(/^standard/, '').replace(/Family$/, '');
  return `Standard ${words} Family Cluster Dedicated vCPUs`;
}
