/** The pure decisions behind promotion: where a head stands, whose approval counts, the verdict, the gates. */
import { describe, expect, it } from '@jest/globals';
import {
  approvals,
  headPosition,
  verifyPromotion,
  type PromotionFacts,
  type VerifyPolicy,
} from '../../src/github/index.ts';
import { planFromName, planGates, reportGates } from '../../src/github/gates.ts';
import { parseRepoSettings } from '../../src/github/settings.ts';

const T = 'a'.repeat(40);
const M = 'b'.repeat(40);
const MC = 'c'.repeat(40);
const POLICY: VerifyPolicy = {
  head: 'integration',
  base: 'main',
  stagingWorkflow: '.github/workflows/cd-staging.yml',
  stagingCheck: 'staging',
  requiredApprovals: 1,
};
const PULL = {
  number: 4,
  url: 'https://github.com/o/r/pull/4',
  baseRef: 'main',
  headRef: 'integration',
  headSha: M,
  author: { login: 'github-actions[bot]', type: 'Bot' },
  mergedAt: '2025-03-01T00:00:00Z',
  mergeCommitSha: MC,
};

function facts(extra: Partial<PromotionFacts> = {}): PromotionFacts {
  return {
    repository: 'o/r',
    commit: MC,
    manifestPath: 'release/manifest.json',
    manifest: {
      schema: 1,
      model: { name: 'fraud', version: '8' },
      source: { repository: 'o/r', commit: T },
      run: { url: 'https://github.com/o/r/actions/runs/42', id: '42' },
      createdAt: '2025-03-01T00:00:00Z',
    },
    manifestMatchesPull: true,
    pulls: [PULL],
    reviews: [{ login: 'alice', type: 'User', state: 'APPROVED', commitId: M }],
    run: {
      id: 42,
      url: 'https://github.com/o/r/actions/runs/42',
      repository: 'o/r',
      path: '.github/workflows/cd-staging.yml',
      event: 'push',
      headSha: T,
      status: 'completed',
      conclusion: 'success',
    },
    checks: {
      checkRuns: [],
      statuses: [
        {
          context: 'staging',
          state: 'success',
          creator: 'github-actions[bot]',
          targetUrl: 'https://github.com/o/r/actions/runs/42',
        },
      ],
    },
    comparison: { aheadBy: 1, behindBy: 0, files: ['release/manifest.json'] },
    ...extra,
  };
}

describe('headPosition', () => {
  it('tells the tested commit, it plus manifest commits, untested commits and a head without it apart', () => {
    expect(headPosition({ tested: T, head: T })).toEqual({ kind: 'tested' });
    const manifestOnly = { aheadBy: 2, behindBy: 0, files: ['release/m.json'] };
    expect(headPosition({ tested: T, head: M, comparison: manifestOnly, manifestPath: 'release/m.json' })).toEqual({
      kind: 'tested-with-manifest',
      commits: 2,
    });
    const untested = { aheadBy: 2, behindBy: 0, files: ['release/m.json', 'score.py'] };
    expect(headPosition({ tested: T, head: M, comparison: untested, manifestPath: 'release/m.json' })).toEqual({
      kind: 'untested',
      commits: 2,
      files: ['score.py'],
    });
    // Commits that change nothing (reverted) are still commits nobody tested as such: not promoted.
    expect(headPosition({ tested: T, head: M, comparison: { aheadBy: 1, behindBy: 0, files: [] } }).kind).toBe(
      'untested',
    );
    expect(headPosition({ tested: T, head: M, comparison: { aheadBy: 0, behindBy: 3, files: [] } }).kind).toBe(
      'not-contained',
    );
  });
});

describe('approvals', () => {
  it("counts a person's standing approval of the merged head, not the author's, a bot's or a stale one", () => {
    const pull = { ...PULL, author: { login: 'mona', type: 'User' } };
    expect(
      approvals(
        [
          { login: 'alice', type: 'User', state: 'APPROVED', commitId: M },
          { login: 'bob', type: 'User', state: 'APPROVED', commitId: T },
          { login: 'Mona', type: 'User', state: 'APPROVED', commitId: M },
          { login: 'ci[bot]', type: 'Bot', state: 'APPROVED', commitId: M },
          { login: 'carol', type: 'User', state: 'APPROVED', commitId: M },
          { login: 'carol', type: 'User', state: 'DISMISSED', commitId: M },
          { login: 'dave', type: 'User', state: 'APPROVED', commitId: M },
          { login: 'dave', type: 'User', state: 'COMMENTED', commitId: M },
        ],
        pull,
      ),
    ).toEqual({
      counted: ['alice', 'dave'],
      notCounted: [
        `bob (approved ${T.slice(0, 7)}, not the merged head)`,
        'Mona (the author)',
        'ci[bot] (not a person)',
      ],
    });
  });
});

