/** The request pipeline: route, HTTP faults, lazy operation progress, ARM authentication, handler, request log. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticateArm } from '../arm/authorization.ts';
import { storedNames } from '../arm/names.ts';
import { advance } from '../lro.ts';
import type { ApiVersionScope } from '../arm/api-versions.ts';
import type { Service } from '../service.ts';
import type { HttpFaultRule } from '../types.ts';
import { armErrorBody, HttpError } from './errors.ts';
import type { Reply, RequestContext, Router } from './router.ts';

const MAX_BODY_BYTES = 20 * 1024 * 1024;

const FAULT_CODES: Record<number, string> = {
  408: 'RequestTimeout',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, armErrorBody('RequestEntityTooLarge', 'The request body is too large.'), 'too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function faultReply(rule: HttpFaultRule): Reply {
  const status = rule.status ?? 500;
  const code = FAULT_CODES[status] ?? `Http${status}`;
  return {
    status,
    headers: rule.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(rule.retryAfterSeconds) },
    body: rule.body ?? armErrorBody(code, `Injected fault: ${status} ${code}.`),
  };
}

function notRouted(path: string, allowed: string[] | undefined): Reply {
  if (allowed !== undefined) {
    return {
      status: 405,
      headers: { Allow: allowed.join(', ') },
      body: armErrorBody('MethodNotAllowed', `Allowed methods: ${allowed.join(', ')}.`),
    };
  }
  if (path.toLowerCase().startsWith('/subscriptions/')) {
    return {
      status: 404,
      body: armErrorBody('InvalidResourceType', `The resource type of '${path}' is not emulated.`),
    };
  }
  return { status: 404, body: armErrorBody('NotFound', `No route for '${path}'.`) };
}

/** The location ARM names when it refuses an api-version: the workspace's (or the operation's), and all it serves. */
function apiVersionScope(service: Service, params: Record<string, string>): ApiVersionScope {
  const workspaces = Object.values(service.state.workspaces);
  const { resourceGroupName, workspaceName } = params;
  const workspace =
    resourceGroupName === undefined || workspaceName === undefined
      ? undefined
      : service.workspace({ resourceGroup: resourceGroupName, workspace: workspaceName });
  const location = workspace?.location ?? params['location'];
  return {
    ...(location === undefined ? {} : { location }),
    locations: [...new Set(workspaces.map((candidate) => candidate.location))],
  };
}

function send(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'x-ms-request-id': randomUUID(), ...reply.headers };
  const payload = reply.body === undefined ? undefined : JSON.stringify(reply.body);
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  response.writeHead(reply.status, headers);
  response.end(payload);
}

export function createRequestListener(service: Service, router: Router) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', service.baseUrl);
    const resolution = router.resolve(method, url.pathname);
    const route = resolution.match === 'route' ? resolution.route : undefined;
    const kind = route?.kind ?? 'unknown';
    let rawBody = '';
    let reply: Reply;
    try {
      rawBody = await readBody(request);
      const rule = kind.startsWith('control')
        ? undefined
        : service.faults.takeHttpRule({ method, path: url.pathname, kind });
      if (rule?.delayMs !== undefined) await sleep(rule.delayMs);
      if (rule?.hang === true) {
        service.requestLog.push({
          time: new Date(started).toISOString(),
          method,
          path: url.pathname,
          status: 0,
          kind,
          durationMs: 0,
        });
        return;
      }
      if (rule?.status !== undefined) {
        reply = faultReply(rule);
      } else if (route === undefined || resolution.match !== 'route') {
        reply = notRouted(url.pathname, resolution.match === 'method' ? resolution.allowed : undefined);
      } else {
        const ctx: RequestContext = {
          method,
          url,
          params: storedNames(service, route.pattern, resolution.params),
          query: url.searchParams,
          headers: request.headers,
          rawBody,
          body: parseJson(rawBody),
          baseUrl: service.baseUrl,
          now: new Date(),
        };
        const apiVersion = url.searchParams.get('api-version');
        if (apiVersion !== null) ctx.apiVersion = apiVersion;
        if (advance(service, ctx.now)) service.save();
        if (route.auth === 'arm') {
          ctx.caller = await authenticateArm(service, ctx);
          ctx.apiVersionScope = apiVersionScope(service, ctx.params);
        }
        reply = await route.handler(ctx);
        // Scoring changes only routing counters: not worth a state write per request.
        if (method !== 'GET' && route.kind !== 'score') service.save();
      }
    } catch (error) {
      if (error instanceof HttpError) {
        reply = { status: error.status, headers: error.headers, body: error.body };
      } else {
        console.error('aml-emulator: unexpected error', error);
        reply = {
          status: 500,
          body: armErrorBody('InternalServerError', `Unexpected emulator error: ${(error as Error).message}`),
        };
      }
    }
    send(response, reply);
    service.requestLog.push({
      time: new Date(started).toISOString(),
      method,
      path: url.pathname,
      ...(url.searchParams.get('api-version') === null
        ? {}
        : { apiVersion: url.searchParams.get('api-version') ?? '' }),
      status: reply.status,
      kind,
      ...(route?.operationId === undefined ? {} : { operationId: route.operationId }),
      durationMs: Date.now() - started,
      ...(reply.deployment === undefined ? {} : { deployment: reply.deployment }),
      ...(service.options.recordBodies
        ? {
            requestBody: parseJson(rawBody),
            ...(reply.body === undefined ? {} : { responseBody: structuredClone(reply.body) }),
          }
        : {}),
    });
  };
}
