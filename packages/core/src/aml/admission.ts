import type { DeploymentState } from './workspace.ts';

/**
 * What a deployment admits. Azure runs `max_concurrent_requests_per_instance × instance_count` scoring requests at
 * once, lets as many again wait, and answers 429 ("Too many pending requests") to any request beyond
 * `2 × max_concurrent_requests_per_instance × instance_count` in flight. A load that ignores this measures Azure's
 * refusals, not the model.
 */
export interface SlotCapacity {
  deployment: string;
  /** `request_settings.max_concurrent_requests_per_instance` (1 when the service does not say, its default). */
  perInstance: number;
  /** `instance_count` (`sku.capacity`). */
  instances: number;
  /** Requests it runs at once. */
  running: number;
  /** Requests it takes in flight before it answers 429. */
  admitted: number;
}

/** The service's defaults: one request per instance, one instance. */
export function slotCapacity(deployment: Pick<DeploymentState, 'name' | 'capacity' | 'raw'>): SlotCapacity {
  const perInstance = Math.max(1, deployment.raw.properties.requestSettings?.maxConcurrentRequestsPerInstance ?? 1);
  const instances = Math.max(0, deployment.capacity ?? 1);
  return {
    deployment: deployment.name,
    perInstance,
    instances,
    running: perInstance * instances,
    admitted: 2 * perInstance * instances,
  };
}

function describe(capacity: SlotCapacity): string {
  return (
    `deployment ${capacity.deployment} admits ${capacity.admitted} requests in flight ` +
    `(2 × request_settings.max_concurrent_requests_per_instance ${capacity.perInstance} × instance_count ${capacity.instances})`
  );
}

export interface ConcurrencyPlan {
  concurrency: number;
  /** Set when the given concurrency is more than the slot admits: Azure will refuse the excess with 429. */
  warning: string | undefined;
}

/** The load's concurrency: what the slot admits unless one is given; a given one above that is kept, and warned of. */
export function planLoadConcurrency(given: number | undefined, capacity: SlotCapacity): ConcurrencyPlan {
  if (given === undefined) return { concurrency: Math.max(1, capacity.admitted), warning: undefined };
  if (given <= capacity.admitted) return { concurrency: given, warning: undefined };
  return {
    concurrency: given,
    warning:
      `load-concurrency ${given} is more than ${describe(capacity)}: Azure answers 429 to the excess. ` +
      `Lower load-concurrency to ${capacity.admitted}, or raise max_concurrent_requests_per_instance or instance_count.`,
  };
}

/**
 * The swap's health probe runs while the slot also serves its share of live traffic: it takes what the instances
 * run at once and leaves the waiting room to real users.
 */
export function probeConcurrency(capacity: SlotCapacity): number {
  return Math.max(1, capacity.running);
}

/** Why requests came back 429, and which setting to raise. */
export function throttledReason(
  throttled: number,
  requests: number,
  concurrency: number,
  capacity: SlotCapacity,
): string {
  const refused = `${throttled} of ${requests} requests were refused with HTTP 429 (Too Many Requests)`;
  if (concurrency > capacity.admitted) {
    return (
      `${refused}: the load ran ${concurrency} at once and ${describe(capacity)}. Lower the concurrency to ` +
      `${capacity.admitted}, or raise request_settings.max_concurrent_requests_per_instance or instance_count in the deployment file.`
    );
  }
  return (
    `${refused} although the load ran ${concurrency} at once and ${describe(capacity)}: other traffic shares the ` +
    'slot, or the endpoint reached its requests-per-second limit (500 by default, a quota increase raises it). ' +
    'Raise request_settings.max_concurrent_requests_per_instance or instance_count, or send fewer requests per second.'
  );
}
