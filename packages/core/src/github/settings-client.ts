/** Repository settings as code, the client: reads the live settings and applies a plan. */
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';
import { GitHubApiError, type GitHubCallContext } from './errors.ts';
import { RepositoryApi, splitRepository, type Octokit } from './repository-api.ts';
import { detectTokenKind } from './token.ts';

import type { ReviewerRef } from './settings-file.ts';
import {
  reviewerKey,
  type ApiRule,
  type LiveEnvironment,
  type LiveRuleset,
  type LiveSettings,
  type SettingsPlan,
} from './settings-plan.ts';

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
