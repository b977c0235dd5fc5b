import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { modelDataUri } from '../src/index.ts';
import { LINEAR_V1, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ pageSize: 2 });
});

afterAll(async () => {
  expect(await h.close()).toEqual([]);
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

describe('models', () => {
  it('creates a version (201) and its container, then updates mutable fields (200)', async () => {
    const modelUri = modelDataUri(LINEAR_V1);
    const created = await h.client.modelVersions.createOrUpdate(h.resourceGroup, h.workspace, 'churn', '1', {
      properties: { modelUri, description: 'first', tags: { stage: 'dev' } },
    });
    expect(created).toMatchObject({
      name: '1',
      type: 'Microsoft.MachineLearningServices/workspaces/models/versions',
      properties: { modelUri, isArchived: false },
    });
    expect(h.emulator.requests().find((entry) => entry.kind === 'modelVersions.createOrUpdate')?.status).toBe(201);
    const updated = await h.client.modelVersions.createOrUpdate(h.resourceGroup, h.workspace, 'churn', '1', {
      properties: { modelUri, description: 'second' },
    });
    expect(updated.properties.description).toBe('second');
    expect(
      h.emulator
        .requests()
        .filter((entry) => entry.kind === 'modelVersions.createOrUpdate')
        .at(-1)?.status,
    ).toBe(200);
    const container = await h.client.modelContainers.get(h.resourceGroup, h.workspace, 'churn');
    expect(container.properties).toMatchObject({ latestVersion: '1', nextVersion: '2' });
  });

  it('refuses to change the artifact of an existing version (409 Conflict)', async () => {
    await expect(
      h.client.modelVersions.createOrUpdate(h.resourceGroup, h.workspace, 'churn', '1', {
        properties: { modelUri: 'data:application/json,{}' },
      }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
  });

  it('lists versions with $orderBy, $top, listViewType and tags, across pages', async () => {
    for (const version of ['2', '10', '3']) {
      await h.client.modelVersions.createOrUpdate(h.resourceGroup, h.workspace, 'churn', version, {
        properties: {
          modelUri: modelDataUri(LINEAR_V1),
          isArchived: version === '3',
          tags: { stage: version === '10' ? 'prod' : 'dev' },
        },
      });
    }
    const all = await collect(
      h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn', { listViewType: 'All' }),
    );
    expect(all.map((version) => version.name)).toEqual(['1', '2', '3', '10']);
    const active = await collect(h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn'));
    expect(active.map((version) => version.name)).toEqual(['1', '2', '10']);
    const archived = await collect(
      h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn', { listViewType: 'ArchivedOnly' }),
    );
    expect(archived.map((version) => version.name)).toEqual(['3']);
    const latest = await collect(
      h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn', { orderBy: 'createdtime desc', top: 1 }),
    );
    expect(latest.map((version) => version.name)).toEqual(['10']);
    const highest = await collect(
      h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn', { orderBy: 'version desc', top: 2 }),
    );
    expect(highest.map((version) => version.name)).toEqual(['10', '2']);
    const prod = await collect(
      h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn', { tags: 'stage=prod' }),
    );
    expect(prod.map((version) => version.name)).toEqual(['10']);
    const listCalls = h.emulator.requests().filter((entry) => entry.kind === 'modelVersions.list');
    expect(listCalls.some((entry) => entry.path.includes('versions') && entry.status === 200)).toBe(true);
    await expect(
      collect(h.client.modelVersions.list(h.resourceGroup, h.workspace, 'churn', { orderBy: 'size' })),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgument',
    });
  });

  it('lists containers and answers 404 UserError for a missing version', async () => {
    await h.client.modelContainers.createOrUpdate(h.resourceGroup, h.workspace, 'empty', {
      properties: { description: 'no versions yet' },
    });
    const containers = await collect(h.client.modelContainers.list(h.resourceGroup, h.workspace));
    expect(containers.map((container) => container.name)).toEqual(['churn', 'empty']);
    await expect(h.client.modelVersions.get(h.resourceGroup, h.workspace, 'churn', '99')).rejects.toMatchObject({
      statusCode: 404,
      code: 'UserError',
    });
    await expect(h.client.modelContainers.get(h.resourceGroup, h.workspace, 'nothing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'UserError',
    });
  });

  it('deletes versions and containers (200, then 204)', async () => {
    await h.client.modelVersions.delete(h.resourceGroup, h.workspace, 'churn', '2');
    await h.client.modelVersions.delete(h.resourceGroup, h.workspace, 'churn', '2');
    const statuses = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'modelVersions.delete')
      .map((entry) => entry.status);
    expect(statuses).toEqual([200, 204]);
    await h.client.modelContainers.delete(h.resourceGroup, h.workspace, 'empty');
    await expect(h.client.modelContainers.get(h.resourceGroup, h.workspace, 'empty')).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('environments and code', () => {
  it('registers environment versions and refuses a changed image (409)', async () => {
    const created = await h.client.environmentVersions.createOrUpdate(
      h.resourceGroup,
      h.workspace,
      'sklearn-env',
      '1',
      {
        properties: {
          image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest',
          condaFile: 'dependencies: [python=3.10]',
        },
      },
    );
    expect(created.properties).toMatchObject({ environmentType: 'UserCreated', osType: 'Linux' });
    const got = await h.client.environmentVersions.get(h.resourceGroup, h.workspace, 'sklearn-env', '1');
    expect(got.properties.image).toContain('openmpi');
    await expect(
      h.client.environmentVersions.createOrUpdate(h.resourceGroup, h.workspace, 'sklearn-env', '1', {
        properties: { image: 'python:3.12' },
      }),
    ).rejects.toMatchObject({ statusCode: 409 });
    const versions = await collect(h.client.environmentVersions.list(h.resourceGroup, h.workspace, 'sklearn-env'));
    expect(versions).toHaveLength(1);
    const containers = await collect(h.client.environmentContainers.list(h.resourceGroup, h.workspace));
    expect(containers.map((container) => container.name)).toEqual(['sklearn-env']);
  });

  it('registers content-addressed code versions idempotently', async () => {
    const body = { properties: { codeUri: 'https://storage.example/code/0f1e2d' } };
    await h.client.codeVersions.createOrUpdate(h.resourceGroup, h.workspace, 'score-code', '0f1e2d', body);
    await h.client.codeVersions.createOrUpdate(h.resourceGroup, h.workspace, 'score-code', '0f1e2d', body);
    const statuses = h.emulator
      .requests()
      .filter((entry) => entry.kind === 'codeVersions.createOrUpdate')
      .map((entry) => entry.status);
    expect(statuses).toEqual([201, 200]);
    const container = await h.client.codeContainers.get(h.resourceGroup, h.workspace, 'score-code');
    expect(container.properties.latestVersion).toBe('0f1e2d');
    await h.client.codeContainers.delete(h.resourceGroup, h.workspace, 'score-code');
    await expect(h.client.codeVersions.get(h.resourceGroup, h.workspace, 'score-code', '0f1e2d')).rejects.toMatchObject(
      { statusCode: 404 },
    );
  });

  it('serves every container and version operation for environments and code', async () => {
    const { environmentContainers, environmentVersions, codeContainers, codeVersions } = h.client;
    await environmentContainers.createOrUpdate(h.resourceGroup, h.workspace, 'env-all', {
      properties: { description: 'd' },
    });
    await environmentVersions.createOrUpdate(h.resourceGroup, h.workspace, 'env-all', '1', {
      properties: { image: 'python:3.12' },
    });
    expect((await environmentContainers.get(h.resourceGroup, h.workspace, 'env-all')).properties).toMatchObject({
      description: 'd',
      latestVersion: '1',
    });
    await environmentVersions.delete(h.resourceGroup, h.workspace, 'env-all', '1');
    expect(await collect(environmentVersions.list(h.resourceGroup, h.workspace, 'env-all'))).toEqual([]);
    await environmentContainers.delete(h.resourceGroup, h.workspace, 'env-all');
    await expect(environmentContainers.get(h.resourceGroup, h.workspace, 'env-all')).rejects.toMatchObject({
      statusCode: 404,
    });

    await codeContainers.createOrUpdate(h.resourceGroup, h.workspace, 'code-all', { properties: {} });
    await codeVersions.createOrUpdate(h.resourceGroup, h.workspace, 'code-all', '1', {
      properties: { codeUri: 'https://storage.example/code/1' },
    });
    expect(
      (await collect(codeContainers.list(h.resourceGroup, h.workspace))).map((container) => container.name),
    ).toContain('code-all');
    expect(
      (
        await collect(
          codeVersions.list(h.resourceGroup, h.workspace, 'code-all', { orderBy: 'createdtime desc', top: 1 }),
        )
      ).map((version) => version.name),
    ).toEqual(['1']);
    await codeVersions.delete(h.resourceGroup, h.workspace, 'code-all', '1');
    await expect(codeVersions.get(h.resourceGroup, h.workspace, 'code-all', '1')).rejects.toMatchObject({
      statusCode: 404,
      code: 'UserError',
    });
    const kinds = new Set(h.emulator.requests().map((entry) => entry.kind));
    for (const group of ['environmentContainers', 'environmentVersions', 'codeContainers', 'codeVersions']) {
      for (const operation of ['list', 'get', 'createOrUpdate', 'delete'])
        expect(kinds).toContain(`${group}.${operation}`);
    }
  });

  it('refuses invalid asset names (400 BadArgument)', async () => {
    const response = await h.arm('PUT', `${h.workspacePath}/codes/-bad/versions/1`, {
      body: { properties: { codeUri: 'x' } },
    });
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'BadArgument' } } });
  });
});
