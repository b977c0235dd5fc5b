import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import { listenForCancellation } from '@mlops-actions/core/cancellation';
import { swapFailureSummary, swapSummary } from '@mlops-actions/core/aml/summaries';
import { SwapFailedError, swapTrafficSafely } from '@mlops-actions/core/aml/swap';
import { logLine } from '@mlops-actions/core/untrusted';
import { readSwapInputs } from './inputs.ts';

export async function run(): Promise<void> {
  await runAction(async () => {
    const request = readSwapInputs();
    try {
      // The runner cancels with SIGINT, then SIGTERM: the swap puts the recorded split back before it exits.
      const cancelled = listenForCancellation((line) => core.info(line));
      const result = await swapTrafficSafely({ ...request, cancelled });
      core.setOutput('live-deployment', result.liveDeployment ?? '');
      core.setOutput('previous-deployment', result.previousDeployment ?? '');
      core.setOutput('traffic', JSON.stringify(result.after));
      logLine(`✓ Endpoint ${result.endpoint}: ${JSON.stringify(result.before)} → ${JSON.stringify(result.after)}.`);
      await swapSummary(result).write();
    } catch (error) {
      if (error instanceof SwapFailedError) {
        core.setOutput('traffic', JSON.stringify(error.traffic));
        await swapFailureSummary(error, request.endpoint).write();
      }
      throw error;
    }
  });
}
