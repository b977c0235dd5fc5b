import * as core from '@actions/core';
import { readAzureTarget, readTraffic, requireEndpointName } from '@mlops-actions/core/aml/action-inputs';
import { singleCase } from '@mlops-actions/core/aml/expectations';
import type { HealthProbe, SwapRequest } from '@mlops-actions/core/aml/swap';
import { InputError } from '@mlops-actions/core/errors';
import { resolveWorkspacePath } from '@mlops-actions/core/files';
import { TestRecordSchema } from '@mlops-actions/core/aml/tested-identity';
import {
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readJson,
  readNumber,
  readString,
} from '@mlops-actions/core/inputs';
import { parseCanarySteps } from '@mlops-actions/core/slots';
import { logLine } from '@mlops-actions/core/untrusted';

/** Every input of aml-endpoint-swap, read and checked in one place before anything is sent to Azure. */
export function readSwapInputs(): SwapRequest {
  const azure = readAzureTarget({ defaultTimeoutMs: 10 * 60_000 });
  const strategy = readEnum('strategy', ['swap', 'canary'], { default: 'swap' });
  const probe = readProbe();
  const request: SwapRequest = {
    endpoint: requireEndpointName(azure.target),
    mode: readEnum('mode', ['promote', 'rollback'], { default: 'promote' }),
    deployment: readString('deployment'),
    slots: azure.slots,
    expectedTraffic: readTraffic('expected-traffic'),
    strategy,
    canarySteps: readCanarySteps(),
    canaryWaitMs: readDuration('canary-wait', { default: 60_000 }),
    probe,
    cleanup: readEnum('cleanup', ['none', 'scale-down', 'delete'], { default: 'none' }),
    // A managed deployment has 1 to 50 instances; Azure would refuse more only after traffic has moved.
    scaleDownTo: readInteger('scale-down-to', { min: 1, max: 50, default: 1 }),
    previousDeployment: readString('previous-deployment'),
    requireTested: readBoolean('require-tested', true),
    testRecord: readJson('test-record', TestRecordSchema),
    operation: azure.operation,
    readBack: { timeoutMs: readDuration('read-back-timeout', { default: 120_000 }), intervalMs: 2000 },
    log: (line: string) => logLine(line),
    warn: (line: string) => core.warning(line),
    connect: () => azure.connect('aml-endpoint-swap'),
  };
  if (strategy === 'canary' && !probe)
    core.warning("Canary without 'probe-request-file': steps are not health-checked, only waited.");
  return request;
}

function readCanarySteps(): number[] {
  try {
    return parseCanarySteps(readString('canary-steps', { default: '10,50,100' }));
  } catch (error) {
    throw new InputError('canary-steps', (error as Error).message);
  }
}

function readProbe(): HealthProbe | undefined {
  const probeFile = readString('probe-request-file');
  if (!probeFile) return undefined;
  return {
    bodies: [singleCase(resolveWorkspacePath('probe-request-file', probeFile)).body],
    requests: readInteger('probe-requests', { min: 1, max: 10_000, default: 20 }),
    maxErrorRate: readNumber('probe-max-error-rate', { min: 0, max: 1, default: 0 }),
    maxP95Ms: readNumber('probe-max-p95-ms', { min: 0 }),
    timeoutMs: 30_000,
  };
}
