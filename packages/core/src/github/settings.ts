/**
 * Repository settings as code: the branch rulesets and deployment environments a repository must have for the
 * pipelines to be safe (a pull request and the staging check before `main` moves, no force push; production behind
 * required reviewers, deployable from `main` only), declared in a YAML file and compared with — or applied to — the
 * repository through GitHub's rulesets and environments APIs.
 *
 * - `readRepoSettings` / `parseRepoSettings`: the file, checked with every problem at its `file:line`.
 * - `planRepoSettings`: pure; the live settings and the file in, the changes out (field by field).
 * - `formatSettingsPlan`: the plan as the command prints it.
 * - `RepoSettingsClient`: reads the live settings and applies a plan (REST, over @actions/github's Octokit).
 *
 * Only what the file names is managed: rulesets and environments it does not mention are listed and left alone,
 * and rule parameters it does not set keep the values they have.
 */
import { z } from 'zod';
import { YamlFile, YamlFileError, type Problem } from '../yaml-file.ts';
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';
import { GitHubApiError, type GitHubCallContext } from './errors.ts';
import { RepositoryApi, splitRepository, type Octokit } from './repository-api.ts';
import { detectTokenKind } from './token.ts';

// --- the file -----------------------------------------------------------------------------------------------

const name = z.string().trim().min(1);

const BypassActor = z
  .object({
    actor_type: z.enum(['Integration', 'OrganizationAdmin', 'RepositoryRole', 'Team', 'DeployKey', 'User']),
    actor_id: z.number().int().nullable().optional(),
    bypass_mode: z.enum(['always', 'pull_request']).default('always'),
  })
  .strict();

const StatusCheck = z.union([
  name.transform((context) => ({ context, integration_id: undefined as number | undefined })),
  z.object({ context: name, integration_id: z.number().int().positive().optional() }).strict(),
]);

const PullRequestRule = z
  .object({
    required_approving_review_count: z.number().int().min(0).max(10).default(1),
    dismiss_stale_reviews_on_push: z.boolean().default(true),
    require_code_owner_review: z.boolean().default(false),
    require_last_push_approval: z.boolean().default(false),
    required_review_thread_resolution: z.boolean().default(false),
  })
  .strict();

const RequiredStatusChecksRule = z
  .object({
    /** Check names: a job's `name` (default: its id) for GitHub Actions, or a commit status context. */
    checks: z.array(StatusCheck).min(1),
    /** Require the branch to be up to date with the target before merging. */
    strict: z.boolean().default(false),
  })
  .strict();

const Rules = z
  .object({
    pull_request: PullRequestRule.optional(),
    required_status_checks: RequiredStatusChecksRule.optional(),
    /** Block force pushes. */
    non_fast_forward: z.boolean().default(false),
    /** Restrict deletions. */
    deletion: z.boolean().default(false),
    /** Restrict creations of matching refs. */
    creation: z.boolean().default(false),
    required_linear_history: z.boolean().default(false),
    required_signatures: z.boolean().default(false),
  })
  .strict();

const Ruleset = z
  .object({
    name,
    target: z.enum(['branch', 'tag']).default('branch'),
    enforcement: z.enum(['active', 'evaluate', 'disabled']).default('active'),
    /** Branch (or tag) names or patterns (`main`, `release/*`), or `~DEFAULT_BRANCH` / `~ALL`. */
    include: z.array(name).min(1),
    exclude: z.array(name).default([]),
    bypass_actors: z.array(BypassActor).default([]),
    /** `false`: repository and organisation admins are not among the bypass actors (checked in the file). */
    admins_may_bypass: z.boolean().default(true),
    rules: Rules,
  })
  .strict();

const Reviewer = z.union([z.object({ user: name }).strict(), z.object({ team: name }).strict()]);

const Environment = z
  .object({
    /** Minutes a job waits after approval before it starts (0–43200). */
    wait_timer: z.number().int().min(0).max(43_200).default(0),
    /** Up to six users or teams, any one of whom approves a job that uses the environment. */
    reviewers: z.array(Reviewer).max(6, { message: 'GitHub allows at most 6 reviewers' }).default([]),
    /** Whoever started the run cannot approve it. */
    prevent_self_review: z.boolean().default(false),
    /** `all`, `protected` (branches with protection rules), or a list of branch names or patterns. */
    deployment_branches: z.union([z.enum(['all', 'protected']), z.array(name).min(1)]).default('all'),
  })
  .strict();

export const RepoSettingsFileSchema = z
  .object({
    rulesets: z.array(Ruleset).default([]),
    environments: z.record(name, Environment).default({}),
  })
  .strict();

export type RulesetRules = z.infer<typeof Rules>;

export interface ReviewerRef {
  type: 'User' | 'Team';
  /** Login or team slug as the file gives it (compared case-insensitively, as GitHub does). */
  name: string;
}

