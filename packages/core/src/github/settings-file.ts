/** Repository settings as code, the file: its schema and its reading, every problem at its `file:line`. */
import { z } from 'zod';
import { YamlFile, YamlFileError, type Problem } from '../yaml-file.ts';

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
