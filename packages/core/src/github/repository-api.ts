import { getOctokit } from '@actions/github';
import { explainGitHubError, type GitHubCallContext } from './errors.ts';
import { UserError } from '../errors.ts';
import { plainTransportProblem } from '../transport.ts';
import type { BranchComparison } from './tested-head.ts';
import type { TokenInfo } from './token.ts';

/**
 * What every GitHub client of the library shares: one repository (`owner/name`), an Octokit on the REST root
 * (`GITHUB_API_URL`, so GitHub Enterprise Server and the tests' loopback server work), a count of the requests
 * sent, and calls whose failures come back as explained errors.
 */

export type Octokit = ReturnType<typeof getOctokit>;

export interface RepositoryApiOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  tokenInfo: TokenInfo;
  /** REST root (default: `GITHUB_API_URL`, else https://api.github.com). */
  apiUrl?: string | undefined;
  userAgent: string;
}

/** A commit sha as its first seven characters, a branch name whole. */
const shortRef = (ref: string) => (/^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref);

export function splitRepository(repository: string): [string, string] | undefined {
  const [owner, repo, extra] = repository.split('/');
  return owner && repo && extra === undefined ? [owner, repo] : undefined;
}

export abstract class RepositoryApi {
  readonly owner: string;
  readonly repo: string;
  readonly apiUrl: string;
  /** What the token is; refined as GitHub tells more (the author of a pull request it created). */
  tokenInfo: TokenInfo;
  /** Requests sent so far. */
  requests = 0;
  /** The `x-oauth-scopes` header of the last answer, when GitHub sent one (classic personal and OAuth tokens). */
  oauthScopes: string | undefined;
  protected readonly octokit: Octokit;

  constructor(options: RepositoryApiOptions) {
    const parts = splitRepository(options.repository);
    if (!parts) throw new Error(`repository '${options.repository}' is not owner/name`);
    [this.owner, this.repo] = parts;
    this.tokenInfo = options.tokenInfo;
    this.apiUrl = (options.apiUrl ?? process.env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/+$/, '');
    // The token (a repository admin's, for the settings) goes with every request: never in clear text.
    const problem = plainTransportProblem(this.apiUrl);
    if (problem)
      throw new UserError(
        `The GitHub API URL (GITHUB_API_URL) ${problem}. Use the https URL of the API (GitHub Enterprise Server: https://<host>/api/v3).`,
      );
    this.octokit = getOctokit(options.token, { baseUrl: this.apiUrl, userAgent: options.userAgent });
    this.octokit.hook.wrap('request', async (request, requestOptions) => {
      this.requests++;
      const response = await request(requestOptions);
      const scopes = (response.headers as Record<string, string | undefined>)['x-oauth-scopes'];
      if (scopes !== undefined) this.oauthScopes = scopes;
      return response;
    });
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** What GitHub's refusal means here; subclasses add what they know (job permissions, plan limits). */
  protected explain(error: unknown, context: GitHubCallContext): Error {
    return explainGitHubError(error, context);
  }

  /** Commits and changed paths of `head` relative to `base` (compare `base...head`). */
  async compare(base: string, head: string): Promise<BranchComparison> {
    return this.call(
      'repos/compare-commits-with-basehead',
      `compare ${shortRef(base)} with ${shortRef(head)}`,
      async () => {
        const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({
          owner: this.owner,
          repo: this.repo,
          basehead: `${base}...${head}`,
          per_page: 1,
        });
        const files = (data.files ?? []).flatMap((f) => [
          f.filename,
          ...(f.previous_filename ? [f.previous_filename] : []),
        ]);
        return { aheadBy: data.ahead_by, behindBy: data.behind_by, files };
      },
    );
  }

  protected async call<T>(operation: string, action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.explain(error, { operation, action, repository: this.fullName, token: this.tokenInfo });
    }
  }
}