export type BranchPolicy = { kind: 'all' } | { kind: 'protected' } | { kind: 'custom'; patterns: string[] };

export interface DesiredRuleset {
  name: string;
  target: 'branch' | 'tag';
  enforcement: 'active' | 'evaluate' | 'disabled';
  include: string[];
  exclude: string[];
  bypassActors: { actor_type: string; actor_id?: number | null | undefined; bypass_mode: string }[];
  adminsMayBypass: boolean;
  rules: RulesetRules;
}

export interface DesiredEnvironment {
  name: string;
  waitTimer: number;
  reviewers: ReviewerRef[];
  preventSelfReview: boolean;
  branches: BranchPolicy;
}

export interface RepoSettings {
  file: string;
  rulesets: DesiredRuleset[];
  environments: DesiredEnvironment[];
}

/** `main` → `refs/heads/main`; `~DEFAULT_BRANCH`, `~ALL` and full refs are kept. */
export function refPattern(pattern: string, target: 'branch' | 'tag'): string {
  if (pattern.startsWith('~') || pattern.startsWith('refs/')) return pattern;
  return `refs/${target === 'tag' ? 'tags' : 'heads'}/${pattern}`;
}

export function parseRepoSettings(text: string, file: string): RepoSettings {
  const yaml = YamlFile.parse(text, file);
  const data = yaml.validate(RepoSettingsFileSchema);
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  data.rulesets.forEach((ruleset, index) => {
    const first = seen.get(ruleset.name);
    if (first !== undefined) {
      problems.push({
        message: `rulesets.${index}.name: '${ruleset.name}' is also the name of rulesets.${first} (GitHub requires unique names)`,
        ...yaml.locate(['rulesets', index, 'name']),
      });
    }
    seen.set(ruleset.name, index);
    ruleset.bypass_actors.forEach((actor, i) => {
      // Role 5 is the repository's admin role.
      const admin =
        actor.actor_type === 'OrganizationAdmin' || (actor.actor_type === 'RepositoryRole' && actor.actor_id === 5);
      if (!ruleset.admins_may_bypass && admin)
        problems.push({
          message: `rulesets.${index}.bypass_actors.${i}: an admin bypass, but admins_may_bypass is false`,
          ...yaml.locate(['rulesets', index, 'bypass_actors', i]),
        });
    });
    const rules = ruleset.rules;
    const anyRule =
      rules.pull_request ||
      rules.required_status_checks ||
      rules.non_fast_forward ||
      rules.deletion ||
      rules.creation ||
      rules.required_linear_history ||
      rules.required_signatures;
    if (!anyRule) {
      problems.push({
        message: `rulesets.${index}.rules: no rule is turned on`,
        ...yaml.locate(['rulesets', index, 'rules']),
      });
    }
  });
  for (const [envName, environment] of Object.entries(data.environments)) {
    if (environment.prevent_self_review && environment.reviewers.length === 0) {
      problems.push({
        message: `environments.${envName}.prevent_self_review: needs reviewers (it stops whoever started a run from approving it)`,
        ...yaml.locate(['environments', envName, 'prevent_self_review']),
      });
    }
    if (!/^[^\s/\\,'"`<>|:*?]+$/.test(envName) || envName.length > 255) {
      problems.push({
        message: `environments.${envName}: not a valid environment name (no spaces, slashes, quotes or wildcards)`,
        ...yaml.locate(['environments', envName], { key: true }),
      });
    }
  }
  if (problems.length > 0) throw new YamlFileError(file, problems);
  return {
    file,
    rulesets: data.rulesets.map((r) => ({
      name: r.name,
      target: r.target,
      enforcement: r.enforcement,
      include: r.include.map((p) => refPattern(p, r.target)),
      exclude: r.exclude.map((p) => refPattern(p, r.target)),
      bypassActors: r.bypass_actors,
      adminsMayBypass: r.admins_may_bypass,
      rules: r.rules,
    })),
    environments: Object.entries(data.environments).map(([envName, e]) => ({
      name: envName,
      waitTimer: e.wait_timer,
      reviewers: e.reviewers.map((r) =>
        'user' in r ? { type: 'User', name: r.user } : { type: 'Team', name: r.team },
      ),
      preventSelfReview: e.prevent_self_review,
      branches:
        e.deployment_branches === 'all'
          ? { kind: 'all' }
          : e.deployment_branches === 'protected'
            ? { kind: 'protected' }
            : { kind: 'custom', patterns: [...e.deployment_branches] },
    })),
  };
}

export function readRepoSettings(path: string): RepoSettings {
  const yaml = YamlFile.read(path);
  return parseRepoSettings(yaml.text, yaml.file);
}

// --- live state, as read from GitHub ------------------------------------------------------------------------

export interface ApiRule {
  type: string;
  parameters?: Record<string, unknown>;
}

export interface LiveRuleset {
  id: number;
  name: string;
  /** `Repository` for the repository's own; organisation rulesets apply too but are not managed here. */
  sourceType: string;
  target: string;
  enforcement: string;
  include: string[];
  exclude: string[];
  bypassActors: { actor_type: string; actor_id?: number | null; bypass_mode?: string }[];
  rules: ApiRule[];
}

export interface LiveEnvironment {
  name: string;
  waitTimer: number;
  reviewers: ReviewerRef[];
  preventSelfReview: boolean;
  branches: BranchPolicy;
  /** The custom deployment branch policies, with the ids needed to delete them. */
  policies: { id: number; name: string; type: string }[];
}

export interface LiveSettings {
  rulesets: LiveRuleset[];
  environments: LiveEnvironment[];
}

// --- the plan (pure) ----------------------------------------------------------------------------------------

export interface FieldChange {
  /** What differs, e.g. `rules.pull_request.required_approving_review_count`. */
  path: string;
  /** `undefined`: not there yet. */
  live: unknown;
  /** `undefined`: to be removed. */
  desired: unknown;
}

export type SettingsAction =
  | { kind: 'create-ruleset'; name: string; body: RulesetBody; changes: FieldChange[] }
  | { kind: 'update-ruleset'; name: string; id: number; body: RulesetBody; changes: FieldChange[] }
  | { kind: 'create-environment'; name: string; desired: DesiredEnvironment; changes: FieldChange[] }
  | { kind: 'update-environment'; name: string; desired: DesiredEnvironment; changes: FieldChange[] }
  | { kind: 'add-branch-policy'; environment: string; pattern: string }
  | { kind: 'remove-branch-policy'; environment: string; pattern: string; id: number };

export interface SettingsPlan {
  actions: SettingsAction[];
  /** Rulesets and environments the file declares that already match it. */
  unchanged: string[];
  /** What the repository has that the file does not mention (left alone). */
  unmanaged: string[];
}

export interface RulesetBody {
  name: string;
  target: 'branch' | 'tag';
  enforcement: 'active' | 'evaluate' | 'disabled';
  bypass_actors: { actor_type: string; actor_id?: number | null; bypass_mode: string }[];
  conditions: { ref_name: { include: string[]; exclude: string[] } };
  rules: ApiRule[];
}

/** The rules the file turns on, in the API's shape (booleans that are off are simply absent). */
export function desiredRules(rules: RulesetRules): ApiRule[] {
  const api: ApiRule[] = [];
  if (rules.creation) api.push({ type: 'creation' });
  if (rules.deletion) api.push({ type: 'deletion' });
  if (rules.non_fast_forward) api.push({ type: 'non_fast_forward' });
  if (rules.required_linear_history) api.push({ type: 'required_linear_history' });
  if (rules.required_signatures) api.push({ type: 'required_signatures' });
  if (rules.pull_request) api.push({ type: 'pull_request', parameters: { ...rules.pull_request } });
  if (rules.required_status_checks) {
    api.push({
      type: 'required_status_checks',
      parameters: {
        required_status_checks: rules.required_status_checks.checks.map((c) => ({
          context: c.context,
          ...(c.integration_id !== undefined && { integration_id: c.integration_id }),
        })),
        strict_required_status_checks_policy: rules.required_status_checks.strict,
      },
    });
  }
  return api;
}

/**
 * The body to create or update a ruleset with. For an update, the parameters of a rule the file does not set (for
 * example `allowed_merge_methods` chosen in the web UI) keep their live values instead of being reset.
 */
export function rulesetBody(desired: DesiredRuleset, live?: LiveRuleset): RulesetBody {
  const rules = desiredRules(desired.rules).map((rule) => {
    const current = live?.rules.find((r) => r.type === rule.type);
    if (!rule.parameters || !current?.parameters) return rule;
    return { type: rule.type, parameters: { ...current.parameters, ...rule.parameters } };
  });
  return {
    name: desired.name,
    target: desired.target,
    enforcement: desired.enforcement,
    bypass_actors: desired.bypassActors.map((a) => ({
      actor_type: a.actor_type,
      ...(a.actor_id !== undefined && { actor_id: a.actor_id }),
      bypass_mode: a.bypass_mode,
    })),
    conditions: { ref_name: { include: desired.include, exclude: desired.exclude } },
    rules,
  };
}

const sorted = (values: readonly string[]) => [...values].sort();
const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && sorted(a).every((value, i) => value === sorted(b)[i]);

function statusChecks(parameters: Record<string, unknown> | undefined): string[] {
  const checks = (parameters?.['required_status_checks'] ?? []) as { context: string; integration_id?: number }[];
  return sorted(
    checks.map((c) => (c.integration_id === undefined ? c.context : `${c.context} (app ${c.integration_id})`)),
  );
}

function bypassKey(actor: {
  actor_type: string;
  actor_id?: number | null | undefined;
  bypass_mode?: string | undefined;
}) {
  return `${actor.actor_type}${actor.actor_id === undefined || actor.actor_id === null ? '' : ` ${actor.actor_id}`} (${actor.bypass_mode ?? 'always'})`;
}

/** What differs between a live ruleset (or none) and the file's; desired-driven for rule parameters. */
export function rulesetChanges(desired: DesiredRuleset, live: LiveRuleset | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  const field = (path: string, liveValue: unknown, desiredValue: unknown, same: boolean) => {
    if (!same) changes.push({ path, live: liveValue, desired: desiredValue });
  };
  field('target', live?.target, desired.target, live?.target === desired.target);
  field('enforcement', live?.enforcement, desired.enforcement, live?.enforcement === desired.enforcement);
  field('include', live?.include, desired.include, live !== undefined && sameList(live.include, desired.include));
  if (desired.exclude.length > 0 || (live?.exclude.length ?? 0) > 0) {
    field('exclude', live?.exclude, desired.exclude, live !== undefined && sameList(live.exclude, desired.exclude));
  }
  const liveBypass = (live?.bypassActors ?? []).map(bypassKey);
  const desiredBypass = desired.bypassActors.map(bypassKey);
  if (desiredBypass.length > 0 || liveBypass.length > 0) {
    field(
      'bypass_actors',
      live && liveBypass,
      desiredBypass,
      live !== undefined && sameList(liveBypass, desiredBypass),
    );
  }
  const wanted = desiredRules(desired.rules);
  for (const rule of wanted) {
    const current = live?.rules.find((r) => r.type === rule.type);
    const path = `rules.${rule.type}`;
    if (!rule.parameters) {
      field(path, current ? 'on' : live && 'off', 'on', current !== undefined);
      continue;
    }
    if (!current) {
      changes.push({
        path,
        live: live && 'off',
        desired: rule.type === 'required_status_checks' ? describeChecks(rule) : rule.parameters,
      });
      continue;
    }
    if (rule.type === 'required_status_checks') {
      const liveChecks = statusChecks(current.parameters);
      const desiredChecks = statusChecks(rule.parameters);
      field(`${path}.checks`, liveChecks, desiredChecks, sameList(liveChecks, desiredChecks));
      const liveStrict = current.parameters?.['strict_required_status_checks_policy'] ?? false;
      const desiredStrict = rule.parameters['strict_required_status_checks_policy'];
      field(`${path}.strict`, liveStrict, desiredStrict, liveStrict === desiredStrict);
      continue;
    }
    for (const [key, value] of Object.entries(rule.parameters)) {
      const liveValue = current.parameters?.[key];
      field(`${path}.${key}`, liveValue, value, JSON.stringify(liveValue) === JSON.stringify(value));
    }
  }
  for (const rule of live?.rules ?? []) {
    if (!wanted.some((w) => w.type === rule.type))
      changes.push({ path: `rules.${rule.type}`, live: 'on', desired: undefined });
  }
  return changes;
}

function describeChecks(rule: ApiRule): Record<string, unknown> {
  return {
    checks: statusChecks(rule.parameters),
    strict: rule.parameters?.['strict_required_status_checks_policy'] ?? false,
  };
}

const reviewerKey = (r: ReviewerRef) => `${r.type === 'User' ? 'user' : 'team'} ${r.name.toLowerCase()}`;

/** The kind of deployment branch policy; the selected branches themselves are add/remove actions of their own. */
export function describeBranchPolicy(policy: BranchPolicy): string {
  if (policy.kind === 'all') return 'all branches';
  if (policy.kind === 'protected') return 'protected branches';
  return 'selected branches';
}

/** Environment-level differences (the branch patterns themselves are separate add/remove actions). */
export function environmentChanges(desired: DesiredEnvironment, live: LiveEnvironment | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  if (live === undefined || live.waitTimer !== desired.waitTimer) {
    if (live !== undefined || desired.waitTimer > 0)
      changes.push({ path: 'wait_timer', live: live?.waitTimer, desired: desired.waitTimer });
  }
  const liveReviewers = (live?.reviewers ?? []).map(reviewerKey);
  const desiredReviewers = desired.reviewers.map(reviewerKey);
  if (!sameList(liveReviewers, desiredReviewers)) {
    changes.push({ path: 'reviewers', live: live && sorted(liveReviewers), desired: sorted(desiredReviewers) });
  }
  if (
    (live?.preventSelfReview ?? false) !== desired.preventSelfReview ||
    (live === undefined && desired.preventSelfReview)
  ) {
    changes.push({ path: 'prevent_self_review', live: live?.preventSelfReview, desired: desired.preventSelfReview });
  }
  if (live === undefined || live.branches.kind !== desired.branches.kind) {
    changes.push({
      path: 'deployment_branches',
      live: live && describeBranchPolicy(live.branches),
      desired: describeBranchPolicy(desired.branches),
    });
  }
  return changes;
}

/** The changes that make the repository match the file. Pure. */
export function planRepoSettings(settings: RepoSettings, live: LiveSettings): SettingsPlan {
  const plan: SettingsPlan = { actions: [], unchanged: [], unmanaged: [] };
  for (const desired of settings.rulesets) {
    const current = live.rulesets.find((r) => r.sourceType === 'Repository' && r.name === desired.name);
    const changes = rulesetChanges(desired, current);
    if (!current)
      plan.actions.push({ kind: 'create-ruleset', name: desired.name, body: rulesetBody(desired), changes });
    else if (changes.length > 0) {
      plan.actions.push({
        kind: 'update-ruleset',
        name: desired.name,
        id: current.id,
        body: rulesetBody(desired, current),
        changes,
      });
    } else plan.unchanged.push(`ruleset "${desired.name}"`);
  }
  for (const ruleset of live.rulesets) {
    if (ruleset.sourceType !== 'Repository') {
      plan.unmanaged.push(`ruleset "${ruleset.name}" (from the ${ruleset.sourceType.toLowerCase()}, not managed here)`);
    } else if (!settings.rulesets.some((r) => r.name === ruleset.name)) {
      plan.unmanaged.push(`ruleset "${ruleset.name}" (not in the file: left as it is)`);
    }
  }
  for (const desired of settings.environments) {
    const current = live.environments.find((e) => e.name.toLowerCase() === desired.name.toLowerCase());
    const changes = environmentChanges(desired, current);
    if (!current) plan.actions.push({ kind: 'create-environment', name: desired.name, desired, changes });
    else if (changes.length > 0)
      plan.actions.push({ kind: 'update-environment', name: desired.name, desired, changes });
    const policyActions: SettingsAction[] = [];
    if (desired.branches.kind === 'custom') {
      const livePolicies = current?.branches.kind === 'custom' ? current.policies : [];
      for (const pattern of sorted(desired.branches.patterns)) {
        if (!livePolicies.some((p) => p.name === pattern && p.type !== 'tag')) {
          policyActions.push({ kind: 'add-branch-policy', environment: desired.name, pattern });
        }
      }
      for (const policy of livePolicies) {
        if (policy.type === 'tag' || !desired.branches.patterns.includes(policy.name)) {
          policyActions.push({
            kind: 'remove-branch-policy',
            environment: desired.name,
            pattern: policy.name,
            id: policy.id,
          });
        }
      }
    }
    plan.actions.push(...policyActions);
    if (current && changes.length === 0 && policyActions.length === 0)
      plan.unchanged.push(`environment "${desired.name}"`);
  }
  for (const environment of live.environments) {
    if (!settings.environments.some((e) => e.name.toLowerCase() === environment.name.toLowerCase())) {
      plan.unmanaged.push(`environment "${environment.name}" (not in the file: left as it is)`);
    }
  }
  return plan;
}

// --- printing -----------------------------------------------------------------------------------------------

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
      .join(', ');
  }
  return String(value);
}

