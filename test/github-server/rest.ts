/**
 * REST handlers over the in-memory model, one per operationId, each with the fine-grained permission GitHub
 * requires for it. They behave as GitHub does where tools depend on it: 404 for what does not exist, 422 with
 * GitHub's messages for refused changes, fast-forward checks on ref updates, labels created on first use.
 */
import { diffEntries } from './diff.ts';
import type { Access, Account, GitHubState, PullRequest, Repository, TokenGrant, TreeEntry } from './model.ts';
import { gitUserNow } from './model.ts';
import type { Operation } from './openapi.ts';
import * as json from './representations.ts';
import type { Urls } from './representations.ts';

export interface RestContext {
  operation: Operation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  grant: TokenGrant;
  state: GitHubState;
  urls: Urls;
  /** The repository named by the `owner`/`repo` path parameters (404 when it does not exist). */
  repo(): Repository;
  account(login: string): Account;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RestHandler = (context: RestContext) => RestResponse;

export interface HandlerSpec {
  handler: RestHandler;
  /** Alternative permission sets, any one of which allows the call (GitHub's `x-accepted-github-permissions`). */
  permissions: Record<string, Access>[];
}

/** A refusal shaped as GitHub sends it. */
export class GitHubHttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.body = { message, documentation_url: 'https://docs.github.com/rest', status: String(status), ...extra };
    this.headers = headers;
  }
}

export function notFound(): GitHubHttpError {
  return new GitHubHttpError(404, 'Not Found');
}

