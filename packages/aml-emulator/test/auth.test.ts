import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { readResponse, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

function tokenRequest(form: Record<string, string>, tenant = h.emulator.credentials.tenantId): Promise<Response> {
  return fetch(`${h.emulator.urls.authorityHost}${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

function clientCredentials(extra: Record<string, string>): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: h.emulator.credentials.clientId,
    scope: 'https://management.azure.com/.default',
    ...extra,
  };
}

function credentialOptions() {
  return { authorityHost: h.emulator.urls.authorityHost, disableInstanceDiscovery: true };
}

describe('Entra token endpoint', () => {
  it('publishes an OpenID configuration whose endpoints live on the emulator', async () => {
    const { tenantId } = h.emulator.credentials;
    const { status, body } = await readResponse(
      await fetch(`${h.emulator.urls.authorityHost}${tenantId}/v2.0/.well-known/openid-configuration`),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_endpoint: `${h.emulator.urls.authorityHost}${tenantId}/oauth2/v2.0/token`,
      issuer: `${h.emulator.urls.authorityHost}${tenantId}/v2.0`,
      jwks_uri: `${h.emulator.urls.authorityHost}${tenantId}/discovery/v2.0/keys`,
    });
    const keys = await readResponse(await fetch((body as { jwks_uri: string }).jwks_uri));
    expect((keys.body as { keys: { kty: string; d?: string }[] }).keys).toEqual([
      expect.objectContaining({ kty: 'RSA' }),
    ]);
    expect((keys.body as { keys: { d?: string }[] }).keys[0]?.d).toBeUndefined();
  });

  it('issues tokens to ClientSecretCredential for ARM and for the emulator URL', async () => {
    const { tenantId, clientId, clientSecret } = h.emulator.credentials;
    const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, credentialOptions());
    const token = await credential.getToken('https://management.azure.com/.default');
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      aud: 'https://management.azure.com',
      tid: tenantId,
      appid: clientId,
      appidacr: '1',
    });
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
  });

  it('rejects a wrong secret with Entra error shape (401 invalid_client, AADSTS7000215)', async () => {
    const raw = await readResponse(await tokenRequest(clientCredentials({ client_secret: 'not-the-secret' })));
    expect(raw.status).toBe(401);
    expect(raw.body).toEqual({
      error: 'invalid_client',
      error_description: expect.stringMatching(
        /^AADSTS7000215: Invalid client secret provided\..*Trace ID: .* Correlation ID: .* Timestamp: /,
      ),
      error_codes: [7000215],
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
      error_uri: expect.any(String),
    });
    const { tenantId, clientId } = h.emulator.credentials;
    const credential = new ClientSecretCredential(tenantId, clientId, 'not-the-secret', credentialOptions());
    await expect(credential.getToken('https://management.azure.com/.default')).rejects.toThrow(/AADSTS7000215/);
  });

  it('rejects an unknown client, an unknown tenant, a bad scope and an unknown resource', async () => {
    const unknownClient = await readResponse(
      await tokenRequest({ ...clientCredentials({ client_secret: 'x' }), client_id: 'nobody' }),
    );
    expect(unknownClient).toMatchObject({ status: 400, body: { error: 'unauthorized_client', error_codes: [700016] } });
    const unknownTenant = await readResponse(
      await tokenRequest(clientCredentials({ client_secret: 'x' }), 'other-tenant'),
    );
    expect(unknownTenant).toMatchObject({ status: 400, body: { error: 'invalid_tenant', error_codes: [90002] } });
    const { clientSecret } = h.emulator.credentials;
    const badScope = await readResponse(
      await tokenRequest(
        clientCredentials({ client_secret: clientSecret, scope: 'https://management.azure.com/user_impersonation' }),
      ),
    );
    expect(badScope).toMatchObject({ status: 400, body: { error: 'invalid_scope', error_codes: [1002012] } });
    const unknownResource = await readResponse(
      await tokenRequest(clientCredentials({ client_secret: clientSecret, scope: 'https://vault.azure.net/.default' })),
    );
    expect(unknownResource).toMatchObject({ status: 400, body: { error: 'invalid_resource', error_codes: [500011] } });
    const noCredential = await readResponse(await tokenRequest(clientCredentials({})));
    expect(noCredential).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000218] } });
  });

  it('accepts a federated GitHub-like ID token through ClientAssertionCredential', async () => {
    const { tenantId, clientId, subscriptionId, resourceGroup, workspace } = h.emulator.credentials;
    const credential = new ClientAssertionCredential(
      tenantId,
      clientId,
      () => h.emulator.mintFederatedToken(),
      credentialOptions(),
    );
    const token = await credential.getToken(`${h.emulator.urls.arm}.default`);
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims['appidacr']).toBe('2');
    const client = new AzureMachineLearningWorkspaces(credential, subscriptionId, { endpoint: h.emulator.urls.arm });
    expect((await client.workspaces.get(resourceGroup, workspace)).name).toBe(workspace);
  });

  it('rejects assertions from another issuer, for another audience, expired, or badly signed', async () => {
    const assertion = (token: string) =>
      clientCredentials({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: token,
      });
    const wrongIssuer = await readResponse(
      await tokenRequest(
        assertion(await h.emulator.mintFederatedToken({ iss: 'https://token.actions.githubusercontent.com' })),
      ),
    );
    expect(wrongIssuer).toMatchObject({ status: 400, body: { error: 'invalid_client', error_codes: [700211] } });
    const wrongAudience = await readResponse(
      await tokenRequest(assertion(await h.emulator.mintFederatedToken({ aud: 'api://other' }))),
    );
    expect(wrongAudience).toMatchObject({ status: 400, body: { error_codes: [700212] } });
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await readResponse(
      await tokenRequest(assertion(await h.emulator.mintFederatedToken({ iat: past, nbf: past, exp: past + 300 }))),
    );
    expect(expired).toMatchObject({ status: 400, body: { error_codes: [700024] } });
    const [header, payload, signature = ''] = (await h.emulator.mintFederatedToken()).split('.');
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    expect(await readResponse(await tokenRequest(assertion(tampered)))).toMatchObject({
      status: 400,
      body: { error_codes: [700027] },
    });
    expect(await readResponse(await tokenRequest(assertion('not-a-jwt')))).toMatchObject({
      status: 400,
      body: { error_codes: [50027] },
    });
  });

  it('serves a GitHub-like OIDC discovery document and JWKS', async () => {
    const { body } = await readResponse(await fetch(`${h.emulator.urls.oidcIssuer}/.well-known/openid-configuration`));
    expect(body).toMatchObject({
      issuer: h.emulator.urls.oidcIssuer,
      jwks_uri: `${h.emulator.urls.oidcIssuer}/.well-known/jwks`,
    });
    const jwks = await readResponse(await fetch(`${h.emulator.urls.oidcIssuer}/.well-known/jwks`));
    expect((jwks.body as { keys: unknown[] }).keys).toHaveLength(1);
  });
});

describe('ARM bearer validation', () => {
  const path = () => h.workspacePath;

  it('answers 401 AuthenticationFailed with WWW-Authenticate when the token is missing', async () => {
    const response = await h.arm('GET', path(), { token: null });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+", error="invalid_token"/,
    );
  });

  it('answers 401 InvalidAuthenticationToken for a token it did not sign', async () => {
    const foreign = await h.emulator.mintFederatedToken();
    const response = await h.arm('GET', path(), { token: foreign });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 401 InvalidAuthenticationTokenAudience for a token meant for another resource', async () => {
    const dataPlane = await h.credential.getToken('https://ml.azure.com/.default');
    const response = await h.arm('GET', path(), { token: dataPlane.token });
    expect(response).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationTokenAudience' } } });
  });

  it('accepts tokens for https://management.azure.com/ as well as for the emulator URL', async () => {
    const arm = await h.credential.getToken('https://management.azure.com/.default');
    expect((await h.arm('GET', path(), { token: arm.token })).status).toBe(200);
    expect((await h.arm('GET', path())).status).toBe(200);
  });

  it('answers ARM errors for a missing api-version, an unknown subscription, resource group or workspace', async () => {
    expect(await h.arm('GET', path(), { apiVersion: '' })).toMatchObject({
      status: 400,
      body: { error: { code: 'MissingApiVersionParameter' } },
    });
    expect(await h.arm('GET', path(), { apiVersion: '2099-01-01' })).toMatchObject({
      status: 400,
      body: { error: { code: 'NoRegisteredProviderFound' } },
    });
    const otherSubscription = path().replace(h.subscriptionId, '00000000-0000-0000-0000-000000000000');
    expect(await h.arm('GET', otherSubscription)).toMatchObject({
      status: 404,
      body: { error: { code: 'SubscriptionNotFound' } },
    });
    expect(await h.arm('GET', path().replace(h.resourceGroup, 'no-such-rg'))).toMatchObject({
      status: 404,
      body: { error: { code: 'ResourceGroupNotFound' } },
    });
    expect(await h.arm('GET', path().replace(/workspaces\/.*$/, 'workspaces/no-such-ws'))).toMatchObject({
      status: 404,
      body: { error: { code: 'ResourceNotFound' } },
    });
  });

  it('returns the workspace through the SDK', async () => {
    const workspace = await h.client.workspaces.get(h.resourceGroup, h.workspace);
    expect(workspace).toMatchObject({
      name: h.workspace,
      location: 'eastus',
      provisioningState: 'Succeeded',
      sku: { name: 'Basic' },
    });
  });
});
