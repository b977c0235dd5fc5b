/**
 * The loopback server's in-memory GitHub: accounts, tokens and what they may do, and repositories with real Git
 * objects (blobs, trees, commits, refs with ancestry), labels, collaborators, teams and pull requests. Handlers
 * change this state; tests arrange it and read it back through the same helpers.
 */
import { createHash } from 'node:crypto';

export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

/** How GitHub sees a token, which decides what it may do and how refusals read. */
export type TokenKind = 'github-token' | 'app' | 'classic-pat' | 'fine-grained-pat';
export type Access = 'read' | 'write' | 'admin';

export interface TokenGrant {
  kind: TokenKind;
  account: Account;
  /** Fine-grained permissions (installation tokens and fine-grained PATs), e.g. `{ pull_requests: 'write' }`. */
  permissions: Record<string, Access>;
  /** Classic PAT scopes, reported in `x-oauth-scopes`. */
  scopes: string[];
}

export interface TokenGrantInput {
  kind: TokenKind;
  /** The account the token acts as: a user for PATs; for an App, its slug (the bot is `<slug>[bot]`). */
  login?: string;
  permissions?: Record<string, Access>;
  scopes?: string[];
}

/** The identity of the workflow's GITHUB_TOKEN on github.com. */
export const GITHUB_ACTIONS_BOT: Account = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

/** What a GITHUB_TOKEN gets with `permissions: contents: write, pull-requests: write`. */
export const DEFAULT_JOB_PERMISSIONS: Record<string, Access> = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  metadata: 'read',
};