function changeLine(change: FieldChange): string {
  if (change.live === undefined) return `    + ${change.path}: ${show(change.desired)}`;
  if (change.desired === undefined) return `    - ${change.path}: ${show(change.live)}`;
  return `    ~ ${change.path}: ${show(change.live)} → ${show(change.desired)}`;
}

/** `1 ruleset to create, 2 environments to update`, or with `done`: `1 ruleset created, 2 environments updated`. */
export function countActions(plan: SettingsPlan, done = false): string {
  const count = (kind: SettingsAction['kind']) => plan.actions.filter((a) => a.kind === kind).length;
  const parts: [number, string, string, string][] = [
    [count('create-ruleset'), 'ruleset', 'rulesets', 'create'],
    [count('update-ruleset'), 'ruleset', 'rulesets', 'update'],
    [count('create-environment'), 'environment', 'environments', 'create'],
    [count('update-environment'), 'environment', 'environments', 'update'],
    [count('add-branch-policy'), 'deployment branch policy', 'deployment branch policies', 'add'],
    [count('remove-branch-policy'), 'deployment branch policy', 'deployment branch policies', 'remove'],
  ];
  const past: Record<string, string> = { create: 'created', update: 'updated', add: 'added', remove: 'removed' };
  return parts
    .filter(([n]) => n > 0)
    .map(([n, one, many, verb]) => `${n} ${n === 1 ? one : many} ${done ? past[verb] : `to ${verb}`}`)
    .join(', ');
}

