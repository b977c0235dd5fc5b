/** The control API under `/_emulator/`: the same fault injection and helpers as the library, over HTTPS. */
import { isObject } from './arm/common.ts';
import { HttpError } from './http/errors.ts';
import type { Reply, RequestContext, Route } from './http/router.ts';
import type { Service } from './service.ts';
import type {
  EmulatedModel,
  ErrorDetail,
  Faults,
  HttpFaultRule,
  ModelFault,
  OperationFault,
  WorkspaceRef,
} from './types.ts';

export interface ControlTarget {
  service: Service;
  faults: Faults;
  info(): Record<string, unknown>;
  registerModel(
    workspace: WorkspaceRef | undefined,
    name: string,
    version: string,
    model: EmulatedModel,
  ): Promise<void>;
  traffic(endpoint: string, workspace?: WorkspaceRef): Record<string, number>;
}

function badRequest(message: string): HttpError {
  return new HttpError(400, { error: { code: 'BadRequest', message } }, message);
}

function body(ctx: RequestContext): Record<string, unknown> {
  if (!isObject(ctx.body)) throw badRequest('The body must be a JSON object.');
  return ctx.body;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw badRequest(`'${field}' must be a non-empty string.`);
  return value;
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw badRequest(`'${field}' must be a number.`);
  return value;
}

function workspaceOf(values: Record<string, unknown> | URLSearchParams): WorkspaceRef | undefined {
  const read = (key: string): unknown =>
    values instanceof URLSearchParams ? (values.get(key) ?? undefined) : values[key];
  const resourceGroup = read('resourceGroup');
  const workspace = read('workspace');
  if (resourceGroup === undefined && workspace === undefined) return undefined;
  return { resourceGroup: text(resourceGroup, 'resourceGroup'), workspace: text(workspace, 'workspace') };
}

function httpRule(values: Record<string, unknown>): HttpFaultRule {
  const times = values['times'] === 'forever' ? Infinity : optionalNumber(values['times'], 'times');
  const rule: HttpFaultRule = {};
  if (values['method'] !== undefined) rule.method = text(values['method'], 'method');
  if (values['path'] !== undefined) rule.path = text(values['path'], 'path');
  if (values['kind'] !== undefined) rule.kind = text(values['kind'], 'kind');
  if (times !== undefined) rule.times = times;
  const status = optionalNumber(values['status'], 'status');
  if (status !== undefined) rule.status = status;
  const retryAfterSeconds = optionalNumber(values['retryAfterSeconds'], 'retryAfterSeconds');
  if (retryAfterSeconds !== undefined) rule.retryAfterSeconds = retryAfterSeconds;
  const delayMs = optionalNumber(values['delayMs'], 'delayMs');
  if (delayMs !== undefined) rule.delayMs = delayMs;
  if (values['body'] !== undefined) rule.body = values['body'];
  if (values['hang'] === true) rule.hang = true;
  if (rule.status === undefined && rule.delayMs === undefined && rule.hang !== true) {
    throw badRequest("A rule needs 'status', 'delayMs' or 'hang'.");
  }
  return rule;
}

function operationFault(values: Record<string, unknown>): OperationFault {
  if (values['outcome'] === 'NeverEnds') return { outcome: 'NeverEnds' };
  if (values['outcome'] === 'Slow') {
    const durationMs = optionalNumber(values['durationMs'], 'durationMs');
    if (durationMs === undefined) throw badRequest("'durationMs' is required with outcome 'Slow'.");
    return { outcome: 'Slow', durationMs };
  }
  if (values['outcome'] !== 'Failed') throw badRequest("'outcome' must be 'Failed', 'NeverEnds' or 'Slow'.");
  const fault: OperationFault = { outcome: 'Failed', code: text(values['code'], 'code') };
  if (values['message'] !== undefined) fault.message = text(values['message'], 'message');
  if (values['details'] !== undefined) fault.details = errorDetails(values['details']);
  return fault;
}

function errorDetails(value: unknown): ErrorDetail[] {
  if (!Array.isArray(value)) throw badRequest("'details' must be a list of { code, message }.");
  return value.map((detail: unknown, i) => {
    const entry = (detail ?? {}) as Record<string, unknown>;
    return {
      code: text(entry['code'], `details[${i}].code`),
      message: text(entry['message'], `details[${i}].message`),
    };
  });
}

