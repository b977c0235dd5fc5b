import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction } from '../src/action.ts';
import { YamlFile } from '../src/yaml-file.ts';
import { parseEndpoint } from '../src/azure/spec.ts';
import { UserError } from '../src/errors.ts';
import { maskSecret } from '../src/summary.ts';

let output: string[] = [];
const original = process.stdout.write.bind(process.stdout);

beforeEach(() => {
  output = [];
  process.stdout.write = ((chunk: string) => (output.push(String(chunk)), true)) as typeof process.stdout.write;
});

afterEach(() => {
  process.stdout.write = original;
  process.exitCode = 0;
});

describe('runAction', () => {
  it('succeeds quietly', async () => {
    await runAction(async () => undefined);
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('annotates each YAML problem on its file and line, and exits 1', async () => {
    await runAction(async () => {
      parseEndpoint(YamlFile.parse('name: ab\nauth: key\n', 'deploy/endpoint.yml'));
    });
    expect(process.exitCode).toBe(1);
    const text = output.join('');
    expect(text).toContain(
      "::error title=Invalid Azure ML YAML,file=deploy/endpoint.yml,line=2,col=1::unknown field 'auth'",
    );
  });

  it('annotates user errors with their file, redacts secrets, and hides stacks of bugs in debug', async () => {
    maskSecret('token-abcdef');
    await runAction(async () => {
      throw new UserError('bad token-abcdef in file', { file: 'release.json', line: 3 });
    });
    expect(output.join('')).toContain('::error file=release.json,line=3::bad *** in file');
    output = [];
    await runAction(async () => {
      throw new TypeError('cannot read x');
    });
    const text = output.join('');
    expect(text).toContain('::error::cannot read x');
    expect(text).toContain('::debug::TypeError: cannot read x');
  });
});
