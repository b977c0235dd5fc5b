/**
 * Production's verification step (open-promotion-pr `mode: verify`): fetches, with a small typed client, the facts
 * `verifyPromotion` decides on — the pull request merged as the deployed commit, its reviews, the manifest at the
 * commit and at the merged head, the manifest's staging run, the checks and statuses on the merged head — and
 * reports the verdict. Nothing is changed in GitHub.
 */
import { UserError } from '../errors.ts';
import { parseReleaseManifest, type ReleaseManifest } from '../release-manifest.ts';
import { code, escaped, JobSummary, link, maskSecret } from '../summary.ts';
import { RepositoryApi } from './repository-api.ts';
import { detectTokenKind } from './token.ts';
import {
  mergedPromotion,
  verifyPromotion,
  type CheckFacts,
  type PromotionFacts,
  type PullFacts,
  type ReviewFacts,
  type RunFacts,
  type Verdict,
  type VerifyPolicy,
} from './verify-promotion.ts';

/** The job `permissions:` the verification reads with. */
export const VERIFY_PERMISSIONS = {
  contents: 'read',
  'pull-requests': 'read',
  actions: 'read',
  checks: 'read',
  statuses: 'read',
} as const;

const notFound = (error: unknown) => (error as { status?: number })?.status === 404;

/** Read-only GitHub calls of the verification, each returning plain data. */
export class PromotionRecordsClient extends RepositoryApi {
  constructor(options: { token: string; repository: string; apiUrl?: string | undefined }) {
    super({ ...options, tokenInfo: detectTokenKind(options.token), userAgent: 'mlops-actions/verify-promotion' });
  }

  async pullsOfCommit(sha: string): Promise<PullFacts[]> {
    return this.call(
      'repos/list-pull-requests-associated-with-commit',
      `list the pull requests of ${sha.slice(0, 7)}`,
      async () => {
        const { data } = await this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner: this.owner,
          repo: this.repo,
          commit_sha: sha,
          per_page: 100,
        });
        return data.map((p) => ({
          number: p.number,
          url: p.html_url,
          baseRef: p.base.ref,
          headRef: p.head.ref,
          headSha: p.head.sha,
          author: { login: p.user?.login ?? 'ghost', type: p.user?.type },
          mergedAt: p.merged_at,
          mergeCommitSha: p.merge_commit_sha,
        }));
      },
    );
  }

  async reviews(number: number): Promise<ReviewFacts[]> {
    return this.call('pulls/list-reviews', `read the reviews of #${number}`, async () => {
      const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        per_page: 100,
      });
      return reviews.map((r) => ({
        login: r.user?.login ?? 'ghost',
        type: r.user?.type,
        state: r.state,
        commitId: r.commit_id,
      }));
    });
  }

  /** A workflow run of this repository; `null` when GitHub has none with that id here. */
  async run(id: string): Promise<RunFacts | null> {
    return this.call('actions/get-workflow-run', `read staging run ${id}`, async () => {
      try {
        const { data } = await this.octokit.rest.actions.getWorkflowRun({
          owner: this.owner,
          repo: this.repo,
          run_id: Number(id),
        });
        return {
          id: data.id,
          url: data.html_url,
          repository: data.repository.full_name,
          path: data.path,
          event: data.event,
          headSha: data.head_sha,
          status: data.status,
          conclusion: data.conclusion,
        };
      } catch (error) {
        if (notFound(error)) return null;
        throw error;
      }
    });
  }

  async checks(sha: string, name: string): Promise<CheckFacts> {
    const checkRuns = await this.call('checks/list-for-ref', `read the check runs of ${sha.slice(0, 7)}`, async () => {
      const { data } = await this.octokit.rest.checks.listForRef({
        owner: this.owner,
        repo: this.repo,
        ref: sha,
        check_name: name,
        filter: 'latest',
        per_page: 100,
      });
      return data.check_runs.map((c) => ({
        name: c.name,
        conclusion: c.conclusion,
        appId: c.app?.id,
        detailsUrl: c.details_url,
      }));
    });
    const statuses = await this.call(
      'repos/list-commit-statuses-for-ref',
      `read the statuses of ${sha.slice(0, 7)}`,
      async () => {
        const { data } = await this.octokit.rest.repos.listCommitStatusesForRef({
          owner: this.owner,
          repo: this.repo,
          ref: sha,
          per_page: 100,
        });
        return data.map((s) => ({
          context: s.context,
          state: s.state,
          creator: s.creator?.login,
          targetUrl: s.target_url,
        }));
      },
    );
    return { checkRuns, statuses };
  }

  async fileAt(path: string, ref: string): Promise<string | undefined> {
    return this.call('repos/get-content', `read ${path} at ${ref.slice(0, 7)}`, async () => {
      try {
        const { data } = await this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref });
        if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
        return Buffer.from(data.content, 'base64').toString('utf8');
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    });
  }
}

