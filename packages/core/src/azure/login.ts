import * as core from '@actions/core';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';

/**
 * How to sign in to Azure, decided and checked without loading the Azure SDKs: OpenID Connect (client-id +
 * tenant-id, the job's GitHub ID token as a federated assertion), the workshop's `azure-credentials` JSON secret,
 * otherwise the Azure CLI / environment chain (after azure/login). Sovereign clouds and the local emulator are
 * reached through `armEndpoint` / `authorityHost`. auth.ts turns the plan into a credential.
 */

export const PUBLIC_CLOUD = {
  armEndpoint: 'https://management.azure.com',
  authorityHost: 'https://login.microsoftonline.com',
} as const;

export const GITHUB_OIDC_AUDIENCE = 'api://AzureADTokenExchange';

/** The `azure-credentials` secret as `az ad sp create-for-rbac --sdk-auth` writes it. */
const AzureCredentialsSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  tenantId: z.string().min(1),
  subscriptionId: z.string().min(1),
  resourceManagerEndpointUrl: z.string().optional(),
  activeDirectoryEndpointUrl: z.string().optional(),
});
export type AzureCredentials = z.infer<typeof AzureCredentialsSchema>;

export interface LoginOptions {
  clientId?: string | undefined;
  tenantId?: string | undefined;
  subscriptionId?: string | undefined;
  /** The JSON text of the `azure-credentials` secret. */
  azureCredentials?: string | undefined;
  armEndpoint?: string | undefined;
  authorityHost?: string | undefined;
  /** The `aud` of the GitHub ID token: what the federated credential expects (default {@link GITHUB_OIDC_AUDIENCE}). */
  audience?: string | undefined;
  /** How to get the job's GitHub ID token (core.getIDToken on a runner). */
  getIdToken?: (audience: string) => Promise<string>;
}

export type LoginMethod = 'oidc' | 'client-secret' | 'azure-cli';

export interface LoginPlan {
  method: LoginMethod;
  subscriptionId: string;
  armEndpoint: string;
  authorityHost: string;
  tenantId: string | undefined;
  clientId: string | undefined;
  /** The client secret (`client-secret` method), masked. */
  clientSecret: string | undefined;
  /** The audience the GitHub ID token is requested for (OpenID Connect only). */
  audience: string;
  getIdToken: (audience: string) => Promise<string>;
}

/** Accepts only https: the SDK refuses to send bearer tokens over plain http, and so do we, with a clearer message. */
export function httpsUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`'${name}' is '${value}', which is not a URL: write e.g. https://management.azure.com.`, {
      input: name,
    });
  }
  if (url.protocol !== 'https:') {
    throw new UserError(
      `'${name}' must use https (got ${url.protocol}//${url.host}): Azure tokens are only sent over TLS. ` +
        'For the local emulator use the https URL it prints and give its CA to Node with NODE_EXTRA_CA_CERTS.',
      { input: name },
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Keys of the `azure-credentials` document whose values are secrets (clientSecret, and any password or key). */
const SECRET_KEY = /secret|password|key$|token|certificate/i;

function parseAzureCredentials(text: string): AzureCredentials {
  // Mask the whole document first: a parse error must not be able to print any of it. A bare JSON literal
  // (`null`, `true`, a number) is no secret, and masking it would hide that word all over the log.
  if (!/^\s*(null|true|false|-?[\d.eE+-]+)\s*$/.test(text)) maskSecret(text);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(
      "'azure-credentials' is not valid JSON: paste the whole output of `az ad sp create-for-rbac --sdk-auth` " +
        '(clientId, clientSecret, tenantId, subscriptionId), or better, switch to OpenID Connect (client-id, tenant-id, subscription-id).',
      { input: 'azure-credentials' },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError(
      `'azure-credentials' is JSON ${data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data}, not an object: ` +
        'it needs clientId, clientSecret, tenantId and subscriptionId (the output of `az ad sp create-for-rbac --sdk-auth`). ' +
        'Check that the secret the workflow passes exists (an unset secret is empty, not null).',
      { input: 'azure-credentials' },
    );
  }
  // Only secret values are masked: ids and public URLs must stay readable in the log.
  for (const [key, value] of Object.entries(data))
    if (typeof value === 'string' && SECRET_KEY.test(key)) maskSecret(value);
  const result = AzureCredentialsSchema.safeParse(data);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
    throw new UserError(
      `'azure-credentials' lacks ${fields.join(', ')}: it needs clientId, clientSecret, tenantId and subscriptionId.`,
      { input: 'azure-credentials' },
    );
  }
  return result.data;
}

export function planLogin(options: LoginOptions): LoginPlan {
  const stored = options.azureCredentials ? parseAzureCredentials(options.azureCredentials) : undefined;
  const armEndpoint = httpsUrl(
    'arm-endpoint',
    options.armEndpoint ?? stored?.resourceManagerEndpointUrl ?? PUBLIC_CLOUD.armEndpoint,
  );
  const authorityHost = httpsUrl(
    'authority-host',
    options.authorityHost ?? stored?.activeDirectoryEndpointUrl ?? PUBLIC_CLOUD.authorityHost,
  );
  const subscriptionId = options.subscriptionId ?? stored?.subscriptionId;
  if (!subscriptionId) {
    throw new UserError(
      "No Azure subscription: set 'subscription-id' (with 'client-id' and 'tenant-id' for OpenID Connect), or 'azure-credentials'.",
      { input: 'subscription-id' },
    );
  }
  const getIdToken = options.getIdToken ?? ((audience: string) => core.getIDToken(audience));
  const audience = options.audience ?? GITHUB_OIDC_AUDIENCE;
  const common = { subscriptionId, armEndpoint, authorityHost, audience, getIdToken };
  if (options.clientId || options.tenantId) {
    if (!options.clientId || !options.tenantId) {
      const missing = options.clientId ? 'tenant-id' : 'client-id';
      throw new UserError(`OpenID Connect login needs both 'client-id' and 'tenant-id': '${missing}' is missing.`, {
        input: missing,
      });
    }
    return {
      ...common,
      method: 'oidc',
      tenantId: options.tenantId,
      clientId: options.clientId,
      clientSecret: undefined,
    };
  }
  if (stored) {
    return {
      ...common,
      method: 'client-secret',
      tenantId: stored.tenantId,
      clientId: stored.clientId,
      clientSecret: stored.clientSecret,
    };
  }
  return { ...common, method: 'azure-cli', tenantId: undefined, clientId: undefined, clientSecret: undefined };
}

export function describeLogin(login: LoginPlan): string {
  const how = {
    oidc: `OpenID Connect (client ${login.clientId}, tenant ${login.tenantId}${login.audience === GITHUB_OIDC_AUDIENCE ? '' : `, audience ${login.audience}`})`,
    'client-secret': `the azure-credentials secret (client ${login.clientId})`,
    'azure-cli': 'the Azure CLI / environment credentials (azure/login)',
  }[login.method];
  return `Signing in to ${login.armEndpoint} with ${how}, subscription ${login.subscriptionId}.`;
}
