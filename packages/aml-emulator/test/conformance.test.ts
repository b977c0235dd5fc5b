/**
 * The conformance machinery itself, and the places where the 2022-10-01 specification and the SDK disagree.
 * (Every other test file checks its own exchanges against the specification when it closes its emulator.)
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelDataUri } from '../src/index.ts';
import { conformanceProblems, loadSpecSchemas, specSchemas } from './support/conformance.ts';
import { keyEndpoint, LINEAR_V1, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

describe('the reference folder', () => {
  it('is skipped with a printed reason when absent, and required under REQUIRE_REFERENCE=1', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'no-reference-')), 'azure-rest-api-specs');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const previous = process.env['REQUIRE_REFERENCE'];
    try {
      delete process.env['REQUIRE_REFERENCE'];
      expect(loadSpecSchemas(missing)).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(`conformance checks skipped: reference specification not found at ${missing}`),
      );
      process.env['REQUIRE_REFERENCE'] = '1';
      expect(() => loadSpecSchemas(missing)).toThrow(/REQUIRE_REFERENCE=1/);
    } finally {
      if (previous === undefined) delete process.env['REQUIRE_REFERENCE'];
      else process.env['REQUIRE_REFERENCE'] = previous;
      warn.mockRestore();
    }
  });
});

describe('the swagger-to-JSON-Schema validator', () => {
  it("accepts the specification's own examples for every emulated operation", () => {
    const schemas = specSchemas();
    if (schemas === undefined) return;
    const emulated = /^(OnlineEndpoints|OnlineDeployments|Model|Environment|Code)/;
    const examples = schemas.examples().filter((example) => emulated.test(example.operationId));
    expect(examples.length).toBeGreaterThanOrEqual(25);
    const problems: string[] = [];
    for (const { operationId, path, example } of examples) {
      const operation = schemas.operation(operationId);
      const body = example.parameters?.['body'];
      if (operation?.body !== undefined && body !== undefined) {
        problems.push(...schemas.validate(operation.body, body).map((error) => `${path} request ${error}`));
      }
      for (const [status, response] of Object.entries(example.responses ?? {})) {
        const schema = operation?.responses[status];
        if (schema === undefined || schema === null || response.body === undefined) continue;
        problems.push(...schemas.validate(schema, response.body).map((error) => `${path} ${status} ${error}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('rejects unknown properties, wrong enums and types, and missing required properties', () => {
    const schemas = specSchemas();
    if (schemas === undefined) return;
    const put = schemas.operation('OnlineEndpoints_CreateOrUpdate')?.body ?? '';
    expect(schemas.validate(put, { location: 'eastus', properties: { authMode: 'Key' } })).toEqual([]);
    expect(schemas.validate(put, { location: 'eastus', properties: { authMode: 'Password' } })).not.toEqual([]);
    expect(
      schemas.validate(put, { location: 'eastus', properties: { authMode: 'Key', mirrorTraffic: { blue: 10 } } }),
    ).not.toEqual([]);
    expect(
      schemas.validate(put, { location: 'eastus', properties: { authMode: 'Key', traffic: { blue: '100' } } }),
    ).not.toEqual([]);
    expect(schemas.validate(put, { properties: { authMode: 'Key' } })).not.toEqual([]);
    const deployment = schemas.operation('OnlineDeployments_CreateOrUpdate')?.body ?? '';
    const managed = {
      location: 'eastus',
      properties: { endpointComputeType: 'Managed', instanceType: 'Standard_DS3_v2' },
    };
    expect(schemas.validate(deployment, managed)).toEqual([]);
    // Only KubernetesOnlineDeployment has containerResourceRequirements: the discriminator picks the subtype.
    expect(
      schemas.validate(deployment, {
        ...managed,
        properties: { ...managed.properties, containerResourceRequirements: {} },
      }),
    ).not.toEqual([]);
    expect(
      schemas.validate(deployment, {
        ...managed,
        properties: { ...managed.properties, endpointComputeType: 'Kubernetes', containerResourceRequirements: {} },
      }),
    ).toEqual([]);
    expect(
      schemas.validate(deployment, {
        ...managed,
        properties: { ...managed.properties, requestSettings: { requestTimeout: 'five seconds' } },
      }),
    ).not.toEqual([]);
  });

  it('lets requests carry read-only properties (ARM ignores them) but requires them in responses where the spec does', () => {
    const schemas = specSchemas();
    if (schemas === undefined) return;
    const body = schemas.operation('OnlineEndpoints_CreateOrUpdate')?.body ?? '';
    expect(
      schemas.validate(body, {
        location: 'eastus',
        properties: { authMode: 'Key', provisioningState: 'Succeeded' },
        systemData: {},
      }),
    ).toEqual([]);
    const status = schemas.definitionRef(
      'specification/common-types/resource-management/v3/types.json',
      'OperationStatusResult',
      'response',
    );
    expect(schemas.validate(status, { id: 'x' })).not.toEqual([]);
  });

  it('reports a response that breaks the specification', () => {
    if (specSchemas() === undefined) return;
    const problems = conformanceProblems([
      {
        time: new Date().toISOString(),
        method: 'GET',
        path: '/x',
        apiVersion: '2022-10-01',
        status: 200,
        kind: 'onlineEndpoints.get',
        operationId: 'OnlineEndpoints_Get',
        durationMs: 1,
        responseBody: { location: 'eastus', properties: { authMode: 'Key', traffic: { blue: 'all' } } },
      },
      {
        time: '',
        method: 'DELETE',
        path: '/y',
        status: 201,
        kind: 'onlineEndpoints.delete',
        operationId: 'OnlineEndpoints_Delete',
        durationMs: 1,
      },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/properties/traffic/blue must be integer'),
        expect.stringContaining('status 201 is not a response'),
      ]),
    );
  });
});

describe('exchanges at 2024-04-01 (the online-endpoint client of core)', () => {
  const get = (responseBody: unknown) => ({
    time: '',
    method: 'GET',
    path: '/x',
    apiVersion: '2024-04-01',
    status: 200,
    kind: 'onlineEndpoints.get',
    operationId: 'OnlineEndpoints_Get',
    durationMs: 1,
    responseBody,
  });

  it('are checked against the 2024-04-01 specification, mirrorTraffic included (2022-10-01 has none to check)', () => {
    if (specSchemas() === undefined) return;
    const endpoint = (mirrorTraffic: Record<string, unknown>) => ({
      id: '/e',
      name: 'e',
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints',
      location: 'eastus',
      identity: { type: 'None' },
      properties: { authMode: 'Key', mirrorTraffic },
    });
    expect(conformanceProblems([get(endpoint({ blue: 10 }))])).toEqual([]);
    expect(conformanceProblems([get(endpoint({ blue: 'ten' }))])).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          '(onlineEndpoints.get, api-version 2024-04-01) → 200: response body /properties/mirrorTraffic/blue must be integer',
        ),
      ]),
    );
  });
});

describe('where the specification and the SDK (@azure/arm-machinelearning 2.1.1) disagree', () => {
  const lastRequestBody = (kind: string) =>
    h.emulator
      .requests()
      .filter((entry) => entry.kind === kind)
      .at(-1)?.requestBody;

  it('mirrorTraffic: in neither the 2022-10-01 spec nor the SDK; the SDK silently drops it', async () => {
    const body = { ...keyEndpoint(), properties: { authMode: 'Key' as const, mirrorTraffic: { blue: 10 } } };
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-sdk', body, h.poll);
    expect(lastRequestBody('onlineEndpoints.createOrUpdate')).toEqual({
      location: 'eastus',
      properties: { authMode: 'Key' },
    });
  });

  it('IsIPProtected: in the spec (AssetBase), unknown to the SDK, which drops it', async () => {
    const properties = { modelUri: modelDataUri(LINEAR_V1), IsIPProtected: false };
    await h.client.modelVersions.createOrUpdate(h.resourceGroup, h.workspace, 'sdk-model', '1', {
      properties,
    } as never);
    expect(lastRequestBody('modelVersions.createOrUpdate')).toEqual({ properties: { modelUri: properties.modelUri } });
    const schemas = specSchemas();
    if (schemas === undefined) return;
    expect(schemas.validate(schemas.operation('ModelVersions_CreateOrUpdate')?.body ?? '', { properties })).toEqual([]);
  });

  it('systemData: read-only in the spec, serialized by the SDK when a fetched resource is sent back', async () => {
    const fetched = await h.client.onlineEndpoints.get(h.resourceGroup, h.workspace, 'ep-sdk');
    await h.client.onlineEndpoints.beginCreateOrUpdateAndWait(h.resourceGroup, h.workspace, 'ep-sdk', fetched, h.poll);
    const sent = lastRequestBody('onlineEndpoints.createOrUpdate') as Record<string, unknown>;
    expect(sent['systemData']).toBeDefined();
    expect(sent['id']).toBeUndefined();
    expect((sent['properties'] as Record<string, unknown>)['scoringUri']).toBeUndefined();
    const schemas = specSchemas();
    if (schemas === undefined) return;
    expect(schemas.validate(schemas.operation('OnlineEndpoints_CreateOrUpdate')?.body ?? '', sent)).toEqual([]);
  });
});
