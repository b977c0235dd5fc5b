import { describe, expect, it } from '@jest/globals';
import type { OnlineDeployment } from '@azure/arm-machinelearning';
import {
  describeModel,
  identityDifferences,
  liveBeforeTag,
  parseLiveBefore,
  shortAssetRef,
  specHash,
  testedIdentity,
  testRecordFromTags,
  testRecordProblems,
  testRecordTags,
  type TestRecord,
} from '../../src/aml/tested-identity.ts';

const WS = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws';

/** A deployment as ARM returns it (shape of the recorded 2023-04-01-preview PUT answer). */
function deployment(change: { properties?: object; sku?: object; tags?: object } = {}): OnlineDeployment {
  return {
    name: 'blue',
    location: 'eastus',
    kind: 'Managed',
    tags: { team: 'risk', ...change.tags },
    sku: { name: 'Default', tier: 'Standard', capacity: 1, ...change.sku },
    systemData: { createdAt: new Date('2026-01-01T00:00:00Z') },
    properties: {
      endpointComputeType: 'Managed',
      model: `${WS}/models/fraud/versions/2`,
      environmentId: `${WS}/environments/scoring-env/versions/1`,
      codeConfiguration: { codeId: `${WS}/codes/scoring-code/versions/1`, scoringScript: 'score.py' },
      instanceType: 'Standard_DS3_v2',
      environmentVariables: {},
      requestSettings: { requestTimeout: 'PT3S', maxConcurrentRequestsPerInstance: 1 },
      scaleSettings: { scaleType: 'Default' },
      modelMountPath: null,
      properties: { AzureAsyncOperationUri: 'https://management.azure.com/…/mfeOperationsStatus/odidp:1' },
      provisioningState: 'Succeeded',
      ...change.properties,
    },
  } as unknown as OnlineDeployment;
}

const record = (change: Partial<TestRecord> = {}): TestRecord => ({
  ...testedIdentity(deployment(), 'mcr.microsoft.com/azureml/minimal-py312-inference:latest'),
  result: 'passed',
  testedAt: '2026-12-04T20:00:00.000Z',
  ...change,
});

describe('the spec hash', () => {
  const base = specHash(deployment());

  it('is sha256 of the normalised spec', () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['tags (our own records live there)', { tags: { 'mlops-actions.test-result': 'passed', team: 'fraud' } }],
    ['the provisioning state', { properties: { provisioningState: 'Updating' } }],
    [
      'the operation URI the service adds per operation',
      { properties: { properties: { AzureAsyncOperationUri: 'x' } } },
    ],
    ['the instance count', { sku: { capacity: 3 } }],
    ['scale settings', { properties: { scaleSettings: { scaleType: 'TargetUtilization', maxInstances: 4 } } }],
  ])('leaves out %s', (_, change) => {
    expect(specHash(deployment(change))).toBe(base);
  });

  it.each([
    ['the model', { properties: { model: `${WS}/models/fraud/versions/3` } }],
    ['the environment', { properties: { environmentId: `${WS}/environments/scoring-env/versions/2` } }],
    ['the scoring script', { properties: { codeConfiguration: { codeId: 'c', scoringScript: 'other.py' } } }],
    ['environment variables', { properties: { environmentVariables: { DEBUG: '1' } } }],
    ['request settings', { properties: { requestSettings: { requestTimeout: 'PT9S' } } }],
    ['a user property', { properties: { properties: { owner: 'me' } } }],
  ])('changes with %s', (_, change) => {
    expect(specHash(deployment(change))).not.toBe(base);
  });

  it('does not depend on key order', () => {
    const reordered = deployment();
    reordered.properties = Object.fromEntries(
      Object.entries(reordered.properties).reverse(),
    ) as unknown as OnlineDeployment['properties'];
    expect(specHash(reordered)).toBe(base);
  });
});

describe('the tested identity', () => {
  it('names model, environment, image and instance type in short form', () => {
    expect(testedIdentity(deployment(), 'img:1')).toMatchObject({
      deployment: 'blue',
      model: 'fraud:2',
      environment: 'scoring-env:1',
      image: 'img:1',
      instanceType: 'Standard_DS3_v2',
    });
    expect(shortAssetRef('azureml://registries/azureml/models/phi/versions/4')).toBe(
      'azureml://registries/azureml/models/phi/versions/4',
    );
  });

  it('names each difference, and the rest of the spec only when nothing named differs', () => {
    const before = record();
    const model = testedIdentity(deployment({ properties: { model: `${WS}/models/fraud/versions/3` } }), before.image);
    expect(identityDifferences(before, model)).toEqual(['model fraud:2 then, fraud:3 now']);
    const env = testedIdentity(deployment({ properties: { environmentVariables: { A: '1' } } }), before.image);
    expect(identityDifferences(before, env)).toEqual([
      expect.stringMatching(/^the rest of its spec changed \(code, scoring script, .*\): sha256:[0-9a-f]{12}… then/),
    ]);
    // ARM answers instance types in another case than they were sent.
    const upper = { ...before, instanceType: 'STANDARD_DS3_V2' };
    expect(identityDifferences(before, upper)).toEqual([]);
  });
});

describe('the test record', () => {
  it('round-trips through tags of at most 256 characters', () => {
    const tags = testRecordTags(record({ run: 'https://github.com/o/r/actions/runs/1' }));
    expect(Object.values(tags).every((v) => v === undefined || v.length <= 256)).toBe(true);
    const strings = Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    expect(testRecordFromTags('blue', strings)).toEqual(record({ run: 'https://github.com/o/r/actions/runs/1' }));
    expect(testRecordFromTags('blue', { team: 'risk' })).toBeUndefined();
  });

  it('lets a slot through only with a passed record of exactly what it holds', () => {
    const now = testedIdentity(deployment(), record().image);
    expect(testRecordProblems(now, record())).toEqual([]);
    expect(testRecordProblems(now, undefined)).toEqual([
      'deployment blue has no test record: run aml-endpoint-test on it first',
    ]);
    expect(testRecordProblems(now, record({ result: 'failed' }))[0]).toMatch(
      /^the last test of deployment blue failed/,
    );
    expect(testRecordProblems(now, record({ deployment: 'green' }))).toEqual([
      'the test record is of deployment green, not blue',
    ]);
    expect(testRecordProblems({ ...now, model: 'fraud:3' }, record())).toEqual([
      'deployment blue changed after its test: model fraud:2 then, fraud:3 now',
    ]);
  });
});

describe('what was live before a promotion', () => {
  it('fits a tag and reads back; a long model reference is left out, the hash kept', () => {
    const identity = testedIdentity(deployment());
    expect(parseLiveBefore(liveBeforeTag(identity))).toEqual({
      deployment: 'blue',
      model: 'fraud:2',
      specHash: identity.specHash,
    });
    const long = liveBeforeTag({ ...identity, model: `azureml://registries/r/models/${'m'.repeat(250)}/versions/1` });
    expect(long!.length).toBeLessThanOrEqual(256);
    expect(parseLiveBefore(long)).toEqual({ deployment: 'blue', specHash: identity.specHash });
    expect(parseLiveBefore('not json')).toBeUndefined();
  });

  it('names the model version', () => {
    expect(describeModel('fraud:1')).toBe('model fraud version 1');
    expect(describeModel('azureml://registries/r/models/phi/versions/4')).toBe('model phi version 4');
    expect(describeModel(undefined)).toBe('no registered model');
  });
});