/** The plan as the command prints it: one block per ruleset or environment, `+` new, `~` changed, `-` removed. */
export function formatSettingsPlan(
  plan: SettingsPlan,
  options: { repository: string; file: string; applied?: boolean },
): string {
  const lines = [`Repository settings of ${options.repository} against ${options.file}:`, ''];
  for (const action of plan.actions) {
    switch (action.kind) {
      case 'create-ruleset':
      case 'update-ruleset':
        lines.push(
          `${action.kind === 'create-ruleset' ? '+' : '~'} ruleset "${action.name}" (${action.kind === 'create-ruleset' ? 'create' : 'update'})`,
        );
        lines.push(...action.changes.map(changeLine));
        break;
      case 'create-environment':
      case 'update-environment':
        lines.push(
          `${action.kind === 'create-environment' ? '+' : '~'} environment "${action.name}" (${action.kind === 'create-environment' ? 'create' : 'update'})`,
        );
        lines.push(...action.changes.map(changeLine));
        break;
      case 'add-branch-policy':
        lines.push(`+ environment "${action.environment}": deployment branch policy ${action.pattern} (add)`);
        break;
      case 'remove-branch-policy':
        lines.push(`- environment "${action.environment}": deployment branch policy ${action.pattern} (remove)`);
        break;
    }
  }
  for (const name of plan.unchanged) lines.push(`= ${name}: as in the file`);
  for (const name of plan.unmanaged) lines.push(`  ${name}`);
  lines.push('');
  if (plan.actions.length === 0) lines.push('No changes: the repository matches the file.');
  else if (options.applied) lines.push(`Applied: ${countActions(plan, true)}.`);
  else lines.push(`Plan: ${countActions(plan)}. Run again with --apply to make these changes.`);
  return lines.join('\n');
}

