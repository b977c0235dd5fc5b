/**
 * What differs between the live state and the desired one, field by field: the plan mode of the deploy action and
 * the drift check print this. Pure; desired-driven (fields the YAML does not set are the service's business), except
 * for maps, which must match whole (a tag or variable removed from git is drift too).
 */

import { parseIsoDuration } from './duration.ts';

export interface Change {
  path: string;
  live: unknown;
  desired: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function equal(a: unknown, b: unknown): boolean {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => equal(a[key], b[key]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (typeof a === 'string' && typeof b === 'string') {
    // ARM answers durations re-serialized (PT60S comes back as PT1M): equal when they last as long.
    const [durationA, durationB] = [parseIsoDuration(a), parseIsoDuration(b)];
    if (durationA !== undefined && durationB !== undefined) return durationA === durationB;
    // ARM answers some enum values in another case than it was sent ("Key" / "key").
    return a.toLowerCase() === b.toLowerCase();
  }
  return a === b;
}

export interface DiffOptions {
  /** Paths (dotted) whose values are maps compared whole. */
  wholeMaps?: readonly string[];
  /** Keys never compared, at any depth (e.g. tags the actions write themselves). */
  ignoreKeys?: readonly string[];
}

export function diffValues(live: unknown, desired: unknown, options: DiffOptions = {}, path = ''): Change[] {
  const ignore = (key: string) =>
    options.ignoreKeys?.some(
      (pattern) => key === pattern || (pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1))),
    );
  if (isPlainObject(desired) && !options.wholeMaps?.includes(path)) {
    const liveObject = isPlainObject(live) ? live : {};
    return Object.entries(desired).flatMap(([key, value]) =>
      value === undefined || ignore(key)
        ? []
        : diffValues(liveObject[key], value, options, path ? `${path}.${key}` : key),
    );
  }
  if (isPlainObject(desired) && isPlainObject(live)) {
    const strip = (map: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(map).filter(([key]) => !ignore(key)));
    return equal(strip(live), strip(desired)) ? [] : [{ path, live: strip(live), desired: strip(desired) }];
  }
  return equal(live, desired) ? [] : [{ path, live, desired }];
}

export function formatChanges(changes: readonly Change[]): string {
  const show = (value: unknown) => (value === undefined ? '(not set)' : JSON.stringify(value));
  return changes.map((change) => `  ~ ${change.path}: ${show(change.live)} → ${show(change.desired)}`).join('\n');
}
