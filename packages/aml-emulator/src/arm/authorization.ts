/** ARM's bearer-token check: 401 with `WWW-Authenticate` and ARM's error codes when the token is missing or wrong. */
import { trimSlashes } from '../auth/entra.ts';
import { armError } from '../http/errors.ts';
import type { HttpError } from '../http/errors.ts';
import type { RequestContext } from '../http/router.ts';
import type { Service } from '../service.ts';

function armAudiences(service: Service): string[] {
  return ['https://management.azure.com', 'https://management.core.windows.net', trimSlashes(service.baseUrl)];
}

function unauthorized(service: Service, code: string, message: string, description: string): HttpError {
  const challenge = `Bearer authorization_uri="${service.baseUrl}${service.tenantId}", error="invalid_token", error_description="${description}"`;
  return armError(401, code, message, { 'WWW-Authenticate': challenge });
}

/** Returns the caller as systemData names it: the application id of a service principal. */
export async function authenticateArm(service: Service, ctx: RequestContext): Promise<string> {
  const header = ctx.headers.authorization;
  if (header === undefined || header.trim() === '') {
    throw unauthorized(
      service,
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header is missing.",
      "The authentication failed because of missing 'Authorization' header.",
    );
  }
  if (!/^Bearer\s+\S+$/i.test(header)) {
    throw unauthorized(
      service,
      'InvalidAuthenticationToken',
      "The 'Authorization' header is invalid. It must use the 'Bearer' scheme.",
      'The access token is invalid.',
    );
  }
  const result = await service.entraKey.verify(header.replace(/^Bearer\s+/i, ''));
  if (!result.ok && result.reason === 'expired') {
    const expiry = new Date((result.claims?.exp ?? 0) * 1000).toISOString();
    throw unauthorized(
      service,
      'ExpiredAuthenticationToken',
      `The access token expiry UTC time '${expiry}' is earlier than current UTC time '${ctx.now.toISOString()}'.`,
      'The access token has expired.',
    );
  }
  if (!result.ok || result.claims.iss !== service.tokenIssuer) {
    throw unauthorized(
      service,
      'InvalidAuthenticationToken',
      'The access token is invalid.',
      'The access token is invalid.',
    );
  }
  const audiences = armAudiences(service);
  const audience = typeof result.claims.aud === 'string' ? result.claims.aud : '';
  if (!audiences.includes(trimSlashes(audience))) {
    throw unauthorized(
      service,
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences ${audiences.map((item) => `'${item}/'`).join(',')}.`,
      'The access token audience is invalid.',
    );
  }
  if (result.claims['tid'] !== service.tenantId) {
    throw unauthorized(
      service,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer '${String(result.claims.iss)}'. It must match the tenant associated with this subscription.`,
      'The access token is from the wrong tenant.',
    );
  }
  return String(result.claims['appid'] ?? result.claims['oid'] ?? 'unknown');
}
