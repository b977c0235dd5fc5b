import { readAzureTarget } from '@mlops-actions/core/aml/action-inputs';
import { TAG_PREFIX, type DeployOptions } from '@mlops-actions/core/aml/deploy';
import { InputError } from '@mlops-actions/core/errors';
import { resolveWorkspacePath } from '@mlops-actions/core/files';
import { readBoolean, readEnum, readString } from '@mlops-actions/core/inputs';
import { readReleaseManifest } from '@mlops-actions/core/release-manifest';
import { runContext } from '@mlops-actions/core/run-context';
import { logLine } from '@mlops-actions/core/untrusted';

/** Every input of aml-endpoint-deploy, read and checked in one place before anything is sent to Azure. */
export interface DeployInputs {
  mode: 'deploy' | 'plan';
  deploy: DeployOptions;
  /** Plan mode: a difference between git and the endpoint fails the step. */
  failOnDrift: boolean;
  runUrl: string | undefined;
}

export function readDeployInputs(): DeployInputs {
  const azure = readAzureTarget({ defaultTimeoutMs: 30 * 60_000 });
  const mode = readEnum('mode', ['deploy', 'plan'], { default: 'deploy' });
  const manifestPath = readString('manifest');
  const model = readString('model');
  if (manifestPath && model)
    throw new InputError(
      'model',
      "and 'manifest' are both set: production deploys the manifest's model; remove 'model'.",
    );
  const context = runContext();
  return {
    mode,
    deploy: {
      endpointFile: resolveWorkspacePath('endpoint-file', readString('endpoint-file', { required: true })),
      deploymentFile: resolveWorkspacePath('deployment-file', readString('deployment-file', { required: true })),
      endpointName: azure.target.endpoint,
      slots: azure.slots,
      model,
      defaultModelName: azure.target.model,
      manifest: manifestPath ? readReleaseManifest(resolveWorkspacePath('manifest', manifestPath)) : undefined,
      tags: {
        ...(context.commit && { [`${TAG_PREFIX}commit`]: context.commit }),
        ...(context.runUrl && { [`${TAG_PREFIX}run`]: context.runUrl }),
      },
      operation: azure.operation,
      log: (line: string) => logLine(line),
      connect: () => azure.connect('aml-endpoint-deploy'),
    },
    failOnDrift: readBoolean('fail-on-drift', false),
    runUrl: context.runUrl,
  };
}