let nextId = 1000;
export function newId(): number {
  return nextId++;
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kw${Buffer.from(`loopback:${prefix}:${id}`).toString('base64url')}`;
}

export function gitUserNow(
  name = 'github-actions[bot]',
  email = '41898282+github-actions[bot]@users.noreply.github.com',
) {
  return { name, email, date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

export interface GitUser {
  name: string;
  email: string;
  date: string;
}

export interface TreeEntry {
  mode: string;
  type: 'blob';
  sha: string;
}

export interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitUser;
  committer: GitUser;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface Team {
  id: number;
  slug: string;
  name: string;
}

export interface AutoMerge {
  enabledBy: Account;
  mergeMethod: 'merge' | 'squash' | 'rebase';
  commitTitle: string;
  commitMessage: string;
  enabledAt: string;
  expectedHeadOid?: string;
}

export interface PullRequest {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  head: string;
  base: string;
  /** The head sha when the pull request was closed; while open the head branch's tip is used. */
  closedHeadSha?: string;
  /** Set when the pull request was merged (see `mergePullRequest` in promotion-records.ts). */
  merged?: { sha: string; at: string; by: Account };
  user: Account;
  labels: string[];
  assignees: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  autoMerge: AutoMerge | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class Repository {
  readonly id = newId();
  readonly owner: Account;
  readonly name: string;
  private: boolean;
  defaultBranch: string;
  /** Settings → General → Pull Requests → "Allow auto-merge". */
  allowAutoMerge = true;
  /** Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests". */
  actionsCanCreatePullRequests = true;
  readonly collaborators = new Set<string>();
  readonly teams = new Map<string, Team>();
  readonly blobs = new Map<string, Buffer>();
  /** Trees are kept flat (path → entry); their ids are content hashes, stable for equal trees. */
  readonly trees = new Map<string, Map<string, TreeEntry>>();
  readonly commits = new Map<string, Commit>();
  readonly refs = new Map<string, string>();
  readonly labels = new Map<string, Label>();
  readonly pulls = new Map<number, PullRequest>();
  /**
   * State of operations added by other tests (rulesets, environments, …), by feature name: handlers registered
   * with `server.handle()` keep theirs here, e.g. `repo.extensions.set('rulesets', [])`.
   */
  readonly extensions = new Map<string, unknown>();
  private nextNumber = 1;
  private clock = Date.parse('2025-01-01T00:00:00Z');

  constructor(owner: Account, name: string, options: { private?: boolean; defaultBranch?: string } = {}) {
    this.owner = owner;
    this.name = name;
    this.private = options.private ?? true;
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.collaborators.add(owner.login);
  }

  get fullName(): string {
    return `${this.owner.login}/${this.name}`;
  }

  // --- Git objects -------------------------------------------------------------------------------------------

  /** A blob, with the id git would give it. */
  putBlob(content: Buffer): string {
    const sha = sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));
    this.blobs.set(sha, content);
    return sha;
  }

  putTree(entries: Map<string, TreeEntry>): string {
    const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sha = sha1(`tree\0${sorted.map(([path, e]) => `${e.mode} ${e.type} ${e.sha}\t${path}`).join('\n')}`);
    this.trees.set(sha, new Map(sorted));
    return sha;
  }

  putCommit(commit: Omit<Commit, 'sha'>): string {
    const text = [
      `tree ${commit.tree}`,
      ...commit.parents.map((p) => `parent ${p}`),
      `author ${commit.author.name} <${commit.author.email}> ${commit.author.date}`,
      `committer ${commit.committer.name} <${commit.committer.email}> ${commit.committer.date}`,
      '',
      commit.message,
    ].join('\n');
    const sha = sha1(`commit\0${text}`);
    this.commits.set(sha, { sha, ...commit });
    return sha;
  }

  /** Every commit reachable from `sha`, itself included. */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  /** Resolves a branch name, `refs/heads/x`, `heads/x` or a commit sha. */
  resolve(ref: string): string | undefined {
    if (this.commits.has(ref)) return ref;
    const name = ref.replace(/^refs\//, '');
    return this.refs.get(name) ?? this.refs.get(`heads/${name}`) ?? this.refs.get(`tags/${name}`);
  }

  branch(name: string): string | undefined {
    return this.refs.get(`heads/${name}`);
  }

  /** Files of a commit: path → content (utf-8). */
  files(ref: string): Map<string, string> {
    const sha = this.resolve(ref);
    const commit = sha === undefined ? undefined : this.commits.get(sha);
    if (!commit) throw new Error(`loopback GitHub: no commit for '${ref}' in ${this.fullName}`);
    const tree = this.trees.get(commit.tree) as Map<string, TreeEntry>;
    return new Map([...tree.entries()].map(([path, e]) => [path, (this.blobs.get(e.sha) as Buffer).toString('utf8')]));
  }

  readFile(ref: string, path: string): string | undefined {
    return this.files(ref).get(path);
  }

  // --- test arrangement helpers ------------------------------------------------------------------------------

  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /**
   * Commits files (content, or `null` to delete) on top of `branch` and moves it, creating the branch (from
   * `from`, default the default branch, or as a root commit in an empty repository) when missing.
   */
  commitFiles(branch: string, files: Record<string, string | null>, message = 'Update files', from?: string): string {
    const parent = this.branch(branch) ?? (from === undefined ? this.branch(this.defaultBranch) : this.resolve(from));
    if (from !== undefined && this.branch(branch) === undefined && parent === undefined) {
      throw new Error(`loopback GitHub: '${from}' does not exist`);
    }
    const base = parent
      ? (this.trees.get((this.commits.get(parent) as Commit).tree) as Map<string, TreeEntry>)
      : new Map();
    const entries = new Map(base);
    for (const [path, content] of Object.entries(files)) {
      if (content === null) entries.delete(path);
      else entries.set(path, { mode: '100644', type: 'blob', sha: this.putBlob(Buffer.from(content)) });
    }
    const date = this.tick();
    const author = { name: 'Mona Lisa', email: 'mona@example.com', date };
    const sha = this.putCommit({
      tree: this.putTree(entries),
      parents: parent ? [parent] : [],
      message,
      author,
      committer: author,
    });
    this.refs.set(`heads/${branch}`, sha);
    return sha;
  }

  createBranch(name: string, from: string = this.defaultBranch): string {
    const sha = this.resolve(from);
    if (!sha) throw new Error(`loopback GitHub: '${from}' does not exist`);
    this.refs.set(`heads/${name}`, sha);
    return sha;
  }

  label(name: string, options: Partial<Omit<Label, 'id' | 'name'>> = {}): Label {
    const existing = this.labels.get(name);
    if (existing) return existing;
    const label: Label = { id: newId(), name, color: 'ededed', description: null, default: false, ...options };
    this.labels.set(name, label);
    return label;
  }

  team(slug: string, name = slug): Team {
    const team = this.teams.get(slug) ?? { id: newId(), slug, name };
    this.teams.set(slug, team);
    return team;
  }

  openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body?: string | null;
    user: Account;
    draft?: boolean;
    labels?: string[];
    assignees?: string[];
  }): PullRequest {
    const id = newId();
    const at = now();
    for (const name of input.labels ?? []) this.label(name);
    const pull: PullRequest = {
      number: this.takeNumber(),
      id,
      nodeId: nodeId('PR', id),
      title: input.title,
      body: input.body ?? null,
      state: 'open',
      draft: input.draft ?? false,
      head: input.head,
      base: input.base,
      user: input.user,
      labels: [...(input.labels ?? [])],
      assignees: [...(input.assignees ?? [])],
      requestedReviewers: [],
      requestedTeams: [],
      autoMerge: null,
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    };
    this.pulls.set(pull.number, pull);
    return pull;
  }

  /** The next issue/pull request number: on GitHub both share one sequence per repository. */
  takeNumber(): number {
    return this.nextNumber++;
  }

  pull(number: number): PullRequest {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`loopback GitHub: no pull request #${number} in ${this.fullName}`);
    return pull;
  }

  openPulls(): PullRequest[] {
    return [...this.pulls.values()].filter((p) => p.state === 'open');
  }

  headSha(pull: PullRequest): string {
    return pull.closedHeadSha ?? this.branch(pull.head) ?? '0'.repeat(40);
  }

  touch(pull: PullRequest): void {
    pull.updatedAt = now();
  }
}

