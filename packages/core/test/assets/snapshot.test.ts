/**
 * Snapshots and fingerprints of local folders, checked against values computed with the Azure ML CLI's own
 * algorithms (azure-ai-ml `get_content_hash`, `get_object_hash`, `_generate_anonymous_name_version`, run in Python
 * on the same files), and the ignore-file rules.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymousEnvironmentVersion } from '../../src/assets/local-assets.ts';
import { blobServiceUrl } from '../../src/assets/datastore.ts';
import { contentHash, objectHash, snapshot } from '../../src/assets/snapshot.ts';

function folder(files: Record<string, string>): string {
  const root = join(mkdtempSync(join(tmpdir(), 'snap-')), 'src');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const SAMPLE = {
  'score.py': 'def run(x):\n    return x\n',
  'conda.yml': 'name: env\n',
  'sub/b.txt': 'B',
  'A.txt': 'a',
};

describe('fingerprints', () => {
  it("match the CLI's content hash (SHA-256, version 202208) and upload hash (MD5)", async () => {
    const snap = snapshot(folder(SAMPLE), 'code');
    expect(snap.files.map((file) => file.relative)).toEqual(['A.txt', 'conda.yml', 'score.py', 'sub/b.txt']);
    expect(snap.name).toBe('src');
    expect(await contentHash(snap)).toBe('467e7eb72466d1511b6eac3058612721d79d945f07d5a2511c5f1e5cebd647a6');
    expect(await objectHash(snap)).toBe('77362f9c243009be58c58dda97c6a0e2');
  });

  it('change with any byte, and with a renamed file', async () => {
    const base = await contentHash(snapshot(folder(SAMPLE), 'code'));
    expect(await contentHash(snapshot(folder({ ...SAMPLE, 'A.txt': 'b' }), 'code'))).not.toBe(base);
    const { 'A.txt': a, ...rest } = SAMPLE;
    expect(await contentHash(snapshot(folder({ ...rest, 'C.txt': a }), 'code'))).not.toBe(base);
  });

  it('name anonymous environments as the CLI does (image + conda file)', () => {
    expect(anonymousEnvironmentVersion({ image: 'python:3.12', condaFile: 'name: env\n' })).toBe(
      '4dcefc1a3f4088a9748f520d4430bbe1',
    );
  });
});

describe('ignore files', () => {
  it('.amlignore wins over .gitignore, with gitignore semantics; ignored folders are left out whole', () => {
    const root = folder({
      ...SAMPLE,
      '.gitignore': 'score.py\n',
      '.amlignore': 'data/\n*.env\n!keep.env\n',
      'data/big.csv': '1,2,3',
      'secret.env': 'KEY=1',
      'keep.env': 'A=1',
    });
    const snap = snapshot(root, 'code');
    expect(snap.ignoreFile).toBe('.amlignore');
    expect(snap.files.map((file) => file.relative)).toEqual([
      '.amlignore',
      '.gitignore',
      'A.txt',
      'conda.yml',
      'keep.env',
      'score.py',
      'sub/b.txt',
    ]);
    expect(snap.ignored).toEqual(['data/', 'secret.env']);
  });

  it('uses .gitignore when there is no .amlignore, and refuses a folder with nothing left', () => {
    const snap = snapshot(folder({ ...SAMPLE, '.gitignore': '*.txt\n' }), 'code');
    expect(snap.ignoreFile).toBe('.gitignore');
    expect(snap.ignored).toEqual(['A.txt', 'sub/b.txt']);
    expect(() => snapshot(folder({ 'a.txt': 'x', '.amlignore': '*\n' }), 'code')).toThrow(/has no files to upload/);
  });
});

describe('blob service URL', () => {
  it('is host-style for cloud endpoints and path-style for IP endpoints', () => {
    expect(blobServiceUrl('acct', 'core.windows.net')).toBe('https://acct.blob.core.windows.net');
    expect(blobServiceUrl('acct', 'core.chinacloudapi.cn')).toBe('https://acct.blob.core.chinacloudapi.cn');
    expect(blobServiceUrl('acct', '127.0.0.1:10000')).toBe('https://127.0.0.1:10000/acct');
  });
});
