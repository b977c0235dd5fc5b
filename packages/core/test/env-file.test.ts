import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseEnvFile, readEnvFile, resolveTarget } from '../src/env-file.ts';

const WORKSHOP = `# staging
group="mlops-rg"
workspace=mlops-ws
location=westeurope
compute=cpu-cluster
endpoint=mlops-workshop-endpoint
model=nyc_fare_prediction
extra=kept-for-other-steps
`;

describe('env-file', () => {
  it("reads the workshop's keys and reports the others", () => {
    const file = parseEnvFile(WORKSHOP, '.env.staging');
    expect(file.values).toEqual({
      group: 'mlops-rg',
      workspace: 'mlops-ws',
      location: 'westeurope',
      compute: 'cpu-cluster',
      endpoint: 'mlops-workshop-endpoint',
      model: 'nyc_fare_prediction',
    });
    expect(file.ignoredKeys).toEqual(['extra']);
  });

  it('explicit inputs win over the file', () => {
    const file = parseEnvFile(WORKSHOP, '.env.staging');
    expect(resolveTarget({ endpoint: 'other', resourceGroup: 'rg2' }, file)).toEqual({
      resourceGroup: 'rg2',
      workspace: 'mlops-ws',
      endpoint: 'other',
      model: 'nyc_fare_prediction',
      location: 'westeurope',
    });
  });

  it('says which values are missing and where it looked', () => {
    const file = parseEnvFile('endpoint=e\n', 'env/.env.prod');
    expect(() => resolveTarget({}, file)).toThrow(
      "The Azure ML workspace is not known: neither the inputs nor env/.env.prod set 'resource-group' (or 'group' in the env file) and 'workspace' (or 'workspace' in the env file).",
    );
    expect(() => resolveTarget({ resourceGroup: 'rg' })).toThrow(
      "the inputs (and no 'env-file' was given) set 'workspace'",
    );
  });

  it('reads from disk and explains a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, '.env.staging'), WORKSHOP);
    expect(readEnvFile(join(dir, '.env.staging')).values.group).toBe('mlops-rg');
    expect(() => readEnvFile(join(dir, '.env.nope'))).toThrow(/does not exist: give the path from the repository root/);
  });
});
