/**
 * Every endpoint and deployment YAML of Azure/azureml-examples (cli/endpoints/online, copied under
 * ../shared/reference) goes through the parser and the ARM translation: each is accepted, or refused for the reason
 * this table names. A file that starts failing, or starts passing, breaks the test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseDeployment, parseEndpoint } from '../../src/azure/spec.ts';
import { toArmDeployment, toArmEndpoint } from '../../src/azure/translate.ts';
import { YamlFile } from '../../src/yaml-file.ts';

const REFERENCE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'reference',
  'azureml-examples',
  'cli',
  'endpoints',
  'online',
);
const present = existsSync(REFERENCE);
if (!present) {
  if (process.env['REQUIRE_REFERENCE'] === '1') throw new Error(`REQUIRE_REFERENCE=1 but ${REFERENCE} is missing`);
  process.stdout.write(
    `[skipped] spec-reference: the reference YAML files are not at ${REFERENCE} (a clone without ../shared).\n`,
  );
}

/** Files the CLI refuses too, and why (a substring of our message). */
const REFUSED: Record<string, string> = {
  'custom-container/minimal/multimodel/minimal-multimodel-deployment.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/minimal/multimodel/minimal-multimodel-endpoint.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/minimal/single-model/conda-in-dockerfile/minimal-single-model-conda-in-dockerfile-deployment.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/minimal/single-model/conda-in-dockerfile/minimal-single-model-conda-in-dockerfile-endpoint.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/minimal/single-model/minimal-single-model-endpoint.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/minimal/single-model/pip-in-dockerfile/minimal-single-model-pip-in-dockerfile-deployment.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/mlflow/multideployment-scikit/mlflow-deployment.yml':
    "unsubstituted template placeholder '{{deployment_name}}'",
  'custom-container/mlflow/multideployment-scikit/mlflow-endpoint.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/r/multimodel-plumber/r-deployment.yml': "unsubstituted template placeholder '{{ACR_NAME}}'",
  'custom-container/tfserving/half-plus-two-integrated/half-plus-two-integrated-deployment.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/tfserving/half-plus-two/tfserving-deployment.yml':
    "unsubstituted template placeholder '{{MODEL_VERSION}}'",
  'custom-container/torchserve/densenet/torchserve-deployment.yml': "unsubstituted template placeholder '{{ACR_NAME}}'",
  'custom-container/triton/single-model/triton-cc-deployment.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'custom-container/triton/single-model/triton-cc-endpoint.yml':
    "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  'managed/minimal/single-model-registered/deployment.yml': "unsubstituted template placeholder '{{ENDPOINT_NAME}}'",
  // Data collection is not in the 2022-10-01 API that @azure/arm-machinelearning 2.1.1 speaks.
  'data-collector/custom-blob-storage/custom-blob-storage.YAML': 'data_collector needs Azure ML API 2023-04-01-preview',
  'data-collector/workspace-blob-storage/workspace-blob-storage-custom1.YAML':
    'data_collector needs Azure ML API 2023-04-01-preview',
  'data-collector/workspace-blob-storage/workspace-blob-storage-custom2.YAML':
    'data_collector needs Azure ML API 2023-04-01-preview',
  'data-collector/workspace-blob-storage/workspace-blob-storage-payload1.YAML':
    'data_collector needs Azure ML API 2023-04-01-preview',
  'data-collector/workspace-blob-storage/workspace-blob-storage-payload2.YAML':
    'data_collector needs Azure ML API 2023-04-01-preview',
  // The CLI's name rule (validate_endpoint_or_deployment_name) refuses underscores.
  'deploy-with-packages/custom-model/model-deployment.yml': "'regular_deployment' is not a valid deployment name",
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.ya?ml$/i.test(name) ? [path] : [];
  });
}

/** Endpoint and deployment files, told apart by $schema (the data-collector samples have none: deployments). */
function kindOf(text: string): 'endpoint' | 'deployment' | undefined {
  const schema = /^\$schema:\s*\S*\/(\w+)\.schema\.json/m.exec(text)?.[1];
  if (schema)
    return /OnlineEndpoint$/.test(schema) ? 'endpoint' : /OnlineDeployment$/.test(schema) ? 'deployment' : undefined;
  return /^endpoint_name:/m.test(text) && /^instance_type:/m.test(text) ? 'deployment' : undefined;
}

const files = present
  ? walk(REFERENCE)
      .map((path) => ({ path, name: relative(REFERENCE, path), kind: kindOf(readFileSync(path, 'utf8')) }))
      .filter(
        (file): file is { path: string; name: string; kind: 'endpoint' | 'deployment' } => file.kind !== undefined,
      )
      .sort((a, b) => a.name.localeCompare(b.name))
  : [];

const scope = { subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg', workspace: 'ws' };
const assets = { modelId: 'model-id', environmentId: 'env-id', codeId: 'code-id' };

(present ? describe : describe.skip)('azureml-examples endpoint and deployment YAML', () => {
  const outcome = { accepted: 0, refused: 0 };

  afterAll(() => {
    process.stdout.write(
      `spec-reference: ${files.length} files, ${outcome.accepted} accepted, ${outcome.refused} refused (each for the reason in the table)\n`,
    );
  });

  it('finds the reference files', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const name of Object.keys(REFUSED)) expect(files.map((f) => f.name)).toContain(name);
  });

  it.each(files.map((file) => [file.name, file] as const))('%s', (_, file) => {
    const parse = () => {
      const yaml = YamlFile.read(file.path);
      if (file.kind === 'endpoint') return toArmEndpoint(parseEndpoint(yaml), 'westeurope', scope);
      return toArmDeployment(parseDeployment(yaml), assets, 'westeurope');
    };
    const reason = REFUSED[file.name];
    if (reason) {
      expect(parse).toThrow(reason);
      outcome.refused++;
    } else {
      const arm = parse();
      expect(arm.location).toBe('westeurope');
      if (file.kind === 'endpoint') expect(arm.properties).not.toHaveProperty('traffic');
      outcome.accepted++;
    }
  });
});
