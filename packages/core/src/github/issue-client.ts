import { RepositoryApi } from './repository-api.ts';

/**
 * Issues and issue comments found by a hidden marker at the start of their body: the plan comment of a pull request
 * and the drift issue of an environment are created once, then found again and edited in place.
 */

export interface IssueRef {
  number: number;
  url: string;
  state: 'open' | 'closed';
  body: string;
}

export interface CommentRef {
  id: number;
  url: string;
  body: string;
}

/** A paginate map that keeps the first item `pick` accepts and stops there: a long list is not read to its end. */
function firstWhere<T>(pick: (item: T) => boolean) {
  return (response: { data: T[] }, done: () => void): T[] => {
    const match = response.data.find(pick);
    if (match) done();
    return match ? [match] : [];
  };
}

export class IssueClient extends RepositoryApi {
  /**
   * Installation tokens (the job's GITHUB_TOKEN, an App's) write as a bot: a person's comment that starts with the
   * marker is not ours, and is neither edited (GitHub would refuse) nor taken for the plan. A personal token writes
   * as its user, whom we cannot tell from others without another call: any author then.
   */
  private mayBeOurs(user: { type?: string } | null | undefined): boolean {
    const bot = ['github-token', 'app-installation', 'installation'].includes(this.tokenInfo.kind);
    return !bot || user?.type === 'Bot';
  }

  /** The first comment of issue or pull request `number` whose body starts with `marker`. */
  async findComment(number: number, marker: string): Promise<CommentRef | undefined> {
    const [found] = await this.call('issues/list-comments', `list the comments of #${number}`, () =>
      this.octokit.paginate(
        this.octokit.rest.issues.listComments,
        { owner: this.owner, repo: this.repo, issue_number: number, per_page: 100 },
        firstWhere((c) => Boolean(c.body?.startsWith(marker)) && this.mayBeOurs(c.user)),
      ),
    );
    return found && { id: found.id, url: found.html_url, body: found.body ?? '' };
  }

  async createComment(number: number, body: string): Promise<CommentRef> {
    const { data } = await this.call('issues/create-comment', `comment on #${number}`, () =>
      this.octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: number, body }),
    );
    return { id: data.id, url: data.html_url, body };
  }

  async updateComment(id: number, body: string): Promise<CommentRef> {
    const { data } = await this.call('issues/update-comment', `edit comment ${id}`, () =>
      this.octokit.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: id, body }),
    );
    return { id: data.id, url: data.html_url, body };
  }

  /** The newest issue (open or closed, not a pull request) whose body starts with `marker`. */
  async findIssue(marker: string): Promise<IssueRef | undefined> {
    // Newest first.
    const [found] = await this.call('issues/list-for-repo', 'list the issues', () =>
      this.octokit.paginate(
        this.octokit.rest.issues.listForRepo,
        { owner: this.owner, repo: this.repo, state: 'all', sort: 'created', direction: 'desc', per_page: 100 },
        firstWhere(
          (issue) => !issue.pull_request && Boolean(issue.body?.startsWith(marker)) && this.mayBeOurs(issue.user),
        ),
      ),
    );
    return found && toIssueRef(found);
  }

  async createIssue(title: string, body: string, labels: readonly string[]): Promise<IssueRef> {
    const { data } = await this.call('issues/create', `open issue '${title}'`, () =>
      this.octokit.rest.issues.create({ owner: this.owner, repo: this.repo, title, body, labels: [...labels] }),
    );
    return toIssueRef(data);
  }

  async updateIssue(
    number: number,
    change: { body?: string; state?: 'open' | 'closed'; stateReason?: 'completed' | 'reopened' },
  ): Promise<IssueRef> {
    const { data } = await this.call('issues/update', `update issue #${number}`, () =>
      this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        ...(change.body !== undefined && { body: change.body }),
        ...(change.state && { state: change.state }),
        ...(change.stateReason && { state_reason: change.stateReason }),
      }),
    );
    return toIssueRef(data);
  }
}

function toIssueRef(issue: { number: number; html_url: string; state: string; body?: string | null }): IssueRef {
  return {
    number: issue.number,
    url: issue.html_url,
    state: issue.state === 'closed' ? 'closed' : 'open',
    body: issue.body ?? '',
  };
}
