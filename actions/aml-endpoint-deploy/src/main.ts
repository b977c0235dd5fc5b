import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import { readAzureTarget } from '@mlops-actions/core/aml/action-inputs';
import { deployToIdleSlot, DeploymentFailedError, planDeploy, TAG_PREFIX } from '@mlops-actions/core/aml/deploy';
import { deployFailureSummary, deploySummary, planSummary } from '@mlops-actions/core/aml/summaries';
import { formatChanges } from '@mlops-actions/core/diff';
import { InputError } from '@mlops-actions/core/errors';
import { resolveWorkspacePath } from '@mlops-actions/core/files';
import { readBoolean, readEnum, readString } from '@mlops-actions/core/inputs';
import { readReleaseManifest } from '@mlops-actions/core/release-manifest';
import { runContext } from '@mlops-actions/core/run-context';

export async function run(): Promise<void> {
  await runAction(async () => {
    const azure = readAzureTarget({ defaultTimeoutMs: 30 * 60_000 });
    const mode = readEnum('mode', ['deploy', 'plan'] as const, { default: 'deploy' });
    const manifestPath = readString('manifest');
    const model = readString('model');
    if (manifestPath && model)
      throw new InputError(
        'model',
        "and 'manifest' are both set: production deploys the manifest's model; remove 'model'.",
      );
    const context = runContext();
    const options = {
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
      log: (line: string) => core.info(line),
    };
    const failOnDrift = readBoolean('fail-on-drift', false);
    const connect = () => azure.connect('aml-endpoint-deploy');

    if (mode === 'plan') {
      const plan = await planDeploy({ ...options, connect });
      const changes = [...plan.endpointChanges, ...plan.deploymentChanges];
      core.setOutput('endpoint', plan.endpoint);
      core.setOutput('traffic', JSON.stringify(plan.traffic));
      core.setOutput('changes', JSON.stringify(changes));
      core.setOutput('has-changes', String(changes.length > 0));
      core.info(
        changes.length
          ? `Differences between git and endpoint ${plan.endpoint}:\n${formatChanges(changes)}`
          : `Endpoint ${plan.endpoint} matches the YAML.`,
      );
      await planSummary(plan).write();
      if (failOnDrift && changes.length > 0)
        throw new Error(`Endpoint ${plan.endpoint} has drifted from git (${changes.length} difference(s)); see above.`);
      return;
    }

    try {
      const result = await deployToIdleSlot({ ...options, connect });
      core.setOutput('deployment', result.deployment);
      core.setOutput('endpoint', result.endpoint);
      core.setOutput('scoring-uri', result.scoringUri ?? '');
      core.setOutput('model', result.model?.name ?? '');
      core.setOutput('model-version', result.model?.version ?? '');
      core.setOutput('model-id', result.model?.id ?? '');
      core.setOutput('live-deployment', result.liveDeployment ?? '');
      core.setOutput('traffic', JSON.stringify(result.traffic));
      core.info(
        `✓ ${result.endpoint}/${result.deployment} is ready at 0 % traffic; live traffic unchanged: ${JSON.stringify(result.traffic)}.`,
      );
      await deploySummary(result, context.runUrl).write();
    } catch (error) {
      if (error instanceof DeploymentFailedError) {
        for (const [name, text] of Object.entries({
          'storage-initializer': error.logs.storageInitializer,
          'inference-server': error.logs.inferenceServer,
        })) {
          core.startGroup(`${name} log`);
          core.info(text || '(empty)');
          core.endGroup();
        }
        await deployFailureSummary(error).write();
      }
      throw error;
    }
  });
}
