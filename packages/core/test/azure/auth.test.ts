import { describe, expect, it } from '@jest/globals';
import { azureLogin } from '../../src/azure/auth.ts';
import { describeLogin, httpsUrl, PUBLIC_CLOUD } from '../../src/azure/login.ts';
import { createMlClient } from '../../src/azure/client.ts';
import { redact } from '../../src/summary.ts';

const SECRET_JSON = JSON.stringify({
  clientId: '11111111-1111-1111-1111-111111111111',
  clientSecret: 'sp-secret-value-123',
  tenantId: '22222222-2222-2222-2222-222222222222',
  subscriptionId: '33333333-3333-3333-3333-333333333333',
});

describe('azureLogin', () => {
  it('prefers OpenID Connect and defaults to the public cloud', () => {
    const login = azureLogin({ clientId: 'c', tenantId: 't', subscriptionId: 's', azureCredentials: SECRET_JSON });
    expect(login).toMatchObject({ method: 'oidc', subscriptionId: 's', ...PUBLIC_CLOUD, clientId: 'c', tenantId: 't' });
    expect(describeLogin(login)).toBe(
      'Signing in to https://management.azure.com with OpenID Connect (client c, tenant t), subscription s.',
    );
  });

  it('uses the azure-credentials secret and masks its secret, not its ids or URLs', () => {
    const login = azureLogin({
      azureCredentials: JSON.stringify({
        ...JSON.parse(SECRET_JSON),
        resourceManagerEndpointUrl: 'https://management.azure.com/',
      }),
    });
    expect(login.method).toBe('client-secret');
    expect(login.subscriptionId).toBe('33333333-3333-3333-3333-333333333333');
    expect(redact(`secret sp-secret-value-123 in ${SECRET_JSON}`)).toBe('secret *** in ***');
    const ids = `subscription ${login.subscriptionId}, client ${login.clientId}, tenant ${login.tenantId}, https://management.azure.com/`;
    expect(redact(ids)).toBe(ids);
  });

  it("takes the cloud's endpoints from the secret unless inputs say otherwise", () => {
    const sovereign = JSON.stringify({
      ...JSON.parse(SECRET_JSON),
      resourceManagerEndpointUrl: 'https://management.chinacloudapi.cn/',
      activeDirectoryEndpointUrl: 'https://login.chinacloudapi.cn',
    });
    expect(azureLogin({ azureCredentials: sovereign })).toMatchObject({
      armEndpoint: 'https://management.chinacloudapi.cn',
      authorityHost: 'https://login.chinacloudapi.cn',
    });
    expect(azureLogin({ azureCredentials: sovereign, armEndpoint: 'https://127.0.0.1:8443/' }).armEndpoint).toBe(
      'https://127.0.0.1:8443',
    );
  });

  it('falls back to the Azure CLI chain', () => {
    expect(azureLogin({ subscriptionId: 's' }).method).toBe('azure-cli');
  });

  it.each([
    [
      { subscriptionId: 's', armEndpoint: 'http://127.0.0.1:8080' },
      "'arm-endpoint' must use https (got http://127.0.0.1:8080)",
    ],
    [{ subscriptionId: 's', authorityHost: 'not a url' }, "'authority-host' is 'not a url', which is not a URL"],
    [
      { clientId: 'c', subscriptionId: 's' },
      "OpenID Connect login needs both 'client-id' and 'tenant-id': 'tenant-id' is missing.",
    ],
    [{ clientId: 'c', tenantId: 't' }, "No Azure subscription: set 'subscription-id'"],
    [
      { azureCredentials: '{"clientId": "x", "clientSecret": "leaky-secret-42"' },
      "'azure-credentials' is not valid JSON",
    ],
    [{ azureCredentials: '{"clientId": "x"}' }, "'azure-credentials' lacks clientSecret, tenantId, subscriptionId"],
    [{ azureCredentials: 'null' }, "'azure-credentials' is JSON null, not an object"],
    [{ azureCredentials: '["leaky-secret-42"]' }, "'azure-credentials' is JSON array, not an object"],
  ])('refuses %j clearly', (options, message) => {
    let thrown = '';
    try {
      azureLogin(options);
    } catch (error) {
      thrown = (error as Error).message;
    }
    expect(thrown).toContain(message);
    expect(thrown).not.toContain('leaky-secret-42');
  });

  it('explains a missing id-token permission when the token is requested', async () => {
    const login = azureLogin({
      clientId: 'c',
      tenantId: 't',
      subscriptionId: 's',
      getIdToken: () => Promise.reject(new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable')),
    });
    await expect(login.credential.getToken('https://management.azure.com/.default')).rejects.toThrow(
      /permissions: id-token: write/,
    );
  });

  it('httpsUrl normalises trailing slashes', () => {
    expect(httpsUrl('arm-endpoint', 'https://management.azure.com/')).toBe('https://management.azure.com');
  });
});

describe('createMlClient', () => {
  it('points URLs and token scopes at the configured cloud', () => {
    const login = azureLogin({ subscriptionId: 's', armEndpoint: 'https://127.0.0.1:9443' });
    const client = createMlClient(login, { userAgent: 'aml-endpoint-deploy' });
    expect(client.$host).toBe('https://127.0.0.1:9443');
    expect(client.subscriptionId).toBe('s');
    const policies = client.pipeline.getOrderedPolicies().map((policy) => policy.name);
    expect(policies).toContain('mlopsRequestTimeout');
    expect(policies).toContain('bearerTokenAuthenticationPolicy');
  });
});
