import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { formatDuration } from '../duration.ts';
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

/**
 * A request with no answer within `timeoutMs` is abandoned and fails as `ETIMEDOUT`, which the SDK's retry policy
 * retries as it does a dropped connection. (The pipeline's own `request.timeout` ends in an AbortError, which it never
 * retries: a hung request would fail the step at once, against what `max-retries` promises.) Runs per retry, so each
 * attempt gets the whole time; an abort from the caller (an operation's timeout) still stops it and is not retried.
 */
export function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'mlopsRequestTimeout',
    async sendRequest(request, next) {
      const callerSignal = request.abortSignal;
      const attempt = new AbortController();
      const forward = () => attempt.abort();
      if (callerSignal?.aborted) attempt.abort();
      callerSignal?.addEventListener('abort', forward, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, timeoutMs);
      request.abortSignal = attempt.signal;
      try {
        return await next(request);
      } catch (error) {
        if (!timedOut || callerSignal?.aborted) throw error;
        const path = new URL(request.url).pathname;
        throw new RestError(`${request.method} ${path}: no answer within ${formatDuration(timeoutMs)}`, {
          code: 'ETIMEDOUT',
          request,
        });
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', forward);
        request.abortSignal = callerSignal;
      }
    },
  };
}