function modelFault(values: Record<string, unknown>): ModelFault {
  const fault: ModelFault = {};
  if (values['initError'] !== undefined) fault.initError = text(values['initError'], 'initError');
  if (values['scoreError'] !== undefined) fault.scoreError = text(values['scoreError'], 'scoreError');
  const answerOffset = optionalNumber(values['answerOffset'], 'answerOffset');
  if (answerOffset !== undefined) fault.answerOffset = answerOffset;
  const latencyMs = optionalNumber(values['latencyMs'], 'latencyMs');
  if (latencyMs !== undefined) fault.latencyMs = latencyMs;
  return fault;
}

/** Control calls act on state directly; a thrown plain Error (unknown endpoint, …) is the caller's mistake. */
async function guarded(action: () => Reply | Promise<Reply>): Promise<Reply> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw badRequest((error as Error).message);
  }
}

export function controlRoutes(target: ControlTarget): Route[] {
  const route = (method: string, path: string, kind: string, handler: Route['handler']): Route => ({
    method,
    pattern: `/_emulator${path}`,
    kind: `control.${kind}`,
    handler: (ctx) => guarded(() => handler(ctx)),
  });
  return [
    route('GET', '/info', 'info', () => ({ status: 200, body: target.info() })),
    route('GET', '/requests', 'requests', () => ({ status: 200, body: target.service.requestLog })),
    route('POST', '/faults/http', 'faults.http', (ctx) => ({
      status: 201,
      body: { id: target.faults.http(httpRule(body(ctx))) },
    })),
    route('POST', '/faults/operations', 'faults.operations', (ctx) => {
      const values = body(ctx);
      const endpoint = text(values['endpoint'], 'endpoint');
      const deployment = values['deployment'] === undefined ? undefined : text(values['deployment'], 'deployment');
      const workspace = workspaceOf(values);
      target.faults.operation(
        {
          endpoint,
          ...(deployment === undefined ? {} : { deployment }),
          ...(workspace === undefined ? {} : { workspace }),
        },
        operationFault(values),
      );
      return { status: 204 };
    }),
    route('POST', '/faults/models', 'faults.models', (ctx) => {
      const values = body(ctx);
      target.faults.model(
        text(values['name'], 'name'),
        text(values['version'], 'version'),
        modelFault(values),
        workspaceOf(values),
      );
      return { status: 204 };
    }),
    route('POST', '/faults/consistency', 'faults.consistency', (ctx) => {
      const values = body(ctx);
      const readLagMs = optionalNumber(values['readLagMs'], 'readLagMs');
      const lockMs = optionalNumber(values['lockMs'], 'lockMs');
      target.faults.consistency(
        text(values['endpoint'], 'endpoint'),
        { ...(readLagMs === undefined ? {} : { readLagMs }), ...(lockMs === undefined ? {} : { lockMs }) },
        workspaceOf(values),
      );
      return { status: 204 };
    }),
    route('POST', '/faults/traffic', 'faults.traffic', (ctx) => {
      const values = body(ctx);
      const change = {
        ...(isObject(values['traffic']) ? { traffic: values['traffic'] as Record<string, number> } : {}),
        ...(isObject(values['mirrorTraffic'])
          ? { mirrorTraffic: values['mirrorTraffic'] as Record<string, number> }
          : {}),
      };
      target.faults.changeTraffic(text(values['endpoint'], 'endpoint'), change, workspaceOf(values));
      return { status: 204 };
    }),
    route('DELETE', '/faults', 'faults.clear', () => {
      target.faults.clear();
      return { status: 204 };
    }),
    route('POST', '/models', 'models.register', async (ctx) => {
      const values = body(ctx);
      if (!isObject(values['model']))
        throw badRequest('\'model\' must be a model document such as {"format":"linear/v1",...}.');
      await target.registerModel(
        workspaceOf(values),
        text(values['name'], 'name'),
        text(values['version'], 'version'),
        values['model'] as unknown as EmulatedModel,
      );
      return { status: 201 };
    }),
    route('GET', '/traffic/{endpoint}', 'traffic', (ctx) => ({
      status: 200,
      body: target.traffic(ctx.params['endpoint'] ?? '', workspaceOf(ctx.query)),
    })),
  ];
}