// --- the client ---------------------------------------------------------------------------------------------

export interface RepoSettingsClientOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** REST root (default: `GITHUB_API_URL`, else https://api.github.com). */
  apiUrl?: string | undefined;
}

/** The rules' parameter objects are typed per rule type by Octokit; RulesetBody carries them as plain records. */
type CreateRulesetParameters = Parameters<Octokit['rest']['repos']['createRepoRuleset']>[0];
type UpdateRulesetParameters = Parameters<Octokit['rest']['repos']['updateRepoRuleset']>[0];

interface ApiEnvironment {
  name: string;
  protection_rules?: {
    type: string;
    wait_timer?: number;
    prevent_self_review?: boolean;
    reviewers?: { type?: string; reviewer?: { login?: string; slug?: string } }[];
  }[];
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
}

/** Administration changes need a repository admin's token: say so on top of GitHub's own explanation. */
const ADMIN_HINT =
  'Repository rulesets and environments are administration settings: use a token of a repository admin — a ' +
  'fine-grained personal access token (or GitHub App) with the repository permissions "Administration: Read and ' +
  'write" and "Actions: Read-only" (and the organisation permission "Members: Read-only" for team reviewers), or a ' +
  "classic token with the `repo` scope. A workflow's GITHUB_TOKEN cannot change these settings.";

