/**
 * The JSON GitHub sends for the model's objects, shaped as GitHub's OpenAPI description says (the server
 * validates each response against it, so a missing required field here fails the test that caused it).
 */
import type { Account, Commit, GitUser, Label, PullRequest, Repository, Team } from './model.ts';
import { nodeId } from './model.ts';

export interface Urls {
  /** REST API root, e.g. `http://127.0.0.1:4321`. */
  api: string;
  /** Web root, e.g. `https://github.com`. */
  html: string;
}

type Json = Record<string, unknown>;

export function simpleUser(urls: Urls, account: Account): Json {
  const api = `${urls.api}/users/${encodeURIComponent(account.login)}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === 'Bot' ? 'BOT' : account.type === 'Organization' ? 'O' : 'U', account.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.html}/${account.type === 'Bot' ? `apps/${account.login.replace(/\[bot\]$/, '')}` : account.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: account.type,
    site_admin: false,
    user_view_type: 'public',
  };
}

const CREATED_AT = '2024-06-01T09:00:00Z';

/** Every field `repository`, `nullable-repository` and `full-repository` require. */
/** A user's public profile (`public-user`): the simple user with the profile fields GitHub adds. */
export function publicUser(urls: Urls, account: Account, name: string | null = null): Json {
  return {
    ...simpleUser(urls, account),
    name,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
  };
}

export function repository(urls: Urls, repo: Repository): Json {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.html}/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(urls, repo.owner),
    private: repo.private,
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.com/${repo.fullName}.git`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    svn_url: html,
    homepage: null,
    language: 'Python',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 128,
    default_branch: repo.defaultBranch,
    open_issues: repo.openPulls().length,
    open_issues_count: repo.openPulls().length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: CREATED_AT,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    allow_auto_merge: repo.allowAutoMerge,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    delete_branch_on_merge: false,
    license: null,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function label(urls: Urls, repo: Repository, value: Label): Json {
  return {
    id: value.id,
    node_id: nodeId('LA', value.id),
    url: `${urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(value.name)}`,
    name: value.name,
    description: value.description,
    color: value.color,
    default: value.default,
  };
}

export function teamSimple(urls: Urls, repo: Repository, team: Team): Json {
  const api = `${urls.api}/organizations/${repo.owner.id}/team/${team.id}`;
  return {
    id: team.id,
    node_id: nodeId('T', team.id),
    url: api,
    members_url: `${api}/members{/member}`,
    name: team.name,
    description: null,
    permission: 'push',
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    html_url: `${urls.html}/orgs/${repo.owner.login}/teams/${team.slug}`,
    repositories_url: `${api}/repos`,
    slug: team.slug,
    type: 'enterprise',
    parent: null,
  };
}

function branchEnd(urls: Urls, repo: Repository, branch: string, sha: string): Json {
  return {
    label: `${repo.owner.login}:${branch}`,
    ref: branch,
    sha,
    user: simpleUser(urls, repo.owner),
    repo: repository(urls, repo),
  };
}

/** `pull-request-simple` (lists) or, with `full`, `pull-request`. */
export function pullRequest(
  urls: Urls,
  repo: Repository,
  pull: PullRequest,
  accounts: (login: string) => Account,
  full: boolean,
): Json {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.html}/${repo.fullName}/pull/${pull.number}`;
  const headSha = repo.headSha(pull);
  const baseSha = repo.branch(pull.base) ?? '0'.repeat(40);
  const user = (login: string) => simpleUser(urls, accounts(login));
  // The pull request schemas declare a label's description as a (non-null) string, unlike `label` itself.
  const labels = pull.labels.map((name) => ({
    ...label(urls, repo, repo.label(name)),
    description: repo.label(name).description ?? '',
  }));
  const autoMerge = pull.autoMerge && {
    enabled_by: simpleUser(urls, pull.autoMerge.enabledBy),
    merge_method: pull.autoMerge.mergeMethod,
    commit_title: pull.autoMerge.commitTitle,
    commit_message: pull.autoMerge.commitMessage,
  };
  const link = (href: string) => ({ href });
  const result: Json = {
    url: `${api}/pulls/${pull.number}`,
    id: pull.id,
    node_id: pull.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(urls, pull.user),
    body: pull.body,
    labels,
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.merged?.at ?? null,
    merge_commit_sha: pull.merged?.sha ?? null,
    assignee: pull.assignees[0] === undefined ? null : user(pull.assignees[0]),
    assignees: pull.assignees.map(user),
    requested_reviewers: pull.requestedReviewers.map(user),
    requested_teams: pull.requestedTeams.map((slug) => teamSimple(urls, repo, repo.team(slug))),
    head: branchEnd(urls, repo, pull.head, headSha),
    base: branchEnd(urls, repo, pull.base, baseSha),
    _links: {
      self: link(`${api}/pulls/${pull.number}`),
      html: link(html),
      issue: link(`${api}/issues/${pull.number}`),
      comments: link(`${api}/issues/${pull.number}/comments`),
      review_comments: link(`${api}/pulls/${pull.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pull.number}/commits`),
      statuses: link(`${api}/statuses/${headSha}`),
    },
    author_association: pull.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    auto_merge: autoMerge,
    draft: pull.draft,
  };
  if (!full) return result;
  const ahead = [...repo.ancestors(headSha)].filter((sha) => !repo.ancestors(baseSha).has(sha));
  return {
    ...result,
    merged: pull.merged !== undefined,
    mergeable: true,
    rebaseable: true,
    mergeable_state: pull.draft ? 'draft' : 'blocked',
    merged_by: pull.merged ? simpleUser(urls, pull.merged.by) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: ahead.length,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function issue(urls: Urls, repo: Repository, pull: PullRequest, accounts: (login: string) => Account): Json {
  const api = `${urls.api}/repos/${repo.fullName}/issues/${pull.number}`;
  const html = `${urls.html}/${repo.fullName}/pull/${pull.number}`;
  const user = (login: string) => simpleUser(urls, accounts(login));
  return {
    id: pull.id,
    node_id: pull.nodeId,
    url: api,
    repository_url: `${urls.api}/repos/${repo.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    user: simpleUser(urls, pull.user),
    labels: pull.labels.map((name) => label(urls, repo, repo.label(name))),
    assignee: pull.assignees[0] === undefined ? null : user(pull.assignees[0]),
    assignees: pull.assignees.map(user),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: 0,
    pull_request: {
      url: `${urls.api}/repos/${repo.fullName}/pulls/${pull.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: null,
    },
    closed_at: pull.closedAt,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    draft: pull.draft,
    author_association: pull.user.type === 'Bot' ? 'NONE' : 'MEMBER',
  };
}

export function gitRef(urls: Urls, repo: Repository, name: string, sha: string): Json {
  return {
    ref: `refs/${name}`,
    node_id: nodeId('REF', Number.parseInt(sha.slice(0, 8), 16)),
    url: `${urls.api}/repos/${repo.fullName}/git/refs/${name}`,
    object: { type: 'commit', sha, url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

function parentLinks(urls: Urls, repo: Repository, commit: Commit) {
  return commit.parents.map((sha) => ({
    sha,
    url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}`,
    html_url: `${urls.html}/${repo.fullName}/commit/${sha}`,
  }));
}

