/**
 * What production's verification of a promotion reads (open-promotion-pr `mode: verify`): pull requests merged
 * into a commit, their reviews, workflow runs, check runs (with the GitHub App that reported them) and commit
 * statuses (with their creator). Arrange them with the helpers below; `registerPromotionRecords(github)` serves
 * them with GitHub's fine-grained permissions: `contents: read` for a commit's pull requests, `pull_requests:
 * read` for reviews, `actions: read` for runs, `checks: read` for check runs, `statuses: read` for statuses.
 */
import type { Account, Repository } from './model.ts';
import { GITHUB_ACTIONS_BOT, newId, nodeId } from './model.ts';
import * as json from './representations.ts';
import type { Urls } from './representations.ts';
import { notFound } from './rest.ts';
import type { GitHubServer } from './server.ts';

/** The GitHub App that reports GitHub Actions' check runs (its id is what rulesets pin as `integration_id`). */
export const GITHUB_ACTIONS_APP = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' };

export interface ReviewRecord {
  id: number;
  pull: number;
  user: Account;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commitId: string;
  submittedAt: string;
}

export interface WorkflowRunRecord {
  id: number;
  path: string;
  name: string;
  event: string;
  headSha: string;
  headBranch: string;
  status: 'completed' | 'in_progress' | 'queued';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  attempt: number;
}

export interface CheckRunRecord {
  id: number;
  sha: string;
  name: string;
  conclusion: 'success' | 'failure' | null;
  app: { id: number; slug: string; name: string };
  detailsUrl: string;
}

export interface StatusRecord {
  id: number;
  sha: string;
  context: string;
  state: 'success' | 'failure' | 'pending' | 'error';
  creator: Account;
  targetUrl: string | null;
  createdAt: string;
}

interface Records {
  reviews: ReviewRecord[];
  runs: WorkflowRunRecord[];
  checks: CheckRunRecord[];
  statuses: StatusRecord[];
}

export function recordsOf(repo: Repository): Records {
  let records = repo.extensions.get('promotion-records') as Records | undefined;
  if (!records) {
    records = { reviews: [], runs: [], checks: [], statuses: [] };
    repo.extensions.set('promotion-records', records);
  }
  return records;
}

let clock = Date.parse('2025-02-01T00:00:00Z');
const stamp = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Merges a pull request as GitHub's merge button does (a merge commit on base whose tree is head's). */
export function mergePullRequest(repo: Repository, number: number, by: Account): string {
  const pull = repo.pull(number);
  const head = repo.headSha(pull);
  const base = repo.branch(pull.base);
  if (!base) throw new Error(`loopback GitHub: no branch ${pull.base}`);
  const tree = repo.commits.get(head)?.tree as string;
  const committer = { name: 'GitHub', email: 'noreply@github.com', date: stamp() };
  const sha = repo.putCommit({
    tree,
    parents: [base, head],
    message: `Merge pull request #${number} from ${repo.owner.login}/${pull.head}\n\n${pull.title}`,
    author: { ...committer, name: by.login, email: `${by.login}@users.noreply.github.com` },
    committer,
  });
  repo.refs.set(`heads/${pull.base}`, sha);
  const at = stamp();
  Object.assign(pull, { state: 'closed', closedHeadSha: head, closedAt: at, merged: { sha, at, by } });
  return sha;
}

export function addReview(
  repo: Repository,
  pull: number,
  review: { user: Account; state: ReviewRecord['state']; commitId?: string },
): ReviewRecord {
  const record: ReviewRecord = {
    id: newId(),
    pull,
    user: review.user,
    state: review.state,
    commitId: review.commitId ?? repo.headSha(repo.pull(pull)),
    submittedAt: stamp(),
  };
  recordsOf(repo).reviews.push(record);
  return record;
}

export function addWorkflowRun(
  repo: Repository,
  run: Partial<Omit<WorkflowRunRecord, 'id'>> & Pick<WorkflowRunRecord, 'headSha'>,
): WorkflowRunRecord {
  const record: WorkflowRunRecord = {
    id: newId(),
    path: '.github/workflows/cd-staging.yml',
    name: 'cd-staging',
    event: 'push',
    headBranch: 'integration',
    status: 'completed',
    conclusion: 'success',
    attempt: 1,
    ...run,
  };
  recordsOf(repo).runs.push(record);
  return record;
}

export function addCheckRun(
  repo: Repository,
  check: Partial<Omit<CheckRunRecord, 'id'>> & Pick<CheckRunRecord, 'sha' | 'name' | 'detailsUrl'>,
): CheckRunRecord {
  const record: CheckRunRecord = { id: newId(), conclusion: 'success', app: GITHUB_ACTIONS_APP, ...check };
  recordsOf(repo).checks.push(record);
  return record;
}

export function addCommitStatus(
  repo: Repository,
  status: Partial<Omit<StatusRecord, 'id' | 'createdAt'>> & Pick<StatusRecord, 'sha' | 'context'>,
): StatusRecord {
  const record: StatusRecord = {
    id: newId(),
    state: 'success',
    creator: GITHUB_ACTIONS_BOT,
    targetUrl: null,
    createdAt: stamp(),
    ...status,
  };
  recordsOf(repo).statuses.push(record);
  return record;
}

function minimalRepository(urls: Urls, repo: Repository) {
  return json.repository(urls, repo);
}

function reviewJson(urls: Urls, repo: Repository, review: ReviewRecord) {
  const html = `${urls.html}/${repo.fullName}/pull/${review.pull}#pullrequestreview-${review.id}`;
  const pullUrl = `${urls.api}/repos/${repo.fullName}/pulls/${review.pull}`;
  return {
    id: review.id,
    node_id: nodeId('PRR', review.id),
    user: json.simpleUser(urls, review.user),
    body: '',
    state: review.state,
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    author_association: review.user.type === 'Bot' ? 'NONE' : 'MEMBER',
  };
}

