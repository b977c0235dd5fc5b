/**
 * A second, independent client: Debian's python3-azure (azure.mgmt.machinelearningservices, api-version
 * 2022-10-01, with its own serializer and LRO poller) runs a whole lifecycle against the emulator (lifecycle.py).
 * Skipped with the reason where no Python has the package, unless REQUIRE_PYTHON_AZURE=1 (set by .ci/run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { modelDataUri, startEmulator } from '../../packages/aml-emulator/src/index.ts';
import type { Emulator } from '../../packages/aml-emulator/src/index.ts';
import { expectedAnswer, MODELS } from '../support/aml.ts';

const REQUIRED = process.env['REQUIRE_PYTHON_AZURE'] === '1';
const MODULE = 'azure.mgmt.machinelearningservices';
// Debian's interpreter first: `python3` on PATH may be another one (pyenv) without the apt package.
const CANDIDATES = ['/usr/bin/python3', 'python3'];

function pythonWithAzure(): { python?: string; reason: string } {
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    const probe = spawnSync(candidate, ['-c', `import ${MODULE}, azure.identity, requests`], { encoding: 'utf8' });
    if (probe.status === 0) return { python: candidate, reason: '' };
    tried.push(
      `${candidate}: ${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`}`,
    );
  }
  return { reason: `no Python with ${MODULE} (apt-get install python3-azure); tried ${tried.join('; ')}` };
}

const found = pythonWithAzure();
if (found.python === undefined)
  process.stdout.write(`[${REQUIRED ? 'failing' : 'skipped'}] python3-azure lifecycle: ${found.reason}\n`);

describe('python3-azure against the emulator', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    if (found.python !== undefined) emulator = await startEmulator({ provisioningMs: 150 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  (found.python !== undefined || REQUIRED ? it : it.skip)(
    'creates models, an endpoint and a deployment, moves traffic, lists keys, scores, updates in place, reads logs and deletes',
    async () => {
      if (found.python === undefined) throw new Error(found.reason);
      const { urls, credentials, caFile } = emulator;
      const info = { armEndpoint: urls.arm, authorityHost: urls.authorityHost, ...credentials };
      const run = spawn(found.python, [join(import.meta.dirname, 'lifecycle.py')], {
        env: {
          PATH: process.env['PATH'] ?? '',
          EMULATOR_INFO: JSON.stringify(info),
          MODEL_URIS: JSON.stringify({ '1': modelDataUri(MODELS['1']!), '2': modelDataUri(MODELS['2']!) }),
          EXPECTED_ANSWERS: JSON.stringify({ '1': expectedAnswer('1'), '2': expectedAnswer('2') }),
          REQUESTS_CA_BUNDLE: caFile,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
      console.log(output);
      expect({ code, last: output.trim().split('\n').at(-1) }).toEqual({
        code: 0,
        last: 'python-azure: lifecycle passed',
      });
      // Every step went through the emulator's ARM API with the Python client's own api-version.
      const kinds = new Set(emulator.requests().map((request) => `${request.kind} ${request.apiVersion ?? ''}`.trim()));
      for (const kind of [
        'modelVersions.createOrUpdate 2022-10-01',
        'onlineEndpoints.createOrUpdate 2022-10-01',
        'onlineDeployments.createOrUpdate 2022-10-01',
        'onlineEndpoints.listKeys 2022-10-01',
        'onlineDeployments.getLogs 2022-10-01',
        'onlineEndpoints.delete 2022-10-01',
        'score',
      ])
        expect([...kinds]).toContain(kind);
    },
    120_000,
  );
});
