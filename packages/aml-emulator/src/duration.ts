import { badArgument } from './http/errors.ts';

/** ISO 8601 durations as ARM uses them (`PT5S`, `PT0.5S`, `P1DT2H`), in milliseconds. */
const DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value);
  if (match === null || value === 'P' || value.endsWith('T')) return undefined;
  const [, days, hours, minutes, seconds] = match.map((part) => (part === undefined ? 0 : Number(part)));
  return ((((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000;
}

/** Milliseconds as .NET writes a TimeSpan in ISO 8601 (`PT0S`, `PT0.5S`, `PT1M30S`, `P1DT2H`): how ARM answers. */
export function formatDurationMs(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${Number(seconds.toFixed(7))}S` : ''}`;
  if (days === 0) return `PT${time || '0S'}`;
  return `P${days}D${time ? `T${time}` : ''}`;
}

/**
 * The service parses durations into TimeSpans and answers them re-serialized (`PT60S` comes back as `PT1M`): the
 * `fields` of each settings object in `groups` (e.g. `requestSettings: ['requestTimeout']`), normalised or refused.
 */
export function normaliseDurations(groups: Record<string, string[]>, properties: Record<string, unknown>) {
  const normalised = { ...properties };
  for (const [group, fields] of Object.entries(groups)) {
    const settings = properties[group];
    if (typeof settings !== 'object' || settings === null) continue;
    const copy: Record<string, unknown> = { ...settings };
    for (const field of fields) {
      if (copy[field] === undefined || copy[field] === null) continue;
      const ms = parseDurationMs(copy[field]);
      if (ms === undefined)
        throw badArgument(
          `'properties.${group}.${field}' must be an ISO 8601 duration such as PT5S, got ${JSON.stringify(copy[field])}.`,
        );
      copy[field] = formatDurationMs(ms);
    }
    normalised[group] = copy;
  }
  return normalised;
}
