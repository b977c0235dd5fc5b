/**
 * Repository settings on the loopback GitHub: branch rulesets, deployment environments with their protection rules
 * (required reviewers, prevent self-review, wait timer, deployment branch policies), and the user and team look-ups
 * that turn reviewer names into ids. Register them on a server with `registerRepositorySettings(github)`; the state
 * lives in each repository's `extensions` ('rulesets', 'environments').
 *
 * They behave as GitHub does where the repo-settings command depends on it: the ruleset list carries no rules or
 * conditions (each ruleset is read on its own), ruleset names are unique, an environment's reviewers must exist,
 * deployment branch policies exist only under `custom_branch_policies`, an existing policy answers 303, switching
 * the branch policy away from custom drops the policies, and a private repository on GitHub Free is refused with
 * GitHub's "Upgrade to GitHub Pro" message (`repo.extensions.set('plan', 'free')`).
 */
import type { Account, Repository } from './model.ts';
import { newId, nodeId } from './model.ts';
import { publicUser, simpleUser, teamSimple, type Urls } from './representations.ts';
import { GitHubHttpError, notFound, validationFailed, type RestContext } from './rest.ts';
import { registerPlans } from './plans.ts';
import type { GitHubServer } from './server.ts';

export interface RulesetRecord {
  id: number;
  name: string;
  target: string;
  enforcement: string;
  bypass_actors: Record<string, unknown>[];
  conditions: Record<string, unknown> | null;
  rules: Record<string, unknown>[];
  created_at: string;
  updated_at: string;
}

export interface BranchPolicyRecord {
  id: number;
  name: string;
  type: 'branch' | 'tag';
}

