import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ClientSecretCredential } from '@azure/identity';
import { trustCa } from './support/harness.ts';

const BIN = resolve(import.meta.dirname, '../bin/aml-emulator.js');

interface ConnectionInfo {
  armEndpoint: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  caFile: string;
  controlUrl: string;
  oidcIssuer: string;
}

async function launch(args: string[]): Promise<{ child: ChildProcess; info: ConnectionInfo }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<ConnectionInfo>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`aml-emulator exited early with ${code}`)));
    lines.once('line', (line) => done(JSON.parse(line) as ConnectionInfo));
  });
  return { child, info };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    child.once('exit', (code) => done(code));
    child.kill('SIGTERM');
  });
}

describe('aml-emulator command line', () => {
  it('prints one JSON line with everything a client needs, serves the SDK, keeps state, and stops cleanly', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'aml-emulator-cli-')), 'state.json');
    const { child, info } = await launch(['--port', '0', '--state', stateFile, '--provisioning-ms', '50']);
    expect(info).toEqual({
      armEndpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/$/),
      authorityHost: info.armEndpoint,
      tenantId: expect.any(String),
      clientId: expect.any(String),
      clientSecret: expect.any(String),
      subscriptionId: expect.any(String),
      resourceGroup: 'mlops-rg',
      workspace: 'mlops-ws',
      caFile: expect.stringMatching(/ca\.pem$/),
      controlUrl: `${info.armEndpoint}_emulator/`,
      oidcIssuer: `${info.armEndpoint}oidc`,
    });
    trustCa(readFileSync(info.caFile, 'utf8'));
    const credential = new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, {
      authorityHost: info.authorityHost,
      disableInstanceDiscovery: true,
    });
    const client = new AzureMachineLearningWorkspaces(credential, info.subscriptionId, { endpoint: info.armEndpoint });
    expect((await client.workspaces.get(info.resourceGroup, info.workspace)).name).toBe('mlops-ws');
    await client.onlineEndpoints.beginCreateOrUpdateAndWait(
      info.resourceGroup,
      info.workspace,
      'cli-endpoint',
      { location: 'eastus', properties: { authMode: 'Key' } },
      { updateIntervalInMs: 10 },
    );
    const control = await fetch(`${info.controlUrl}info`);
    expect(await control.json()).toMatchObject({ armEndpoint: info.armEndpoint });
    expect(await stop(child)).toBe(0);

    const restarted = await launch(['--state', stateFile]);
    try {
      expect(restarted.info).toMatchObject({
        tenantId: info.tenantId,
        clientSecret: info.clientSecret,
        subscriptionId: info.subscriptionId,
      });
      const again = new AzureMachineLearningWorkspaces(
        new ClientSecretCredential(info.tenantId, info.clientId, info.clientSecret, {
          authorityHost: restarted.info.authorityHost,
          disableInstanceDiscovery: true,
        }),
        info.subscriptionId,
        { endpoint: restarted.info.armEndpoint },
      );
      const endpoint = await again.onlineEndpoints.get(info.resourceGroup, info.workspace, 'cli-endpoint');
      expect(endpoint.properties.scoringUri).toBe(`${restarted.info.armEndpoint}online/cli-endpoint/score`);
    } finally {
      expect(await stop(restarted.child)).toBe(0);
    }
  });

  it('prints usage for --help and refuses unknown flags with exit code 2', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: aml-emulator');
    const wrong = spawnSync(process.execPath, [BIN, '--prot', '1'], { encoding: 'utf8' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--prot'");
  });
});
