import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkAnswer, compareJson, folderCases, looksLikeError, singleCase } from '../../src/aml/expectations.ts';

const exact = { absolute: 0, relative: 0 };

describe('compareJson', () => {
  it('finds each difference with its JSON path', () => {
    expect(compareJson({ a: [1, 2], b: 'x' }, { a: [1, 3], b: 'y' }, exact)).toEqual([
      '$.a[1]: got 2, expected 3',
      '$.b: got "x", expected "y"',
    ]);
    expect(compareJson({ a: 1, extra: 2 }, { a: 1, gone: 3 }, exact)).toEqual([
      '$.gone: missing',
      '$.extra: not expected',
    ]);
    expect(compareJson([1], [1, 2], exact)).toEqual(['$: got 1 items, expected 2']);
    expect(compareJson('text', [1], exact)).toEqual(['$: got "text", expected an array of 1']);
    expect(compareJson(null, { a: 1 }, exact)).toEqual(['$: got null, expected an object']);
  });

  it('applies the larger of the absolute and relative tolerances', () => {
    expect(compareJson([100.4], [100], { absolute: 0.5, relative: 0 })).toEqual([]);
    expect(compareJson([104], [100], { absolute: 0.5, relative: 0.05 })).toEqual([]);
    expect(compareJson([106], [100], { absolute: 0.5, relative: 0.05 })).toEqual(['$[0]: got 106, expected 100 ± 5']);
  });

  it('stops at the limit', () => {
    expect(compareJson([1, 1, 1, 1], [2, 2, 2, 2], exact, 2)).toHaveLength(2);
  });
});

describe('answers', () => {
  const request = (dir: string) => {
    writeFileSync(join(dir, 'r.json'), '{"data": [[1]]}');
    return join(dir, 'r.json');
  };

  it('an error string with HTTP 200 fails without an expectation, and passes a matching one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'case-'));
    const smoke = singleCase(request(dir));
    expect(looksLikeError('Traceback (most recent call last): ...')).toBe(true);
    expect(looksLikeError([1.5])).toBe(false);
    expect(checkAnswer(smoke, 200, 'Exception: model not loaded', exact)).toEqual([
      'HTTP 200 but the answer is an error message: "Exception: model not loaded"',
    ]);
    writeFileSync(join(dir, 'e.json'), '"Exception: model not loaded"');
    expect(
      checkAnswer(singleCase(request(dir), join(dir, 'e.json')), 200, 'Exception: model not loaded', exact),
    ).toEqual([]);
  });

  it('status, no answer and schema failures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'case-'));
    writeFileSync(join(dir, 's.json'), JSON.stringify({ type: 'array', items: { type: 'number' }, minItems: 1 }));
    const schema = singleCase(request(dir), undefined, join(dir, 's.json'));
    expect(checkAnswer(schema, 200, [0.5], exact)).toEqual([]);
    expect(checkAnswer(schema, 200, ['a'], exact)).toEqual(['schema: /0 must be number']);
    expect(checkAnswer(schema, 424, { message: 'boom' }, exact)).toEqual(['HTTP 424: {"message":"boom"}']);
    expect(checkAnswer(schema, 0, undefined, exact, 'ECONNRESET')).toEqual(['no answer: ECONNRESET']);
  });

  it('reads a folder of cases and refuses what belongs to no request', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cases-'));
    mkdirSync(join(dir, 'ok'));
    writeFileSync(join(dir, 'ok', 'a.request.json'), '{"data": [[1]]}');
    writeFileSync(join(dir, 'ok', 'a.expected.json'), '[1]');
    writeFileSync(join(dir, 'ok', 'b.request.json'), '{"data": [[2]]}');
    expect(folderCases(join(dir, 'ok')).map((c) => [c.name, c.expected])).toEqual([
      ['a', [1]],
      ['b', undefined],
    ]);
    writeFileSync(join(dir, 'ok', 'c.expected.json'), '[3]');
    expect(() => folderCases(join(dir, 'ok'))).toThrow('c.expected.json belong to no');
    mkdirSync(join(dir, 'empty'));
    expect(() => folderCases(join(dir, 'empty'))).toThrow("has no '<name>.request.json' files");
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => singleCase(join(dir, 'bad.json'))).toThrow(/The request file .*bad\.json is not valid JSON/);
  });
});
