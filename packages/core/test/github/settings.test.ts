import { describe, expect, it } from '@jest/globals';
import {
  desiredRules,
  environmentChanges,
  formatSettingsPlan,
  liveEnvironment,
  parseRepoSettings,
  planRepoSettings,
  refPattern,
  rulesetBody,
  rulesetChanges,
  type LiveEnvironment,
  type LiveRuleset,
  type LiveSettings,
  type RepoSettings,
} from '../../src/github/settings.ts';
import { YamlFileError } from '../../src/yaml-file.ts';

const FILE = `
rulesets:
  - name: main
    include: [main]
    rules:
      pull_request:
        required_approving_review_count: 1
      required_status_checks:
        checks: [staging]
      non_fast_forward: true
      deletion: true
environments:
  staging:
    deployment_branches: [integration]
  production:
    reviewers:
      - user: alice
      - team: ml-reviewers
    prevent_self_review: true
    wait_timer: 5
    deployment_branches: [main]
`;

const settings = (): RepoSettings => parseRepoSettings(FILE, 'repo-settings.yml');

function liveMain(overrides: Partial<LiveRuleset> = {}): LiveRuleset {
  return {
    id: 7,
    name: 'main',
    sourceType: 'Repository',
    target: 'branch',
    enforcement: 'active',
    include: ['refs/heads/main'],
    exclude: [],
    bypassActors: [],
    rules: [
      { type: 'deletion' },
      { type: 'non_fast_forward' },
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: false,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
          allowed_merge_methods: ['merge', 'squash', 'rebase'],
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          required_status_checks: [{ context: 'staging' }],
          strict_required_status_checks_policy: false,
        },
      },
    ],
    ...overrides,
  };
}

function liveEnvironments(): LiveEnvironment[] {
  return [
    {
      name: 'production',
      waitTimer: 5,
      reviewers: [
        { type: 'Team', name: 'ML-Reviewers' },
        { type: 'User', name: 'Alice' },
      ],
      preventSelfReview: true,
      branches: { kind: 'custom', patterns: ['main'] },
      policies: [{ id: 1, name: 'main', type: 'branch' }],
    },
    {
      name: 'staging',
      waitTimer: 0,
      reviewers: [],
      preventSelfReview: false,
      branches: { kind: 'custom', patterns: ['integration'] },
      policies: [{ id: 2, name: 'integration', type: 'branch' }],
    },
  ];
}

const matching = (): LiveSettings => ({ rulesets: [liveMain()], environments: liveEnvironments() });

