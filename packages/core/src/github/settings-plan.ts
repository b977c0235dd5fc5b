/** Repository settings as code, the plan: the live settings as read from GitHub, the changes (pure), and how they print. */

import type {
  DesiredEnvironment,
  DesiredRuleset,
  RepoSettings,
  ReviewerRef,
  BranchPolicy,
  RulesetRules,
} from './settings-file.ts';

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

export const reviewerKey = (r: ReviewerRef) => `${r.type === 'User' ? 'user' : 'team'} ${r.name.toLowerCase()}`;

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
