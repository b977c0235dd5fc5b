/**
 * A small typed client for the GitHub operations the promotion pull request needs, over @actions/github's Octokit
 * (which honours `GITHUB_API_URL`, so GitHub Enterprise Server and the tests' loopback server work). Each call
 * returns plain data and turns GitHub's refusals into explained errors; the client counts its requests.
 */
import type { GitHubCallContext } from './errors.ts';
import { RepositoryApi } from './repository-api.ts';
import type { TokenInfo } from './token.ts';

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface PullRequestInfo {
  number: number;
  nodeId: string;
  url: string;
  title: string;
  body: string;
  author: { login: string; type: string | undefined };
  draft: boolean;
  headSha: string;
  labels: string[];
  assignees: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  autoMerge: { method: MergeMethod; enabledBy: string | undefined } | null;
}

export interface GitHubClientOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  tokenInfo: TokenInfo;
  /** REST root (default: `GITHUB_API_URL`, else https://api.github.com). */
  apiUrl?: string | undefined;
  /** GraphQL endpoint (default: `GITHUB_GRAPHQL_URL`, else the REST root + `/graphql`). */
  graphqlUrl?: string | undefined;
  /** The job permissions the run needs, quoted when GitHub refuses for lack of them. */
  jobPermissions?: Record<string, 'read' | 'write'>;
}

interface RestPull {
  number: number;
  node_id: string;
  html_url: string;
  title: string;
  body: string | null;
  user: { login: string; type?: string } | null;
  draft?: boolean;
  head: { sha: string };
  labels: { name?: string }[];
  assignees?: { login: string }[] | null;
  requested_reviewers?: { login: string }[] | null;
  requested_teams?: { slug: string }[] | null;
  auto_merge: { merge_method: MergeMethod; enabled_by?: { login: string } | null } | null;
}

function toInfo(pull: RestPull): PullRequestInfo {
  return {
    number: pull.number,
    nodeId: pull.node_id,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? '',
    author: { login: pull.user?.login ?? 'ghost', type: pull.user?.type },
    draft: pull.draft ?? false,
    headSha: pull.head.sha,
    labels: pull.labels.map((l) => l.name ?? '').filter(Boolean),
    assignees: (pull.assignees ?? []).map((a) => a.login),
    requestedReviewers: (pull.requested_reviewers ?? []).map((r) => r.login),
    requestedTeams: (pull.requested_teams ?? []).map((t) => t.slug),
    autoMerge: pull.auto_merge && {
      method: pull.auto_merge.merge_method,
      enabledBy: pull.auto_merge.enabled_by?.login,
    },
  };
}

export class GitHubClient extends RepositoryApi {
  private readonly graphqlUrl: string;
  private readonly jobPermissions: Record<string, 'read' | 'write'> | undefined;

  constructor(options: GitHubClientOptions) {
    super({ ...options, userAgent: 'mlops-actions/open-promotion-pr' });
    this.jobPermissions = options.jobPermissions;
    this.graphqlUrl =
      options.graphqlUrl ?? process.env['GITHUB_GRAPHQL_URL'] ?? `${this.apiUrl.replace(/\/api\/v3$/, '/api')}/graphql`;
  }

  /** Refusals quote the job permissions the run needs. */
  protected override explain(error: unknown, context: GitHubCallContext): Error {
    return super.explain(error, { ...context, ...(this.jobPermissions && { jobPermissions: this.jobPermissions }) });
  }

  private static status(error: unknown): number | undefined {
    return (error as { status?: number })?.status;
  }