const PLAN_HINT =
  'Rulesets and deployment branch policies on a private repository need GitHub Pro, Team or Enterprise (on GitHub ' +
  'Free they exist only for public repositories); required reviewers and wait timers on a private repository need ' +
  'GitHub Enterprise. Upgrade the plan, or make the repository public.';

export class RepoSettingsClient extends RepositoryApi {
  constructor(options: RepoSettingsClientOptions) {
    if (!splitRepository(options.repository)) {
      throw new UserError(`--repo '${options.repository}' is not owner/name (e.g. octo-org/fraud-model).`);
    }
    if (!options.token) {
      throw new UserError(`No token: set GITHUB_TOKEN to a token of a repository admin. ${ADMIN_HINT}`);
    }
    // In a workflow the runner hides the token from the log; on a terminal `::add-mask::` would print it instead.
    if (process.env['GITHUB_ACTIONS'] === 'true') maskSecret(options.token);
    super({ ...options, tokenInfo: detectTokenKind(options.token), userAgent: 'mlops-actions/repo-settings' });
  }

  /** Administration refusals say which token and plan the settings need, on top of GitHub's own explanation. */
  protected override explain(error: unknown, context: GitHubCallContext): Error {
    const explained = super.explain(error, context);
    if (!(explained instanceof GitHubApiError)) return explained;
    const fields = {
      status: explained.status,
      operation: context.operation,
      githubMessage: explained.githubMessage,
      requestId: explained.requestId,
    };
    if (/upgrade to github pro|make this repository public/i.test(explained.githubMessage)) {
      return new GitHubApiError(
        `Could not ${context.action}: ${PLAN_HINT} [GitHub: ${explained.status} on ${context.operation}: "${explained.githubMessage}"]`,
        fields,
      );
    }
    if (explained.status === 403 || explained.status === 404)
      return new GitHubApiError(`${explained.message}\n${ADMIN_HINT}`, fields);
    return explained;
  }

