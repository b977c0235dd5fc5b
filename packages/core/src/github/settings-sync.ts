/**
 * One repo-settings run: what the repository's plan gives it (and a refusal, before any change, when the file asks
 * for gates it cannot have or leaves no person between staging and production), the plan, and with `apply` the
 * changes, read back to confirm they hold.
 */
import { UserError } from '../errors.ts';
import { planFromName, reportGates, type GateReport, type RepositoryFacts } from './gates.ts';
import { RepositoryApi } from './repository-api.ts';
import { planRepoSettings, type RepoSettings, type RepoSettingsClient, type SettingsPlan } from './settings.ts';
import { detectTokenKind } from './token.ts';

/** Reads a repository's visibility and its owner's plan (visible to the owner's admins only; else unknown). */
export class RepositoryFactsClient extends RepositoryApi {
  constructor(options: { token: string; repository: string; apiUrl?: string | undefined }) {
    super({ ...options, tokenInfo: detectTokenKind(options.token), userAgent: 'mlops-actions/repo-settings' });
  }

  async read(): Promise<RepositoryFacts> {
    const repository = await this.call('repos/get', `read ${this.fullName}`, async () => {
      const { data } = await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo });
      return data;
    });
    const visibility = repository.visibility === 'internal' ? 'internal' : repository.private ? 'private' : 'public';
    const planName = await this.call('orgs/get', `read the plan of ${this.owner}`, async () => {
      try {
        if (repository.owner.type === 'Organization') {
          const { data } = await this.octokit.rest.orgs.get({ org: this.owner });
          return data.plan?.name;
        }
        const { data } = await this.octokit.rest.users.getAuthenticated();
        return data.login.toLowerCase() === this.owner.toLowerCase() && 'plan' in data ? data.plan?.name : undefined;
      } catch {
        return undefined; // a token that may not read the plan: reported as unknown
      }
    });
    return { visibility, plan: planFromName(planName) };
  }
}

export interface SyncResult {
  gates: GateReport;
  plan: SettingsPlan;
  /** After `apply`: what was done, and the plan against the re-read repository (empty when it now matches). */
  applied?: string[];
  after?: SettingsPlan;
}

export async function syncRepoSettings(options: {
  settings: RepoSettings;
  client: RepoSettingsClient;
  facts: RepositoryFacts;
  apply: boolean;
  onGates?: (report: GateReport) => void;
  onPlan?: (plan: SettingsPlan) => void;
  log?: (line: string) => void;
}): Promise<SyncResult> {
  const gates = reportGates(options.settings, options.facts);
  options.onGates?.(gates);
  if (gates.refusals.length > 0) {
    throw new UserError(
      `${options.settings.file} asks for what ${options.client.fullName} cannot have, so nothing is changed:\n` +
        gates.refusals.map((r) => `- ${r}`).join('\n'),
    );
  }
  const plan = planRepoSettings(options.settings, await options.client.readLive());
  options.onPlan?.(plan);
  if (!options.apply || plan.actions.length === 0) return { gates, plan };
  const applied = await options.client.apply(plan, options.log);
  const after = planRepoSettings(options.settings, await options.client.readLive());
  return { gates, plan, applied, after };
}
