import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import {
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readJson,
  readList,
  readNumber,
  readSecret,
  readString,
} from '../src/inputs.ts';
import { parseDuration, formatDuration } from '../src/duration.ts';
import { InputError } from '../src/errors.ts';
import { redact } from '../src/summary.ts';

const set = (name: string, value: string) => (process.env[`INPUT_${name.toUpperCase()}`] = value);

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('readString', () => {
  it('trims and treats empty as absent', () => {
    set('endpoint', '  fraud  ');
    expect(readString('endpoint')).toBe('fraud');
    set('endpoint', '   ');
    expect(readString('endpoint')).toBeUndefined();
    expect(readString('endpoint', { default: 'x' })).toBe('x');
  });

  it('names a missing required input', () => {
    expect(() => readString('workspace', { required: true })).toThrow("Input 'workspace' is required");
  });
});

describe('readSecret', () => {
  it('masks the value through the runner command', () => {
    const writes: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      set('token', 's3cr3t-value');
      expect(readSecret('token')).toBe('s3cr3t-value');
    } finally {
      process.stdout.write = original;
    }
    expect(writes.join('')).toContain('::add-mask::s3cr3t-value');
  });

  it('and for the summaries and reports we write, where the runner does not mask', () => {
    set('password', 'registry-pass-51f0');
    expect(readSecret('password')).toBe('registry-pass-51f0');
    expect(redact('login with registry-pass-51f0')).toBe('login with ***');
  });
});

describe('readBoolean', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['yes', true],
    ['false', false],
    ['FALSE', false],
    ['off', false],
  ])('%s → %s', (text, value) => {
    set('push', text);
    expect(readBoolean('push', !value)).toBe(value);
  });

  it('defaults when absent and refuses other words', () => {
    expect(readBoolean('push', true)).toBe(true);
    set('push', 'maybe');
    expect(() => readBoolean('push', true)).toThrow(
      "Input 'push' is 'maybe', which is not a boolean: use true or false.",
    );
  });
});

describe('readInteger', () => {
  it('reads within the range and names the range otherwise', () => {
    set('requests', '200');
    expect(readInteger('requests', { min: 1, max: 10_000 })).toBe(200);
    set('requests', '0');
    expect(() => readInteger('requests', { min: 1, max: 10_000 })).toThrow('use an integer from 1 to 10000');
    set('requests', '1.5');
    expect(() => readInteger('requests', { min: 1 })).toThrow(InputError);
    set('requests', '12abc');
    expect(() => readInteger('requests', { min: 1 })).toThrow("is '12abc'");
  });

  it('defaults', () => {
    expect(readInteger('concurrency', { default: 4 })).toBe(4);
  });
});

describe('readNumber', () => {
  it('accepts fractions in range', () => {
    set('max-error-rate', '0.01');
    expect(readNumber('max-error-rate', { min: 0, max: 1 })).toBe(0.01);
    set('max-error-rate', '2');
    expect(() => readNumber('max-error-rate', { min: 0, max: 1 })).toThrow('use a number from 0 to 1');
  });
});

describe('readList', () => {
  it('splits lines and commas, drops blanks and comments', () => {
    set('tags', 'latest, v1\n\n# a comment\n  stable  ');
    expect(readList('tags')).toEqual(['latest', 'v1', 'stable']);
    delete process.env['INPUT_TAGS'];
    expect(readList('tags')).toEqual([]);
  });
});

describe('readEnum', () => {
  it('names the accepted values', () => {
    set('strategy', 'canary');
    expect(readEnum('strategy', ['swap', 'canary'] as const)).toBe('canary');
    set('strategy', 'Canary');
    expect(() => readEnum('strategy', ['swap', 'canary'] as const)).toThrow("use one of 'swap', 'canary'");
  });
});

describe('durations', () => {
  it.each([
    ['15m', 900_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['45', 45_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '15 minutes', '-5s', 'm15'])('%s is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('formats for people', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(95_000)).toBe('1m35s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(1000)).toBe('1s');
  });

  it('readDuration names the input and the limit', () => {
    set('timeout', '20m');
    expect(readDuration('timeout')).toBe(1_200_000);
    set('timeout', 'twenty');
    expect(() => readDuration('timeout')).toThrow("Input 'timeout' is 'twenty': use a duration such as '90s'");
    set('timeout', '3h');
    expect(() => readDuration('timeout', { max: 7_200_000 })).toThrow('longer than the limit of 7200s');
  });
});

describe('readJson', () => {
  const Schema = z.object({ clientId: z.string(), port: z.number() });

  it('parses and validates against the schema', () => {
    set('config', '{"clientId":"a","port":1}');
    expect(readJson('config', Schema)).toEqual({ clientId: 'a', port: 1 });
  });

  it('names the field that is wrong', () => {
    set('config', '{"clientId":"a","port":"x"}');
    expect(() => readJson('config', Schema)).toThrow(/Input 'config' is not the expected JSON: port:/);
  });

  it('never echoes a secret document in its error', () => {
    set('config', '{"clientSecret": "hunter22-not-json');
    let message = '';
    try {
      readJson('config', Schema, { secret: true });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("Input 'config' is not valid JSON");
    expect(message).not.toContain('hunter22');
  });
});