  /** The open pull request from `head` into `base`, if there is one. */
  async findOpenPullRequest(head: string, base: string): Promise<PullRequestInfo | undefined> {
    return this.call('pulls/list', `look up the open pull request ${head} → ${base}`, async () => {
      const { data } = await this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        state: 'open',
        head: `${this.owner}:${head}`,
        base,
        per_page: 10,
      });
      const pull = data[0];
      return pull && toInfo(pull as unknown as RestPull);
    });
  }

  /** The commit a branch points at; `undefined` when the branch does not exist. */
  async branchSha(branch: string): Promise<string | undefined> {
    return this.call('git/get-ref', `read the branch ${branch}`, async () => {
      try {
        const { data } = await this.octokit.rest.git.getRef({
          owner: this.owner,
          repo: this.repo,
          ref: `heads/${branch}`,
        });
        return data.object.sha;
      } catch (error) {
        if (GitHubClient.status(error) === 404) return undefined;
        throw error;
      }
    });
  }

  async commitTree(sha: string): Promise<string> {
    return this.call('git/get-commit', `read commit ${sha.slice(0, 7)}`, async () => {
      const { data } = await this.octokit.rest.git.getCommit({ owner: this.owner, repo: this.repo, commit_sha: sha });
      return data.tree.sha;
    });
  }

  /** A file's text at a ref; `undefined` when it does not exist there. */
  async readFile(path: string, ref: string): Promise<string | undefined> {
    return this.call('repos/get-content', `read ${path} on ${ref}`, async () => {
      try {
        const { data } = await this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref });
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
          throw new Error(`${path} on ${ref} is a ${Array.isArray(data) ? 'directory' : data.type}, not a file`);
        }
        return Buffer.from(data.content, 'base64').toString('utf8');
      } catch (error) {
        if (GitHubClient.status(error) === 404) return undefined;
        throw error;
      }
    });
  }

  async createBlob(content: string): Promise<string> {
    return this.call('git/create-blob', 'store the release manifest (Git blob)', async () => {
      const { data } = await this.octokit.rest.git.createBlob({
        owner: this.owner,
        repo: this.repo,
        content,
        encoding: 'utf-8',
      });
      return data.sha;
    });
  }

  async createTree(baseTree: string, path: string, blobSha: string): Promise<string> {
    return this.call('git/create-tree', `write ${path} into a Git tree`, async () => {
      const { data } = await this.octokit.rest.git.createTree({
        owner: this.owner,
        repo: this.repo,
        base_tree: baseTree,
        tree: [{ path, mode: '100644', type: 'blob', sha: blobSha }],
      });
      return data.sha;
    });
  }

  async createCommit(message: string, tree: string, parent: string): Promise<string> {
    return this.call('git/create-commit', 'create the release manifest commit', async () => {
      const { data } = await this.octokit.rest.git.createCommit({
        owner: this.owner,
        repo: this.repo,
        message,
        tree,
        parents: [parent],
      });
      return data.sha;
    });
  }

  /** Moves a branch to `sha`, only as a fast-forward: a branch that moved meanwhile is refused, never forced. */
  async fastForward(branch: string, sha: string): Promise<void> {
    await this.call('git/update-ref', `move ${branch} to the release manifest commit`, async () => {
      await this.octokit.rest.git.updateRef({
        owner: this.owner,
        repo: this.repo,
        ref: `heads/${branch}`,
        sha,
        force: false,
      });
    });
  }

  /** How many commits `head` has that `base` does not. */
  async aheadBy(base: string, head: string): Promise<number> {
    return (await this.compare(base, head)).aheadBy;
  }

  async createPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<PullRequestInfo> {
    return this.call('pulls/create', `create the pull request ${input.head} → ${input.base}`, async () => {
      const { data } = await this.octokit.rest.pulls.create({ owner: this.owner, repo: this.repo, ...input });
      return toInfo(data as unknown as RestPull);
    });
  }

  async updateBody(number: number, body: string): Promise<PullRequestInfo> {
    return this.call('pulls/update', `update the body of pull request #${number}`, async () => {
      const { data } = await this.octokit.rest.pulls.update({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        body,
      });
      return toInfo(data as unknown as RestPull);
    });
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.call('issues/add-labels', `add labels ${labels.join(', ')} to #${number}`, async () => {
      await this.octokit.rest.issues.addLabels({ owner: this.owner, repo: this.repo, issue_number: number, labels });
    });
  }

  /** Removes a label; one already gone is not an error. */
  async removeLabel(number: number, name: string): Promise<void> {
    await this.call('issues/remove-label', `remove label ${name} from #${number}`, async () => {
      try {
        await this.octokit.rest.issues.removeLabel({ owner: this.owner, repo: this.repo, issue_number: number, name });
      } catch (error) {
        if (GitHubClient.status(error) !== 404) throw error;
      }
    });
  }

  async requestReviewers(number: number, reviewers: string[], teams: string[]): Promise<void> {
    await this.call('pulls/request-reviewers', `request reviews on #${number}`, async () => {
      await this.octokit.rest.pulls.requestReviewers({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        ...(reviewers.length > 0 && { reviewers }),
        ...(teams.length > 0 && { team_reviewers: teams }),
      });
    });
  }

  async addAssignees(number: number, assignees: string[]): Promise<void> {
    await this.call('issues/add-assignees', `assign #${number}`, async () => {
      await this.octokit.rest.issues.addAssignees({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        assignees,
      });
    });
  }

  /**
   * Turns on auto-merge (GraphQL `enablePullRequestAutoMerge`), pinned to the head commit that was tested:
   * GitHub will not merge a different head.
   */
  async enableAutoMerge(nodeId: string, method: MergeMethod, expectedHeadOid: string): Promise<void> {
    await this.call('enablePullRequestAutoMerge', `enable auto-merge (${method})`, async () => {
      // Object form: `url` is an option there, not a variable (@octokit/graphql forbids it as a variable name).
      await this.octokit.graphql({
        query: `mutation EnableAutoMerge($id: ID!, $mergeMethod: PullRequestMergeMethod!, $head: GitObjectID) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: $mergeMethod, expectedHeadOid: $head }) {
    pullRequest { number autoMergeRequest { mergeMethod enabledAt } }
  }
}`,
        url: this.graphqlUrl,
        id: nodeId,
        mergeMethod: method.toUpperCase(),
        head: expectedHeadOid,
      });
    });
  }
}
