/**
 * The scoring plane: `POST {scoringUri}` with key, aml_token or Entra auth, routed by live traffic or the
 * `azureml-model-deployment` header, mirrored to the shadow deployment, answered by the deployed model.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { capacityOf } from '../arm/common.ts';
import { trimSlashes } from '../auth/entra.ts';
import { HttpError } from '../http/errors.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import type { DeploymentRecord, EndpointRecord, WorkspaceState } from '../state.ts';
import type { AdmissionSettings } from './admission.ts';
import { logRequest, logScoringError } from './deployment-logs.ts';
import { resolveModel } from './model-lookup.ts';
import { InputError, predict } from './model.ts';

const DEPLOYMENT_HEADER = 'azureml-model-deployment';
const NO_ROUTE =
  'No valid deployments to route to. Please check that the endpoint has at least one deployment with positive weight values or use a deployment specific header to route.';

interface Located {
  workspace: WorkspaceState;
  endpoint: EndpointRecord;
}

function scoringError(status: number, message: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { message }, message, headers);
}

/** Endpoint names are unique per region, so the name alone finds the endpoint. */
function locate(service: Service, name: string): Located {
  for (const workspace of Object.values(service.state.workspaces)) {
    const endpoint = workspace.endpoints[name];
    if (endpoint !== undefined && endpoint.provisioningState !== 'Creating') return { workspace, endpoint };
  }
  throw scoringError(404, `Endpoint '${name}' not found.`);
}

async function authenticate(service: Service, ctx: RequestContext, located: Located): Promise<void> {
  const header = ctx.headers.authorization ?? '';
  const credential = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const denied = (reason: string): HttpError => scoringError(401, `Unauthorized: ${reason}`);
  if (credential === undefined) throw denied('an Authorization header with a Bearer key or token is required.');
  const { endpoint } = located;
  switch (endpoint.properties['authMode']) {
    case 'Key':
      if (credential !== endpoint.keys.primaryKey && credential !== endpoint.keys.secondaryKey)
        throw denied('invalid key.');
      return;
    case 'AMLToken': {
      const result = await service.entraKey.verify(credential);
      if (!result.ok) throw denied(result.reason === 'expired' ? 'the token has expired.' : 'invalid token.');
      if (result.claims['typ'] !== 'aml_token' || result.claims.aud !== service.scoringUri(endpoint.name)) {
        throw denied('the token was not issued for this endpoint.');
      }
      return;
    }
    default: {
      const result = await service.entraKey.verify(credential);
      const audience = typeof result.claims?.aud === 'string' ? trimSlashes(result.claims.aud) : '';
      if (!result.ok || audience !== 'https://ml.azure.com' || result.claims['tid'] !== service.tenantId) {
        throw denied('an Entra token for https://ml.azure.com is required.');
      }
    }
  }
}

function servingDeployments(located: Located): Record<string, DeploymentRecord> {
  return located.workspace.deployments[located.endpoint.name] ?? {};
}

/** Smooth weighted round robin: over any 100 requests each deployment gets exactly its percentage. */
function pickByTraffic(located: Located): DeploymentRecord {
  const deployments = servingDeployments(located);
  const candidates = Object.entries(located.endpoint.live.traffic).filter(
    ([name, weight]) => weight > 0 && deployments[name]?.serving !== null && deployments[name] !== undefined,
  );
  if (candidates.length === 0) throw scoringError(404, NO_ROUTE);
  const counters = located.endpoint.roundRobin;
  const total = candidates.reduce((sum, [, weight]) => sum + weight, 0);
  let best = candidates[0]?.[0] ?? '';
  for (const [name, weight] of candidates) {
    counters[name] = (counters[name] ?? 0) + weight;
    if ((counters[name] ?? 0) > (counters[best] ?? 0)) best = name;
  }
  counters[best] = (counters[best] ?? 0) - total;
  return deployments[best] as DeploymentRecord;
}

function pickByHeader(located: Located, name: string): DeploymentRecord {
  const deployment = servingDeployments(located)[name];
  if (deployment === undefined)
    throw scoringError(404, `Deployment '${name}' not found in endpoint '${located.endpoint.name}'.`);
  if (deployment.serving === null) {
    throw scoringError(
      503,
      `Deployment '${name}' is not ready to serve requests (provisioning state ${deployment.provisioningState}).`,
    );
  }
  return deployment;
}

