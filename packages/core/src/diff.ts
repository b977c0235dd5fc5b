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

/** What a change of a secret-holding map shows in place of its values. */
export const HIDDEN_VALUE = '(value hidden)';

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
  /**
   * Paths (dotted) of maps whose values may be secrets (environment variables): compared whole like `wholeMaps`, but
   * reported one key at a time with the values hidden, so a plan or drift report never prints them.
   */
  secretMaps?: readonly string[];
}

function hiddenChanges(path: string, live: Record<string, unknown>, desired: Record<string, unknown>): Change[] {
  const keys = [...new Set([...Object.keys(live), ...Object.keys(desired)])].sort();
  return keys.flatMap((key) => {
    const hide = (map: Record<string, unknown>) => (key in map ? HIDDEN_VALUE : undefined);
    // Values compared exactly: a secret that differs only in case still differs.
    return live[key] === desired[key] ? [] : [{ path: `${path}.${key}`, live: hide(live), desired: hide(desired) }];
  });
}

export function diffValues(live: unknown, desired: unknown, options: DiffOptions = {}, path = ''): Change[] {
  const ignore = (key: string) =>
    options.ignoreKeys?.some(
      (pattern) => key === pattern || (pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1))),
    );
  if (options.secretMaps?.includes(path)) {
    const strip = (map: unknown) =>
      isPlainObject(map) ? Object.fromEntries(Object.entries(map).filter(([key]) => !ignore(key))) : {};
    return hiddenChanges(path, strip(live), strip(desired));
  }
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
  const show = (value: unknown) =>
    value === undefined ? '(not set)' : value === HIDDEN_VALUE ? HIDDEN_VALUE : JSON.stringify(value);
  const line = (change: Change) =>
    change.live === HIDDEN_VALUE && change.desired === HIDDEN_VALUE
      ? `  ~ ${change.path}: value differs`
      : `  ~ ${change.path}: ${show(change.live)} → ${show(change.desired)}`;
  return changes.map(line).join('\n');
}
