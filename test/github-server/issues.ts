/**
 * Issues and issue comments for the loopback GitHub server, as actions/plan-report uses them: the plan comment on a
 * pull request (pull requests are issues for comments, and share the issue number sequence) and one drift issue
 * per environment, created, edited, closed and reopened. Register them with `registerIssues(github)`; the state lives
 * in each repository's `extensions` ('issues', 'issue-comments'): read it back with `issuesOf` / `commentsOf`.
 *
 * As on GitHub: the issue list holds pull requests too (with a `pull_request` key) and defaults to open ones;
 * comments on a pull request need `issues` or `pull_requests` permission, issues themselves `issues`; only the
 * author of a comment may edit it with an integration token (anyone else gets 403).
 */
import type { Access, Account, Repository } from './model.ts';
import { newId, nodeId } from './model.ts';
import { label as labelJson, simpleUser, type Urls } from './representations.ts';
import { GitHubHttpError, notFound, validationFailed, type RestContext, type RestResponse } from './rest.ts';
import type { GitHubServer } from './server.ts';

export interface Issue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'reopened' | null;
  labels: string[];
  user: Account;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface IssueComment {
  id: number;
  issueNumber: number;
  body: string;
  user: Account;
  createdAt: string;
  updatedAt: string;
}

function listIn<T>(repo: Repository, key: string): T[] {
  let list = repo.extensions.get(key) as T[] | undefined;
  if (!list) {
    list = [];
    repo.extensions.set(key, list);
  }
  return list;
}

export const issuesOf = (repo: Repository): Issue[] => listIn<Issue>(repo, 'issues');
export const commentsOf = (repo: Repository): IssueComment[] => listIn<IssueComment>(repo, 'issue-comments');

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface IssueLike {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  user: Account;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  isPull: boolean;
}

