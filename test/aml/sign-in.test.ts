/**
 * The sign-in inputs azure/login users know: `creds` for the service principal's JSON (the workshop's
 * `azure-credentials` still works; both at once is refused), and `audience` for the GitHub ID token of OpenID Connect,
 * which must be what the app's federated credential accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEPLOY, startAmlWorld, type AmlWorld } from '../support/aml.ts';

const CUSTOM_AUDIENCE = 'api://ml-service-staging';
let world: AmlWorld;

beforeAll(async () => {
  world = await startAmlWorld();
});

afterAll(async () => {
  await world?.close();
});

function servicePrincipalJson(): string {
  const { credentials } = world.emulator;
  return JSON.stringify({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    tenantId: credentials.tenantId,
    subscriptionId: credentials.subscriptionId,
  });
}

const withoutOidc = { 'client-id': '', 'tenant-id': '', 'subscription-id': '' };

describe('creds', () => {
  it('signs in with the service principal JSON under azure/login’s name', async () => {
    const result = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      ...withoutOidc,
      mode: 'plan',
      creds: servicePrincipalJson(),
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('with the azure-credentials secret (client');
  });

  it('is refused beside azure-credentials, before any call to Azure', async () => {
    const mark = world.emulator.requests().length;
    const result = await world.run('aml-endpoint-deploy', {
      ...DEPLOY,
      ...withoutOidc,
      creds: servicePrincipalJson(),
      'azure-credentials': servicePrincipalJson(),
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(/Input 'creds' and 'azure-credentials' are both set/);
    expect(world.emulator.requests().slice(mark)).toEqual([]);
  });
});

describe('audience', () => {
  it('is the aud of the ID token: one the federated credential does not list is refused by Entra', async () => {
    const result = await world.run('aml-endpoint-deploy', { ...DEPLOY, mode: 'plan', audience: CUSTOM_AUDIENCE });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(`AADSTS700212`);
    expect(result.errors.join('\n')).toContain(`presented assertion audience '${CUSTOM_AUDIENCE}'`);
  });

  it('signs in when the federated credential lists it', async () => {
    const custom = await startAmlWorld({ emulator: { federationAudiences: [CUSTOM_AUDIENCE] } });
    try {
      const result = await custom.run('aml-endpoint-deploy', { ...DEPLOY, mode: 'plan', audience: CUSTOM_AUDIENCE });
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(result.log).toContain(`audience ${CUSTOM_AUDIENCE}`);
      // The default audience is not what this credential accepts.
      const fallback = await custom.run('aml-endpoint-deploy', { ...DEPLOY, mode: 'plan' });
      expect(fallback.exitCode).toBe(1);
      expect(fallback.errors.join('\n')).toContain('AADSTS700212');
    } finally {
      await custom.close();
    }
  });
});