export interface VerifyOptions extends VerifyPolicy {
  token: string;
  repository: string;
  /** The commit on `base` production deploys. */
  commit: string;
  manifestPath: string;
  apiUrl?: string | undefined;
}

export interface VerifyResult extends Verdict {
  manifest: ReleaseManifest | undefined;
  commit: string;
  repository: string;
  requests: number;
}

/** Gathers the facts, step by step (each step needs the one before), and decides. */
export async function verifyPromotionBeforeDeploy(options: VerifyOptions): Promise<VerifyResult> {
  maskSecret(options.token);
  const client = new PromotionRecordsClient(options);
  const path = options.manifestPath.replace(/^\/+/, '');
  const facts: PromotionFacts = {
    repository: client.fullName,
    commit: options.commit,
    manifestPath: path,
    manifest: undefined,
    pulls: [],
  };
  const done = (): VerifyResult => ({
    ...verifyPromotion(facts, options),
    manifest: facts.manifest,
    commit: options.commit,
    repository: client.fullName,
    requests: client.requests,
  });
  facts.pulls = await client.pullsOfCommit(options.commit);
  const pull = mergedPromotion(facts, options);
  if (!pull) return done();
  facts.reviews = await client.reviews(pull.number);
  const text = await client.fileAt(path, options.commit);
  try {
    facts.manifest =
      text === undefined ? undefined : parseReleaseManifest(text, `${path} at ${options.commit.slice(0, 7)}`);
  } catch (error) {
    facts.manifestProblem = (error as Error).message;
  }
  if (!facts.manifest) return done();
  facts.manifestMatchesPull = (await client.fileAt(path, pull.headSha)) === text;
  if (facts.manifest.source.commit !== pull.headSha)
    facts.comparison = await client.compare(facts.manifest.source.commit, pull.headSha);
  if (facts.manifest.run?.id) facts.run = await client.run(facts.manifest.run.id);
  if (facts.run) facts.checks = await client.checks(pull.headSha, options.stagingCheck);
  return done();
}

/** The job summary: the verdict, one row per check. */
export function verificationSummary(result: VerifyResult): JobSummary {
  const summary = new JobSummary().heading(
    result.ok
      ? escaped`🔐 Promotion verified: production may deploy`
      : escaped`⛔ Promotion not verified: nothing is deployed`,
  );
  summary.table(
    ['check', 'result', 'what was seen'],
    result.findings.map((f) => [f.check, f.ok ? '✅' : '❌', f.detail]),
  );
  if (result.pull)
    summary.paragraph(
      escaped`Pull request: ${link(`#${result.pull.number}`, result.pull.url)} · commit ${code(result.commit.slice(0, 7))} · ${result.requests} GitHub requests`,
    );
  return summary;
}

/** The failure for an unverified promotion: every check that failed, and what to do. */
export function verificationError(result: VerifyResult): UserError {
  const failed = result.findings.filter((f) => !f.ok).map((f) => `- ${f.check}: ${f.detail}`);
  return new UserError(
    `The promotion of ${result.commit.slice(0, 7)} in ${result.repository} is not verified, so production deploys nothing:\n${failed.join('\n')}\n` +
      'Production deploys only what reached the base branch through an approved promotion pull request of a commit staging tested and passed.',
  );
}