export interface EnvironmentRecord {
  id: number;
  name: string;
  waitTimer: number;
  preventSelfReview: boolean;
  reviewers: { type: 'User' | 'Team'; id: number }[];
  branchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  policies: BranchPolicyRecord[];
  /** Protection rule ids, stable for the environment's life. */
  ruleIds: { waitTimer: number; reviewers: number; branchPolicy: number };
  created_at: string;
  updated_at: string;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function rulesetsOf(repo: Repository): RulesetRecord[] {
  let list = repo.extensions.get('rulesets') as RulesetRecord[] | undefined;
  if (!list) repo.extensions.set('rulesets', (list = []));
  return list;
}

export function environmentsOf(repo: Repository): Map<string, EnvironmentRecord> {
  let map = repo.extensions.get('environments') as Map<string, EnvironmentRecord> | undefined;
  if (!map) repo.extensions.set('environments', (map = new Map()));
  return map;
}

/** GitHub Free refuses rulesets and environment protection rules on private repositories. */
function requirePlan(repo: Repository): void {
  if (repo.private && repo.extensions.get('plan') === 'free') {
    throw new GitHubHttpError(403, 'Upgrade to GitHub Pro or make this repository public to enable this feature.');
  }
}

function rulesetJson(urls: Urls, repo: Repository, ruleset: RulesetRecord, full: boolean): Record<string, unknown> {
  const api = `${urls.api}/repos/${repo.fullName}/rulesets/${ruleset.id}`;
  const summary: Record<string, unknown> = {
    id: ruleset.id,
    name: ruleset.name,
    target: ruleset.target,
    source_type: 'Repository',
    source: repo.fullName,
    enforcement: ruleset.enforcement,
    node_id: nodeId('RRS', ruleset.id),
    _links: { self: { href: api }, html: { href: `${urls.html}/${repo.fullName}/rules/${ruleset.id}` } },
    created_at: ruleset.created_at,
    updated_at: ruleset.updated_at,
  };
  if (!full) return summary;
  return {
    ...summary,
    bypass_actors: ruleset.bypass_actors,
    current_user_can_bypass: 'never',
    conditions: ruleset.conditions,
    rules: ruleset.rules,
  };
}

function findAccountById(context: RestContext, id: number): Account | undefined {
  return [...context.state.accounts.values()].find((a) => a.id === id && a.type === 'User');
}

function findTeam(context: RestContext, org: string, predicate: (team: { id: number; slug: string }) => boolean) {
  for (const repo of context.state.repositories.values()) {
    if (repo.owner.login.toLowerCase() !== org.toLowerCase()) continue;
    for (const team of repo.teams.values()) if (predicate(team)) return { repo, team };
  }
  return undefined;
}

function environmentJson(context: RestContext, repo: Repository, env: EnvironmentRecord): Record<string, unknown> {
  const { urls } = context;
  const rules: Record<string, unknown>[] = [];
  if (env.waitTimer > 0) {
    rules.push({
      id: env.ruleIds.waitTimer,
      node_id: nodeId('GA', env.ruleIds.waitTimer),
      type: 'wait_timer',
      wait_timer: env.waitTimer,
    });
  }
  if (env.reviewers.length > 0) {
    rules.push({
      id: env.ruleIds.reviewers,
      node_id: nodeId('GA', env.ruleIds.reviewers),
      prevent_self_review: env.preventSelfReview,
      type: 'required_reviewers',
      reviewers: env.reviewers.map((r) => {
        if (r.type === 'User') {
          return { type: 'User', reviewer: simpleUser(urls, findAccountById(context, r.id) as Account) };
        }
        const found = findTeam(context, repo.owner.login, (t) => t.id === r.id);
        return { type: 'Team', reviewer: teamSimple(urls, found?.repo ?? repo, found?.team as never) };
      }),
    });
  }
  if (env.branchPolicy) {
    rules.push({
      id: env.ruleIds.branchPolicy,
      node_id: nodeId('GA', env.ruleIds.branchPolicy),
      type: 'branch_policy',
    });
  }
  return {
    id: env.id,
    node_id: nodeId('EN', env.id),
    name: env.name,
    url: `${urls.api}/repos/${repo.fullName}/environments/${encodeURIComponent(env.name)}`,
    html_url: `${urls.html}/${repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    created_at: env.created_at,
    updated_at: env.updated_at,
    protection_rules: rules,
    deployment_branch_policy: env.branchPolicy,
  };
}

function environment(context: RestContext): { repo: Repository; env: EnvironmentRecord } {
  const repo = context.repo();
  const name = decodeURIComponent(context.params['environment_name'] ?? '');
  const env = [...environmentsOf(repo).values()].find((e) => e.name.toLowerCase() === name.toLowerCase());
  if (!env) throw notFound();
  return { repo, env };
}

function policyJson(policy: BranchPolicyRecord): Record<string, unknown> {
  return { id: policy.id, node_id: nodeId('DBP', policy.id), name: policy.name, type: policy.type };
}

/** Registers the settings operations on a server (their permissions are GitHub's fine-grained ones). */
export function registerRepositorySettings(github: GitHubServer): void {
  registerPlans(github);
  // --- rulesets --------------------------------------------------------------------------------------------
  github.handle(
    'repos/get-repo-rulesets',
    (c) => {
      const repo = c.repo();
      requirePlan(repo);
      return { status: 200, body: rulesetsOf(repo).map((r) => rulesetJson(c.urls, repo, r, false)) };
    },
    [{ metadata: 'read' }],
  );

  github.handle(
    'repos/get-repo-ruleset',
    (c) => {
      const repo = c.repo();
      const ruleset = rulesetsOf(repo).find((r) => r.id === Number(c.params['ruleset_id']));
      if (!ruleset) throw notFound();
      return { status: 200, body: rulesetJson(c.urls, repo, ruleset, true) };
    },
    [{ metadata: 'read' }],
  );

  github.handle(
    'repos/create-repo-ruleset',
    (c) => {
      const repo = c.repo();
      requirePlan(repo);
      const list = rulesetsOf(repo);
      const name = String(c.body['name']);
      if (list.some((r) => r.name === name)) {
        throw validationFailed([
          { resource: 'Ruleset', field: 'name', code: 'custom', message: 'Name must be unique' },
        ]);
      }
      const at = now();
      const ruleset: RulesetRecord = {
        id: newId(),
        name,
        target: String(c.body['target'] ?? 'branch'),
        enforcement: String(c.body['enforcement']),
        bypass_actors: (c.body['bypass_actors'] as Record<string, unknown>[] | undefined) ?? [],
        conditions: (c.body['conditions'] as Record<string, unknown> | undefined) ?? null,
        rules: (c.body['rules'] as Record<string, unknown>[] | undefined) ?? [],
        created_at: at,
        updated_at: at,
      };
      list.push(ruleset);
      return { status: 201, body: rulesetJson(c.urls, repo, ruleset, true) };
    },
    [{ administration: 'write' }],
  );

  github.handle(
    'repos/update-repo-ruleset',
    (c) => {
      const repo = c.repo();
      requirePlan(repo);
      const list = rulesetsOf(repo);
      const ruleset = list.find((r) => r.id === Number(c.params['ruleset_id']));
      if (!ruleset) throw notFound();
      const name = c.body['name'];
      if (typeof name === 'string' && list.some((r) => r !== ruleset && r.name === name)) {
        throw validationFailed([
          { resource: 'Ruleset', field: 'name', code: 'custom', message: 'Name must be unique' },
        ]);
      }
      if (typeof name === 'string') ruleset.name = name;
      if (typeof c.body['target'] === 'string') ruleset.target = c.body['target'];
      if (typeof c.body['enforcement'] === 'string') ruleset.enforcement = c.body['enforcement'];
      if (Array.isArray(c.body['bypass_actors'])) ruleset.bypass_actors = c.body['bypass_actors'] as never;
      if (c.body['conditions'] !== undefined) ruleset.conditions = c.body['conditions'] as never;
      if (Array.isArray(c.body['rules'])) ruleset.rules = c.body['rules'] as never;
      ruleset.updated_at = now();
      return { status: 200, body: rulesetJson(c.urls, repo, ruleset, true) };
    },
    [{ administration: 'write' }],
  );

  // --- environments ----------------------------------------------------------------------------------------
  github.handle(
    'repos/get-all-environments',
    (c) => {
      const repo = c.repo();
      const list = [...environmentsOf(repo).values()].sort((a, b) => a.name.localeCompare(b.name));
      return {
        status: 200,
        body: { total_count: list.length, environments: list.map((e) => environmentJson(c, repo, e)) },
      };
    },
    [{ actions: 'read' }],
  );

  github.handle(
    'repos/get-environment',
    (c) => {
      const { repo, env } = environment(c);
      return { status: 200, body: environmentJson(c, repo, env) };
    },
    [{ actions: 'read' }],
  );

  github.handle(
    'repos/create-or-update-environment',
    (c) => {
      const repo = c.repo();
      const name = decodeURIComponent(c.params['environment_name'] ?? '');
      const map = environmentsOf(repo);
      const existing = [...map.values()].find((e) => e.name.toLowerCase() === name.toLowerCase());
      const reviewers = c.body['reviewers'] as { type?: 'User' | 'Team'; id?: number }[] | null | undefined;
      const policy = c.body['deployment_branch_policy'] as EnvironmentRecord['branchPolicy'] | undefined;
      const waitTimer = c.body['wait_timer'] as number | undefined;
      if (((reviewers?.length ?? 0) > 0 || (waitTimer ?? 0) > 0 || policy) && repo.private) requirePlan(repo);
      if (waitTimer !== undefined && (waitTimer < 0 || waitTimer > 43_200)) {
        throw new GitHubHttpError(422, 'Wait timer must be between 0 and 43200 minutes');
      }
      if ((reviewers?.length ?? 0) > 6) throw new GitHubHttpError(422, 'Only 6 reviewers may be specified');
      for (const reviewer of reviewers ?? []) {
        const known =
          reviewer.type === 'User'
            ? findAccountById(c, Number(reviewer.id)) !== undefined
            : findTeam(c, repo.owner.login, (t) => t.id === reviewer.id) !== undefined;
        if (!known) throw new GitHubHttpError(422, `Reviewer ${reviewer.type} ${reviewer.id} was not found`);
      }
      if (policy && policy.protected_branches && policy.custom_branch_policies) {
        throw new GitHubHttpError(
          422,
          "Only one of 'protected_branches' or 'custom_branch_policies' can be set to true",
        );
      }
      const at = now();
      const env: EnvironmentRecord = existing ?? {
        id: newId(),
        name,
        waitTimer: 0,
        preventSelfReview: false,
        reviewers: [],
        branchPolicy: null,
        policies: [],
        ruleIds: { waitTimer: newId(), reviewers: newId(), branchPolicy: newId() },
        created_at: at,
        updated_at: at,
      };
      if (waitTimer !== undefined) env.waitTimer = waitTimer;
      if (typeof c.body['prevent_self_review'] === 'boolean') env.preventSelfReview = c.body['prevent_self_review'];
      if (reviewers !== undefined) {
        env.reviewers = (reviewers ?? []).map((r) => ({ type: r.type ?? 'User', id: Number(r.id) }));
      }
      if (policy !== undefined) {
        env.branchPolicy = policy;
        if (!policy?.custom_branch_policies) env.policies = [];
      }
      // Pro and Team private repositories: required reviewers and wait timers are accepted and silently absent.
      if (repo.private && ['pro', 'team'].includes(String(repo.extensions.get('plan')))) {
        Object.assign(env, { waitTimer: 0, reviewers: [], preventSelfReview: false });
      }
      env.updated_at = at;
      map.set(env.name, env);
      return { status: 200, body: environmentJson(c, repo, env) };
    },
    [{ administration: 'write' }],
  );

  github.handle(
    'repos/list-deployment-branch-policies',
    (c) => {
      const { env } = environment(c);
      return {
        status: 200,
        body: { total_count: env.policies.length, branch_policies: env.policies.map(policyJson) },
      };
    },
    [{ actions: 'read' }],
  );

  github.handle(
    'repos/create-deployment-branch-policy',
    (c) => {
      const { env } = environment(c);
      if (!env.branchPolicy?.custom_branch_policies) throw notFound();
      const name = String(c.body['name']);
      const type = (c.body['type'] as 'branch' | 'tag' | undefined) ?? 'branch';
      if (env.policies.some((p) => p.name === name && p.type === type)) return { status: 303 };
      const policy: BranchPolicyRecord = { id: newId(), name, type };
      env.policies.push(policy);
      return { status: 200, body: policyJson(policy) };
    },
    [{ administration: 'write' }],
  );

  github.handle(
    'repos/delete-deployment-branch-policy',
    (c) => {
      const { env } = environment(c);
      const index = env.policies.findIndex((p) => p.id === Number(c.params['branch_policy_id']));
      if (index < 0) throw notFound();
      env.policies.splice(index, 1);
      return { status: 204 };
    },
    [{ administration: 'write' }],
  );

  // --- reviewers: names to ids -----------------------------------------------------------------------------
  github.handle('users/get-by-username', (c) => {
    const account = c.state.accounts.get(String(c.params['username']).toLowerCase());
    if (!account || account.type === 'Organization') throw notFound();
    return {
      status: 200,
      body: publicUser(c.urls, account),
    };
  });

  github.handle(
    'teams/get-by-name',
    (c) => {
      const org = String(c.params['org']);
      const found = findTeam(c, org, (t) => t.slug === c.params['team_slug']);
      if (!found) throw notFound();
      const owner = found.repo.owner;
      const orgApi = `${c.urls.api}/orgs/${owner.login}`;
      return {
        status: 200,
        body: {
          ...teamSimple(c.urls, found.repo, found.team),
          members_count: 1,
          repos_count: 1,
          created_at: '2020-01-01T00:00:00Z',
          updated_at: '2024-01-01T00:00:00Z',
          organization: {
            login: owner.login,
            id: owner.id,
            node_id: nodeId('O', owner.id),
            url: orgApi,
            repos_url: `${orgApi}/repos`,
            events_url: `${orgApi}/events`,
            hooks_url: `${orgApi}/hooks`,
            issues_url: `${orgApi}/issues`,
            members_url: `${orgApi}/members{/member}`,
            public_members_url: `${orgApi}/public_members{/member}`,
            avatar_url: `https://avatars.githubusercontent.com/u/${owner.id}?v=4`,
            description: null,
            html_url: `${c.urls.html}/${owner.login}`,
            has_organization_projects: true,
            has_repository_projects: true,
            public_repos: 0,
            public_gists: 0,
            followers: 0,
            following: 0,
            type: 'Organization',
            created_at: '2020-01-01T00:00:00Z',
            updated_at: '2024-01-01T00:00:00Z',
            archived_at: null,
          },
        },
      };
    },
    [{ members: 'read' }],
  );
}