const UNSIGNED = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

export function gitCommit(urls: Urls, repo: Repository, commit: Commit): Json {
  return {
    sha: commit.sha,
    node_id: nodeId('C', Number.parseInt(commit.sha.slice(0, 8), 16)),
    url: `${urls.api}/repos/${repo.fullName}/git/commits/${commit.sha}`,
    html_url: `${urls.html}/${repo.fullName}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${urls.api}/repos/${repo.fullName}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: parentLinks(urls, repo, commit),
    verification: UNSIGNED,
  };
}

/** The `commit` schema (the REST commits/compare shape, with the Git data nested under `commit`). */
export function restCommit(urls: Urls, repo: Repository, commit: Commit): Json {
  const gitUser = (user: GitUser) => ({ name: user.name, email: user.email, date: user.date });
  return {
    url: `${urls.api}/repos/${repo.fullName}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId('C', Number.parseInt(commit.sha.slice(0, 8), 16)),
    html_url: `${urls.html}/${repo.fullName}/commit/${commit.sha}`,
    comments_url: `${urls.api}/repos/${repo.fullName}/commits/${commit.sha}/comments`,
    commit: {
      url: `${urls.api}/repos/${repo.fullName}/git/commits/${commit.sha}`,
      author: gitUser(commit.author),
      committer: gitUser(commit.committer),
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${urls.api}/repos/${repo.fullName}/git/trees/${commit.tree}` },
      verification: UNSIGNED,
    },
    author: null,
    committer: null,
    parents: parentLinks(urls, repo, commit),
  };
}

export function contentFile(
  urls: Urls,
  repo: Repository,
  path: string,
  ref: string,
  blobSha: string,
  content: Buffer,
): Json {
  const self = `${urls.api}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${urls.api}/repos/${repo.fullName}/git/blobs/${blobSha}`;
  const html = `${urls.html}/${repo.fullName}/blob/${encodeURIComponent(ref)}/${path}`;
  return {
    type: 'file',
    encoding: 'base64',
    size: content.length,
    name: path.split('/').at(-1),
    path,
    // GitHub wraps the base64 at 60 characters.
    content: (content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n',
    sha: blobSha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: `https://raw.githubusercontent.com/${repo.fullName}/${encodeURIComponent(ref)}/${path}`,
    _links: { self, git, html },
  };
}