export class GitHubState {
  readonly accounts = new Map<string, Account>();
  readonly tokens = new Map<string, TokenGrant>();
  readonly repositories = new Map<string, Repository>();

  account(login: string, type: Account['type'] = login.endsWith('[bot]') ? 'Bot' : 'User'): Account {
    const existing = this.accounts.get(login.toLowerCase());
    if (existing) return existing;
    const account: Account =
      login === GITHUB_ACTIONS_BOT.login ? { ...GITHUB_ACTIONS_BOT } : { login, id: newId(), type };
    this.accounts.set(login.toLowerCase(), account);
    return account;
  }

  addToken(token: string, input: TokenGrantInput): TokenGrant {
    const account =
      input.kind === 'github-token'
        ? this.account(GITHUB_ACTIONS_BOT.login)
        : input.kind === 'app'
          ? this.account(`${input.login ?? 'promotion-app'}[bot]`, 'Bot')
          : this.account(input.login ?? 'octocat', 'User');
    const grant: TokenGrant = {
      kind: input.kind,
      account,
      permissions: input.permissions ?? (input.kind === 'classic-pat' ? {} : { ...DEFAULT_JOB_PERMISSIONS }),
      scopes: input.scopes ?? (input.kind === 'classic-pat' ? ['repo', 'workflow'] : []),
    };
    this.tokens.set(token, grant);
    return grant;
  }

  repository(fullName: string, options: { private?: boolean; defaultBranch?: string } = {}): Repository {
    const key = fullName.toLowerCase();
    const existing = this.repositories.get(key);
    if (existing) return existing;
    const [owner, name] = fullName.split('/') as [string, string];
    const repo = new Repository(this.account(owner, 'Organization'), name, options);
    this.repositories.set(key, repo);
    return repo;
  }

  findRepository(owner: string, name: string): Repository | undefined {
    return this.repositories.get(`${owner}/${name}`.toLowerCase());
  }
}
