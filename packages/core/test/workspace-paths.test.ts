/**
 * Nothing outside the checked-out repository is read, uploaded or written: paths in deployment.yml, links inside
 * uploaded folders and cases folders, and output files behind dangling links.
 */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { folderCases } from '../src/aml/expectations.ts';
import { snapshot } from '../src/assets/snapshot.ts';
import { parseDeployment } from '../src/azure/spec.ts';
import { YamlFile, YamlFileError } from '../src/yaml-file.ts';
import { escapeFromWorkspace, realDestination, resolveWorkspacePath } from '../src/files.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'repo-')));
const outside = realpathSync(mkdtempSync(join(tmpdir(), 'outside-')));
writeFileSync(join(outside, 'id_rsa'), 'PRIVATE KEY');
mkdirSync(join(root, 'deploy', 'code'), { recursive: true });
mkdirSync(join(root, 'deploy', 'cases'), { recursive: true });
writeFileSync(join(root, 'deploy', 'code', 'score.py'), 'def run(): pass\n');
writeFileSync(join(root, 'deploy', 'cases', 'a.request.json'), '{}');
writeFileSync(join(root, 'deploy', 'cases', 'a.expected.json'), '{}');

function problemsOf(text: string): string[] {
  try {
    parseDeployment(YamlFile.parse(text, join(root, 'deploy', 'deployment.yml')), { workspace: root });
  } catch (error) {
    if (error instanceof YamlFileError) return error.problems.map((p) => `${p.line}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('paths in deployment.yml stay in the repository', () => {
  const head = 'name: blue\ninstance_type: Standard_DS3_v2\n';

  it('refuses code, model.path, conda_file and build.path outside it, on their lines', () => {
    const problems = problemsOf(
      `${head}model:\n  path: ../../../etc\ncode_configuration:\n  code: ${outside}\n  scoring_script: score.py\n` +
        `environment:\n  conda_file: ../../conda.yml\n  build:\n    path: /\n`,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^4: model\.path: '\.\.\/\.\.\/\.\.\/etc' is refused: it is outside the repository/),
      expect.stringMatching(/^9: environment\.conda_file: '\.\.\/\.\.\/conda\.yml' is refused/),
      expect.stringMatching(/^11: environment\.build\.path: '\/' is refused/),
      expect.stringMatching(/^6: code_configuration\.code: '.*' is refused: it is outside the repository/),
    ]);
  });

  it('refuses a link in the repository that leads out of it', () => {
    symlinkSync(outside, join(root, 'deploy', 'model-link'));
    expect(problemsOf(`${head}model:\n  path: model-link\nenvironment: azureml:env:1\n`)).toEqual([
      expect.stringMatching(/^4: model\.path: 'model-link' is refused: a symbolic link takes it outside/),
    ]);
  });

  it('accepts folders inside it', () => {
    expect(
      problemsOf(`${head}code_configuration:\n  code: code\n  scoring_script: score.py\nenvironment: azureml:env:1\n`),
    ).toEqual([]);
  });
});

describe('links inside uploaded folders and cases folders', () => {
  it('an uploaded folder may not hold a link out of the repository', () => {
    const code = join(root, 'code-with-link');
    mkdirSync(code);
    writeFileSync(join(code, 'score.py'), 'x');
    symlinkSync(join(outside, 'id_rsa'), join(code, 'key'));
    expect(() => snapshot(code, 'deploy/deployment.yml: code_configuration.code', root)).toThrow(
      /key is a symbolic link to .*id_rsa, outside the repository/,
    );
    // Without a root (a library caller that chose so) links are followed, as the CLI does.
    expect(snapshot(code, 'code').files.map((f) => f.relative)).toEqual(['key', 'score.py']);
  });

  it('a case file that links out is refused, not read', () => {
    const cases = join(root, 'cases-with-link');
    mkdirSync(cases);
    writeFileSync(join(cases, 'a.request.json'), '{}');
    symlinkSync(join(outside, 'id_rsa'), join(cases, 'a.expected.json'));
    expect(() => folderCases(cases, root)).toThrow(/a\.expected\.json is refused: a symbolic link takes it outside/);
    expect(folderCases(join(root, 'deploy', 'cases'), root).map((c) => c.name)).toEqual(['a']);
  });
});

describe('files written', () => {
  it('a dangling link is followed to where a write would go, and refused when that is outside', () => {
    symlinkSync(join(outside, 'not-yet.json'), join(root, 'report.json'));
    expect(realDestination(join(root, 'report.json'))).toBe(join(outside, 'not-yet.json'));
    expect(escapeFromWorkspace('report.json', root)).toMatch(/a symbolic link takes it outside/);
    expect(() => resolveWorkspacePath('report-path', 'report.json', { root, mustExist: false })).toThrow(
      /Input 'report-path': report\.json is a link to a place outside the repository .*refusing to write it/,
    );
  });

  it('a missing file under a linked folder is judged by the folder', () => {
    symlinkSync(outside, join(root, 'out-dir'));
    expect(() => resolveWorkspacePath('manifest-path', 'out-dir/m.json', { root, mustExist: false })).toThrow(
      /refusing to write it/,
    );
    expect(resolveWorkspacePath('manifest-path', 'release/m.json', { root, mustExist: false })).toBe(
      join(root, 'release', 'm.json'),
    );
  });
});
