/**
 * The blob service as clients see it: an HTTPS front on its own loopback port that authenticates Entra ID bearer
 * tokens properly (Azurite's `basic` OAuth checks no signature), applies HTTP fault rules, records every request in
 * the emulator's request log (kinds `blob.*`) and streams the rest to Azurite unchanged (Shared Key signatures stay
 * valid: the path, query and `x-ms-*` headers are not touched).
 */
import { createServer, request as httpsRequest, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from '../service.ts';
import type { HttpFaultRule } from '../types.ts';

export const STORAGE_AUDIENCES = ['https://storage.azure.com', 'https://storage.azure.com/'];

/** Entra issues storage tokens in the v1 format, with this issuer. */
export function storageTokenIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** `blob.putBlob`, `blob.putBlock`, `blob.putBlockList`, `blob.setMetadata`, `blob.getProperties`, `blob.listBlobs`, … */
export function blobRequestKind(method: string, url: URL): string {
  const comp = url.searchParams.get('comp');
  const restype = url.searchParams.get('restype');
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  if (segments.length <= 1) return comp === 'list' ? 'blob.listContainers' : 'blob.service';
  if (restype === 'container' || segments.length === 2) {
    if (comp === 'list') return 'blob.listBlobs';
    if (method === 'PUT') return comp === 'metadata' ? 'blob.setContainerMetadata' : 'blob.createContainer';
    if (method === 'DELETE') return 'blob.deleteContainer';
    return 'blob.getContainerProperties';
  }
  if (method === 'PUT') {
    if (comp === null) return 'blob.putBlob';
    return (
      { block: 'blob.putBlock', blocklist: 'blob.putBlockList', metadata: 'blob.setMetadata' }[comp] ?? `blob.${comp}`
    );
  }
  if (method === 'HEAD') return 'blob.getProperties';
  if (method === 'DELETE') return 'blob.delete';
  if (comp === 'metadata') return 'blob.getMetadata';
  if (comp === 'blocklist') return 'blob.getBlockList';
  return comp === null ? 'blob.download' : `blob.${comp}`;
}

const STORAGE_CODES: Record<number, string> = {
  403: 'AuthorizationFailure',
  408: 'OperationTimedOut',
  409: 'Conflict',
  429: 'ServerBusy',
  500: 'InternalError',
  503: 'ServerBusy',
};

function storageError(response: ServerResponse, status: number, code: string, message: string, extra = {}): void {
  const requestId = randomUUID();
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
  response.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-ms-request-id': requestId,
    'x-ms-error-code': code,
    ...extra,
  });
  response.end(body);
}

function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    request.on('end', resolve).on('error', () => resolve());
    request.resume();
  });
}

/** Entra ID for storage: the emulator's signature, the tenant, the storage audience, not expired. */
async function bearerProblem(service: Service, header: string): Promise<string | undefined> {
  const result = await service.entraKey.verify(header.replace(/^Bearer\s+/i, ''));
  if (!result.ok)
    return result.reason === 'expired' ? 'Lifetime validation failed. The token is expired.' : 'The token is invalid.';
  const { claims } = result;
  if (claims.iss !== storageTokenIssuer(service.tenantId) || claims['tid'] !== service.tenantId)
    return 'Issuer validation failed. Issuer did not match.';
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((audience) => STORAGE_AUDIENCES.includes(String(audience))))
    return 'Audience validation failed. Audience did not match.';
  return undefined;
}

export interface BlobFront {
  /** `127.0.0.1:PORT` */
  host: string;
  close(): Promise<void>;
}

export async function startBlobFront(
  service: Service,
  options: { azuriteUrl: string; tls: { cert: string; key: string }; caPem: string },
): Promise<BlobFront> {
  const target = new URL(options.azuriteUrl);
  const agent = new Agent({ ca: options.caPem, keepAlive: true });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const kind = blobRequestKind(method, url);
    const log = (status: number): void => {
      service.requestLog.push({
        time: new Date(started).toISOString(),
        method,
        path: url.pathname,
        status,
        kind,
        durationMs: Date.now() - started,
      });
    };
    const rule: HttpFaultRule | undefined = service.faults.takeHttpRule({ method, path: url.pathname, kind });
    if (rule?.delayMs !== undefined) await sleep(rule.delayMs);
    if (rule?.hang === true) {
      log(0);
      return;
    }
    if (rule?.status !== undefined) {
      await drain(request);
      const status = rule.status;
      storageError(
        response,
        status,
        STORAGE_CODES[status] ?? `Http${status}`,
        `Injected fault: ${status}.`,
        rule.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(rule.retryAfterSeconds) },
      );
      log(status);
      return;
    }
    const authorization = request.headers.authorization;
    if (authorization !== undefined && /^Bearer\s/i.test(authorization)) {
      const problem = await bearerProblem(service, authorization);
      if (problem !== undefined) {
        await drain(request);
        storageError(
          response,
          401,
          'InvalidAuthenticationInfo',
          `Server failed to authenticate the request. Please refer to the information in the www-authenticate header. ${problem}`,
        );
        log(401);
        return;
      }
    }
    const headers = { ...request.headers, host: target.host };
    const upstream = httpsRequest(
      {
        protocol: 'https:',
        hostname: target.hostname,
        port: target.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers,
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on('end', () => log(answer.statusCode ?? 502));
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) storageError(response, 502, 'BadGateway', `Azurite: ${error.message}`);
      else response.destroy();
      log(502);
    });
    request.pipe(upstream);
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) storageError(response, 500, 'InternalError', (error as Error).message);
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