describe('parseRepoSettings', () => {
  it('reads the file with GitHub defaults filled in', () => {
    const parsed = settings();
    expect(parsed.rulesets[0]).toMatchObject({
      name: 'main',
      target: 'branch',
      enforcement: 'active',
      include: ['refs/heads/main'],
      exclude: [],
    });
    expect(parsed.rulesets[0]?.rules.pull_request).toEqual({
      required_approving_review_count: 1,
      dismiss_stale_reviews_on_push: true,
      require_code_owner_review: false,
      require_last_push_approval: false,
      required_review_thread_resolution: false,
    });
    expect(parsed.environments).toEqual([
      {
        name: 'staging',
        waitTimer: 0,
        reviewers: [],
        preventSelfReview: false,
        branches: { kind: 'custom', patterns: ['integration'] },
      },
      {
        name: 'production',
        waitTimer: 5,
        reviewers: [
          { type: 'User', name: 'alice' },
          { type: 'Team', name: 'ml-reviewers' },
        ],
        preventSelfReview: true,
        branches: { kind: 'custom', patterns: ['main'] },
      },
    ]);
  });

  it('reports every mistake with its line', () => {
    const text = [
      'rulesets:',
      '  - name: main',
      '    include: [main]',
      '    enforcment: active',
      '    rules: {}',
      '  - name: main',
      '    include: []',
      '    rules:',
      '      deletion: yes-please',
      'environments:',
      '  production:',
      '    prevent_self_review: true',
      '    reviewers: [{ user: a }, { user: b }, { user: c }, { user: d }, { user: e }, { user: f }, { user: g }]',
    ].join('\n');
    let error: unknown;
    try {
      parseRepoSettings(text, 'settings.yml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(YamlFileError);
    const message = (error as Error).message;
    expect(message).toContain("settings.yml:4:5: unknown field 'rulesets.0.enforcment'");
    expect(message).toMatch(/settings\.yml:7:14: rulesets\.1\.include: /);
    expect(message).toMatch(/settings\.yml:9:17: rulesets\.1\.rules\.deletion: /);
    expect(message).toContain('GitHub allows at most 6 reviewers');
  });

  it('checks what the schema alone cannot: unique names, rules turned on, reviewers for prevent_self_review', () => {
    const text = [
      'rulesets:',
      '  - name: main',
      '    include: [main]',
      '    rules: { deletion: true }',
      '  - name: main',
      '    include: [develop]',
      '    rules: { deletion: false }',
      'environments:',
      '  production:',
      '    prevent_self_review: true',
      '  "bad name":',
      '    wait_timer: 1',
    ].join('\n');
    expect(() => parseRepoSettings(text, 's.yml')).toThrow(
      /s\.yml:5:11: rulesets\.1\.name: 'main' is also the name of rulesets\.0[\s\S]*s\.yml:7:12: rulesets\.1\.rules: no rule is turned on[\s\S]*s\.yml:10:26: environments\.production\.prevent_self_review: needs reviewers[\s\S]*s\.yml:11:3: environments\.bad name: not a valid environment name/,
    );
  });

  it('turns branch names into refs, keeping GitHub special values', () => {
    expect(refPattern('main', 'branch')).toBe('refs/heads/main');
    expect(refPattern('v*', 'tag')).toBe('refs/tags/v*');
    expect(refPattern('~DEFAULT_BRANCH', 'branch')).toBe('~DEFAULT_BRANCH');
    expect(refPattern('refs/heads/release/*', 'branch')).toBe('refs/heads/release/*');
  });
});

describe('planRepoSettings', () => {
  it('plans nothing when the repository matches (logins and slugs compared as GitHub does, without case)', () => {
    const plan = planRepoSettings(settings(), matching());
    expect(plan.actions).toEqual([]);
    expect(plan.unchanged).toEqual(['ruleset "main"', 'environment "staging"', 'environment "production"']);
    expect(formatSettingsPlan(plan, { repository: 'o/r', file: 'repo-settings.yml' })).toContain(
      'No changes: the repository matches the file.',
    );
  });

  it('creates everything in an empty repository, branch policies after their environment', () => {
    const plan = planRepoSettings(settings(), { rulesets: [], environments: [] });
    expect(plan.actions.map((a) => `${a.kind} ${'name' in a ? a.name : `${a.environment} ${a.pattern}`}`)).toEqual([
      'create-ruleset main',
      'create-environment staging',
      'add-branch-policy staging integration',
      'create-environment production',
      'add-branch-policy production main',
    ]);
    const text = formatSettingsPlan(plan, { repository: 'o/r', file: 'repo-settings.yml' });
    expect(text).toContain('+ ruleset "main" (create)');
    expect(text).toContain('    + rules.required_status_checks: checks=[staging], strict=false');
    expect(text).toContain('    + reviewers: team ml-reviewers, user alice');
    expect(text).toContain('    + wait_timer: 5');
    expect(text).toContain(
      'Plan: 1 ruleset to create, 2 environments to create, 2 deployment branch policies to add. Run again with --apply',
    );
  });

  it('updates a ruleset field by field, keeping parameters the file does not set', () => {
    const live = liveMain({
      enforcement: 'evaluate',
      rules: [
        { type: 'deletion' },
        { type: 'required_linear_history' },
        {
          type: 'pull_request',
          parameters: {
            required_approving_review_count: 0,
            dismiss_stale_reviews_on_push: true,
            require_code_owner_review: false,
            require_last_push_approval: false,
            required_review_thread_resolution: false,
            allowed_merge_methods: ['squash'],
          },
        },
        {
          type: 'required_status_checks',
          parameters: {
            required_status_checks: [{ context: 'ci' }],
            strict_required_status_checks_policy: true,
          },
        },
      ],
    });
    const desired = settings().rulesets[0]!;
    expect(rulesetChanges(desired, live)).toEqual([
      { path: 'enforcement', live: 'evaluate', desired: 'active' },
      { path: 'rules.non_fast_forward', live: 'off', desired: 'on' },
      { path: 'rules.pull_request.required_approving_review_count', live: 0, desired: 1 },
      { path: 'rules.required_status_checks.checks', live: ['ci'], desired: ['staging'] },
      { path: 'rules.required_status_checks.strict', live: true, desired: false },
      { path: 'rules.required_linear_history', live: 'on', desired: undefined },
    ]);
    const body = rulesetBody(desired, live);
    expect(body.rules.find((r) => r.type === 'pull_request')?.parameters).toEqual({
      required_approving_review_count: 1,
      dismiss_stale_reviews_on_push: true,
      require_code_owner_review: false,
      require_last_push_approval: false,
      required_review_thread_resolution: false,
      allowed_merge_methods: ['squash'],
    });
    expect(body.rules.map((r) => r.type)).not.toContain('required_linear_history');
    expect(body.conditions).toEqual({ ref_name: { include: ['refs/heads/main'], exclude: [] } });
    const plan = planRepoSettings(settings(), { rulesets: [live], environments: liveEnvironments() });
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'update-ruleset', id: 7, name: 'main' })]);
    const text = formatSettingsPlan(plan, { repository: 'o/r', file: 'f.yml' });
    expect(text).toContain('    ~ rules.required_status_checks.checks: ci → staging');
    expect(text).toContain('    - rules.required_linear_history: on');
  });

  it('leaves organisation rulesets and what the file does not name alone, and says so', () => {
    const live = matching();
    live.rulesets.push(liveMain({ id: 8, name: 'org-wide', sourceType: 'Organization' }));
    live.rulesets.push(liveMain({ id: 9, name: 'release tags' }));
    live.environments.push({ ...liveEnvironments()[1]!, name: 'preview' });
    const plan = planRepoSettings(settings(), live);
    expect(plan.actions).toEqual([]);
    expect(plan.unmanaged).toEqual([
      'ruleset "org-wide" (from the organization, not managed here)',
      'ruleset "release tags" (not in the file: left as it is)',
      'environment "preview" (not in the file: left as it is)',
    ]);
  });

  it('an organisation ruleset of the same name is not the repository one', () => {
    const plan = planRepoSettings(settings(), {
      rulesets: [liveMain({ sourceType: 'Organization' })],
      environments: liveEnvironments(),
    });
    expect(plan.actions.map((a) => a.kind)).toEqual(['create-ruleset']);
  });

  it('environment changes: reviewers, wait timer, self-review, branch policy kind and patterns', () => {
    const live = liveEnvironments();
    live[0] = {
      ...live[0]!,
      waitTimer: 0,
      reviewers: [{ type: 'User', name: 'alice' }],
      preventSelfReview: false,
      policies: [
        { id: 1, name: 'main', type: 'branch' },
        { id: 3, name: 'hotfix/*', type: 'branch' },
        { id: 4, name: 'v*', type: 'tag' },
      ],
    };
    live[1] = { ...live[1]!, branches: { kind: 'all' }, policies: [] };
    const plan = planRepoSettings(settings(), { rulesets: [liveMain()], environments: live });
    expect(plan.actions).toEqual([
      {
        kind: 'update-environment',
        name: 'staging',
        desired: settings().environments[0],
        changes: [{ path: 'deployment_branches', live: 'all branches', desired: 'selected branches' }],
      },
      { kind: 'add-branch-policy', environment: 'staging', pattern: 'integration' },
      {
        kind: 'update-environment',
        name: 'production',
        desired: settings().environments[1],
        changes: [
          { path: 'wait_timer', live: 0, desired: 5 },
          { path: 'reviewers', live: ['user alice'], desired: ['team ml-reviewers', 'user alice'] },
          { path: 'prevent_self_review', live: false, desired: true },
        ],
      },
      { kind: 'remove-branch-policy', environment: 'production', pattern: 'hotfix/*', id: 3 },
      { kind: 'remove-branch-policy', environment: 'production', pattern: 'v*', id: 4 },
    ]);
    expect(formatSettingsPlan(plan, { repository: 'o/r', file: 'f.yml' })).toContain(
      'Plan: 2 environments to update, 1 deployment branch policy to add, 2 deployment branch policies to remove.',
    );
  });

  it('a new environment without protection shows only its branch policy', () => {
    const desired = settings().environments[0]!;
    expect(environmentChanges(desired, undefined)).toEqual([
      { path: 'deployment_branches', live: undefined, desired: 'selected branches' },
    ]);
    expect(
      environmentChanges(
        { ...desired, branches: { kind: 'protected' } },
        { ...liveEnvironments()[1]!, branches: { kind: 'all' } },
      ),
    ).toEqual([{ path: 'deployment_branches', live: 'all branches', desired: 'protected branches' }]);
  });
});

