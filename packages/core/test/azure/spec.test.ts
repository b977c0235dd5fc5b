import { describe, expect, it } from '@jest/globals';
import { parseAssetRef, assetVersionId } from '../../src/azure/asset-ref.ts';
import { detectFileKind, parseDeployment, parseEndpoint } from '../../src/azure/spec.ts';
import { toArmDeployment, toArmEndpoint } from '../../src/azure/translate.ts';
import { YamlFile, YamlFileError } from '../../src/yaml-file.ts';

const scope = { subscriptionId: 'sub', resourceGroup: 'rg', workspace: 'ws' };
const endpoint = (text: string, name?: string) =>
  parseEndpoint(YamlFile.parse(text, 'endpoint.yml'), name ? { name } : {});
const deployment = (text: string, name?: string) =>
  parseDeployment(YamlFile.parse(text, '/repo/deploy/deployment.yml'), name ? { name } : {});

function problems(fn: () => unknown): { message: string; line?: number; column?: number }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof YamlFileError) return error.problems;
    throw error;
  }
  throw new Error('expected a YamlFileError');
}

const WORKSHOP_DEPLOYMENT = `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: blue
endpoint_name: mlops-workshop-endpoint
model: azureml:nyc_fare_prediction:1
code_configuration:
  code: ./
  scoring_script: score.py
environment:
  conda_file: ./conda.yml
  image: mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04:20210727.v1
instance_type: Standard_DS2_v2
instance_count: 1
`;

