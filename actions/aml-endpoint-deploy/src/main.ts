import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import { deployToIdleSlot, DeploymentFailedError, planDeploy } from '@mlops-actions/core/aml/deploy';
import { deployFailureSummary, deploySummary, planSummary } from '@mlops-actions/core/aml/summaries';
import { formatChanges } from '@mlops-actions/core/diff';
import { logLine, printUntrusted } from '@mlops-actions/core/untrusted';
import { readDeployInputs } from './inputs.ts';

export async function run(): Promise<void> {
  await runAction(async () => {
    const { mode, deploy, failOnDrift, runUrl } = readDeployInputs();

    if (mode === 'plan') {
      const plan = await planDeploy(deploy);
      const changes = [...plan.endpointChanges, ...plan.deploymentChanges];
      core.setOutput('endpoint', plan.endpoint);
      core.setOutput('traffic', JSON.stringify(plan.traffic));
      core.setOutput('changes', JSON.stringify(changes));
      core.setOutput('has-changes', String(changes.length > 0));
      logLine(
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
      const result = await deployToIdleSlot(deploy);
      core.setOutput('deployment', result.deployment);
      core.setOutput('endpoint', result.endpoint);
      core.setOutput('scoring-uri', result.scoringUri ?? '');
      core.setOutput('model', result.model?.name ?? '');
      core.setOutput('model-version', result.model?.version ?? '');
      core.setOutput('model-id', result.model?.id ?? '');
      core.setOutput('live-deployment', result.liveDeployment ?? '');
      core.setOutput('traffic', JSON.stringify(result.traffic));
      core.setOutput('already-live', String(result.alreadyLive));
      logLine(
        `✓ ${result.endpoint}/${result.deployment} ${result.alreadyLive ? 'already serves this deployment' : 'is ready at 0 % traffic'}; live traffic unchanged: ${JSON.stringify(result.traffic)}.`,
      );
      await deploySummary(result, runUrl).write();
    } catch (error) {
      if (error instanceof DeploymentFailedError) {
        for (const [name, text] of Object.entries({
          'storage-initializer': error.logs.storageInitializer,
          'inference-server': error.logs.inferenceServer,
        })) {
          core.startGroup(`${name} log`);
          printUntrusted(text || '(empty)');
          core.endGroup();
        }
        await deployFailureSummary(error).write();
      }
      throw error;
    }
  });
}