/** GitHub's 422 "Validation Failed" with its `errors` list (validation-error has no `status` field). */
export function validationFailed(errors: Record<string, unknown>[], message = 'Validation Failed'): GitHubHttpError {
  const error = new GitHubHttpError(422, message, { errors });
  delete error.body['status'];
  return error;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function pullNumber(context: RestContext, name = 'pull_number'): PullRequest {
  const number = Number(context.params[name]);
  const pull = context.repo().pulls.get(number);
  if (!pull) throw notFound();
  return pull;
}

function accountsOf(context: RestContext) {
  return (login: string) => context.account(login);
}

const read = (name: string): Record<string, Access> => ({ [name]: 'read' });
const write = (name: string): Record<string, Access> => ({ [name]: 'write' });

export const DEFAULT_HANDLERS: Record<string, HandlerSpec> = {
  'repos/get': {
    permissions: [read('metadata')],
    handler: (c) => ({ status: 200, body: json.repository(c.urls, c.repo()) }),
  },

  // --- pull requests ---------------------------------------------------------------------------------------

  'pulls/list': {
    permissions: [read('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      const state = c.query.get('state') ?? 'open';
      const head = c.query.get('head');
      const base = c.query.get('base');
      const perPage = Number(c.query.get('per_page') ?? 30);
      const pulls = [...repo.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => head === null || `${repo.owner.login}:${p.head}`.toLowerCase() === head.toLowerCase())
        .filter((p) => base === null || p.base === base)
        .sort((a, b) => b.number - a.number)
        .slice(0, perPage);
      return { status: 200, body: pulls.map((p) => json.pullRequest(c.urls, repo, p, accountsOf(c), false)) };
    },
  },

  'pulls/get': {
    permissions: [read('pull_requests')],
    handler: (c) => ({ status: 200, body: json.pullRequest(c.urls, c.repo(), pullNumber(c), accountsOf(c), true) }),
  },

  'pulls/create': {
    permissions: [write('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      if (c.grant.kind === 'github-token' && !repo.actionsCanCreatePullRequests) {
        throw new GitHubHttpError(403, 'GitHub Actions is not permitted to create or approve pull requests.', {
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        });
      }
      const head = String(c.body['head']).replace(new RegExp(`^${repo.owner.login}:`, 'i'), '');
      const base = String(c.body['base']);
      if (repo.branch(head) === undefined) {
        throw validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
      }
      if (repo.branch(base) === undefined) {
        throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      }
      if (repo.openPulls().some((p) => p.head === head && p.base === base)) {
        throw validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner.login}:${head}.`,
          },
        ]);
      }
      const headSha = repo.branch(head) as string;
      const baseSha = repo.branch(base) as string;
      if (repo.isAncestor(headSha, baseSha)) {
        throw validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
        ]);
      }
      const pull = repo.openPullRequest({
        head,
        base,
        title: String(c.body['title'] ?? ''),
        body: typeof c.body['body'] === 'string' ? c.body['body'] : null,
        draft: c.body['draft'] === true,
        user: c.grant.account,
      });
      return { status: 201, body: json.pullRequest(c.urls, repo, pull, accountsOf(c), true) };
    },
  },

  'pulls/update': {
    permissions: [write('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      const pull = pullNumber(c);
      if (typeof c.body['title'] === 'string') pull.title = c.body['title'];
      if (typeof c.body['body'] === 'string') pull.body = c.body['body'];
      if (typeof c.body['base'] === 'string') {
        if (repo.branch(c.body['base']) === undefined) {
          throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
        }
        pull.base = c.body['base'];
      }
      if (c.body['state'] === 'closed' && pull.state === 'open') {
        pull.state = 'closed';
        pull.closedHeadSha = repo.headSha(pull);
        pull.closedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      } else if (c.body['state'] === 'open') {
        pull.state = 'open';
        pull.closedAt = null;
        delete pull.closedHeadSha;
      }
      repo.touch(pull);
      return { status: 200, body: json.pullRequest(c.urls, repo, pull, accountsOf(c), true) };
    },
  },

  'pulls/request-reviewers': {
    permissions: [write('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      const pull = pullNumber(c);
      const reviewers = strings(c.body['reviewers']);
      const teams = strings(c.body['team_reviewers']);
      if (reviewers.some((login) => login.toLowerCase() === pull.user.login.toLowerCase())) {
        throw validationFailed([], 'Review cannot be requested from pull request author.');
      }
      const strangers = reviewers.filter((login) => !repo.collaborators.has(login));
      const unknownTeams = teams.filter((slug) => !repo.teams.has(slug));
      if (strangers.length > 0 || unknownTeams.length > 0) {
        throw validationFailed(
          [],
          `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`,
        );
      }
      for (const login of reviewers) if (!pull.requestedReviewers.includes(login)) pull.requestedReviewers.push(login);
      for (const slug of teams) if (!pull.requestedTeams.includes(slug)) pull.requestedTeams.push(slug);
      repo.touch(pull);
      return { status: 201, body: json.pullRequest(c.urls, repo, pull, accountsOf(c), false) };
    },
  },

  // --- labels and assignees --------------------------------------------------------------------------------

  'issues/add-labels': {
    permissions: [write('issues'), write('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      const pull = pullNumber(c, 'issue_number');
      const names = Array.isArray(c.body['labels'])
        ? (c.body['labels'] as unknown[]).map((l) =>
            typeof l === 'string' ? l : String((l as { name?: unknown }).name),
          )
        : [];
      for (const name of names) {
        repo.label(name);
        if (!pull.labels.includes(name)) pull.labels.push(name);
      }
      repo.touch(pull);
      return { status: 200, body: pull.labels.map((name) => json.label(c.urls, repo, repo.label(name))) };
    },
  },

  'issues/remove-label': {
    permissions: [write('issues'), write('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      const pull = pullNumber(c, 'issue_number');
      const name = c.params['name'] as string;
      if (!pull.labels.includes(name)) throw new GitHubHttpError(404, 'Label does not exist');
      pull.labels = pull.labels.filter((l) => l !== name);
      repo.touch(pull);
      return { status: 200, body: pull.labels.map((l) => json.label(c.urls, repo, repo.label(l))) };
    },
  },

  'issues/add-assignees': {
    permissions: [write('issues'), write('pull_requests')],
    handler: (c) => {
      const repo = c.repo();
      const pull = pullNumber(c, 'issue_number');
      // As on GitHub, people who cannot be assigned are silently left out.
      for (const login of strings(c.body['assignees'])) {
        if (repo.collaborators.has(login) && !pull.assignees.includes(login)) pull.assignees.push(login);
      }
      repo.touch(pull);
      return { status: 201, body: json.issue(c.urls, repo, pull, accountsOf(c)) };
    },
  },

  // --- Git Data API ----------------------------------------------------------------------------------------

  'git/get-ref': {
    permissions: [read('contents')],
    handler: (c) => {
      const repo = c.repo();
      const name = (c.params['ref'] as string).replace(/^refs\//, '');
      const sha = repo.refs.get(name);
      if (!sha) throw notFound();
      return { status: 200, body: json.gitRef(c.urls, repo, name, sha) };
    },
  },

  'git/update-ref': {
    permissions: [write('contents')],
    handler: (c) => {
      const repo = c.repo();
      const name = (c.params['ref'] as string).replace(/^refs\//, '');
      const current = repo.refs.get(name);
      const sha = String(c.body['sha']);
      if (!current) throw validationFailed([], 'Reference does not exist');
      if (!repo.commits.has(sha)) throw validationFailed([], 'Object does not exist');
      if (c.body['force'] !== true && !repo.isAncestor(current, sha)) {
        throw validationFailed([], 'Update is not a fast forward');
      }
      repo.refs.set(name, sha);
      return { status: 200, body: json.gitRef(c.urls, repo, name, sha) };
    },
  },

  'git/get-commit': {
    permissions: [read('contents')],
    handler: (c) => {
      const repo = c.repo();
      const commit = repo.commits.get(c.params['commit_sha'] as string);
      if (!commit) throw notFound();
      return { status: 200, body: json.gitCommit(c.urls, repo, commit) };
    },
  },

  'git/create-blob': {
    permissions: [write('contents')],
    handler: (c) => {
      const repo = c.repo();
      const encoding = (c.body['encoding'] as string | undefined) ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
        throw validationFailed([{ resource: 'Blob', field: 'encoding', code: 'invalid' }]);
      }
      const content = Buffer.from(String(c.body['content']), encoding === 'base64' ? 'base64' : 'utf8');
      const sha = repo.putBlob(content);
      return { status: 201, body: { url: `${c.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`, sha } };
    },
  },

  'git/create-tree': {
    permissions: [write('contents')],
    handler: (c) => {
      const repo = c.repo();
      const baseTree = c.body['base_tree'];
      let entries = new Map<string, TreeEntry>();
      if (typeof baseTree === 'string') {
        const base = repo.trees.get(baseTree);
        if (!base) throw validationFailed([], 'base_tree is not a valid tree oid');
        entries = new Map(base);
      }
      for (const item of c.body['tree'] as Record<string, unknown>[]) {
        const path = String(item['path']);
        if (item['type'] !== 'blob')
          throw validationFailed([], `loopback GitHub models blobs only, not ${String(item['type'])}`);
        if (item['sha'] === null) {
          entries.delete(path);
          continue;
        }
        const sha =
          typeof item['content'] === 'string' ? repo.putBlob(Buffer.from(item['content'])) : String(item['sha']);
        if (!repo.blobs.has(sha)) throw validationFailed([], `tree.sha ${sha} is not a valid blob`);
        entries.set(path, { mode: String(item['mode']), type: 'blob', sha });
      }
      const sha = repo.putTree(entries);
      return {
        status: 201,
        body: {
          sha,
          url: `${c.urls.api}/repos/${repo.fullName}/git/trees/${sha}`,
          truncated: false,
          tree: [...(repo.trees.get(sha) as Map<string, TreeEntry>).entries()].map(([path, e]) => ({
            path,
            mode: e.mode,
            type: e.type,
            sha: e.sha,
            size: (repo.blobs.get(e.sha) as Buffer).length,
            url: `${c.urls.api}/repos/${repo.fullName}/git/blobs/${e.sha}`,
          })),
        },
      };
    },
  },

  'git/create-commit': {
    permissions: [write('contents')],
    handler: (c) => {
      const repo = c.repo();
      const tree = String(c.body['tree']);
      const parents = strings(c.body['parents']);
      if (!repo.trees.has(tree)) throw validationFailed([], 'Tree SHA does not exist');
      for (const parent of parents)
        if (!repo.commits.has(parent))
          throw validationFailed([], 'Parent SHA does not exist or is not a commit object');
      const identity = c.grant.account;
      const fallback = gitUserNow(identity.login, `${identity.id}+${identity.login}@users.noreply.github.com`);
      const person = (value: unknown) => {
        const given = (value ?? {}) as { name?: string; email?: string; date?: string };
        return {
          name: given.name ?? fallback.name,
          email: given.email ?? fallback.email,
          date: given.date ?? fallback.date,
        };
      };
      const sha = repo.putCommit({
        tree,
        parents,
        message: String(c.body['message']),
        author: person(c.body['author']),
        committer: person(c.body['committer'] ?? c.body['author']),
      });
      return {
        status: 201,
        body: json.gitCommit(c.urls, repo, repo.commits.get(sha) as NonNullable<ReturnType<typeof repo.commits.get>>),
      };
    },
  },

  // --- contents and history --------------------------------------------------------------------------------

  'repos/get-content': {
    permissions: [read('contents')],
    handler: (c) => {
      const repo = c.repo();
      const ref = c.query.get('ref') ?? repo.defaultBranch;
      const sha = repo.resolve(ref);
      if (!sha) throw new GitHubHttpError(404, `No commit found for the ref ${ref}`);
      const path = (c.params['path'] as string).replace(/^\/+/, '');
      const tree = repo.trees.get((repo.commits.get(sha) as { tree: string }).tree) as Map<string, TreeEntry>;
      const entry = tree.get(path);
      if (!entry) throw notFound();
      const content = repo.blobs.get(entry.sha) as Buffer;
      return { status: 200, body: json.contentFile(c.urls, repo, path, ref, entry.sha, content) };
    },
  },

  'repos/compare-commits-with-basehead': {
    permissions: [read('contents')],
    handler: (c) => {
      const repo = c.repo();
      const [baseRef, headRef] = (c.params['basehead'] as string).split('...') as [string, string | undefined];
      const base = repo.resolve(baseRef);
      const head = headRef === undefined ? undefined : repo.resolve(headRef);
      if (!base || !head) throw notFound();
      const baseAncestors = repo.ancestors(base);
      const headAncestors = repo.ancestors(head);
      const ahead = [...headAncestors].filter((sha) => !baseAncestors.has(sha));
      const behind = [...baseAncestors].filter((sha) => !headAncestors.has(sha));
      // The merge base: the common ancestor no other common ancestor descends from.
      const common = [...headAncestors].filter((sha) => baseAncestors.has(sha));
      const mergeBase =
        common.find((candidate) => !common.some((other) => other !== candidate && repo.isAncestor(candidate, other))) ??
        base;
      const status =
        ahead.length === 0 && behind.length === 0
          ? 'identical'
          : behind.length === 0
            ? 'ahead'
            : ahead.length === 0
              ? 'behind'
              : 'diverged';
      const commit = (sha: string) =>
        json.restCommit(c.urls, repo, repo.commits.get(sha) as NonNullable<ReturnType<typeof repo.commits.get>>);
      // Oldest first, as GitHub lists them.
      const ordered = ahead.sort((a, b) => (repo.isAncestor(a, b) ? -1 : repo.isAncestor(b, a) ? 1 : 0));
      const perPage = Number(c.query.get('per_page') ?? 250);
      const page = Number(c.query.get('page') ?? 1);
      const web = `${c.urls.html}/${repo.fullName}/compare/${baseRef}...${headRef}`;
      return {
        status: 200,
        body: {
          url: `${c.urls.api}/repos/${repo.fullName}/compare/${baseRef}...${headRef}`,
          html_url: web,
          permalink_url: `${c.urls.html}/${repo.fullName}/compare/${base.slice(0, 7)}...${head.slice(0, 7)}`,
          diff_url: `${web}.diff`,
          patch_url: `${web}.patch`,
          base_commit: commit(base),
          merge_base_commit: commit(mergeBase),
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: ordered.slice((page - 1) * perPage, page * perPage).map(commit),
          files: diffEntries(c.urls, repo, mergeBase, head),
        },
      };
    },
  },
};
