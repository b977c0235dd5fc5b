/**
 * Which gates a repository actually gets from GitHub, by visibility and plan, and what that means for the
 * settings file: repo-settings reports them and refuses to pretend. GitHub's documentation:
 * - "Using environments for deployment" / "Reviewing deployments": environments, environment secrets and
 *   deployment protection rules exist in public repositories on every current plan; in private or internal
 *   repositories environments and deployment branches need GitHub Pro, Team or Enterprise, and the other
 *   protection rules (required reviewers, wait timers) need GitHub Enterprise.
 * - "Managing rulesets for a repository": rulesets exist in public repositories on GitHub Free, and in public and
 *   private repositories on GitHub Pro, Team and Enterprise Cloud.
 * So on a private repository without Enterprise the gate between staging and production is the promotion pull
 * request's approval (the `main` ruleset requires it, open-promotion-pr `mode: verify` checks it).
 */
import type { RepoSettings } from './settings.ts';

export type GitHubPlan = 'free' | 'pro' | 'team' | 'enterprise';

export interface RepositoryFacts {
  visibility: 'public' | 'private' | 'internal';
  /** `undefined`: the token cannot read the owner's plan. */
  plan: GitHubPlan | undefined;
}

export interface PlanGates {
  rulesets: boolean;
  environments: boolean;
  /** Required reviewers, wait timers and prevent-self-review. */
  reviewers: boolean;
}

/** GitHub's plan names (`business` is GitHub Enterprise Cloud's organisation plan). */
export function planFromName(name: string | undefined): GitHubPlan | undefined {
  const value = name?.toLowerCase();
  if (value === 'free' || value === 'pro' || value === 'team') return value;
  if (value === 'business' || value?.startsWith('enterprise')) return 'enterprise';
  return undefined;
}

/** Pure. An unknown plan gets no gate it cannot be shown to have, except rulesets (GitHub refuses those loudly). */
export function planGates(facts: RepositoryFacts): PlanGates {
  if (facts.visibility === 'public') return { rulesets: true, environments: true, reviewers: true };
  return {
    rulesets: facts.plan !== 'free',
    environments: facts.plan !== 'free',
    reviewers: facts.plan === 'enterprise',
  };
}

const PLAN_NAMES: Record<GitHubPlan, string> = {
  free: 'GitHub Free',
  pro: 'GitHub Pro',
  team: 'GitHub Team',
  enterprise: 'GitHub Enterprise',
};

export interface GateReport {
  lines: string[];
  /** What the file asks for that this repository cannot have, or a pipeline without a person as its gate. */
  refusals: string[];
}

/** Pure: the gates the file declares, as this repository will (or will not) have them. */
export function reportGates(settings: RepoSettings, facts: RepositoryFacts, base = 'main'): GateReport {
  const gates = planGates(facts);
  const where = `${facts.visibility} repository on ${facts.plan ? PLAN_NAMES[facts.plan] : 'an unknown plan (the token cannot read it)'}`;
  const lines = [`Gates this ${where} gets:`];
  const refusals: string[] = [];
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  lines.push(
    `  ${mark(gates.rulesets)} branch rulesets${gates.rulesets ? '' : ' (private repositories need GitHub Pro, Team or Enterprise)'}`,
  );
  lines.push(`  ${mark(gates.environments)} environments and deployment branches`);
  lines.push(
    `  ${mark(gates.reviewers)} environment required reviewers and wait timers${gates.reviewers ? '' : ' (private repositories need GitHub Enterprise: on other plans GitHub does not enforce them)'}`,
  );
  if (!gates.rulesets && settings.rulesets.length > 0)
    refusals.push(
      `rulesets: this ${where} has no rulesets; upgrade to GitHub Pro or Team, or make the repository public.`,
    );
  for (const environment of settings.environments) {
    const asks = environment.reviewers.length > 0 || environment.waitTimer > 0 || environment.preventSelfReview;
    if (asks && !gates.reviewers) {
      refusals.push(
        `environments.${environment.name}: required reviewers, wait timers and prevent_self_review do not exist on this ${where} ` +
          '(they need GitHub Enterprise for private repositories): remove them from the file — the promotion pull ' +
          "request's approval is the gate on this plan — or make the repository public.",
      );
    }
  }
  const onBase = (include: string[]) => include.some((p) => p === `refs/heads/${base}` || p === '~DEFAULT_BRANCH');
  const approvalRuleset = settings.rulesets.find(
    (r) =>
      r.enforcement === 'active' &&
      onBase(r.include) &&
      (r.rules.pull_request?.required_approving_review_count ?? 0) > 0,
  );
  const reviewedEnvironment = settings.environments.find((e) => e.reviewers.length > 0 && gates.reviewers);
  if (approvalRuleset && gates.rulesets) {
    const count = approvalRuleset.rules.pull_request?.required_approving_review_count ?? 0;
    const bypass =
      approvalRuleset.bypassActors.length === 0
        ? 'nobody may bypass it'
        : `bypass: ${approvalRuleset.bypassActors.map((a) => a.actor_type).join(', ')}`;
    const admins = approvalRuleset.adminsMayBypass ? '' : ', admins may not bypass';
    lines.push(
      `  ✓ the promotion pull request into ${base} needs ${count} approval${count === 1 ? '' : 's'} (ruleset "${approvalRuleset.name}"; ${bypass}${admins}), checked again by open-promotion-pr mode: verify`,
    );
  }
  if (reviewedEnvironment) lines.push(`  ✓ environment ${reviewedEnvironment.name} waits for one of its reviewers`);
  if (!(approvalRuleset && gates.rulesets) && !reviewedEnvironment) {
    refusals.push(
      `no person stands between staging and production: require at least one approving review on ${base} (rulesets: pull_request.required_approving_review_count ≥ 1), which every plan with rulesets enforces.`,
    );
  }
  return { lines, refusals };
}
