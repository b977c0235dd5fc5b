/** A GitHub-Actions-like OIDC issuer whose ID tokens the token endpoint accepts as federated client assertions. */
import { randomUUID } from 'node:crypto';
import type { Route } from '../http/router.ts';
import type { Service } from '../service.ts';

const ID_TOKEN_LIFETIME_SECONDS = 300;
/** Entra's recommended audience for GitHub's ID tokens, and the one GitHub-side tooling requests by default. */
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';

export async function mintFederatedToken(service: Service, claims: Record<string, unknown> = {}): Promise<string> {
  const repository = 'octo-org/octo-repo';
  return service.oidcKey.sign(
    {
      jti: randomUUID(),
      iss: service.oidcIssuer,
      aud: FEDERATION_AUDIENCE,
      sub: `repo:${repository}:environment:staging`,
      ref: 'refs/heads/main',
      ref_type: 'branch',
      sha: '0000000000000000000000000000000000000000',
      repository,
      repository_owner: 'octo-org',
      actor: 'octocat',
      environment: 'staging',
      event_name: 'push',
      workflow: 'cd-staging',
      run_id: '1',
      run_number: '1',
      run_attempt: '1',
      runner_environment: 'github-hosted',
      ...claims,
    },
    ID_TOKEN_LIFETIME_SECONDS,
  );
}

export function oidcRoutes(service: Service): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/oidc/.well-known/openid-configuration',
      kind: 'oidcConfiguration',
      handler: () => ({
        status: 200,
        body: {
          issuer: service.oidcIssuer,
          jwks_uri: `${service.oidcIssuer}/.well-known/jwks`,
          subject_types_supported: ['public', 'pairwise'],
          response_types_supported: ['id_token'],
          claims_supported: [
            'sub',
            'aud',
            'exp',
            'iat',
            'iss',
            'jti',
            'nbf',
            'ref',
            'repository',
            'environment',
            'sha',
          ],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid'],
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/oidc/.well-known/jwks',
      kind: 'oidcJwks',
      handler: () => ({ status: 200, body: service.oidcKey.jwks() }),
    },
  ];
}
