/**
 * Extracts the GitHub REST operations the tests use from GitHub's official OpenAPI description (the pinned
 * `@octokit/openapi` package) into a small committed fixture, `test/fixtures/github/api.github.com.json`: the
 * operations listed in `test/github-server/operations.ts` and every component they reference, with prose
 * (descriptions, examples, `x-*` metadata) removed. The package itself (385 MB unpacked) is never installed:
 * `npm pack` fetches its tarball (cached in the temp directory by version and checked against the pinned
 * integrity) and only the one description file is read from it.
 *
 *   npm run fixtures:github             rewrite the fixture
 *   npm run fixtures:github -- --check  fail, with a summary of the differences, when the fixture is not what the
 *                                       pinned description and the operation list produce (CI runs this)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GITHUB_OPERATIONS } from '../test/github-server/operations.ts';

export const OPENAPI_PACKAGE = '@octokit/openapi';
export const OPENAPI_VERSION = '23.0.2';
/** `npm pack`'s integrity for the pinned version: a different tarball is refused. */
const OPENAPI_INTEGRITY =
  'sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==';
/** The REST API description of github.com (OpenAPI 3.0, with `$ref`s to components: much smaller than `.deref`). */
const DESCRIPTION_FILE = 'package/generated/api.github.com.json';

const root = join(import.meta.dirname, '..');
export const FIXTURE_PATH = join(root, 'test', 'fixtures', 'github', 'api.github.com.json');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function fail(message: string): never {
  console.error(`fixtures:github: ${message}`);
  process.exit(1);
}

/** The description file of the pinned version, from the cache or from a fresh `npm pack`. */
function loadDescription(): JsonObject {
  const cacheDir = join(tmpdir(), 'mlops-actions-openapi', OPENAPI_VERSION);
  const cached = join(cacheDir, 'api.github.com.json');
  if (!existsSync(cached)) {
    mkdirSync(cacheDir, { recursive: true });
    const started = Date.now();
    let packed: { filename: string; integrity: string }[];
    try {
      const out = execFileSync(
        'npm',
        ['pack', `${OPENAPI_PACKAGE}@${OPENAPI_VERSION}`, '--json', '--silent', '--pack-destination', cacheDir],
        { cwd: cacheDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      packed = JSON.parse(out) as typeof packed;
    } catch (error) {
      fail(`npm pack ${OPENAPI_PACKAGE}@${OPENAPI_VERSION} failed: ${(error as Error).message}`);
    }
    const [tarball] = packed;
    if (!tarball) fail('npm pack returned no tarball');
    if (tarball.integrity !== OPENAPI_INTEGRITY) {
      fail(`${OPENAPI_PACKAGE}@${OPENAPI_VERSION} has integrity ${tarball.integrity}, expected ${OPENAPI_INTEGRITY}`);
    }
    const text = execFileSync('tar', ['-xzOf', join(cacheDir, tarball.filename), DESCRIPTION_FILE], {
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf8',
    });
    // Written then renamed, so an interrupted run never leaves a truncated cache; the tarball is not kept.
    writeFileSync(`${cached}.partial`, text);
    renameSync(`${cached}.partial`, cached);
    rmSync(join(cacheDir, tarball.filename), { force: true });
    console.error(`fixtures:github: fetched ${OPENAPI_PACKAGE}@${OPENAPI_VERSION} in ${Date.now() - started} ms`);
  }
  return JSON.parse(readFileSync(cached, 'utf8')) as JsonObject;
}

/** Keys that carry prose or tooling metadata, not the shape of requests and responses. */
const PROSE = new Set(['description', 'summary', 'examples', 'example', 'externalDocs', 'tags', 'servers']);

/**
 * A copy without prose. Inside a schema's `properties` the keys are field names (a field may well be called
 * `description`), so they are kept there.
 */
function stripProse(value: Json, keepSummary: boolean, inProperties = false): Json {
  if (Array.isArray(value)) return value.map((item) => stripProse(item, false));
  if (value === null || typeof value !== 'object') return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (!inProperties && (PROSE.has(key) || key.startsWith('x-')) && !(keepSummary && key === 'summary')) continue;
    result[key] = stripProse(child, false, !inProperties && key === 'properties');
  }
  return result;
}

function collectRefs(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.add(child);
      else collectRefs(child, into);
    }
  }
}

function resolvePointer(document: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) fail(`external $ref ${ref} is not supported`);
  let node: Json = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node))
      fail(`dangling $ref ${ref}`);
    node = (node as JsonObject)[key] as Json;
  }
  return node;
}

