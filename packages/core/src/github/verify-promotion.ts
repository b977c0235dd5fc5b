/**
 * Production's check before it deploys a release manifest: a file on `main` proves nothing by itself, so the
 * commit must have come the way the pipeline promises — a merged promotion pull request from the staging branch,
 * approved by a person other than its author (the gate that exists on every GitHub plan), carrying only what staging
 * tested, whose staging run exists in this repository, ran the staging workflow and succeeded, and whose required
 * check came from GitHub Actions. Pure: the facts are fetched by `PromotionRecordsClient`.
 */
import type { ReleaseManifest } from '../release-manifest.ts';
import { headPosition, type BranchComparison } from './tested-head.ts';

/** The GitHub App of GitHub Actions: rulesets pin the `staging` check to it (`integration_id`). */
export const GITHUB_ACTIONS_APP_ID = 15368;
/** The account GitHub Actions' GITHUB_TOKEN acts as (creator of the statuses a workflow posts). */
export const GITHUB_ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface PullFacts {
  number: number;
  url: string;
  baseRef: string;
  headRef: string;
  headSha: string;
  author: { login: string; type: string | undefined };
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface ReviewFacts {
  login: string;
  type: string | undefined;
  state: string;
  commitId: string | null;
}

export interface RunFacts {
  id: number;
  url: string;
  repository: string;
  path: string;
  event: string;
  headSha: string;
  status: string | null;
  conclusion: string | null;
}

export interface CheckFacts {
  /** Check runs of the merged head, newest first: name, conclusion, reporting app, details link. */
  checkRuns: { name: string; conclusion: string | null; appId: number | undefined; detailsUrl: string | null }[];
  /** Commit statuses of the merged head, newest first. */
  statuses: { context: string; state: string; creator: string | undefined; targetUrl: string | null }[];
}

export interface PromotionFacts {
  repository: string;
  /** The commit on `base` that production is about to deploy. */
  commit: string;
  manifestPath: string;
  /** The manifest at `commit` (`undefined`: missing or invalid, with `manifestProblem`). */
  manifest: ReleaseManifest | undefined;
  manifestProblem?: string | undefined;
  /** The manifest file's text at the merged head equals the one at `commit`. */
  manifestMatchesPull?: boolean | undefined;
  /** Pull requests GitHub associates with `commit`. */
  pulls: PullFacts[];
  reviews?: ReviewFacts[] | undefined;
  /** The manifest's staging run (`null`: GitHub has no such run in this repository). */
  run?: RunFacts | null | undefined;
  checks?: CheckFacts | undefined;
  /** Compare of the tested commit with the merged head. */
  comparison?: BranchComparison | undefined;
}

export interface VerifyPolicy {
  head: string;
  base: string;
  /** Path of the staging workflow file, e.g. `.github/workflows/cd-staging.yml`. */
  stagingWorkflow: string;
  /** The required check's name (the staging job's `name:`). */
  stagingCheck: string;
  /** Approvals by people other than the author, on the merged head. */
  requiredApprovals: number;
}

export interface Finding {
  check: string;
  ok: boolean;
  detail: string;
}

export interface Verdict {
  ok: boolean;
  findings: Finding[];
  pull: PullFacts | undefined;
}

const short = (sha: string) => sha.slice(0, 7);
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The promotion pull request `commit` is the merge of, if any. */
export function mergedPromotion(facts: Pick<PromotionFacts, 'pulls' | 'commit'>, policy: VerifyPolicy) {
  return facts.pulls.find(
    (p) =>
      p.mergedAt !== null &&
      p.mergeCommitSha === facts.commit &&
      p.baseRef === policy.base &&
      p.headRef === policy.head,
  );
}

/** Each reviewer's standing review (the latest that approves, requests changes or was dismissed). */
export function approvals(reviews: readonly ReviewFacts[], pull: PullFacts) {
  const latest = new Map<string, ReviewFacts>();
  for (const review of reviews) {
    if (['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(review.state))
      latest.set(review.login.toLowerCase(), review);
  }
  const standing = [...latest.values()].filter((r) => r.state === 'APPROVED');
  const counted = standing.filter(
    (r) => !same(r.login, pull.author.login) && r.type === 'User' && r.commitId === pull.headSha,
  );
  const notCounted = standing
    .filter((r) => !counted.includes(r))
    .map((r) =>
      same(r.login, pull.author.login)
        ? `${r.login} (the author)`
        : r.type !== 'User'
          ? `${r.login} (not a person)`
          : `${r.login} (approved ${r.commitId ? short(r.commitId) : 'another commit'}, not the merged head)`,
    );
  return { counted: counted.map((r) => r.login), notCounted };
}

function checkFinding(checks: CheckFacts, run: RunFacts, name: string): Finding {
  const check = 'required check';
  // The run's own page, or a page under it (a job of the run): not merely a URL that contains its id.
  const fromRun = (url: string | null) => url !== null && (url === run.url || url.startsWith(`${run.url}/`));
  const checkRun = checks.checkRuns.find((c) => c.name === name);
  if (checkRun?.conclusion === 'success' && checkRun.appId === GITHUB_ACTIONS_APP_ID && fromRun(checkRun.detailsUrl))
    return { check, ok: true, detail: `\`${name}\` succeeded, reported by GitHub Actions for run ${run.id}` };
  const status = checks.statuses.find((s) => s.context === name);
  if (status?.state === 'success' && status.creator === GITHUB_ACTIONS_BOT_LOGIN && fromRun(status.targetUrl))
    return { check, ok: true, detail: `\`${name}\` succeeded, posted by GitHub Actions from run ${run.id}` };
  // Links are whatever the reporter set: say only whether they point at the run, never print them.
  const link = (url: string | null) => (fromRun(url) ? `linking run ${run.id}` : 'not linking the staging run');
  const seen = [
    ...(checkRun
      ? [
          `a check run (${checkRun.conclusion ?? 'pending'}, app ${checkRun.appId ?? 'none'}, ${link(checkRun.detailsUrl)})`,
        ]
      : []),
    ...(status ? [`a status (${status.state}, by ${status.creator ?? 'unknown'}, ${link(status.targetUrl)})`] : []),
  ];
  return {
    check,
    ok: false,
    detail:
      `no successful \`${name}\` from GitHub Actions (app ${GITHUB_ACTIONS_APP_ID}) for staging run ${run.id} on the merged head` +
      (seen.length > 0 ? `; found ${seen.join(' and ')}` : '') +
      ': a check of that name from anything else does not count.',
  };
}

/** The verdict: every check, passed or not, with what was seen. */
export function verifyPromotion(facts: PromotionFacts, policy: VerifyPolicy): Verdict {
  const findings: Finding[] = [];
  const add = (check: string, ok: boolean, detail: string) => findings.push({ check, ok, detail });
  const pull = mergedPromotion(facts, policy);
  if (!pull) {
    const others = facts.pulls.map((p) => `#${p.number} (${p.headRef} → ${p.baseRef})`).join(', ');
    add(
      'merged promotion pull request',
      false,
      `${short(facts.commit)} is not the merge of a pull request ${policy.head} → ${policy.base}` +
        `${others ? ` (associated: ${others})` : ''}: it was pushed directly or merged from elsewhere.`,
    );
    return { ok: false, findings, pull };
  }
  add(
    'merged promotion pull request',
    true,
    `#${pull.number} ${policy.head} → ${policy.base}, merged as ${short(facts.commit)}`,
  );

  const { counted, notCounted } = approvals(facts.reviews ?? [], pull);
  add(
    'approval',
    counted.length >= policy.requiredApprovals,
    `${counted.length} of ${policy.requiredApprovals} approval${policy.requiredApprovals === 1 ? '' : 's'} by someone other than the author (${pull.author.login}) on the merged head ${short(pull.headSha)}` +
      (counted.length > 0 ? `: ${counted.join(', ')}` : '') +
      (notCounted.length > 0 ? `; not counted: ${notCounted.join(', ')}` : ''),
  );

  const manifest = facts.manifest;
  if (!manifest) {
    add(
      'release manifest',
      false,
      facts.manifestProblem ?? `${facts.manifestPath} is missing at ${short(facts.commit)}`,
    );
    return { ok: false, findings, pull };
  }
  add(
    'release manifest',
    facts.manifestMatchesPull === true,
    facts.manifestMatchesPull
      ? `${facts.manifestPath} is the one the pull request carried`
      : `${facts.manifestPath} at ${short(facts.commit)} differs from the pull request's head ${short(pull.headSha)}: it was changed outside the promotion`,
  );

  const tested = manifest.source.commit;
  const sourceHere = same(manifest.source.repository, facts.repository);
  const position = sourceHere
    ? headPosition({ tested, head: pull.headSha, comparison: facts.comparison, manifestPath: facts.manifestPath })
    : undefined;
  add(
    'tested code',
    position?.kind === 'tested' || position?.kind === 'tested-with-manifest',
    !sourceHere
      ? `the manifest's source is ${manifest.source.repository}, not ${facts.repository}`
      : position?.kind === 'untested'
        ? `the merged head ${short(pull.headSha)} has ${position.commits} commit(s) beyond the tested ${short(tested)} changing ${position.files.join(', ')}: not tested by staging`
        : position?.kind === 'not-contained'
          ? `the merged head ${short(pull.headSha)} does not contain the tested commit ${short(tested)}`
          : `the merged head ${short(pull.headSha)} is the tested commit ${short(tested)}${position?.kind === 'tested-with-manifest' ? ' plus the release manifest' : ''}`,
  );

  const run = facts.run;
  if (!manifest.run?.id || !run) {
    add(
      'staging run',
      false,
      !manifest.run?.id
        ? 'the manifest records no staging run id'
        : `run ${manifest.run.id} does not exist in ${facts.repository}`,
    );
    return { ok: false, findings, pull };
  }
  const problems = [
    ...(same(run.repository, facts.repository) ? [] : [`belongs to ${run.repository}`]),
    ...(run.path === policy.stagingWorkflow ? [] : [`ran ${JSON.stringify(run.path)}, not ${policy.stagingWorkflow}`]),
    // A workflow_run-triggered run carries the default branch's commit; the tested one is vouched by its check.
    ...(run.headSha === tested || run.event === 'workflow_run'
      ? []
      : [`ran on ${short(run.headSha)}, not ${short(tested)}`]),
    ...(run.status === 'completed' && run.conclusion === 'success'
      ? []
      : [`is ${run.status ?? 'unknown'}${run.conclusion ? ` (${run.conclusion})` : ''}, not a success`]),
  ];
  add(
    'staging run',
    problems.length === 0,
    problems.length === 0
      ? `run ${run.id} (${run.event}) of ${run.path} on ${short(run.headSha)} succeeded`
      : `run ${run.id} ${problems.join('; ')}`,
  );
  findings.push(checkFinding(facts.checks ?? { checkRuns: [], statuses: [] }, run, policy.stagingCheck));
  return { ok: findings.every((f) => f.ok), findings, pull };
}
