import { describe, expect, it } from '@jest/globals';
import { reservedInstances } from '../../src/azure/deployment-limits.ts';
import { parseDeployment } from '../../src/azure/spec.ts';
import { YamlFile, YamlFileError } from '../../src/yaml-file.ts';

const FILE = '/repo/deploy/deployment.yml';
const deployment = (text: string) => parseDeployment(YamlFile.parse(text, FILE));

function problems(text: string): { message: string; line?: number }[] {
  try {
    deployment(text);
  } catch (error) {
    if (error instanceof YamlFileError) return error.problems;
    throw error;
  }
  return [];
}

const BASE = 'name: blue\nmodel: azureml:fraud:1\nenvironment: azureml:scoring-env:1\n';

describe('limits of managed deployments, from the YAML', () => {
  it('refuses a VM size that managed online endpoints do not offer, on its line, with sizes to use instead', () => {
    const found = problems(`${BASE}instance_type: Standard_B2s\ninstance_count: 1\n`);
    expect(found).toEqual([
      {
        message: expect.stringMatching(
          /^instance_type 'Standard_B2s' is not a VM size managed online endpoints support; .*reference-managed-online-endpoints-vm-sku-list.*e\.g\. STANDARD_DS3_V2/,
        ),
        line: 4,
        column: expect.any(Number),
      },
    ]);
  });

  it('accepts the listed sizes in any case', () => {
    for (const size of ['Standard_DS3_v2', 'STANDARD_NC4AS_T4_V3', 'standard_f2s_v2'])
      expect(problems(`${BASE}instance_type: ${size}\n`)).toEqual([]);
  });

  it.each([0, 51])('refuses instance_count %i (1 to 50)', (count) => {
    expect(problems(`${BASE}instance_type: Standard_DS3_v2\ninstance_count: ${count}\n`)).toEqual([
      {
        message: expect.stringContaining('instance_count must be between 1 and 50'),
        line: 5,
        column: expect.any(Number),
      },
    ]);
  });

  it('refuses request_timeout_ms above 180 s on managed endpoints, 300 s on Kubernetes', () => {
    const settings = (ms: number) => `request_settings:\n  request_timeout_ms: ${ms}\n`;
    expect(problems(`${BASE}instance_type: Standard_DS3_v2\n${settings(180_000)}`)).toEqual([]);
    expect(problems(`${BASE}instance_type: Standard_DS3_v2\n${settings(180_001)}`)).toEqual([
      { message: expect.stringContaining('above the 180 s'), line: 6, column: expect.any(Number) },
    ]);
    const kubernetes = `$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json\n${BASE}instance_type: defaultinstancetype\n`;
    expect(problems(`${kubernetes}${settings(300_000)}`)).toEqual([]);
    expect(problems(`${kubernetes}${settings(300_001)}`)).toEqual([
      { message: expect.stringContaining('above the 300 s'), line: 7, column: expect.any(Number) },
    ]);
  });

  it('reports every limit at once', () => {
    expect(
      problems(
        `${BASE}instance_type: Standard_Z9\ninstance_count: 99\nrequest_settings:\n  request_timeout_ms: 900000\n`,
      ),
    ).toHaveLength(3);
  });
});

describe('upgrade reserve', () => {
  it('is 20 % more instances, rounded up, except for the sizes the SKU list exempts', () => {
    expect(reservedInstances('Standard_DS3_v2', 1)).toBe(2);
    expect(reservedInstances('Standard_DS3_v2', 10)).toBe(12);
    expect(reservedInstances('standard_ds3_v2', 11)).toBe(14);
    expect(reservedInstances('Standard_NC24ads_A100_v4', 3)).toBe(3);
  });
});