function runJson(urls: Urls, repo: Repository, run: WorkflowRunRecord) {
  const api = `${urls.api}/repos/${repo.fullName}/actions/runs/${run.id}`;
  const commit = repo.commits.get(run.headSha);
  const person = commit ? { name: commit.author.name, email: commit.author.email } : { name: 'x', email: 'x@x' };
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WFR', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    display_title: commit?.message.split('\n')[0] ?? run.name,
    run_number: run.id,
    run_attempt: run.attempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: 161335,
    url: api,
    html_url: `${urls.html}/${repo.fullName}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: '2025-02-01T00:00:00Z',
    updated_at: '2025-02-01T00:10:00Z',
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${urls.api}/repos/${repo.fullName}/check-suites/${run.id + 1}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    workflow_url: `${urls.api}/repos/${repo.fullName}/actions/workflows/161335`,
    head_commit: commit
      ? {
          id: commit.sha,
          tree_id: commit.tree,
          message: commit.message,
          timestamp: commit.committer.date,
          author: person,
          committer: person,
        }
      : null,
    repository: minimalRepository(urls, repo),
    head_repository: minimalRepository(urls, repo),
  };
}

function checkRunJson(urls: Urls, repo: Repository, check: CheckRunRecord) {
  const owner = json.simpleUser(urls, { login: 'github', id: 9919, type: 'Organization' });
  return {
    id: check.id,
    node_id: nodeId('CR', check.id),
    head_sha: check.sha,
    external_id: null,
    url: `${urls.api}/repos/${repo.fullName}/check-runs/${check.id}`,
    html_url: check.detailsUrl,
    details_url: check.detailsUrl,
    status: check.conclusion === null ? 'in_progress' : 'completed',
    conclusion: check.conclusion,
    started_at: '2025-02-01T00:00:00Z',
    completed_at: check.conclusion === null ? null : '2025-02-01T00:09:00Z',
    output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${urls.api}/x` },
    name: check.name,
    check_suite: { id: check.id + 1 },
    app: {
      id: check.app.id,
      slug: check.app.slug,
      node_id: nodeId('A', check.app.id),
      owner,
      name: check.app.name,
      description: null,
      external_url: `${urls.html}/apps/${check.app.slug}`,
      html_url: `${urls.html}/apps/${check.app.slug}`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { checks: 'write', statuses: 'write' },
      events: [],
    },
    pull_requests: [],
  };
}

function statusJson(urls: Urls, repo: Repository, status: StatusRecord) {
  return {
    url: `${urls.api}/repos/${repo.fullName}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: null,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: json.simpleUser(urls, status.creator),
  };
}

function resolveRef(repo: Repository, ref: string): string {
  const sha = repo.resolve(ref);
  if (!sha) throw notFound();
  return sha;
}

/** Registers the operations a promotion's verification reads. */
export function registerPromotionRecords(github: GitHubServer): void {
  github.handle(
    'repos/list-pull-requests-associated-with-commit',
    (c) => {
      const repo = c.repo();
      const sha = resolveRef(repo, c.params['commit_sha'] as string);
      // GitHub lists the merged pull request of a merge commit, and open ones whose head contains the commit.
      const pulls = [...repo.pulls.values()].filter((p) =>
        p.merged
          ? p.merged.sha === sha || repo.isAncestor(sha, repo.headSha(p))
          : repo.isAncestor(sha, repo.headSha(p)),
      );
      return {
        status: 200,
        body: pulls.map((p) => json.pullRequest(c.urls, repo, p, (login) => c.account(login), false)),
      };
    },
    [{ contents: 'read' }],
  );

  github.handle(
    'pulls/list-reviews',
    (c) => {
      const repo = c.repo();
      const number = Number(c.params['pull_number']);
      if (!repo.pulls.has(number)) throw notFound();
      const reviews = recordsOf(repo).reviews.filter((r) => r.pull === number);
      return { status: 200, body: reviews.map((r) => reviewJson(c.urls, repo, r)) };
    },
    [{ pull_requests: 'read' }],
  );

  github.handle(
    'actions/get-workflow-run',
    (c) => {
      const repo = c.repo();
      const run = recordsOf(repo).runs.find((r) => r.id === Number(c.params['run_id']));
      if (!run) throw notFound();
      return { status: 200, body: runJson(c.urls, repo, run) };
    },
    [{ actions: 'read' }],
  );

  github.handle(
    'checks/list-for-ref',
    (c) => {
      const repo = c.repo();
      const sha = resolveRef(repo, c.params['ref'] as string);
      const name = c.query.get('check_name');
      const checks = recordsOf(repo)
        .checks.filter((r) => r.sha === sha && (name === null || r.name === name))
        .reverse();
      return {
        status: 200,
        body: { total_count: checks.length, check_runs: checks.map((r) => checkRunJson(c.urls, repo, r)) },
      };
    },
    [{ checks: 'read' }],
  );

  github.handle(
    'repos/list-commit-statuses-for-ref',
    (c) => {
      const repo = c.repo();
      const sha = resolveRef(repo, c.params['ref'] as string);
      // Newest first, as GitHub lists them.
      const statuses = recordsOf(repo)
        .statuses.filter((s) => s.sha === sha)
        .reverse();
      return { status: 200, body: statuses.map((s) => statusJson(c.urls, repo, s)) };
    },
    [{ statuses: 'read' }],
  );
}