/** The mirrored share of requests, also spread evenly (10 % → every tenth request). */
function mirrorTarget(located: Located): DeploymentRecord | undefined {
  const [name, weight] = Object.entries(located.endpoint.live.mirrorTraffic).find(([, share]) => share > 0) ?? [];
  if (name === undefined || weight === undefined) return undefined;
  const deployment = servingDeployments(located)[name];
  if (deployment?.serving === null || deployment === undefined) return undefined;
  located.endpoint.mirrorCredit += weight;
  if (located.endpoint.mirrorCredit < 100) return undefined;
  located.endpoint.mirrorCredit -= 100;
  return deployment;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * How the deployment admits requests: its running version's request settings and its instances. A managed
 * deployment's waiting request counts against its request timeout (`maxQueueWait` is deprecated there); a Kubernetes
 * one's against `maxQueueWait`.
 */
function admissionSettings(deployment: DeploymentRecord): AdmissionSettings {
  const serving = deployment.serving;
  const kubernetes = deployment.properties['endpointComputeType'] === 'Kubernetes';
  return {
    perInstance: serving?.maxConcurrentRequestsPerInstance ?? 1,
    instances: capacityOf(deployment.sku),
    maxWaitMs: kubernetes ? (serving?.maxQueueWaitMs ?? 500) : (serving?.requestTimeoutMs ?? 5000),
    onExpiry: kubernetes ? 503 : 408,
  };
}

/**
 * Runs the deployed model; `wait` is false for mirrored copies, whose latency nobody waits for. `waitedMs` (spent
 * waiting for a slot) counts against the request timeout.
 */
async function runModel(
  service: Service,
  deployment: DeploymentRecord,
  body: unknown,
  wait: boolean,
  waitedMs = 0,
): Promise<Answer> {
  const started = Date.now();
  const finish = (answer: Answer, note?: string): Answer => {
    logRequest(deployment, new Date(), answer.status, Date.now() - started, note);
    return answer;
  };
  const modelError = (message: string, modelStatus = 500): Answer => {
    logScoringError(deployment, new Date(), message);
    return finish({
      status: 424,
      body: { message: `Model error: ${message}` },
      headers: {
        'ms-azureml-model-error-statuscode': String(modelStatus),
        'ms-azureml-model-error-reason': 'model_error',
      },
    });
  };
  const modelId = deployment.serving?.model;
  if (modelId === null || modelId === undefined) return modelError('the deployment has no model');
  const resolved = resolveModel(service, modelId);
  if (resolved === undefined || !resolved.artifact.ok) return modelError(`model ${modelId} cannot be loaded`);
  const timeoutMs = deployment.serving?.requestTimeoutMs ?? 5000;
  const budgetMs = timeoutMs - waitedMs;
  const latency = resolved.fault.latencyMs ?? 0;
  if (wait && latency > 0) await sleep(Math.max(0, Math.min(latency, budgetMs)));
  if (latency > budgetMs) {
    const queued = waitedMs > 0 ? ` (${Math.round(waitedMs)} ms of it waiting for a free slot)` : '';
    return finish({
      status: 408,
      body: { message: `Request timeout: the request took longer than ${timeoutMs} ms${queued}.` },
      headers: {},
    });
  }
  if (resolved.fault.scoreError !== undefined) return modelError(resolved.fault.scoreError);
  try {
    const offset = resolved.fault.answerOffset ?? 0;
    const predictions = predict(resolved.artifact.model, body).map((value) => value + offset);
    return finish({ status: 200, body: predictions, headers: {} });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return finish({ status: 400, body: { message: `Bad request: ${error.message}` }, headers: {} }, 'invalid input');
  }
}

async function score(service: Service, ctx: RequestContext): Promise<Reply> {
  const located = locate(service, ctx.params['endpoint'] ?? '');
  await authenticate(service, ctx, located);
  const perSecond = service.options.endpointRequestsPerSecond;
  if (!service.admission.withinRate(located.endpoint.name, perSecond)) {
    throw scoringError(
      429,
      `Rate-limiting: endpoint '${located.endpoint.name}' takes ${perSecond} requests per second (the default limit of managed online endpoints; a quota increase raises it).`,
    );
  }
  const requested = ctx.headers[DEPLOYMENT_HEADER];
  const named = Array.isArray(requested) ? requested[0] : requested;
  const deployment = named === undefined || named === '' ? pickByTraffic(located) : pickByHeader(located, named);
  const mirror = named === undefined || named === '' ? mirrorTarget(located) : undefined;
  if (mirror !== undefined) {
    const copy = await runModel(service, mirror, ctx.body, false);
    service.requestLog.push({
      time: ctx.now.toISOString(),
      method: 'POST',
      path: ctx.url.pathname,
      status: copy.status,
      kind: 'score.mirror',
      durationMs: 0,
      deployment: mirror.name,
    });
  }
  const settings = admissionSettings(deployment);
  const admission = await service.admission.enter(
    `${located.workspace.resourceGroup}/${located.workspace.name}/${located.endpoint.name}/${deployment.name}`,
    settings,
  );
  if (!admission.admitted) {
    return {
      status: admission.status,
      headers: { [DEPLOYMENT_HEADER]: deployment.name, 'x-request-id': randomUUID() },
      body: { message: admission.message },
      deployment: deployment.name,
    };
  }
  let answer: Answer;
  try {
    answer = await runModel(service, deployment, ctx.body, true, admission.waitedMs);
  } finally {
    admission.release();
  }
  return {
    status: answer.status,
    headers: { [DEPLOYMENT_HEADER]: deployment.name, 'x-request-id': randomUUID(), ...answer.headers },
    body: answer.body,
    deployment: deployment.name,
  };
}

async function swagger(service: Service, ctx: RequestContext): Promise<Reply> {
  const located = locate(service, ctx.params['endpoint'] ?? '');
  await authenticate(service, ctx, located);
  return {
    status: 200,
    body: {
      swagger: '2.0',
      info: { title: located.endpoint.name, version: '1.0' },
      schemes: ['https'],
      paths: {
        '/score': {
          post: {
            parameters: [
              { in: 'body', name: 'body', schema: { type: 'object', properties: { data: { type: 'array' } } } },
            ],
            responses: {
              '200': { description: 'One prediction per row', schema: { type: 'array', items: { type: 'number' } } },
            },
          },
        },
      },
    },
  };
}

export function scoringRoutes(service: Service): Route[] {
  return [
    { method: 'POST', pattern: '/online/{endpoint}/score', kind: 'score', handler: (ctx) => score(service, ctx) },
    {
      method: 'GET',
      pattern: '/online/{endpoint}/swagger.json',
      kind: 'swagger',
      handler: (ctx) => swagger(service, ctx),
    },
  ];
}
