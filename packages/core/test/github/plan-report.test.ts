/**
 * The plan comment and drift issue bodies, rendered from plain plan data: one section per environment, text from the
 * YAML or Azure inert, values of environment variables never shown; and what becomes of a drift issue.
 */
import { describe, expect, it } from '@jest/globals';
import {
  changeRows,
  driftAction,
  driftMarker,
  environmentPlansSchema,
  PLAN_MARKER,
  renderDriftIssue,
  renderPlanComment,
} from '../../src/github/plan-report.ts';
import { codeSpan } from '../../src/summary.ts';

const instanceChange = { path: 'properties.instanceType', live: 'Standard_DS2_v2', desired: 'Standard_DS3_v2' };

describe('renderPlanComment', () => {
  it('starts with the marker and has one section per environment, in the order given', () => {
    const body = renderPlanComment(
      { staging: [instanceChange], production: [] },
      { commit: 'c0ffee0000000000000000000000000000000001', runUrl: 'https://github.com/o/r/actions/runs/7' },
    );
    expect(body.startsWith(`${PLAN_MARKER}\n`)).toBe(true);
    expect(body.indexOf('### staging: 1 change')).toBeLessThan(body.indexOf('### production: no change'));
    expect(body).toContain('Merging changes **staging** once deployed.');
    expect(body).toContain('| `properties.instanceType` | `"Standard_DS2_v2"` | `"Standard_DS3_v2"` |');
    expect(body).toContain('commit `c0ffee000000`');
    expect(body).toContain('[run](https://github.com/o/r/actions/runs/7)');
  });

  it('says when nothing changes and when the endpoint does not exist yet', () => {
    const body = renderPlanComment({
      staging: [{ path: '(endpoint)', live: undefined, desired: 'created' }],
      production: [],
    });
    expect(body).toContain('### staging: new endpoint');
    expect(renderPlanComment({ production: [] })).toContain('Merging changes no live endpoint setting.');
  });

  it('keeps markdown, HTML, mentions and table breaks from the YAML or Azure inert', () => {
    const hostile = '</details><img src=x onerror=alert(1)> @octo-org/admins | `x` \n# heading';
    const body = renderPlanComment({ staging: [{ path: 'tags.owner', live: hostile, desired: 'ml' }] });
    const row = body.split('\n').find((line) => line.startsWith('| `tags.owner`')) as string;
    // One table row (no line break escaped out), the value inside a code span whose fence outlasts its backticks.
    expect(row).toContain('``"</details><img src=x onerror=alert(1)> @octo-org/admins \\| `x` \\n# heading"``');
    expect(body).not.toContain('\n# heading');
  });

  it('never shows the values of environment variables: names and whether they differ only', () => {
    const body = renderPlanComment({
      staging: [
        {
          path: 'properties.environmentVariables',
          live: { DB_PASSWORD: 'hunter2-live', SAME: 'x', GONE: 'old-secret' },
          desired: { DB_PASSWORD: 'hunter2-git', SAME: 'x', NEW_KEY: 'new-secret' },
        },
      ],
    });
    for (const value of ['hunter2', 'old-secret', 'new-secret']) expect(body).not.toContain(value);
    expect(body).toContain(
      '| `properties.environmentVariables.DB_PASSWORD` | value differs (hidden) | value differs (hidden) |',
    );
    expect(body).toContain('| `properties.environmentVariables.GONE` | set (hidden) | (not set) |');
    expect(body).toContain('| `properties.environmentVariables.NEW_KEY` | (not set) | set (hidden) |');
    expect(body).not.toContain('SAME');
    expect(body).toContain('### staging: 3 changes');
  });
});

it('stays within what GitHub accepts as a body: 50 rows per environment, then how many more', () => {
  const many = Array.from({ length: 400 }, (_, i) => ({ path: `tags.t${i}`, live: 'x'.repeat(200), desired: 'y' }));
  const body = renderPlanComment({ staging: many, production: many });
  expect(body.length).toBeLessThan(65_536);
  expect(body).toContain('### staging: 400 changes');
  expect(body).toContain('… and 350 more');
  expect(body).toContain('`tags.t49`');
  expect(body).not.toContain('`tags.t50`');
});

describe('renderDriftIssue', () => {
  it('carries the environment marker and the differences', () => {
    const body = renderDriftIssue('production', [instanceChange]);
    expect(body.startsWith(`${driftMarker('production')}\n`)).toBe(true);
    expect(body).toContain('## production: 1 change');
    expect(body).toContain('closes by itself');
  });
});

describe('changeRows', () => {
  it('shows a setting missing on one side as (not set)', () => {
    const text = (cell: unknown) => (typeof cell === 'string' ? cell : String(cell));
    expect(
      changeRows([{ path: 'properties.description', live: undefined, desired: 'x' }]).map((row) => row.map(text)),
    ).toEqual([['`properties.description`', '(not set)', '`"x"`']]);
  });
});

describe('codeSpan', () => {
  it('fences with more backticks than the text holds and pads a leading backtick', () => {
    expect(codeSpan('a``b').text).toBe('```a``b```');
    expect(codeSpan('`x').text).toBe('`` `x ``');
    expect(codeSpan('a\nb').text).toBe('`a⏎b`');
  });
});

describe('driftAction', () => {
  it.each([
    [undefined, true, 'create'],
    [{ state: 'open' as const }, true, 'update'],
    [{ state: 'closed' as const }, true, 'reopen'],
    [{ state: 'open' as const }, false, 'close'],
    [{ state: 'closed' as const }, false, 'none'],
    [undefined, false, 'none'],
  ])('existing %j, drifted %s → %s', (existing, drifted, action) => {
    expect(driftAction(existing, drifted)).toBe(action);
  });
});

describe('environmentPlansSchema', () => {
  it('accepts changes outputs by environment and refuses a name that could break the marker', () => {
    expect(environmentPlansSchema.safeParse({ staging: [instanceChange], production: [] }).success).toBe(true);
    expect(environmentPlansSchema.safeParse({ 'prod -->': [] }).success).toBe(false);
    expect(environmentPlansSchema.safeParse({ staging: 'nope' }).success).toBe(false);
  });
});
