import * as core from '@actions/core';
import { runAction } from '@mlops-actions/core/action';
import { readAzureTarget, readTraffic, requireEndpointName } from '@mlops-actions/core/aml/action-inputs';
import { singleCase } from '@mlops-actions/core/aml/expectations';
import { swapFailureSummary, swapSummary } from '@mlops-actions/core/aml/summaries';
import { SwapFailedError, swapTrafficSafely } from '@mlops-actions/core/aml/swap';
import { InputError } from '@mlops-actions/core/errors';
import { resolveWorkspacePath } from '@mlops-actions/core/files';
import { readDuration, readEnum, readInteger, readNumber, readString } from '@mlops-actions/core/inputs';
import { parseCanarySteps } from '@mlops-actions/core/slots';

export async function run(): Promise<void> {
  await runAction(async () => {
    const azure = readAzureTarget({ defaultTimeoutMs: 10 * 60_000 });
    const endpoint = requireEndpointName(azure.target);
    const strategy = readEnum('strategy', ['swap', 'canary'] as const, { default: 'swap' }) as 'swap' | 'canary';
    let canarySteps: number[];
    try {
      canarySteps = parseCanarySteps(readString('canary-steps', { default: '10,50,100' }) as string);
    } catch (error) {
      throw new InputError('canary-steps', (error as Error).message);
    }
    const probeFile = readString('probe-request-file');
    const options = {
      endpoint,
      mode: readEnum('mode', ['promote', 'rollback'] as const, { default: 'promote' }) as 'promote' | 'rollback',
      deployment: readString('deployment'),
      slots: azure.slots,
      expectedTraffic: readTraffic('expected-traffic'),
      strategy,
      canarySteps,
      canaryWaitMs: readDuration('canary-wait', { default: 60_000 }) as number,
      probe: probeFile
        ? {
            bodies: [singleCase(resolveWorkspacePath('probe-request-file', probeFile)).body],
            requests: readInteger('probe-requests', { min: 1, max: 10_000, default: 20 }),
            concurrency: 2,
            maxErrorRate: readNumber('probe-max-error-rate', { min: 0, max: 1, default: 0 }) as number,
            maxP95Ms: readNumber('probe-max-p95-ms', { min: 0 }),
            timeoutMs: 30_000,
          }
        : undefined,
      cleanup: readEnum('cleanup', ['none', 'scale-down', 'delete'] as const, { default: 'none' }) as
        'none' | 'scale-down' | 'delete',
      scaleDownTo: readInteger('scale-down-to', { min: 1, max: 100, default: 1 }),
      previousDeployment: readString('previous-deployment'),
      operation: azure.operation,
      readBack: { attempts: 10, intervalMs: 1000 },
      log: (line: string) => core.info(line),
    };
    if (strategy === 'canary' && !probeFile)
      core.warning("Canary without 'probe-request-file': steps are not health-checked, only waited.");
    try {
      const result = await swapTrafficSafely({ ...options, connect: () => azure.connect('aml-endpoint-swap') });
      core.setOutput('live-deployment', result.liveDeployment ?? '');
      core.setOutput('previous-deployment', result.previousDeployment ?? '');
      core.setOutput('traffic', JSON.stringify(result.after));
      core.info(`✓ Endpoint ${result.endpoint}: ${JSON.stringify(result.before)} → ${JSON.stringify(result.after)}.`);
      await swapSummary(result).write();
    } catch (error) {
      if (error instanceof SwapFailedError) {
        core.setOutput('traffic', JSON.stringify(error.traffic));
        await swapFailureSummary(error, endpoint).write();
      }
      throw error;
    }
  });
}
