import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  parseReleaseManifest,
  readReleaseManifest,
  serializeReleaseManifest,
  writeReleaseManifest,
} from '../src/release-manifest.ts';
import { MANIFEST } from './fixtures.ts';

describe('release manifest', () => {
  it('round-trips with stable formatting', () => {
    const text = serializeReleaseManifest(MANIFEST);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseReleaseManifest(text)).toEqual(MANIFEST);
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    writeReleaseManifest(join(dir, 'release.json'), MANIFEST);
    expect(readReleaseManifest(join(dir, 'release.json'))).toEqual(MANIFEST);
  });

  it('gives line and column of a JSON syntax error', () => {
    expect(() => parseReleaseManifest('{\n  "schema": 1,\n  oops\n}', 'release.json')).toThrow(
      /release\.json:3:3 is not valid JSON/,
    );
  });

  it('refuses a newer schema with the fix', () => {
    expect(() => parseReleaseManifest(JSON.stringify({ ...MANIFEST, schema: 2 }), 'release.json')).toThrow(
      'release.json has schema 2, newer than the 1 this version of mlops-actions reads: upgrade the production workflow',
    );
  });

  it.each([
    [
      { ...MANIFEST, model: { name: 'fraud', version: 'latest' } },
      "model.version: must be an exact version, not 'latest'",
    ],
    [
      { ...MANIFEST, image: { name: 'x', digest: 'sha256:abc' } },
      "image.digest: must be 'sha256:' followed by 64 hex digits",
    ],
    [
      { ...MANIFEST, source: { ...MANIFEST.source, commit: 'abc' } },
      'source.commit: must be a full 40-character commit sha',
    ],
    [{ ...MANIFEST, surprise: true }, 'Unrecognized key'],
    [{ ...MANIFEST, schema: undefined }, 'schema:'],
  ])('names what is wrong (%#)', (data, message) => {
    expect(() => parseReleaseManifest(JSON.stringify(data), 'release.json')).toThrow(message);
  });

  it('explains a missing file', () => {
    expect(() => readReleaseManifest('/nonexistent/release.json')).toThrow(/cannot be read: check the path/);
  });
});
