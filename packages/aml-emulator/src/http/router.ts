/** A small router: `{param}` segments, literal segments compared case-insensitively (as ARM does). */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiVersionScope } from '../arm/api-versions.ts';

export interface RequestContext {
  method: string;
  url: URL;
  /** Decoded path parameters. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, `undefined` when empty or not JSON. */
  body: unknown;
  /** `https://127.0.0.1:PORT/` */
  baseUrl: string;
  apiVersion?: string;
  /** Where an ARM request is, for ARM's answer to an api-version the type does not serve. */
  apiVersionScope?: ApiVersionScope;
  /** Object id of the authenticated caller (ARM routes). */
  caller?: string;
  now: Date;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Deployment that answered (scoring), for the request log. */
  deployment?: string;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: string;
  /** Request kind in the request log, e.g. `onlineEndpoints.get`. */
  kind: string;
  /** Swagger operationId for ARM routes. */
  operationId?: string;
  /** `arm` routes need a valid ARM bearer token. */
  auth?: 'arm';
  handler: Handler;
}

export type Resolution =
  | { match: 'route'; route: Route; params: Record<string, string> }
  | { match: 'method'; allowed: string[] }
  | { match: 'none' };

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = splitPath(pattern);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      params[part.slice(1, -1)] = decodeURIComponent(segment);
    } else if (part.toLowerCase() !== segment.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

export class Router {
  private readonly routes: Route[] = [];

  add(...routes: Route[]): void {
    this.routes.push(...routes);
  }

  resolve(method: string, path: string): Resolution {
    const segments = splitPath(path);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchPattern(route.pattern, segments);
      if (params === undefined) continue;
      if (route.method === method) return { match: 'route', route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { match: 'method', allowed } : { match: 'none' };
  }
}