  /** The repository's rulesets (with their rules) and environments (with their branch policies). */
  async readLive(): Promise<LiveSettings> {
    const summaries = await this.call('repos/get-repo-rulesets', `read the rulesets of ${this.fullName}`, () =>
      this.octokit.paginate('GET /repos/{owner}/{repo}/rulesets', {
        owner: this.owner,
        repo: this.repo,
        per_page: 100,
        includes_parents: true,
      }),
    );
    const rulesets: LiveRuleset[] = [];
    for (const summary of summaries) {
      const sourceType = summary.source_type ?? 'Repository';
      if (sourceType !== 'Repository') {
        rulesets.push(liveRuleset({ ...summary, rules: [] }, sourceType));
        continue;
      }
      const full = await this.call('repos/get-repo-ruleset', `read ruleset "${summary.name}"`, async () => {
        const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', {
          owner: this.owner,
          repo: this.repo,
          ruleset_id: summary.id,
        });
        return data;
      });
      rulesets.push(liveRuleset(full, sourceType));
    }
    const environments: LiveEnvironment[] = [];
    const apiEnvironments = await this.call(
      'repos/get-all-environments',
      `read the environments of ${this.fullName}`,
      async () => {
        const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/environments', {
          owner: this.owner,
          repo: this.repo,
          per_page: 100,
        });
        return (data.environments ?? []) as ApiEnvironment[];
      },
    );
    for (const environment of apiEnvironments) {
      const live = liveEnvironment(environment);
      if (live.branches.kind === 'custom') {
        live.policies = await this.call(
          'repos/list-deployment-branch-policies',
          `read the deployment branch policies of environment ${environment.name}`,
          async () => {
            const { data } = await this.octokit.request(
              'GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
              { owner: this.owner, repo: this.repo, environment_name: environment.name, per_page: 100 },
            );
            return data.branch_policies.map((p) => ({ id: p.id ?? 0, name: p.name ?? '', type: p.type ?? 'branch' }));
          },
        );
        live.branches = { kind: 'custom', patterns: live.policies.filter((p) => p.type !== 'tag').map((p) => p.name) };
      }
      environments.push(live);
    }
    return { rulesets, environments };
  }

  /** User and team ids of every reviewer the plan needs, looked up before anything is changed. */
  private async reviewerIds(plan: SettingsPlan): Promise<Map<string, { type: 'User' | 'Team'; id: number }>> {
    const ids = new Map<string, { type: 'User' | 'Team'; id: number }>();
    for (const action of plan.actions) {
      if (action.kind !== 'create-environment' && action.kind !== 'update-environment') continue;
      for (const reviewer of action.desired.reviewers) {
        const key = reviewerKey(reviewer);
        if (ids.has(key)) continue;
        if (reviewer.type === 'User') {
          const id = await this.call('users/get-by-username', `look up the reviewer ${reviewer.name}`, async () => {
            try {
              const { data } = await this.octokit.request('GET /users/{username}', { username: reviewer.name });
              return data.id;
            } catch (error) {
              if ((error as { status?: number }).status === 404) {
                throw new UserError(
                  `environments.${action.name}.reviewers: '${reviewer.name}' is not a GitHub user (check the login's spelling).`,
                );
              }
              throw error;
            }
          });
          ids.set(key, { type: 'User', id: Number(id) });
        } else {
          const [org, slug] = reviewer.name.includes('/') ? reviewer.name.split('/', 2) : [this.owner, reviewer.name];
          const id = await this.call('teams/get-by-name', `look up the reviewer team ${reviewer.name}`, async () => {
            try {
              const { data } = await this.octokit.request('GET /orgs/{org}/teams/{team_slug}', {
                org: org as string,
                team_slug: slug as string,
              });
              return data.id;
            } catch (error) {
              if ((error as { status?: number }).status === 404) {
                throw new UserError(
                  `environments.${action.name}.reviewers: team '${slug}' was not found in ${org} (teams exist only in organisations; give the slug, as in github.com/orgs/${org}/teams/<slug>, and a token that can read the organisation's teams).`,
                );
              }
              throw error;
            }
          });
          ids.set(key, { type: 'Team', id });
        }
      }
    }
    return ids;
  }

  /** Makes the changes of a plan, in order; returns a line per change made. */
  async apply(plan: SettingsPlan, log: (line: string) => void = () => {}): Promise<string[]> {
    const ids = await this.reviewerIds(plan);
    const done: string[] = [];
    const note = (line: string) => {
      done.push(line);
      log(line);
    };
    for (const action of plan.actions) {
      switch (action.kind) {
        case 'create-ruleset': {
          const id = await this.call('repos/create-repo-ruleset', `create ruleset "${action.name}"`, async () => {
            const { data } = await this.octokit.rest.repos.createRepoRuleset({
              owner: this.owner,
              repo: this.repo,
              ...action.body,
            } as CreateRulesetParameters);
            return data.id;
          });
          note(`created ruleset "${action.name}" (id ${id})`);
          break;
        }
        case 'update-ruleset':
          await this.call('repos/update-repo-ruleset', `update ruleset "${action.name}"`, () =>
            this.octokit.rest.repos.updateRepoRuleset({
              owner: this.owner,
              repo: this.repo,
              ruleset_id: action.id,
              ...action.body,
            } as UpdateRulesetParameters),
          );
          note(`updated ruleset "${action.name}" (id ${action.id})`);
          break;
        case 'create-environment':
        case 'update-environment': {
          const { desired } = action;
          const reviewers = desired.reviewers.map(
            (r) => ids.get(reviewerKey(r)) as { type: 'User' | 'Team'; id: number },
          );
          await this.call(
            'repos/create-or-update-environment',
            `${action.kind === 'create-environment' ? 'create' : 'update'} environment ${action.name}`,
            () =>
              this.octokit.request('PUT /repos/{owner}/{repo}/environments/{environment_name}', {
                owner: this.owner,
                repo: this.repo,
                environment_name: action.name,
                wait_timer: desired.waitTimer,
                prevent_self_review: desired.preventSelfReview,
                reviewers,
                deployment_branch_policy:
                  desired.branches.kind === 'all'
                    ? null
                    : {
                        protected_branches: desired.branches.kind === 'protected',
                        custom_branch_policies: desired.branches.kind === 'custom',
                      },
              }),
          );
          note(`${action.kind === 'create-environment' ? 'created' : 'updated'} environment ${action.name}`);
          break;
        }
        case 'add-branch-policy':
          await this.call(
            'repos/create-deployment-branch-policy',
            `allow ${action.pattern} to deploy to environment ${action.environment}`,
            () =>
              this.octokit.request(
                'POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
                {
                  owner: this.owner,
                  repo: this.repo,
                  environment_name: action.environment,
                  name: action.pattern,
                  type: 'branch',
                },
              ),
          );
          note(`environment ${action.environment}: added deployment branch policy ${action.pattern}`);
          break;
        case 'remove-branch-policy':
          await this.call(
            'repos/delete-deployment-branch-policy',
            `remove ${action.pattern} from the deployment branches of environment ${action.environment}`,
            () =>
              this.octokit.request(
                'DELETE /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies/{branch_policy_id}',
                {
                  owner: this.owner,
                  repo: this.repo,
                  environment_name: action.environment,
                  branch_policy_id: action.id,
                },
              ),
          );
          note(`environment ${action.environment}: removed deployment branch policy ${action.pattern}`);
          break;
      }
    }
    return done;
  }
}