function issueJson(urls: Urls, repo: Repository, issue: IssueLike) {
  const api = `${urls.api}/repos/${repo.fullName}/issues/${issue.number}`;
  const kind = issue.isPull ? 'pull' : 'issues';
  return {
    id: issue.id,
    node_id: nodeId(issue.isPull ? 'PR' : 'I', issue.id),
    url: api,
    repository_url: `${urls.api}/repos/${repo.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${urls.html}/${repo.fullName}/${kind}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: simpleUser(urls, issue.user),
    labels: issue.labels.map((name) => labelJson(urls, repo, repo.label(name))),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    comments: commentsOf(repo).filter((c) => c.issueNumber === issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: 'NONE',
    ...(issue.isPull && {
      pull_request: {
        url: `${urls.api}/repos/${repo.fullName}/pulls/${issue.number}`,
        html_url: `${urls.html}/${repo.fullName}/pull/${issue.number}`,
        diff_url: `${urls.html}/${repo.fullName}/pull/${issue.number}.diff`,
        patch_url: `${urls.html}/${repo.fullName}/pull/${issue.number}.patch`,
      },
    }),
  };
}

function commentJson(urls: Urls, repo: Repository, comment: IssueComment) {
  const kind = repo.pulls.has(comment.issueNumber) ? 'pull' : 'issues';
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${urls.api}/repos/${repo.fullName}/issues/comments/${comment.id}`,
    html_url: `${urls.html}/${repo.fullName}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: simpleUser(urls, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'NONE',
  };
}

/** Issues and pull requests by number, as the issues API sees them. */
function allIssues(repo: Repository): IssueLike[] {
  const pulls = [...repo.pulls.values()].map((pull): IssueLike => ({
    number: pull.number,
    id: pull.id,
    title: pull.title,
    body: pull.body,
    state: pull.state === 'open' ? 'open' : 'closed',
    stateReason: null,
    labels: pull.labels,
    user: pull.user,
    createdAt: pull.createdAt,
    updatedAt: pull.updatedAt,
    closedAt: pull.closedAt,
    isPull: true,
  }));
  return [...issuesOf(repo).map((issue) => ({ ...issue, isPull: false })), ...pulls];
}

function issueNumber(c: RestContext): number {
  const number = Number(c.params['issue_number']);
  if (!allIssues(c.repo()).some((issue) => issue.number === number)) throw notFound();
  return number;
}

function findIssue(c: RestContext): Issue {
  const issue = issuesOf(c.repo()).find((i) => i.number === Number(c.params['issue_number']));
  if (!issue) throw notFound();
  return issue;
}

/** One page of a list, with GitHub's `link` header to the next one (what Octokit's paginate follows). */
function page<T>(c: RestContext, path: string, items: T[], toJson: (item: T) => unknown): RestResponse {
  const perPage = Number(c.query.get('per_page') ?? 30);
  const number = Number(c.query.get('page') ?? 1);
  const body = items.slice((number - 1) * perPage, number * perPage).map(toJson);
  if (number * perPage >= items.length) return { status: 200, body };
  const next = new URLSearchParams(c.query);
  next.set('page', String(number + 1));
  return { status: 200, body, headers: { link: `<${c.urls.api}${path}?${next.toString()}>; rel="next"` } };
}

const labelsOf = (body: Record<string, unknown>): string[] | undefined =>
  Array.isArray(body['labels']) ? (body['labels'] as unknown[]).map(String) : undefined;

export function registerIssues(github: GitHubServer): void {
  const readComments: Record<string, Access>[] = [{ issues: 'read' }, { pull_requests: 'read' }];
  const writeComments: Record<string, Access>[] = [{ issues: 'write' }, { pull_requests: 'write' }];

  github.handle(
    'issues/list-comments',
    (c) => {
      const repo = c.repo();
      const number = issueNumber(c);
      const comments = commentsOf(repo).filter((comment) => comment.issueNumber === number);
      const path = `/repos/${repo.fullName}/issues/${number}/comments`;
      return page(c, path, comments, (comment) => commentJson(c.urls, repo, comment));
    },
    readComments,
  );

  github.handle(
    'issues/create-comment',
    (c) => {
      const repo = c.repo();
      const at = timestamp();
      const comment: IssueComment = {
        id: newId(),
        issueNumber: issueNumber(c),
        body: String(c.body['body']),
        user: c.grant.account,
        createdAt: at,
        updatedAt: at,
      };
      commentsOf(repo).push(comment);
      return { status: 201, body: commentJson(c.urls, repo, comment) };
    },
    writeComments,
  );

  github.handle(
    'issues/update-comment',
    (c) => {
      const repo = c.repo();
      const comment = commentsOf(repo).find((item) => item.id === Number(c.params['comment_id']));
      if (!comment) throw notFound();
      if (c.grant.kind !== 'classic-pat' && comment.user.login !== c.grant.account.login)
        throw new GitHubHttpError(403, 'Resource not accessible by integration');
      comment.body = String(c.body['body']);
      comment.updatedAt = timestamp();
      return { status: 200, body: commentJson(c.urls, repo, comment) };
    },
    writeComments,
  );

  github.handle(
    'issues/list-for-repo',
    (c) => {
      const repo = c.repo();
      const state = c.query.get('state') ?? 'open';
      const labels = c.query.get('labels')?.split(',').filter(Boolean) ?? [];
      const issues = allIssues(repo)
        .filter((issue) => state === 'all' || issue.state === state)
        .filter((issue) => labels.every((name) => issue.labels.includes(name)))
        .sort((a, b) => b.number - a.number);
      return page(c, `/repos/${repo.fullName}/issues`, issues, (issue) => issueJson(c.urls, repo, issue));
    },
    [{ issues: 'read' }],
  );

  github.handle(
    'issues/create',
    (c) => {
      const repo = c.repo();
      const title = c.body['title'];
      if (typeof title !== 'string' || title.trim() === '')
        throw validationFailed([{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
      const at = timestamp();
      const labels = labelsOf(c.body) ?? [];
      for (const name of labels) repo.label(name);
      const issue: Issue = {
        number: repo.takeNumber(),
        id: newId(),
        title,
        body: typeof c.body['body'] === 'string' ? c.body['body'] : null,
        state: 'open',
        stateReason: null,
        labels,
        user: c.grant.account,
        createdAt: at,
        updatedAt: at,
        closedAt: null,
      };
      issuesOf(repo).push(issue);
      return { status: 201, body: issueJson(c.urls, repo, { ...issue, isPull: false }) };
    },
    [{ issues: 'write' }],
  );

  github.handle(
    'issues/update',
    (c) => {
      const repo = c.repo();
      const issue = findIssue(c);
      if (typeof c.body['title'] === 'string') issue.title = c.body['title'];
      if (typeof c.body['body'] === 'string') issue.body = c.body['body'];
      const labels = labelsOf(c.body);
      if (labels) {
        for (const name of labels) repo.label(name);
        issue.labels = labels;
      }
      const state = c.body['state'];
      if (state === 'closed' && issue.state === 'open') {
        issue.state = 'closed';
        issue.closedAt = timestamp();
        issue.stateReason = c.body['state_reason'] === 'not_planned' ? 'not_planned' : 'completed';
      } else if (state === 'open' && issue.state === 'closed') {
        issue.state = 'open';
        issue.closedAt = null;
        issue.stateReason = 'reopened';
      }
      issue.updatedAt = timestamp();
      return { status: 200, body: issueJson(c.urls, repo, { ...issue, isPull: false }) };
    },
    [{ issues: 'write' }],
  );
}
