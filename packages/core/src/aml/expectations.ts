import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { UserError } from '../errors.ts';
import { displayPath, escapeFromWorkspace } from '../files.ts';

/**
 * Test cases for a scoring endpoint and what their answers must be: exact JSON, JSON with a numeric tolerance,
 * or a JSON Schema. Pure except for reading the case files.
 */

export interface Tolerance {
  absolute: number;
  relative: number;
}

export interface TestCase {
  name: string;
  /** The request body, exactly as sent. */
  body: string;
  expected?: unknown;
  schema?: { path: string; validate: ValidateFunction };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where the answer differs from the expectation: JSON paths with both values, at most `limit` of them. */
export function compareJson(actual: unknown, expected: unknown, tolerance: Tolerance, limit = 5, path = '$'): string[] {
  const problems: string[] = [];
  const visit = (a: unknown, e: unknown, at: string) => {
    if (problems.length >= limit) return;
    if (typeof e === 'number' && typeof a === 'number') {
      const allowed = Math.max(tolerance.absolute, tolerance.relative * Math.abs(e));
      if (Math.abs(a - e) > allowed)
        problems.push(`${at}: got ${a}, expected ${e}${allowed > 0 ? ` ± ${round(allowed)}` : ''}`);
      return;
    }
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) return void problems.push(`${at}: got ${describe(a)}, expected an array of ${e.length}`);
      if (a.length !== e.length) return void problems.push(`${at}: got ${a.length} items, expected ${e.length}`);
      e.forEach((item, i) => visit(a[i], item, `${at}[${i}]`));
      return;
    }
    if (isObject(e)) {
      if (!isObject(a)) return void problems.push(`${at}: got ${describe(a)}, expected an object`);
      for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
        if (!(key in a)) problems.push(`${at}.${key}: missing`);
        else if (!(key in e)) problems.push(`${at}.${key}: not expected`);
        else visit(a[key], e[key], `${at}.${key}`);
        if (problems.length >= limit) return;
      }
      return;
    }
    if (a !== e) problems.push(`${at}: got ${describe(a)}, expected ${describe(e)}`);
  };
  visit(actual, expected, path);
  return problems;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * Scoring scripts that catch their own exceptions answer HTTP 200 with the error as a string (the workshop's
 * score.py does). Without an expectation, such an answer still fails.
 */
export function looksLikeError(body: unknown): boolean {
  return typeof body === 'string' && /error|exception|traceback|failed/i.test(body);
}

function readJsonFile(path: string, what: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`${what} ${path} is not valid JSON (${(error as Error).message}).`, { file: path });
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });

function schemaCase(path: string): TestCase['schema'] {
  const schema = readJsonFile(path, 'The JSON Schema');
  try {
    return { path, validate: ajv.compile(schema as object) };
  } catch (error) {
    throw new UserError(`The JSON Schema ${path} is not a valid schema: ${(error as Error).message}.`, { file: path });
  }
}

/** One request file (with an optional expected answer or schema). */
export function singleCase(requestFile: string, expectedFile?: string, schemaFile?: string): TestCase {
  const body = readFileSync(requestFile, 'utf8');
  readJsonFile(requestFile, 'The request file');
  return {
    name: basename(requestFile).replace(/\.json$/i, ''),
    body,
    ...(expectedFile && { expected: readJsonFile(expectedFile, 'The expected answer') }),
    ...(schemaFile && { schema: schemaCase(schemaFile) }),
  };
}

/**
 * A folder of cases: `<name>.request.json`, with `<name>.expected.json` (exact or within tolerance) and/or
 * `<name>.schema.json` (JSON Schema) beside it. With `root` (the repository), a case file that is a symbolic link
 * leading out of it is refused rather than read.
 */
export function folderCases(dir: string, root?: string): TestCase[] {
  const files = readdirSync(dir);
  for (const file of files) {
    const escape = root !== undefined && escapeFromWorkspace(join(dir, file), root);
    if (escape)
      throw new UserError(
        `In the cases folder ${displayPath(dir, root)}, ${file} is refused: ${escape}. Put the case files themselves in the folder.`,
        { file: displayPath(join(dir, file), root) },
      );
  }
  const requests = files.filter((file) => file.endsWith('.request.json')).sort();
  if (requests.length === 0) {
    throw new UserError(
      `The cases folder ${dir} has no '<name>.request.json' files: add at least one request with its '<name>.expected.json'.`,
      { file: dir },
    );
  }
  const orphans = files.filter(
    (file) =>
      /\.(expected|schema)\.json$/.test(file) &&
      !requests.includes(file.replace(/\.(expected|schema)\.json$/, '.request.json')),
  );
  if (orphans.length > 0) {
    throw new UserError(
      `In ${dir}, ${orphans.join(', ')} belong to no '<name>.request.json': rename them or add the request.`,
      { file: dir },
    );
  }
  return requests.map((request) => {
    const name = request.replace(/\.request\.json$/, '');
    const expected = files.includes(`${name}.expected.json`) ? join(dir, `${name}.expected.json`) : undefined;
    const schema = files.includes(`${name}.schema.json`) ? join(dir, `${name}.schema.json`) : undefined;
    return { ...singleCase(join(dir, request), expected, schema), name };
  });
}

/** Why an answer fails its case; empty when it passes. */
export function checkAnswer(
  testCase: TestCase,
  status: number,
  body: unknown,
  tolerance: Tolerance,
  error?: string,
): string[] {
  if (error) return [`no answer: ${error}`];
  if (status < 200 || status >= 300) return [`HTTP ${status}: ${describe(body)}`];
  const problems: string[] = [];
  if (testCase.expected !== undefined) problems.push(...compareJson(body, testCase.expected, tolerance));
  if (testCase.schema && !testCase.schema.validate(body)) {
    problems.push(
      ...(testCase.schema.validate.errors ?? [])
        .slice(0, 5)
        .map((e) => `schema: ${e.instancePath || '$'} ${e.message}`),
    );
  }
  if (testCase.expected === undefined && !testCase.schema && looksLikeError(body)) {
    problems.push(`HTTP ${status} but the answer is an error message: ${describe(body)}`);
  }
  return problems;
}
