import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { AzureLogin } from './auth.ts';

/** The one place the Azure ML management client is made: same retries, user agent and endpoint everywhere. */

export const USER_AGENT = 'mlops-actions/0.1.0';

export interface ClientOptions {
  /** Retries of throttled (429, honouring Retry-After), failed (5xx) and dropped requests. */
  maxRetries?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Extra user agent text, e.g. the action's name. */
  userAgent?: string;
  /** A request with no answer after this long fails (and is retried) instead of hanging the job. */
  requestTimeoutMs?: number;
}

export function createMlClient(login: AzureLogin, options: ClientOptions = {}): AzureMachineLearningWorkspaces {
  const endpoint = login.armEndpoint;
  return new AzureMachineLearningWorkspaces(login.credential, login.subscriptionId, {
    // The generated client builds URLs from $host and authenticates for `endpoint`: both must point at the cloud.
    $host: endpoint,
    endpoint,
    credentialScopes: [`${endpoint}/.default`],
    userAgentOptions: { userAgentPrefix: [USER_AGENT, options.userAgent].filter(Boolean).join(' ') },
    retryOptions: {
      maxRetries: options.maxRetries ?? 4,
      retryDelayInMs: options.retryDelayMs ?? 1000,
      maxRetryDelayInMs: options.maxRetryDelayMs ?? 30_000,
    },
    additionalPolicies: [{ policy: requestTimeoutPolicy(options.requestTimeoutMs ?? 60_000), position: 'perRetry' }],
  });
}

function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'mlopsRequestTimeout',
    sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}
