import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  EnvironmentCredential,
} from '@azure/identity';
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';
import { planLogin, type LoginOptions, type LoginPlan } from './login.ts';

/** The credential for a login plan (login.ts decides and checks; this module loads the Azure identity SDK). */

/** Authorities MSAL knows; any other host (the emulator, a private cloud) skips instance discovery. */
const KNOWN_AUTHORITIES = [
  'login.microsoftonline.com',
  'login.chinacloudapi.cn',
  'login.microsoftonline.us',
  'login.microsoftonline.de',
];

export interface AzureLogin extends LoginPlan {
  credential: TokenCredential;
}

/** Every token the credential hands out is masked before anything can print it. */
class MaskingCredential implements TokenCredential {
  private readonly inner: TokenCredential;

  constructor(inner: TokenCredential) {
    this.inner = inner;
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const token = await this.inner.getToken(scopes, options);
    if (token) maskSecret(token.token);
    return token;
  }
}

function identityOptions(authorityHost: string) {
  return {
    authorityHost,
    disableInstanceDiscovery: !KNOWN_AUTHORITIES.includes(new URL(authorityHost).host),
  };
}

export function credentialFor(plan: LoginPlan): AzureLogin {
  const identity = identityOptions(plan.authorityHost);
  if (plan.method === 'oidc') {
    const assertion = async () => {
      try {
        const token = await plan.getIdToken(plan.audience);
        maskSecret(token);
        return token;
      } catch (error) {
        throw new UserError(
          `Could not get the job's GitHub ID token for OpenID Connect (${(error as Error).message}): ` +
            "give the job 'permissions: id-token: write' (and 'contents: read'). Pull requests from forks never get one.",
        );
      }
    };
    const credential = new ClientAssertionCredential(
      plan.tenantId as string,
      plan.clientId as string,
      assertion,
      identity,
    );
    return { ...plan, credential: new MaskingCredential(credential) };
  }
  if (plan.method === 'client-secret') {
    const credential = new ClientSecretCredential(
      plan.tenantId as string,
      plan.clientId as string,
      plan.clientSecret as string,
      identity,
    );
    return { ...plan, credential: new MaskingCredential(credential) };
  }
  const chain = new ChainedTokenCredential(new EnvironmentCredential(identity), new AzureCliCredential());
  return { ...plan, credential: new MaskingCredential(chain) };
}

/** Plan and credential in one step. */
export function azureLogin(options: LoginOptions): AzureLogin {
  return credentialFor(planLogin(options));
}