function liveRuleset(
  data: {
    id: number;
    name: string;
    target?: string;
    enforcement: string;
    bypass_actors?: { actor_type: string; actor_id?: number | null; bypass_mode?: string }[];
    conditions?: unknown;
    rules?: unknown[];
  },
  sourceType: string,
): LiveRuleset {
  const refName = (data.conditions as { ref_name?: { include?: string[]; exclude?: string[] } } | null | undefined)
    ?.ref_name;
  return {
    id: data.id,
    name: data.name,
    sourceType,
    target: data.target ?? 'branch',
    enforcement: data.enforcement,
    include: refName?.include ?? [],
    exclude: refName?.exclude ?? [],
    bypassActors: data.bypass_actors ?? [],
    rules: (data.rules ?? []) as ApiRule[],
  };
}

export function liveEnvironment(environment: ApiEnvironment): LiveEnvironment {
  const rules = environment.protection_rules ?? [];
  const waitTimer = rules.find((r) => r.type === 'wait_timer')?.wait_timer ?? 0;
  const reviewersRule = rules.find((r) => r.type === 'required_reviewers');
  const reviewers: ReviewerRef[] = (reviewersRule?.reviewers ?? []).map((r) =>
    r.type === 'Team'
      ? { type: 'Team', name: r.reviewer?.slug ?? '' }
      : { type: 'User', name: r.reviewer?.login ?? '' },
  );
  const policy = environment.deployment_branch_policy;
  return {
    name: environment.name,
    waitTimer,
    reviewers,
    preventSelfReview: reviewersRule?.prevent_self_review ?? false,
    branches: !policy
      ? { kind: 'all' }
      : policy.protected_branches
        ? { kind: 'protected' }
        : { kind: 'custom', patterns: [] },
    policies: [],
  };
}
