import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { LatencyRecorder, type LatencyStats } from '../latency.ts';

/**
 * The scoring plane: POST requests to an endpoint's scoring URI, routed to one deployment with the
 * `azureml-model-deployment` header (so tests of the idle slot never touch live traffic), authenticated with the
 * endpoint key or AML token, over keep-alive connections.
 */

export interface ScoringTarget {
  scoringUri: string;
  /** Key or AML token; sent as a bearer token. */
  credential: string;
  /** The deployment to route to; without it the endpoint's traffic weights decide. */
  deployment?: string | undefined;
  timeoutMs?: number;
}

export interface ScoreResult {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  text: string;
  latencyMs: number;
  /** The deployment that answered (response header), when the service says. */
  answeredBy: string | undefined;
  /** A network error or timeout (status 0). */
  error: string | undefined;
}

export class ScoringClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(target: ScoringTarget, options: { connections?: number } = {}) {
    const url = new URL(target.scoringUri);
    if (url.protocol !== 'https:') {
      throw new Error(
        `The scoring URI ${url.origin} is not https; refusing to send the endpoint's key over plain http.`,
      );
    }
    this.pool = new Pool(url.origin, { connections: options.connections ?? 1, pipelining: 1 });
    this.path = url.pathname + url.search;
    this.timeoutMs = target.timeoutMs ?? 60_000;
    this.headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${target.credential}`,
      ...(target.deployment && { 'azureml-model-deployment': target.deployment }),
    };
  }

  async score(body: string): Promise<ScoreResult> {
    const started = performance.now();
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: this.headers,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await response.body.text();
      const latencyMs = performance.now() - started;
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      const answeredBy = response.headers['azureml-model-deployment'];
      return {
        status: response.statusCode,
        body: parsed,
        text,
        latencyMs,
        answeredBy: typeof answeredBy === 'string' ? answeredBy : undefined,
        error: undefined,
      };
    } catch (error) {
      return {
        status: 0,
        body: undefined,
        text: '',
        latencyMs: performance.now() - started,
        answeredBy: undefined,
        error: (error as Error).message,
      };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export interface LoadStats extends LatencyStats {
  requests: number;
  /** Every answer that was not 2xx, 429s included. */
  errors: number;
  /** The 429s among them: requests the service refused (beyond what the slot admits, or the endpoint's rate). */
  throttled: number;
  errorRate: number;
  /** Status codes (0 for network errors) and how often each came. */
  statuses: Record<string, number>;
  durationMs: number;
  throughputRps: number;
}

export const TOO_MANY_REQUESTS = 429;

/**
 * N requests at concurrency C, over the given bodies in turn; every latency goes into one HDR histogram, except those
 * of 429s, which measured the service's refusal and nothing of the model.
 */
export async function runLoad(
  target: ScoringTarget,
  bodies: readonly string[],
  requests: number,
  concurrency: number,
): Promise<LoadStats> {
  const client = new ScoringClient(target, { connections: concurrency });
  const latency = new LatencyRecorder();
  const statuses: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  let throttled = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const body = bodies[next++ % bodies.length] as string;
      const result = await client.score(body);
      if (result.status === TOO_MANY_REQUESTS) throttled++;
      else latency.record(result.latencyMs);
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      if (result.status < 200 || result.status >= 300) errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  } finally {
    await client.close();
  }
  const durationMs = performance.now() - started;
  return {
    ...latency.stats(),
    requests,
    errors,
    throttled,
    errorRate: requests === 0 ? 0 : errors / requests,
    statuses,
    durationMs: Math.round(durationMs),
    throughputRps: Math.round((requests / durationMs) * 1000 * 10) / 10,
  };
}
