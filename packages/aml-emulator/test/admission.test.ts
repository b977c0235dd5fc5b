/**
 * Scoring admission: what a deployment takes in flight (2 × max_concurrent_requests_per_instance × instances), how
 * long a request waits for a slot, and the endpoint's requests per second.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keyEndpoint, LINEAR_V1, managedDeployment, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;
let key: string;
const ENDPOINT = 'ep-admit';
/** Long enough that requests sent together overlap in the model. */
const MODEL_MS = 400;

async function deploy(
  name: string,
  version: string,
  requestSettings: Record<string, unknown>,
  options: { capacity?: number; kubernetes?: boolean } = {},
): Promise<void> {
  const model = await h.registerModel('slow', version, LINEAR_V1);
  h.emulator.faults.model('slow', version, { latencyMs: MODEL_MS });
  const base = managedDeployment(model, 'Standard_DS3_v2', options.capacity ?? 1);
  await h.client.onlineDeployments.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    ENDPOINT,
    name,
    {
      ...base,
      properties: {
        ...base.properties,
        ...(options.kubernetes === true && { endpointComputeType: 'Kubernetes' as const }),
        requestSettings,
      },
    },
    h.poll,
  );
}

async function scoreTogether(deployment: string, count: number): Promise<{ status: number; message: string }[]> {
  const answers = await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(`${h.emulator.urls.arm}online/${ENDPOINT}/score`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          'azureml-model-deployment': deployment,
        },
        body: JSON.stringify({ data: [[1, 2, 3]] }),
      });
      const body = (await response.json()) as { message?: string };
      return { status: response.status, message: body.message ?? '' };
    }),
  );
  return answers.sort((a, b) => a.status - b.status);
}

beforeAll(async () => {
  h = await startHarness();
  await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(
    h.resourceGroup,
    h.workspace,
    ENDPOINT,
    keyEndpoint(),
    h.poll,
  );
  key = (await h.client.onlineEndpoints.listKeys(h.resourceGroup, h.workspace, ENDPOINT)).primaryKey as string;
  await deploy('defaults', '1', {});
  await deploy('wide', '2', { maxConcurrentRequestsPerInstance: 2 }, { capacity: 2 });
  await deploy('short', '3', { requestTimeout: 'PT0.6S' });
  await deploy('kube', '4', { maxQueueWait: 'PT0.1S', requestTimeout: 'PT5S' }, { kubernetes: true });
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

describe('admission per deployment', () => {
  it('a default deployment (1 request per instance, 1 instance) takes two requests in flight and refuses the rest with 429', async () => {
    const answers = await scoreTogether('defaults', 4);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 429]);
    expect(answers[3]?.message).toBe(
      'Too many pending requests: the deployment admits 2 requests in flight (2 × max_concurrent_requests_per_instance 1 × instance count 1).',
    );
  });

  it('admits 2 × max_concurrent_requests_per_instance × instances: 8 for 2 × 2', async () => {
    const answers = await scoreTogether('wide', 9);
    expect(answers.map((a) => a.status)).toEqual([...Array(8).fill(200), 429]);
    expect(answers[8]?.message).toContain('admits 8 requests in flight');
  });

  it('a managed deployment counts the wait for a slot against request_timeout (408), not maxQueueWait', async () => {
    // The first request runs 400 ms; the second waits those 400 ms and then has 200 ms left of its 600.
    const answers = await scoreTogether('short', 2);
    expect(answers.map((a) => a.status)).toEqual([200, 408]);
    expect(answers[1]?.message).toMatch(
      /^Request timeout: the request took longer than 600 ms \(\d+ ms of it waiting for a free slot\)\.$/,
    );
  });

  it('a Kubernetes deployment gives a waiting request maxQueueWait, then 503', async () => {
    const answers = await scoreTogether('kube', 2);
    expect(answers.map((a) => a.status)).toEqual([200, 503]);
    expect(answers[1]?.message).toBe(
      'Service unavailable: the request waited in the queue longer than max_queue_wait_ms 100.',
    );
  });

  it('frees the slots when requests finish: the next two are served', async () => {
    expect((await scoreTogether('defaults', 2)).map((a) => a.status)).toEqual([200, 200]);
  });
});

describe('requests per second per endpoint', () => {
  it('answers 429 Rate-limiting beyond the endpoint limit in one second', async () => {
    const limited = await startHarness({ endpointRequestsPerSecond: 3 });
    try {
      await limited.client.onlineEndpoints.beginCreateOrUpdateAndWait(
        limited.resourceGroup,
        limited.workspace,
        'ep-rate',
        keyEndpoint(),
        limited.poll,
      );
      const model = await limited.registerModel('fast', '1', LINEAR_V1);
      await limited.client.onlineDeployments.beginCreateOrUpdateAndWait(
        limited.resourceGroup,
        limited.workspace,
        'ep-rate',
        'blue',
        // Wide enough that admission never refuses: only the rate limit can.
        {
          ...managedDeployment(model),
          properties: {
            ...managedDeployment(model).properties,
            requestSettings: { maxConcurrentRequestsPerInstance: 10 },
          },
        },
        limited.poll,
      );
      const rateKey = (
        await limited.client.onlineEndpoints.listKeys(limited.resourceGroup, limited.workspace, 'ep-rate')
      ).primaryKey as string;
      const statuses: number[] = [];
      let message = '';
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${limited.emulator.urls.arm}online/ep-rate/score`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${rateKey}`,
            'azureml-model-deployment': 'blue',
          },
          body: JSON.stringify({ data: [[1, 2, 3]] }),
        });
        statuses.push(response.status);
        if (response.status === 429) message = ((await response.json()) as { message: string }).message;
        else await response.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(message).toMatch(/^Rate-limiting: endpoint 'ep-rate' takes 3 requests per second/);
    } finally {
      expect(await limited.close()).toEqual([]);
    }
  });
});
