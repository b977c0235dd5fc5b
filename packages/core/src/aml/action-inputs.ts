import { describeLogin, planLogin } from '../azure/login.ts';
import { DEFAULT_MIN_POLL_INTERVAL_MS } from '../azure/poll-schedule.ts';
import { readEnvFile, resolveTarget, type Target } from '../env-file.ts';
import { resolveWorkspacePath } from '../files.ts';
import { z } from 'zod';
import { readDuration, readInteger, readJson, readList, readString } from '../inputs.ts';
import { InputError } from '../errors.ts';
import { logLine } from '../untrusted.ts';
import type { AmlWorkspace, OperationSettings } from './workspace.ts';

/**
 * The inputs the three Azure ML actions share (sign-in, workspace, endpoint, slots, waiting), read and checked in
 * one place. Reading them makes no call to Azure and loads none of its SDKs: a bad input fails in milliseconds.
 */

export interface AzureTarget {
  target: Target;
  slots: [string, string];
  operation: OperationSettings;
  /** Loads the Azure SDKs and returns the workspace client; the first Azure call happens only when it is used. */
  connect(userAgent: string): Promise<AmlWorkspace>;
}

export function readAzureTarget(options: { defaultTimeoutMs: number }): AzureTarget {
  const envFilePath = readString('env-file');
  const envFile = envFilePath ? readEnvFile(resolveWorkspacePath('env-file', envFilePath)) : undefined;
  if (envFile && envFile.ignoredKeys.length > 0)
    logLine(`${envFile.path}: not used here: ${envFile.ignoredKeys.join(', ')}.`);
  const target = resolveTarget(
    {
      resourceGroup: readString('resource-group'),
      workspace: readString('workspace'),
      endpoint: readString('endpoint'),
    },
    envFile,
  );
  const slots = readList('slots', { default: ['green', 'blue'] });
  const [first, second] = slots;
  if (slots.length !== 2 || first === undefined || second === undefined || first === second) {
    throw new InputError('slots', `is '${slots.join(',')}': give two different deployment names, e.g. 'green,blue'.`);
  }
  const login = planLogin({
    clientId: readString('client-id'),
    tenantId: readString('tenant-id'),
    subscriptionId: readString('subscription-id'),
    azureCredentials: readCredentialsJson(),
    audience: readString('audience'),
    armEndpoint: readString('arm-endpoint'),
    authorityHost: readString('authority-host'),
  });
  const maxRetries = readInteger('max-retries', { min: 0, max: 10, default: 4 });
  const requestTimeoutMs = readDuration('arm-request-timeout', { default: 60_000, max: 600_000 });
  const operation: OperationSettings = {
    timeoutMs: readDuration('timeout', { default: options.defaultTimeoutMs, max: 6 * 3_600_000 }),
    pollIntervalMs: readDuration('poll-interval', { default: DEFAULT_MIN_POLL_INTERVAL_MS }),
    progressEveryMs: 30_000,
    log: (line) => logLine(line),
  };
  return {
    target,
    slots: [first, second],
    operation,
    async connect(userAgent: string) {
      // Said before the SDKs load, so the log shows progress at once.
      logLine(describeLogin(login));
      const [{ credentialFor }, { createMlClient }, { AmlWorkspace }] = await Promise.all([
        import('../azure/auth.ts'),
        import('../azure/client.ts'),
        import('./workspace.ts'),
      ]);
      const azure = credentialFor(login);
      return new AmlWorkspace(
        createMlClient(azure, { userAgent, maxRetries, requestTimeoutMs }),
        { resourceGroup: target.resourceGroup, workspace: target.workspace },
        { credential: azure.credential },
      );
    },
  };
}

/** The service principal's JSON, as `creds` (azure/login's name for it) or `azure-credentials` (the workshop's). */
function readCredentialsJson(): string | undefined {
  // Masked by planLogin before anything can print it: the whole document and its secret values, but not a bare
  // JSON literal such as `null`, which is no secret and would hide that word all over the log.
  const creds = readString('creds');
  const azureCredentials = readString('azure-credentials');
  if (creds && azureCredentials)
    throw new InputError('creds', "and 'azure-credentials' are both set: they are the same secret; keep one.");
  return creds ?? azureCredentials;
}

export function requireEndpointName(target: Target): string {
  if (!target.endpoint) {
    throw new InputError('endpoint', "is required: set it, or 'endpoint' in the env file.");
  }
  return target.endpoint;
}

const TrafficSchema = z.record(z.string(), z.number().int().min(0).max(100));

/** A traffic map input such as the deploy step's `traffic` output: `{"green":100,"blue":0}`. */
export function readTraffic(name: string): Record<string, number> | undefined {
  const traffic = readJson(name, TrafficSchema);
  const total = Object.values(traffic ?? {}).reduce((sum, percent) => sum + percent, 0);
  if (traffic && total !== 0 && total !== 100) {
    throw new InputError(
      name,
      `is ${JSON.stringify(traffic)}, which sums to ${total}: a traffic split sums to 100 (or 0 with no traffic).`,
    );
  }
  return traffic;
}
