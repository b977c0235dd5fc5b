import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { diffValues, formatChanges } from '../src/diff.ts';
import { displayPath, resolveWorkspacePath } from '../src/files.ts';
import { LatencyRecorder } from '../src/latency.ts';

describe('diffValues', () => {
  it('compares only what the desired state sets, maps whole, enums without case', () => {
    const live = {
      sku: { capacity: 3, name: 'Default' },
      tags: { a: '1', b: '2', 'mlops-actions.run': 'x' },
      properties: { authMode: 'key', extra: 1 },
    };
    const desired = { sku: { capacity: 1 }, tags: { a: '1' }, properties: { authMode: 'Key' } };
    const changes = diffValues(live, desired, { wholeMaps: ['tags'], ignoreKeys: ['mlops-actions.*'] });
    expect(changes).toEqual([
      { path: 'sku.capacity', live: 3, desired: 1 },
      { path: 'tags', live: { a: '1', b: '2' }, desired: { a: '1' } },
    ]);
    expect(formatChanges(changes)).toBe('  ~ sku.capacity: 3 → 1\n  ~ tags: {"a":"1","b":"2"} → {"a":"1"}');
    expect(formatChanges([{ path: 'x', live: undefined, desired: [1] }])).toBe('  ~ x: (not set) → [1]');
    expect(diffValues({ list: [1, 2] }, { list: [1, 2] })).toEqual([]);
  });

  it('compares durations by how long they last, since ARM answers them re-serialized (PT60S → PT1M, PT0.50S → PT0.5S)', () => {
    const live = {
      properties: {
        requestSettings: { requestTimeout: 'PT1M', maxQueueWait: 'PT0S' },
        livenessProbe: { initialDelay: 'PT1M30S', period: 'PT0.5S' },
      },
    };
    const desired = {
      properties: {
        requestSettings: { requestTimeout: 'PT60S', maxQueueWait: 'PT0S' },
        livenessProbe: { initialDelay: 'PT90S', period: 'PT0.50S' },
      },
    };
    expect(diffValues(live, desired)).toEqual([]);
    expect(diffValues({ requestTimeout: 'PT1M' }, { requestTimeout: 'PT61S' })).toEqual([
      { path: 'requestTimeout', live: 'PT1M', desired: 'PT61S' },
    ]);
    // Strings that only look like durations to a loose reading stay strings.
    expect(diffValues({ name: 'PT' }, { name: 'pt' })).toEqual([]);
  });

  it('reports secret-holding maps by name only: the values never appear', () => {
    const live = { properties: { environmentVariables: { API_KEY: 'live-s3cret', SAME: 'x', OLD: 'old-s3cret' } } };
    const desired = { properties: { environmentVariables: { API_KEY: 'git-s3cret', SAME: 'x', NEW: 'new-s3cret' } } };
    const changes = diffValues(live, desired, { secretMaps: ['properties.environmentVariables'] });
    expect(changes).toEqual([
      { path: 'properties.environmentVariables.API_KEY', live: '(value hidden)', desired: '(value hidden)' },
      { path: 'properties.environmentVariables.NEW', live: undefined, desired: '(value hidden)' },
      { path: 'properties.environmentVariables.OLD', live: '(value hidden)', desired: undefined },
    ]);
    const text = formatChanges(changes) + JSON.stringify(changes);
    expect(text).not.toMatch(/s3cret/);
    expect(formatChanges(changes)).toBe(
      [
        '  ~ properties.environmentVariables.API_KEY: value differs',
        '  ~ properties.environmentVariables.NEW: (not set) → (value hidden)',
        '  ~ properties.environmentVariables.OLD: (value hidden) → (not set)',
      ].join('\n'),
    );
  });
});

describe('workspace paths', () => {
  const root = mkdtempSync(join(tmpdir(), 'repo-'));
  mkdirSync(join(root, 'deploy'));
  writeFileSync(join(root, 'deploy', 'endpoint.yml'), 'name: e\n');
  const outside = mkdtempSync(join(tmpdir(), 'outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'x');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'deploy', 'link.yml'));

  it('resolves inside the repository and names files relative to it', () => {
    expect(resolveWorkspacePath('endpoint-file', 'deploy/endpoint.yml', { root })).toBe(
      join(root, 'deploy', 'endpoint.yml'),
    );
    expect(displayPath(join(root, 'deploy', 'endpoint.yml'), root)).toBe('deploy/endpoint.yml');
    expect(displayPath('/elsewhere/x.yml', root)).toBe('/elsewhere/x.yml');
  });

  it.each([
    ['../outside.yml', "is '../outside.yml', which is outside the repository"],
    ['/etc/passwd', "is '/etc/passwd', which is outside the repository"],
    ['deploy/missing.yml', 'deploy/missing.yml does not exist in the repository'],
    ['deploy/link.yml', 'is a link to a place outside the repository'],
  ])('refuses %s', (path, message) => {
    expect(() => resolveWorkspacePath('endpoint-file', path, { root })).toThrow(message);
  });

  it('a path that may not exist yet (an output file) is allowed', () => {
    expect(resolveWorkspacePath('manifest-path', 'release/manifest.json', { root, mustExist: false })).toBe(
      join(root, 'release', 'manifest.json'),
    );
  });
});

describe('LatencyRecorder', () => {
  it('percentiles of every sample, to three significant digits', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.stats()).toMatchObject({ count: 0, p50Ms: 0, p99Ms: 0 });
    for (let ms = 1; ms <= 100; ms++) recorder.record(ms);
    const stats = recorder.stats();
    expect(stats).toMatchObject({ count: 100, maxMs: 100, meanMs: 50.5 });
    // HDR reports the top of each value's bucket: within 0.1 % of the true percentile.
    for (const [value, expected] of [
      [stats.p50Ms, 50],
      [stats.p90Ms, 90],
      [stats.p95Ms, 95],
      [stats.p99Ms, 99],
    ] as const) {
      expect(Math.abs(value - expected) / expected).toBeLessThan(0.001);
    }
  });
});