describe('endpoint YAML', () => {
  it('translates to ARM without traffic, and says that traffic is ignored', () => {
    const spec = endpoint(
      'name: fraud-staging\nauth_mode: AML_Token\ntraffic:\n  blue: 100\npublic_network_access: disabled\ntags: {team: risk, cost: 42}\n',
    );
    expect(spec.ignored).toEqual(['traffic']);
    expect(toArmEndpoint(spec, 'westeurope', scope)).toEqual({
      location: 'westeurope',
      tags: { team: 'risk', cost: '42' },
      properties: { authMode: 'AMLToken', properties: {}, publicNetworkAccess: 'Disabled' },
    });
  });

  it('identities and Kubernetes computes become ARM ids', () => {
    const spec = endpoint(
      '$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineEndpoint.schema.json\nname: k8s-ep\ncompute: azureml:inferencecompute\nidentity:\n  type: user_assigned\n  user_assigned_identities:\n    - resource_id: /subscriptions/s/uai1\n',
    );
    const arm = toArmEndpoint(spec, 'westeurope', scope);
    expect(arm.properties.compute).toBe(
      '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/inferencecompute',
    );
    expect(arm.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/s/uai1': {} } });
    expect(arm.properties.authMode).toBe('Key');
  });

  it.each([
    ['ab', "the name of an endpoint must be 3 to 32 characters long ('ab' has 2)"],
    ['a'.repeat(33), 'must be 3 to 32 characters long'],
    ['my_endpoint', "'my_endpoint' is not a valid endpoint name"],
    ['1abc', "'1abc' is not a valid endpoint name"],
    ['abc-', "'abc-' is not a valid endpoint name"],
  ])('refuses the name %s', (name, message) => {
    const [problem] = problems(() => endpoint(`auth_mode: key\nname: ${name}\n`));
    expect(problem).toMatchObject({ line: 2, column: 7 });
    expect(problem?.message).toContain(message);
  });

  it('an override name is checked too', () => {
    expect(problems(() => endpoint('name: good-name\n', 'x'))[0]?.message).toContain('must be 3 to 32');
  });

  it('unknown fields with their line, and a hint for common slips', () => {
    expect(problems(() => endpoint('name: fraud\nauth: key\ncolour: blue\n'))).toEqual([
      { message: "unknown field 'auth' (did you mean 'auth_mode'?)", line: 2, column: 1 },
      { message: "unknown field 'colour'", line: 3, column: 1 },
    ]);
  });

  it('wrong enum values and types', () => {
    const [auth] = problems(() => endpoint('name: fraud\nauth_mode: password\n'));
    expect(auth).toMatchObject({ line: 2, column: 12 });
    expect(auth?.message).toMatch(/^auth_mode: Invalid option/);
    const [traffic] = problems(() => endpoint('name: fraud\ntraffic:\n  blue: lots\n'));
    expect(traffic).toMatchObject({ line: 3, column: 9 });
  });

  it('refuses a deployment file given as the endpoint', () => {
    expect(problems(() => endpoint(WORKSHOP_DEPLOYMENT))[0]?.message).toBe(
      '$schema is managedOnlineDeployment, but this input takes an online endpoint (managedOnlineEndpoint or kubernetesOnlineEndpoint)',
    );
  });

  it('YAML syntax errors and duplicate keys carry positions', () => {
    expect(problems(() => YamlFile.parse('name: a\nname: b\n', 'e.yml'))[0]).toMatchObject({
      message: 'Map keys must be unique',
      line: 2,
    });
    expect(problems(() => YamlFile.parse('name: [a\n', 'e.yml'))[0]?.line).toBeDefined();
    expect(problems(() => YamlFile.parse('- a\n- b\n', 'e.yml'))[0]?.message).toContain('must be a YAML mapping');
  });

  it('the error message lists file:line:column for each problem', () => {
    expect(() => endpoint('name: fraud\nauth: key\n')).toThrow(
      "endpoint.yml is not valid:\n  endpoint.yml:2:1: unknown field 'auth'",
    );
  });
});

describe('deployment YAML', () => {
  it("reads the workshop's deployment with its local code and inline environment", () => {
    const spec = deployment(WORKSHOP_DEPLOYMENT, 'green');
    expect(spec.name).toBe('green');
    expect(spec.endpointName).toBe('mlops-workshop-endpoint');
    expect(spec.model).toEqual({
      kind: 'ref',
      ref: { type: 'workspace', name: 'nyc_fare_prediction', version: '1' },
      text: 'azureml:nyc_fare_prediction:1',
    });
    expect(spec.code).toEqual({ kind: 'local', path: '/repo/deploy' });
    expect(spec.environment).toEqual({
      kind: 'inline',
      image: 'mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04:20210727.v1',
      condaFile: '/repo/deploy/conda.yml',
      tags: {},
    });
  });

  it('translates every setting to ARM (durations in ISO 8601)', () => {
    const spec = deployment(`name: blue
model: azureml:fraud@latest
environment: azureml:sklearn:3
code_configuration:
  code: azureml:scorer:2
  scoring_script: score.py
instance_type: Standard_DS3_v2
instance_count: "3"
app_insights_enabled: true
environment_variables: {WORKERS: 2}
request_settings: {request_timeout_ms: 3000, max_queue_wait_ms: 500, max_concurrent_requests_per_instance: 2}
liveness_probe: {initial_delay: 10, period: 5, timeout: 2, failure_threshold: 30, success_threshold: 1}
scale_settings: {type: Default}
egress_public_network_access: Disabled
tags: {owner: risk}
`);
    expect(spec.model).toMatchObject({ ref: { type: 'workspace-label', name: 'fraud', label: 'latest' } });
    const arm = toArmDeployment(spec, { modelId: 'm', environmentId: 'e', codeId: 'c' }, 'westeurope', {
      'mlops-actions.commit': 'abc',
    });
    expect(arm).toEqual({
      location: 'westeurope',
      tags: { owner: 'risk', 'mlops-actions.commit': 'abc' },
      sku: { name: 'Default', capacity: 3 },
      properties: {
        endpointComputeType: 'Managed',
        properties: {},
        model: 'm',
        environmentId: 'e',
        environmentVariables: { WORKERS: '2' },
        codeConfiguration: { codeId: 'c', scoringScript: 'score.py' },
        instanceType: 'Standard_DS3_v2',
        appInsightsEnabled: true,
        egressPublicNetworkAccess: 'Disabled',
        requestSettings: { requestTimeout: 'PT3S', maxQueueWait: 'PT0.5S', maxConcurrentRequestsPerInstance: 2 },
        livenessProbe: {
          initialDelay: 'PT10S',
          period: 'PT5S',
          timeout: 'PT2S',
          successThreshold: 1,
          failureThreshold: 30,
        },
        scaleSettings: { scaleType: 'Default' },
      },
    });
  });

  it('Kubernetes deployments carry container resources', () => {
    const spec = deployment(`$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json
name: blue
model: azureml:m:1
environment: azureml:e:1
resources:
  requests: {cpu: "0.1", memory: 0.1Gi}
  limits: {cpu: "0.2", nvidia.com/gpu: "1"}
scale_settings: {type: target_utilization, min_instances: 1, max_instances: 3, polling_interval: 10, target_utilization_percentage: 70}
`);
    const arm = toArmDeployment(spec, { modelId: 'm', environmentId: 'e', codeId: undefined }, 'westeurope');
    expect(arm.properties).toMatchObject({
      endpointComputeType: 'Kubernetes',
      containerResourceRequirements: {
        containerResourceRequests: { cpu: '0.1', memory: '0.1Gi' },
        containerResourceLimits: { cpu: '0.2', gpu: '1' },
      },
      scaleSettings: {
        scaleType: 'TargetUtilization',
        minInstances: 1,
        maxInstances: 3,
        pollingInterval: 'PT10S',
        targetUtilizationPercentage: 70,
      },
    });
  });

  it.each([
    ['model: fraud:1\n', 1, "model: 'fraud:1' is not a model reference: write 'azureml:<name>:<version>'"],
    [
      'model: azureml:fraud\n',
      1,
      "model: model reference 'azureml:fraud' has no version: add ':<version>' or '@latest'.",
    ],
    ['environment: {conda_file: c.yml}\n', 1, "an inline environment needs exactly one of 'image' or 'build'"],
    ['model: {name: m}\n', 1, "an inline model needs 'path'"],
    ['instance_count: -1\n', 1, 'instance_count:'],
    ['code_configuration: {scoring_script: s.py}\n', 1, "code_configuration needs 'code'"],
    ['resources: {requests: {cpu: "1"}}\n', 1, "'resources' applies to Kubernetes deployments only"],
    ['data_collector: {collections: {}}\n', 1, 'data_collector needs Azure ML API 2023-04-01-preview'],
    ['scale_settings: {type: target_utilization}\n', 1, 'target_utilization is for Kubernetes deployments'],
    ['instance_typ: Standard_DS3_v2\n', 1, "unknown field 'instance_typ'"],
  ])('refuses %j with its line', (extra, line, message) => {
    const environment = extra.startsWith('environment:')
      ? 'description: inline env below\n'
      : 'environment: azureml:e:1\n';
    const base = `name: blue\n${environment}instance_type: Standard_DS3_v2\n`;
    const found = problems(() => deployment(base + extra));
    expect(found.map((p) => p.message).join('\n')).toContain(message);
    expect(found[0]?.line).toBe(3 + line);
  });

  it('a managed deployment needs an instance type and an environment or a model', () => {
    expect(problems(() => deployment('name: blue\nmodel: azureml:m:1\n')).map((p) => p.message)).toEqual([
      "a managed deployment needs 'instance_type' (e.g. Standard_DS3_v2)",
    ]);
    expect(problems(() => deployment('name: blue\ninstance_type: Standard_DS3_v2\n'))[0]?.message).toContain(
      "the deployment needs an 'environment'",
    );
  });

  it('template placeholders are reported as such, not as the syntax errors they cause', () => {
    expect(
      problems(() =>
        deployment('name: blue\nendpoint_name: {{ENDPOINT_NAME}}\nenvironment:\n  image: {{ACR}}.azurecr.io/x:1\n'),
      ),
    ).toEqual([
      {
        message:
          "unsubstituted template placeholder '{{ENDPOINT_NAME}}': replace it with a real value before deploying",
        line: 2,
        column: 16,
      },
      {
        message: "unsubstituted template placeholder '{{ACR}}': replace it with a real value before deploying",
        line: 4,
        column: 10,
      },
    ]);
  });

  it('detects the file kind', () => {
    expect(detectFileKind(YamlFile.parse(WORKSHOP_DEPLOYMENT, 'd.yml'))).toBe('deployment');
    expect(detectFileKind(YamlFile.parse('name: e\nauth_mode: key\n', 'e.yml'))).toBe('endpoint');
    expect(detectFileKind(YamlFile.parse('name: x\n', 'x.yml'))).toBeUndefined();
  });
});

describe('asset references', () => {
  it.each([
    ['azureml:fraud:7', { type: 'workspace', name: 'fraud', version: '7' }],
    ['fraud:7', { type: 'workspace', name: 'fraud', version: '7' }],
    ['azureml:fraud@latest', { type: 'workspace-label', name: 'fraud', label: 'latest' }],
    [
      'azureml://registries/azureml/models/fraud/versions/3',
      { type: 'registry', registry: 'azureml', name: 'fraud', version: '3' },
    ],
    [
      'azureml://registries/azureml/models/fraud/labels/latest',
      { type: 'registry-label', registry: 'azureml', name: 'fraud', label: 'latest' },
    ],
    [
      'azureml:/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/versions/2',
      {
        type: 'arm-id',
        id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/versions/2',
        name: 'fraud',
        version: '2',
      },
    ],
  ])('%s', (text, ref) => expect(parseAssetRef(text, 'models')).toEqual(ref));

  it('refuses what is not a reference', () => {
    expect(() => parseAssetRef('azureml://registries/r/environments/e/versions/1', 'models')).toThrow(
      'is not a model reference',
    );
    expect(() => parseAssetRef('fraud', 'models')).toThrow("has no version: add ':<version>' or '@latest'");
    expect(() => parseAssetRef('a b', 'codes')).toThrow(
      "is not a code reference: write 'azureml:<name>:<version>', 'azureml:<name>@latest'.",
    );
  });

  it('builds ARM ids', () => {
    expect(assetVersionId(scope, 'models', 'fraud', '7')).toBe(
      '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/versions/7',
    );
  });
});
