/**
 * Scoring admission, as the service documents it (see the README's "Admission" rules):
 *
 * - per deployment, `max_concurrent_requests_per_instance × instances` requests run at once, as many again wait for
 *   a slot, and a request beyond `2 × max_concurrent_requests_per_instance × instances` is refused at once with
 *   429 "Too many pending requests";
 * - a waiting request of a managed deployment waits at most its `request_timeout` (`maxQueueWait` is deprecated for
 *   managed endpoints: the wait counts against the request timeout, 408); a Kubernetes deployment's waits at most
 *   `maxQueueWait` (503, as the inference router did for `maxQueueWaitMs`);
 * - per endpoint, at most `requestsPerSecond` requests in any second (429 "Rate-limiting").
 */

export interface AdmissionSettings {
  /** `requestSettings.maxConcurrentRequestsPerInstance` of the serving version. */
  perInstance: number;
  /** `sku.capacity`. */
  instances: number;
  /** How long a request may wait for a slot, and what it gets when that runs out. */
  maxWaitMs: number;
  onExpiry: 408 | 503;
}

export type Admission =
  | { admitted: true; waitedMs: number; release: () => void }
  | { admitted: false; status: 408 | 429 | 503; message: string; waitedMs: number };

interface Waiter {
  grant: () => void;
}

interface Gate {
  running: number;
  capacity: number;
  queue: Waiter[];
}

/** What the slot admits: twice what its instances run at once. */
export function admittedInFlight(settings: Pick<AdmissionSettings, 'perInstance' | 'instances'>): number {
  return 2 * settings.perInstance * settings.instances;
}

export class AdmissionControl {
  private readonly gates = new Map<string, Gate>();
  private readonly recent = new Map<string, number[]>();

  /** Counts a request against its endpoint's rate; false when the last second already had `limit` requests. */
  withinRate(endpoint: string, limit: number, now = performance.now()): boolean {
    if (!Number.isFinite(limit) || limit <= 0) return true;
    let window = this.recent.get(endpoint);
    if (window === undefined) this.recent.set(endpoint, (window = []));
    // Times only grow: the expired ones are at the front, dropped in place rather than the window copied per request.
    while (window.length > 0 && now - (window[0] as number) >= 1000) window.shift();
    if (window.length >= limit) return false;
    window.push(now);
    return true;
  }

  /** Admits a request to a deployment (`key`), now, after a wait for a slot, or not at all. */
  async enter(key: string, settings: AdmissionSettings): Promise<Admission> {
    const gate = this.gates.get(key) ?? { running: 0, capacity: 0, queue: [] };
    this.gates.set(key, gate);
    gate.capacity = settings.perInstance * settings.instances;
    const limit = admittedInFlight(settings);
    if (gate.running + gate.queue.length >= limit) {
      return {
        admitted: false,
        status: 429,
        waitedMs: 0,
        message:
          `Too many pending requests: the deployment admits ${limit} requests in flight ` +
          `(2 × max_concurrent_requests_per_instance ${settings.perInstance} × instance count ${settings.instances}).`,
      };
    }
    const started = performance.now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.leave(gate);
    };
    if (gate.running < gate.capacity) {
      gate.running++;
      return { admitted: true, waitedMs: 0, release };
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          gate.running++;
          resolve({ admitted: true, waitedMs: performance.now() - started, release });
        },
      };
      const timer = setTimeout(() => {
        gate.queue.splice(gate.queue.indexOf(waiter), 1);
        const waitedMs = Math.round(performance.now() - started);
        resolve(
          settings.onExpiry === 408
            ? {
                admitted: false,
                status: 408,
                waitedMs,
                message: `Request timeout: the request waited ${waitedMs} ms for a free slot, longer than request_timeout_ms ${settings.maxWaitMs}.`,
              }
            : {
                admitted: false,
                status: 503,
                waitedMs,
                message: `Service unavailable: the request waited in the queue longer than max_queue_wait_ms ${settings.maxWaitMs}.`,
              },
        );
      }, settings.maxWaitMs);
      gate.queue.push(waiter);
    });
  }

  private leave(gate: Gate): void {
    gate.running--;
    while (gate.running < gate.capacity && gate.queue.length > 0) gate.queue.shift()?.grant();
  }
}