export function extractFixture(description: JsonObject, operationIds: readonly string[]): JsonObject {
  const wanted = new Set(operationIds);
  const paths: Record<string, JsonObject> = {};
  const found = new Set<string>();
  for (const [path, item] of Object.entries(description['paths'] as Record<string, JsonObject>)) {
    for (const [method, operation] of Object.entries(item)) {
      const id = (operation as JsonObject | null)?.['operationId'];
      if (typeof id !== 'string' || !wanted.has(id)) continue;
      found.add(id);
      (paths[path] ??= {})[method] = stripProse(operation, true);
    }
  }
  const missing = operationIds.filter((id) => !found.has(id));
  if (missing.length > 0) fail(`not in ${OPENAPI_PACKAGE}@${OPENAPI_VERSION}: ${missing.join(', ')}`);

  // Components referenced, transitively, in a stable (sorted) order.
  const components: Record<string, JsonObject> = {};
  const seen = new Set<string>();
  const queue = new Set<string>();
  collectRefs(paths, queue);
  while (queue.size > 0) {
    const [ref] = queue as Set<string> & { [Symbol.iterator](): Iterator<string> };
    queue.delete(ref as string);
    if (seen.has(ref as string)) continue;
    seen.add(ref as string);
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref as string);
    if (!match) fail(`unexpected $ref ${ref}`);
    const [, kind, name] = match as unknown as [string, string, string];
    const target = stripProse(resolvePointer(description, ref as string), false);
    (components[kind] ??= {})[name] = target;
    const nested = new Set<string>();
    collectRefs(target, nested);
    for (const next of nested) if (!seen.has(next)) queue.add(next);
  }
  const sortedComponents: JsonObject = {};
  for (const kind of Object.keys(components).sort()) {
    const entries = components[kind] as JsonObject;
    sortedComponents[kind] = Object.fromEntries(
      Object.keys(entries)
        .sort()
        .map((name) => [name, entries[name] as Json]),
    );
  }
  const sortedPaths = Object.fromEntries(
    Object.keys(paths)
      .sort()
      .map((path) => [path, paths[path] as JsonObject]),
  );
  const info = description['info'] as JsonObject;
  return {
    source: {
      package: OPENAPI_PACKAGE,
      version: OPENAPI_VERSION,
      file: DESCRIPTION_FILE.replace(/^package\//, ''),
      openapi: description['openapi'] as Json,
      apiVersion: info['version'] as Json,
      generatedBy: 'scripts/fixtures-github.ts (npm run fixtures:github)',
    },
    operations: [...operationIds].sort(),
    paths: sortedPaths,
    components: sortedComponents,
  };
}

export function serializeFixture(fixture: JsonObject): string {
  return JSON.stringify(fixture, null, 1) + '\n';
}

/** What differs between two fixtures, by operation and component: a summary a reviewer can act on. */
function describeDifferences(before: JsonObject, after: JsonObject): string[] {
  const lines: string[] = [];
  const ops = (fixture: JsonObject) => {
    const map = new Map<string, string>();
    for (const [path, item] of Object.entries((fixture['paths'] ?? {}) as Record<string, JsonObject>)) {
      for (const [method, op] of Object.entries(item)) {
        map.set(String((op as JsonObject)['operationId']), `${method.toUpperCase()} ${path} ${JSON.stringify(op)}`);
      }
    }
    return map;
  };
  const compareMaps = (label: string, a: Map<string, string>, b: Map<string, string>) => {
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if (!a.has(key)) lines.push(`  + ${label} ${key} (missing from the committed fixture)`);
      else if (!b.has(key)) lines.push(`  - ${label} ${key} (in the committed fixture, no longer extracted)`);
      else if (a.get(key) !== b.get(key)) lines.push(`  ~ ${label} ${key} differs`);
    }
  };
  compareMaps('operation', ops(before), ops(after));
  const components = (fixture: JsonObject) => {
    const map = new Map<string, string>();
    for (const [kind, entries] of Object.entries((fixture['components'] ?? {}) as Record<string, JsonObject>)) {
      for (const [name, value] of Object.entries(entries)) map.set(`${kind}/${name}`, JSON.stringify(value));
    }
    return map;
  };
  compareMaps('component', components(before), components(after));
  if (JSON.stringify(before['source']) !== JSON.stringify(after['source'])) {
    lines.push(`  ~ source: ${JSON.stringify(before['source'])} → ${JSON.stringify(after['source'])}`);
  }
  if (lines.length === 0) lines.push('  (formatting only)');
  return lines;
}

function main(): void {
  const check = process.argv.includes('--check');
  const fixture = extractFixture(loadDescription(), GITHUB_OPERATIONS);
  const text = serializeFixture(fixture);
  if (!check) {
    mkdirSync(join(FIXTURE_PATH, '..'), { recursive: true });
    writeFileSync(FIXTURE_PATH, text);
    const size = Buffer.byteLength(text);
    console.log(
      `fixtures:github: wrote ${FIXTURE_PATH.slice(root.length + 1)} (${GITHUB_OPERATIONS.length} operations, ${Math.round(size / 1024)} KiB)`,
    );
    return;
  }
  const committed = existsSync(FIXTURE_PATH) ? readFileSync(FIXTURE_PATH, 'utf8') : '';
  if (committed === text) {
    console.log(`fixtures:github: the fixture matches ${OPENAPI_PACKAGE}@${OPENAPI_VERSION} and the operation list.`);
    return;
  }
  let before: JsonObject = {};
  try {
    before = JSON.parse(committed) as JsonObject;
  } catch {
    console.error('fixtures:github: the committed fixture is missing or not JSON.');
  }
  console.error('fixtures:github: the committed fixture is not what the script produces:');
  for (const line of describeDifferences(before, fixture)) console.error(line);
  console.error('Run `npm run fixtures:github` and commit test/fixtures/github/.');
  process.exit(1);
}

if (import.meta.main) main();
