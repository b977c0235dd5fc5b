import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../duration.ts';
import { UserError } from '../errors.ts';
import { armErrorBody, describeDetails, type ArmErrorBody } from './service-error.ts';
import { logLine } from '../untrusted.ts';
import { nextPollDelayMs, retryAfterMs, type ResponseHeaders } from './poll-schedule.ts';

/**
 * Long-running ARM operations, followed: a progress line at least every 30 s (state and time elapsed), a timeout
 * that stops waiting, polls on the schedule of poll-schedule.ts (the service's `Retry-After` when it sends one), and
 * failures turned into typed errors that carry the service's own code and message.
 */

/** An error the Azure service returned: its HTTP status, its `error.code`, its message and details. */
export class AzureServiceError extends Error {
  override name = 'AzureServiceError';
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly details: unknown;

  constructor(message: string, code: string, statusCode?: number, details?: unknown) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

/** The operation ran and ended Failed or Canceled. */
export class OperationFailedError extends AzureServiceError {
  override name = 'OperationFailedError';
}

/** We stopped waiting; the operation may still be running in Azure. */
export class OperationTimeoutError extends Error {
  override name = 'OperationTimeoutError';
  readonly lastState: string | undefined;

  constructor(message: string, lastState: string | undefined) {
    super(message);
    this.lastState = lastState;
  }
}

interface RestErrorLike {
  name?: string;
  message: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
  response?: { bodyAsText?: string | null };
}

const LRO_FAILURE = /^The long-running operation has failed\. ([^.\s]+)\. ([\s\S]*)$/;

/**
 * The service's code and message from anything the SDK throws: a RestError (ARM error body), the poller's failure
 * ("The long-running operation has failed. <code>. <message>") or a network error.
 */
export function toServiceError(error: unknown, action: string, operationError?: ArmErrorBody): Error {
  if (error instanceof AzureServiceError || error instanceof OperationTimeoutError || error instanceof UserError)
    return error;
  if (!(error instanceof Error)) return new Error(`${action} failed: ${String(error)}`);
  const rest = error as RestErrorLike;
  const failed = LRO_FAILURE.exec(rest.message);
  if (failed) {
    const [, code, message] = failed as unknown as [string, string, string];
    // The poller's message drops the status body's `details`; the last status read carries them.
    const details = operationError?.code === code ? operationError.details : undefined;
    return new OperationFailedError(
      `${action} failed: ${code}: ${message}${describeDetails(details)}`,
      code,
      undefined,
      details,
    );
  }
  if (rest.name === 'RestError') {
    const body = armErrorBody(rest.response?.bodyAsText);
    const code = body?.code ?? rest.code ?? (rest.statusCode ? `HTTP${rest.statusCode}` : 'RequestFailed');
    const message = body?.message ?? rest.message;
    const status = rest.statusCode ? ` (HTTP ${rest.statusCode})` : '';
    const details = body?.details ?? rest.details;
    return new AzureServiceError(
      `${action} failed${status}: ${code}: ${message}${describeDetails(details)}`,
      code,
      rest.statusCode,
      details,
    );
  }
  return new Error(`${action} failed: ${rest.message}`);
}

/** The part of the SDK's poller this needs (core-lro's PollerLike): one poll at a time, on our schedule. */
export interface PollerLike<T> {
  /** One status read; throws the operation's error once it has failed. */
  poll(options?: { abortSignal?: AbortSignal }): Promise<void>;
  isDone(): boolean;
  getResult(): T | undefined;
  stopPolling(): void;
}

export interface BeginOptions {
  abortSignal: AbortSignal;
  /** Sees every response of the operation, polls included (the SDK passes it to each request). */
  onResponse: (response: { bodyAsText?: string | null; headers?: ResponseHeaders }) => void;
}

export interface FollowOptions {
  /** What is being done, for progress lines and errors: "Creating deployment green on endpoint fraud". */
  action: string;
  timeoutMs: number;
  /** How often a progress line is printed; at most 30 s. */
  progressEveryMs?: number;
  /** The shortest time between polls when the service gives no Retry-After (see poll-schedule.ts). */
  pollIntervalMs?: number;
  /** Reads the resource's state (e.g. provisioningState) for progress lines and the timeout message. */
  readState?: () => Promise<string | undefined>;
  log?: (line: string) => void;
  /** Stops waiting when aborted (the step is being cancelled); the operation itself goes on in Azure. */
  signal?: AbortSignal | undefined;
}

/** We stopped waiting because the step was cancelled; the operation may still be running in Azure. */
export class OperationAbandonedError extends Error {
  override name = 'OperationAbandonedError';
}

export async function followOperation<T>(
  begin: (options: BeginOptions) => Promise<PollerLike<T>>,
  options: FollowOptions,
): Promise<T> {
  const log = options.log ?? ((line: string) => logLine(line));
  const started = Date.now();
  const controller = new AbortController();
  let lastState: string | undefined;
  /** The `error` of the last response that had one: a failed status read, with its nested details. */
  let lastError: ArmErrorBody | undefined;
  /** The wait the last response asked for (`Retry-After`), if it asked. */
  let askedWaitMs: number | undefined;
  const readState = async () => {
    try {
      lastState = (await options.readState?.()) ?? lastState;
    } catch {
      // A failed progress read must not fail the operation; the next one may work.
    }
    return lastState;
  };
  const progressEveryMs = Math.min(options.progressEveryMs ?? 30_000, 30_000);
  const progress = setInterval(() => {
    void readState().then((state) =>
      log(`… ${options.action}: ${state ?? 'in progress'} (${formatDuration(Date.now() - started)} elapsed)`),
    );
  }, progressEveryMs);
  // The timeout aborts the polling (and any request in flight) and wins even if the poller ignores the abort.
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let poller: PollerLike<T> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      // Stop the poller's own timers too: an abandoned operation must not keep the step alive.
      poller?.stopPolling();
      reject(new Error('timeout'));
    }, options.timeoutMs);
  });
  const stopWaiting = () => {
    controller.abort();
    poller?.stopPolling();
  };
  options.signal?.addEventListener('abort', stopWaiting, { once: true });
  try {
    if (options.signal?.aborted) stopWaiting();
    const work = (async () => {
      poller = await begin({
        abortSignal: controller.signal,
        onResponse: (response) => {
          lastError = armErrorBody(response.bodyAsText) ?? lastError;
          askedWaitMs = retryAfterMs(response.headers);
        },
      });
      try {
        // Our loop, not the SDK's pollUntilDone: its interval is fixed, ours grows with the time elapsed.
        while (!poller.isDone()) {
          const wait = nextPollDelayMs(Date.now() - started, options.pollIntervalMs, askedWaitMs);
          await delay(wait, undefined, { signal: controller.signal });
          await poller.poll({ abortSignal: controller.signal });
        }
        // Done and not failed (poll throws then): the result is the operation's, undefined only for a void one.
        return poller.getResult() as T;
      } finally {
        poller.stopPolling();
      }
    })();
    // Once the timeout wins, the aborted work's rejection is expected; keep it from surfacing as unhandled.
    work.catch(() => undefined);
    const result = await Promise.race([work, timeout]);
    log(`✓ ${options.action}: done in ${formatDuration(Date.now() - started)}`);
    return result;
  } catch (error) {
    if (timedOut) {
      await readState();
      throw new OperationTimeoutError(
        `${options.action} did not finish within ${formatDuration(options.timeoutMs)} ` +
          `(last state: ${lastState ?? 'unknown'}). It may still be running in Azure; raise 'timeout' if it needs longer.`,
        lastState,
      );
    }
    if (options.signal?.aborted) {
      throw new OperationAbandonedError(
        `${options.action}: stopped waiting because the step was cancelled; the operation may still be running in Azure.`,
      );
    }
    throw toServiceError(error, options.action, lastError);
  } finally {
    clearInterval(progress);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stopWaiting);
  }
}
