import * as core from '@actions/core';
import type { z } from 'zod';
import { parseDuration } from './duration.ts';
import { InputError } from './errors.ts';
import { maskSecret } from './summary.ts';

/**
 * Typed readers over the action's inputs. Each error names the input and what it accepts, so a user can fix the
 * workflow without reading our code. An empty input is the same as an absent one, as on the runner.
 */

interface Options<T> {
  required?: boolean;
  default?: T;
}

/** Options under which a reader always has a value: the overloads below then return `T`, not `T | undefined`. */
type Given<T> = { default: T } | { required: true };

function raw(name: string): string | undefined {
  const value = core.getInput(name, { trimWhitespace: true });
  return value === '' ? undefined : value;
}

function missing<T>(name: string, options: Options<T>, accepted: string): T | undefined {
  if (options.default !== undefined) return options.default;
  if (options.required) throw new InputError(name, `is required: set it to ${accepted}.`);
  return undefined;
}

export function readString(name: string, options: Options<string> & Given<string>): string;
export function readString(name: string, options?: Options<string>): string | undefined;
export function readString(name: string, options: Options<string> = {}): string | undefined {
  return raw(name) ?? missing(name, options, 'a non-empty value');
}

/**
 * Secrets: masked in the log before anything else can print them, and redacted from what we write ourselves
 * (summaries, reports) where the runner's masking does not reach.
 */
export function readSecret(name: string, options: Options<string> = {}): string | undefined {
  const value = readString(name, options);
  maskSecret(value);
  return value;
}

const TRUE = ['true', 'True', 'TRUE', 'yes', 'on'];
const FALSE = ['false', 'False', 'FALSE', 'no', 'off'];

export function readBoolean(name: string, defaultValue: boolean): boolean {
  const value = raw(name);
  if (value === undefined) return defaultValue;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new InputError(name, `is '${value}', which is not a boolean: use true or false.`);
}

type RangeOptions = Options<number> & { min?: number; max?: number };

export function readInteger(name: string, options: RangeOptions & Given<number>): number;
export function readInteger(name: string, options?: RangeOptions): number | undefined;
export function readInteger(name: string, options: RangeOptions = {}): number | undefined {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const range = `an integer from ${min} to ${max}`;
  const value = raw(name);
  if (value === undefined) return missing(name, options, range);
  const parsed = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InputError(name, `is '${value}': use ${range}.`);
  }
  return parsed;
}

/** Numbers with a fraction, such as an error-rate gate of `0.01`. */
export function readNumber(name: string, options: RangeOptions & Given<number>): number;
export function readNumber(name: string, options?: RangeOptions): number | undefined;
export function readNumber(name: string, options: RangeOptions = {}): number | undefined {
  const { min = -Infinity, max = Infinity } = options;
  const range = `a number from ${min} to ${max}`;
  const value = raw(name);
  if (value === undefined) return missing(name, options, range);
  const parsed = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(parsed) || parsed < min || parsed > max) throw new InputError(name, `is '${value}': use ${range}.`);
  return parsed;
}

/** One item per line or comma-separated (`a, b` or a YAML block); blanks and `#` comments dropped. */
export function readList(name: string, options: Options<string[]> = {}): string[] {
  const value = raw(name);
  if (value === undefined) return missing(name, options, 'one or more values, one per line or comma-separated') ?? [];
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

export function readEnum<const T extends string>(name: string, values: readonly T[], options: Options<T> & Given<T>): T;
export function readEnum<const T extends string>(
  name: string,
  values: readonly T[],
  options?: Options<T>,
): T | undefined;
export function readEnum<const T extends string>(
  name: string,
  values: readonly T[],
  options: Options<T> = {},
): T | undefined {
  const accepted = `one of ${values.map((v) => `'${v}'`).join(', ')}`;
  const value = raw(name);
  if (value === undefined) return missing(name, options, accepted);
  if (!(values as readonly string[]).includes(value)) throw new InputError(name, `is '${value}': use ${accepted}.`);
  return value as T;
}

type DurationOptions = Options<number> & { max?: number };

/** Durations like `15m`, `90s`, `1h30m`, `500ms` or a number of seconds; returns milliseconds. */
export function readDuration(name: string, options: DurationOptions & Given<number>): number;
export function readDuration(name: string, options?: DurationOptions): number | undefined;
export function readDuration(name: string, options: DurationOptions = {}): number | undefined {
  const accepted = "a duration such as '90s', '15m', '1h30m' or a number of seconds";
  const value = raw(name);
  if (value === undefined) return missing(name, options, accepted);
  const ms = parseDuration(value);
  if (ms === undefined) throw new InputError(name, `is '${value}': use ${accepted}.`);
  if (options.max !== undefined && ms > options.max) {
    throw new InputError(name, `is '${value}', longer than the limit of ${options.max / 1000}s.`);
  }
  return ms;
}

type JsonOptions<T> = Options<T> & { secret?: boolean };

/** JSON inputs, checked against a zod schema so the error names the field that is wrong. */
export function readJson<T>(name: string, schema: z.ZodType<T>, options: JsonOptions<T> & Given<T>): T;
export function readJson<T>(name: string, schema: z.ZodType<T>, options?: JsonOptions<T>): T | undefined;
export function readJson<T>(name: string, schema: z.ZodType<T>, options: JsonOptions<T> = {}): T | undefined {
  const value = raw(name);
  if (value === undefined) return missing(name, options, 'a JSON document');
  if (options.secret) maskSecret(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    // V8's message quotes the text, which may be a secret: then say only that it is not JSON.
    const detail = options.secret ? '' : ` (${(error as Error).message})`;
    throw new InputError(name, `is not valid JSON${detail}: paste the whole JSON document.`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InputError(name, `is not the expected JSON: ${problems.join('; ')}.`);
  }
  return result.data;
}
