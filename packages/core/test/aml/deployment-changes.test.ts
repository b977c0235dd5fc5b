import { describe, expect, it } from '@jest/globals';
import type { OnlineDeployment } from '@azure/arm-machinelearning';
import { liveSlotHolding } from '../../src/aml/deployment-changes.ts';
import type { DeploymentState } from '../../src/aml/workspace.ts';

const desired = {
  location: 'eastus',
  tags: { team: 'risk', 'mlops-actions.commit': 'b'.repeat(40) },
  sku: { name: 'Default', capacity: 1 },
  properties: { endpointComputeType: 'Managed', model: 'm/versions/2', instanceType: 'Standard_DS3_v2' },
} as unknown as OnlineDeployment;

function slot(name: string, change: { state?: string; capacity?: number; model?: string } = {}): DeploymentState {
  const raw = {
    name,
    location: 'eastus',
    // Tags of an earlier run and its test: the actions' own tags are never compared.
    tags: { team: 'risk', 'mlops-actions.commit': 'a'.repeat(40), 'mlops-actions.test-result': 'passed' },
    sku: { name: 'Default', tier: 'Standard', capacity: change.capacity ?? 1 },
    properties: {
      endpointComputeType: 'Managed',
      model: change.model ?? 'm/versions/2',
      instanceType: 'STANDARD_DS3_V2',
      // Service defaults the file does not set are not differences.
      livenessProbe: { period: 'PT10S' },
      provisioningState: change.state ?? 'Succeeded',
    },
  } as unknown as OnlineDeployment;
  return {
    name,
    provisioningState: change.state ?? 'Succeeded',
    model: raw.properties.model,
    tags: raw.tags as Record<string, string>,
    instanceType: raw.properties.instanceType,
    capacity: raw.sku?.capacity,
    raw,
  };
}

describe('liveSlotHolding (a re-run after a swap)', () => {
  it('finds the live slot when it already holds exactly what would be deployed', () => {
    expect(liveSlotHolding('blue', [slot('green'), slot('blue')], desired)?.name).toBe('blue');
  });

  it.each([
    ['no live slot', undefined, [slot('green')]],
    ['another model', 'blue', [slot('blue', { model: 'm/versions/3' })]],
    ['another instance count (a deliberate change goes through blue/green)', 'blue', [slot('blue', { capacity: 2 })]],
    ['a live slot that is not Succeeded', 'blue', [slot('blue', { state: 'Failed' })]],
  ])('deploys as usual with %s', (_, live, deployments) => {
    expect(liveSlotHolding(live, deployments, desired)).toBeUndefined();
  });
});
