/**
 * An Entra-like authority: OpenID configuration, JWKS and a v2.0 token endpoint for the client-credentials
 * grant, with a client secret or a federated client assertion. Errors have Entra's AADSTS shape.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/errors.ts';
import type { RequestContext, Route } from '../http/router.ts';
import type { Service } from '../service.ts';
import { STORAGE_AUDIENCES, storageTokenIssuer } from '../storage/blob-front.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_SECONDS = 3599;
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Resources the tenant knows: ARM (public cloud names and the emulator's own URL), the AML data plane, Storage. */
export function knownResources(service: Service): string[] {
  return [
    'https://management.azure.com',
    'https://management.core.windows.net',
    trimSlashes(service.baseUrl),
    'https://ml.azure.com',
    'https://storage.azure.com',
  ];
}

function entraTimestamp(now: Date): string {
  return now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function entraError(
  ctx: RequestContext,
  status: number,
  error: string,
  code: number,
  description: string,
): HttpError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = entraTimestamp(ctx.now);
  const body = {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${ctx.baseUrl}error?code=${code}`,
  };
  return new HttpError(status, body, `AADSTS${code}: ${description}`);
}

function requireTenant(service: Service, ctx: RequestContext): string {
  const tenant = ctx.params['tenant'] ?? '';
  if (tenant.toLowerCase() !== service.tenantId.toLowerCase()) {
    throw entraError(
      ctx,
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }
  return service.tenantId;
}

function openIdConfiguration(service: Service, ctx: RequestContext): Record<string, unknown> {
  const tenant = requireTenant(service, ctx);
  const base = `${service.baseUrl}${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: service.tokenIssuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/openid/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'azp', 'ver'],
    tenant_region_scope: null,
    cloud_instance_name: 'aml-emulator.local',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** The single resource of a client-credentials request: `<resource>/.default`. */
function requestedResource(service: Service, ctx: RequestContext, scope: string | null): string {
  if (scope === null || scope.trim() === '') {
    throw entraError(
      ctx,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  }
  const scopes = scope.split(/\s+/).filter((item) => item !== '' && !OIDC_SCOPES.has(item));
  const [only] = scopes;
  if (scopes.length !== 1 || only === undefined || !only.endsWith('/.default')) {
    throw entraError(
      ctx,
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const resource = only.slice(0, -'/.default'.length);
  if (!knownResources(service).includes(trimSlashes(resource))) {
    throw entraError(
      ctx,
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${service.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  }
  return resource;
}

function basicCredentials(ctx: RequestContext): { id: string; secret: string } | undefined {
  const header = ctx.headers.authorization;
  if (header === undefined || !header.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString();
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  return {
    id: decodeURIComponent(decoded.slice(0, separator)),
    secret: decodeURIComponent(decoded.slice(separator + 1)),
  };
}

async function checkAssertion(service: Service, ctx: RequestContext, assertion: string): Promise<void> {
  const invalid = (code: number, description: string): HttpError =>
    entraError(ctx, 400, 'invalid_client', code, description);
  const result = await service.oidcKey.verify(assertion);
  if (!result.ok && result.reason === 'malformed') throw invalid(50027, 'JWT token is invalid or malformed.');
  const claims = result.claims ?? {};
  if (claims.iss !== service.oidcIssuer) {
    throw invalid(
      700211,
      `No matching federated identity record found for presented assertion issuer '${String(claims.iss)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    );
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((audience) => service.options.federationAudiences.includes(String(audience)))) {
    throw invalid(
      700212,
      `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    );
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw invalid(700213, 'No matching federated identity record found for presented assertion subject.');
  }
  if (!result.ok && result.reason === 'signature')
    throw invalid(700027, 'Client assertion failed signature validation.');
  if (!result.ok) {
    throw invalid(
      700024,
      `Client assertion is not within its valid time range. Current time: ${ctx.now.toISOString()}, assertion valid from ${new Date((claims.nbf ?? 0) * 1000).toISOString()}, expiry time of assertion ${new Date((claims.exp ?? 0) * 1000).toISOString()}.`,
    );
  }
}

async function token(service: Service, ctx: RequestContext): Promise<{ status: number; body: unknown }> {
  requireTenant(service, ctx);
  const form = new URLSearchParams(ctx.rawBody);
  const basic = basicCredentials(ctx);
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    throw entraError(
      ctx,
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType ?? ''}'.`,
    );
  }
  const clientId = form.get('client_id') ?? basic?.id ?? '';
  if (clientId.toLowerCase() !== service.state.credentials.clientId.toLowerCase()) {
    throw entraError(
      ctx,
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${service.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const resource = requestedResource(service, ctx, form.get('scope'));
  const secret = form.get('client_secret') ?? basic?.secret;
  const assertion = form.get('client_assertion');
  let authenticationMethod: '1' | '2';
  if (secret !== undefined && secret !== null) {
    if (secret !== service.state.credentials.clientSecret) {
      throw entraError(
        ctx,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    authenticationMethod = '1';
  } else if (assertion !== null) {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      throw entraError(ctx, 400, 'invalid_request', 50027, `client_assertion_type must be '${ASSERTION_TYPE}'.`);
    }
    await checkAssertion(service, ctx, assertion);
    authenticationMethod = '2';
  } else {
    throw entraError(
      ctx,
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const { clientId: appId, principalId } = service.state.credentials;
  // Storage accepts Entra's v1 tokens (issuer sts.windows.net), as the real resource is configured.
  const storage = STORAGE_AUDIENCES.includes(resource);
  const accessToken = await service.entraKey.sign(
    {
      aud: storage ? trimSlashes(resource) : resource,
      iss: storage ? storageTokenIssuer(service.tenantId) : service.tokenIssuer,
      appid: appId,
      azp: appId,
      appidacr: authenticationMethod,
      azpacr: authenticationMethod,
      idtyp: 'app',
      oid: principalId,
      sub: principalId,
      tid: service.tenantId,
      uti: randomUUID(),
      ver: storage ? '1.0' : '2.0',
    },
    TOKEN_LIFETIME_SECONDS,
    ctx.now,
  );
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: accessToken,
    },
  };
}

export function entraRoutes(service: Service): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/{tenant}/v2.0/.well-known/openid-configuration',
      kind: 'openidConfiguration',
      handler: (ctx) => ({ status: 200, body: openIdConfiguration(service, ctx) }),
    },
    {
      method: 'GET',
      pattern: '/{tenant}/discovery/v2.0/keys',
      kind: 'jwks',
      handler: (ctx) => {
        requireTenant(service, ctx);
        return { status: 200, body: service.entraKey.jwks() };
      },
    },
    { method: 'POST', pattern: '/{tenant}/oauth2/v2.0/token', kind: 'token', handler: (ctx) => token(service, ctx) },
  ];
}