describe('verifyPromotion', () => {
  it('passes a promotion that kept every promise', () => {
    const verdict = verifyPromotion(facts(), POLICY);
    expect(verdict.findings.filter((f) => !f.ok)).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it("accepts a workflow_run staging run on the default branch's commit, vouched by its own check", () => {
    const run = { ...facts().run!, event: 'workflow_run', headSha: 'd'.repeat(40) };
    expect(verifyPromotion(facts({ run }), POLICY).ok).toBe(true);
    expect(verifyPromotion(facts({ run, checks: { checkRuns: [], statuses: [] } }), POLICY).ok).toBe(false);
  });

  it('fails a manifest changed on main after the merge, and one of another repository', () => {
    expect(verifyPromotion(facts({ manifestMatchesPull: false }), POLICY).findings).toContainEqual(
      expect.objectContaining({ check: 'release manifest', ok: false }),
    );
    const foreign = facts();
    foreign.manifest!.source.repository = 'someone/fork';
    expect(verifyPromotion(foreign, POLICY).findings).toContainEqual(
      expect.objectContaining({
        check: 'tested code',
        ok: false,
        detail: "the manifest's source is someone/fork, not o/r",
      }),
    );
  });

  it('needs the pull request merged as this very commit, into base, from head', () => {
    expect(verifyPromotion(facts({ pulls: [{ ...PULL, mergeCommitSha: M }] }), POLICY).ok).toBe(false);
    expect(verifyPromotion(facts({ pulls: [{ ...PULL, headRef: 'hotfix' }] }), POLICY).ok).toBe(false);
    expect(verifyPromotion(facts({ pulls: [{ ...PULL, mergedAt: null }] }), POLICY).ok).toBe(false);
  });
});

describe('gates per plan', () => {
  const settings = (text: string) => parseRepoSettings(text, 'repo-settings.yml');
  const GATE =
    'rulesets:\n  - name: main\n    include: [main]\n    rules:\n      pull_request: { required_approving_review_count: 1 }\n';
  const REVIEWERS = 'environments:\n  production:\n    reviewers: [{ user: alice }]\n';

  it('follows GitHub: reviewers and wait timers on private repositories only with Enterprise', () => {
    expect(planGates({ visibility: 'public', plan: 'free' })).toEqual({
      rulesets: true,
      environments: true,
      reviewers: true,
    });
    expect(planGates({ visibility: 'private', plan: 'free' })).toEqual({
      rulesets: false,
      environments: false,
      reviewers: false,
    });
    expect(planGates({ visibility: 'private', plan: 'team' })).toEqual({
      rulesets: true,
      environments: true,
      reviewers: false,
    });
    expect(planGates({ visibility: 'internal', plan: 'enterprise' })).toEqual({
      rulesets: true,
      environments: true,
      reviewers: true,
    });
    // An unreadable plan is not assumed to have reviewers.
    expect(planGates({ visibility: 'private', plan: undefined }).reviewers).toBe(false);
    expect([
      planFromName('business'),
      planFromName('enterprise_cloud'),
      planFromName('TEAM'),
      planFromName('x'),
    ]).toEqual(['enterprise', 'enterprise', 'team', undefined]);
  });

  it('refuses environment reviewers a plan lacks, and a pipeline with no person in it; accepts the PR approval gate', () => {
    expect(reportGates(settings(GATE), { visibility: 'private', plan: 'team' }).refusals).toEqual([]);
    const reviewersOnTeam = reportGates(settings(GATE + REVIEWERS), { visibility: 'private', plan: 'pro' });
    expect(reviewersOnTeam.refusals).toEqual([expect.stringContaining('environments.production: required reviewers')]);
    expect(reportGates(settings(GATE + REVIEWERS), { visibility: 'private', plan: 'enterprise' }).refusals).toEqual([]);
    const noPerson = reportGates(settings('environments:\n  production:\n    wait_timer: 0\n'), {
      visibility: 'public',
      plan: 'free',
    });
    expect(noPerson.refusals).toEqual([expect.stringContaining('no person stands between staging and production')]);
    // Environment reviewers alone are a person where GitHub enforces them.
    expect(reportGates(settings(REVIEWERS), { visibility: 'public', plan: 'free' }).refusals).toEqual([]);
  });
});