describe('the API shapes', () => {
  it('sends only the rules turned on, with every parameter GitHub requires', () => {
    expect(desiredRules(settings().rulesets[0]!.rules)).toEqual([
      { type: 'deletion' },
      { type: 'non_fast_forward' },
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: false,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          required_status_checks: [{ context: 'staging' }],
          strict_required_status_checks_policy: false,
        },
      },
    ]);
  });

  it('reads an environment from its protection rules', () => {
    expect(
      liveEnvironment({
        name: 'production',
        protection_rules: [
          { type: 'wait_timer', wait_timer: 10 },
          {
            type: 'required_reviewers',
            prevent_self_review: true,
            reviewers: [
              { type: 'User', reviewer: { login: 'alice' } },
              { type: 'Team', reviewer: { slug: 'ml-reviewers' } },
            ],
          },
          { type: 'branch_policy' },
        ],
        deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
      }),
    ).toEqual({
      name: 'production',
      waitTimer: 10,
      reviewers: [
        { type: 'User', name: 'alice' },
        { type: 'Team', name: 'ml-reviewers' },
      ],
      preventSelfReview: true,
      branches: { kind: 'protected' },
      policies: [],
    });
    expect(liveEnvironment({ name: 'dev', deployment_branch_policy: null })).toMatchObject({
      waitTimer: 0,
      reviewers: [],
      branches: { kind: 'all' },
    });
  });
});
