/**
 * The promotion pull request: from `head` (the branch staging tested) into `base` (what production deploys),
 * carrying the release manifest. It is looked up first, created or updated in its marked evidence section only,
 * and the release manifest is optionally committed to `head` first (Git Data API, fast-forward only) so that the
 * pull request's diff shows exactly what changes in production.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UserError } from '../errors.ts';
import { isInside, workspaceRoot } from '../files.ts';
import {
  buildReleaseManifest,
  DEPLOYED_FIELDS,
  diffReleaseManifests,
  findEvidenceSection,
  parseEvidenceSection,
  parseReleaseManifest,
  renderEvidenceSection,
  replaceEvidenceSection,
  sameEvidenceSection,
  sameRelease,
  serializeReleaseManifest,
  readTestReport,
  type ReleaseEvidence,
  type TestReportRelease,
  type ReleaseManifest,
} from '../release-manifest.ts';
import { runContext } from '../run-context.ts';
import { code, joinMarkdown, JobSummary, link, Markdown, maskSecret, escaped } from '../summary.ts';
import { GitHubClient, type MergeMethod } from './client.ts';
import { BranchMovedError } from './errors.ts';
import { planAssignees, planLabels, planReviewers } from './promotion-plan.ts';
import { checkSourceRepository, headPosition, notContainedError, untestedHeadReason } from './tested-head.ts';
import {
  detectTokenKind,
  refineWithAuthor,
  refineWithScopes,
  tokenChecksExplanation,
  type TokenInfo,
} from './token.ts';

export type PromotionOperation = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface PromotionOptions {
  token: string;
  /** The job's GITHUB_TOKEN, only compared with `token` to tell which kind it is (never sent). */
  jobToken?: string | undefined;
  /** `owner/name`. */
  repository: string;
  head: string;
  base: string;
  /** The release manifest, or where to get it from (see `resolvePromotionManifest`). */
  manifest: ReleaseManifest | PromotionManifestSource;
  /** Where the manifest lives in the repository: committed to `head`, and read from `base` as production's. */
  manifestPath?: string | undefined;
  /** Commit message for the manifest; `{model}` and `{version}` are filled in. */
  commitMessage?: string | undefined;
  /** Title of a new pull request (an existing one keeps its title); `{model}` and `{version}` are filled in. */
  title?: string | undefined;
  /** Text above the evidence section of a new pull request. */
  body?: string | undefined;
  labels?: readonly string[] | undefined;
  removeLabels?: readonly string[] | undefined;
  reviewers?: readonly string[] | undefined;
  teamReviewers?: readonly string[] | undefined;
  assignees?: readonly string[] | undefined;
  /** Open a new pull request as a draft (an existing one keeps its state). */
  draft?: boolean | undefined;
  /** Turn on auto-merge with this method; undefined leaves auto-merge as it is. */
  autoMerge?: MergeMethod | undefined;
  apiUrl?: string | undefined;
  graphqlUrl?: string | undefined;
  /** Web root for links (default `GITHUB_SERVER_URL`, else https://github.com). */
  serverUrl?: string | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface PromotionResult {
  operation: PromotionOperation;
  number: number | undefined;
  url: string | undefined;
  /** The head commit the pull request now has: the tested commit (or it plus manifest commits); unset when skipped for untested commits. */
  headSha: string | undefined;
  /** The release manifest commit this run made, if any. */
  manifestCommit: string | undefined;
  /** The manifest the pull request carries (the one already committed, when it describes the same release). */
  manifest: ReleaseManifest;
  /** Production's manifest (`null`: none yet; `undefined`: unknown, no `manifestPath`). */
  production: ReleaseManifest | null | undefined;
  /** What this run changed, one line each. */
  changes: string[];
  /** Why nothing was done, for `skipped`. */
  reason: string | undefined;
  token: TokenInfo;
  /** GitHub requests this run made. */
  requests: number;
  head: string;
  base: string;
  repository: string;
}

export const DEFAULT_TITLE = 'Promote {model} version {version} to production';
export const DEFAULT_COMMIT_MESSAGE = 'Release manifest: {model} version {version}, tested in staging';
export const DEFAULT_BODY =
  'This pull request promotes to production exactly what staging deployed and tested. Merging it starts the ' +
  'production workflow, which deploys the model and image recorded in the release manifest below.\n\n' +
  'The "Staging evidence" section below is rewritten by the open-promotion-pr action on every staging run; write anything else above or below it, where it is kept.';

export function fillTemplate(template: string, manifest: ReleaseManifest): string {
  return template.replace(/\{model\}/g, manifest.model.name).replace(/\{version\}/g, manifest.model.version);
}

/** The job `permissions:` a run with these options needs. */
export function requiredJobPermissions(options: {
  manifestPath?: string | undefined;
  autoMerge?: MergeMethod | undefined;
}): Record<string, 'read' | 'write'> {
  return {
    contents: options.manifestPath || options.autoMerge ? 'write' : 'read',
    'pull-requests': 'write',
  };
}

function readManifestText(
  text: string | undefined,
  where: string,
  log: (line: string) => void,
): ReleaseManifest | null | undefined {
  if (text === undefined) return null;
  try {
    return parseReleaseManifest(text, where);
  } catch (error) {
    log(`Warning: ${(error as Error).message} It is treated as absent.`);
    return undefined;
  }
}

/**
 * Where the release manifest comes from: an existing manifest (a file an earlier step wrote, or the JSON itself),
 * or the outputs of staging's deploy and test steps, from which it is built here.
 */
export interface PromotionManifestSource {
  /** A release manifest: a path (relative to the workspace, or absolute under the workspace or RUNNER_TEMP) or JSON. */
  manifest?: string | undefined;
  /** aml-endpoint-deploy's `model` and `model-version` (and `model-id`). */
  model?: string | undefined;
  modelVersion?: string | undefined;
  modelId?: string | undefined;
  /** aml-endpoint-deploy's `deployment`: checked against the slot the test report is about. */
  deployment?: string | undefined;
  /** aml-endpoint-test's `report` (path to its JSON report): the evidence. */
  testReport?: string | undefined;
  /** build-container's `image` (`name@sha256:…`). */
  image?: string | undefined;
  /** The commit staging deployed (default: the run's commit). */
  commit?: string | undefined;
}

/** A file input: relative to the workspace; absolute only under the workspace or the runner's temp directory. */
function readInputFile(input: string, path: string): { path: string; text: string } {
  const workspace = workspaceRoot();
  const absolute = resolve(workspace, path);
  const roots = [workspace, process.env['RUNNER_TEMP']].filter((r): r is string => Boolean(r)).map((r) => resolve(r));
  const inside = roots.some((root) => isInside(absolute, root));
  if (!inside) {
    throw new InputError(
      input,
      `is '${path}', outside the workspace and the runner's temp directory: pass the file an earlier step of this job wrote.`,
    );
  }
  try {
    return { path: absolute, text: readFileSync(absolute, 'utf8') };
  } catch {
    throw new InputError(
      input,
      `is '${path}', which cannot be read (looked for ${absolute}): it must be written by an earlier step of the same job.`,
    );
  }
}

export function resolvePromotionManifest(source: PromotionManifestSource): ReleaseManifest {
  const run = runContext();
  if (source.manifest !== undefined) {
    const inline = source.manifest.trim().startsWith('{');
    const { path, text } = inline
      ? { path: "input 'manifest'", text: source.manifest }
      : readInputFile('manifest', source.manifest);
    const manifest = parseReleaseManifest(text, path);
    for (const [input, given, recorded] of [
      ['model', source.model, manifest.model.name],
      ['model-version', source.modelVersion, manifest.model.version],
      ['deployment', source.deployment, manifest.evidence?.deployment],
    ] as const) {
      if (given !== undefined && recorded !== undefined && given !== recorded) {
        throw new InputError(
          input,
          `is '${given}' but the release manifest records '${recorded}': promote one release, not a mix of two.`,
        );
      }
    }
    return manifest;
  }
  let evidence: ReleaseEvidence | undefined;
  let reported: TestReportRelease | undefined;
  if (source.testReport) {
    const { path } = readInputFile('test-report', source.testReport);
    reported = readTestReport(path);
    evidence = reported.evidence;
    if (source.deployment && evidence.deployment !== source.deployment) {
      throw new UserError(
        `The test report is about deployment '${evidence.deployment}' but the deploy step deployed '${source.deployment}': the evidence must be for the slot being promoted.`,
        { input: 'test-report' },
      );
    }
    // The report knows what the tested slot runs (from its tags): the inputs, when given, must agree.
    for (const [input, given, recorded] of [
      ['model', source.model, reported.model?.name],
      ['model-version', source.modelVersion, reported.model?.version],
    ] as const) {
      if (given !== undefined && recorded !== undefined && given !== recorded) {
        throw new InputError(
          input,
          `is '${given}' but deployment '${evidence.deployment}' that was tested runs '${recorded}' (test report): promote what was tested.`,
        );
      }
    }
  }
  const name = source.model ?? reported?.model?.name;
  const version = source.modelVersion ?? reported?.model?.version;
  if (!name) {
    throw new InputError(
      'model',
      "is required without 'manifest' (or a test report that names the model): pass the deploy step's `model` output.",
    );
  }
  if (!version)
    throw new InputError(
      'model-version',
      "is required without 'manifest': pass the deploy step's `model-version` output.",
    );
  const repository = run.repository;
  const commit = source.commit ?? run.commit;
  if (!repository || !commit)
    throw new UserError('GITHUB_REPOSITORY and GITHUB_SHA are not set: run this action in a GitHub Actions job.');
  return buildReleaseManifest({
    model: { name, version, id: source.modelId ?? reported?.model?.id },
    environment: reported?.environmentId ? { id: reported.environmentId } : undefined,
    image: source.image,
    source: { repository, commit, ref: run.ref },
    evidence,
    run: run.runUrl ? { url: run.runUrl, id: run.runId, attempt: run.runAttempt } : undefined,
  });
}

/** Opens or updates the promotion pull request. The one function the open-promotion-pr action calls. */
export async function openPromotionPullRequest(options: PromotionOptions): Promise<PromotionResult> {
  const log = options.log ?? (() => undefined);
  maskSecret(options.token);
  maskSecret(options.jobToken);
  if (options.draft && options.autoMerge) {
    throw new InputError(
      'auto-merge',
      "and 'draft' are both set: GitHub does not enable auto-merge on a draft pull request. Drop one of them.",
    );
  }
  if (options.head === options.base) {
    throw new UserError(
      `'head' and 'base' are both '${options.head}': the promotion pull request goes from the staging branch into the production branch.`,
    );
  }
  let manifest = 'schema' in options.manifest ? options.manifest : resolvePromotionManifest(options.manifest);
  if (manifest.evidence && !manifest.evidence.passed) {
    throw new UserError(
      `The release manifest records a failed staging test (${manifest.evidence.casesPassed}/${manifest.evidence.casesTotal} cases on ${manifest.evidence.deployment}): nothing is promoted.`,
    );
  }
  if (!manifest.evidence) log('Warning: the release manifest carries no test evidence; the pull request will say so.');

  const jobPermissions = requiredJobPermissions(options);
  let token = detectTokenKind(options.token, options.jobToken);
  const client = new GitHubClient({
    token: options.token,
    repository: options.repository,
    tokenInfo: token,
    apiUrl: options.apiUrl,
    graphqlUrl: options.graphqlUrl,
    jobPermissions,
  });
  const serverUrl = (options.serverUrl ?? process.env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, '');
  const changes: string[] = [];
  const { head, base } = options;

  let pull = await client.findOpenPullRequest(head, base);
  log(
    pull
      ? `Found the open pull request #${pull.number} (${head} → ${base}).`
      : `No open pull request ${head} → ${base} yet.`,
  );

  let headSha = await client.branchSha(head);
  if (!headSha) {
    throw new UserError(
      `The head branch '${head}' does not exist in ${options.repository}: push it first, or set 'head' to the branch staging deploys from.`,
    );
  }

  let production: ReleaseManifest | null | undefined;
  let manifestCommit: string | undefined;
  const manifestPath = options.manifestPath?.replace(/^\/+/, '');
  const skipped = (reason: string, sha: string | undefined): PromotionResult => {
    log(reason);
    return {
      operation: 'skipped',
      number: pull?.number,
      url: pull?.url,
      headSha: sha,
      manifestCommit,
      manifest,
      production,
      changes,
      reason,
      token: refineWithScopes(token, client.oauthScopes),
      requests: client.requests,
      head,
      base,
      repository: options.repository,
    };
  };

  // Only the tested commit is promoted: nothing pushed to head since the test rides along.
  checkSourceRepository(manifest.source, options.repository);
  const tested = manifest.source.commit;
  const comparison = headSha === tested ? undefined : await client.compare(tested, headSha);
  const position = headPosition({ tested, head: headSha, comparison, manifestPath });
  if (position.kind === 'not-contained') throw notContainedError({ head, headSha, tested });
  if (position.kind === 'untested') return skipped(untestedHeadReason(position, { head, headSha, tested }), undefined);

  // Production's manifest (on base) and the one already on head.
  if (manifestPath) {
    const path = manifestPath;
    production = readManifestText(await client.readFile(path, base), `${path} on ${base}`, log);
    const onHead = readManifestText(await client.readFile(path, headSha), `${path} on ${head}`, log);
    if (onHead && sameRelease(onHead, manifest)) {
      manifest = onHead;
      log(`${path} on ${head} already records this release: no commit needed.`);
    } else {
      const message = fillTemplate(options.commitMessage ?? DEFAULT_COMMIT_MESSAGE, manifest);
      const tree = await client.commitTree(headSha);
      const blob = await client.createBlob(serializeReleaseManifest(manifest));
      const newTree = await client.createTree(tree, path, blob);
      const commit = await client.createCommit(message, newTree, headSha);
      try {
        await client.fastForward(head, commit);
      } catch (error) {
        if (!(error instanceof BranchMovedError)) throw error;
        const now = await client.branchSha(head).catch(() => undefined);
        throw new UserError(
          `'${head}' moved from ${headSha.slice(0, 7)} to ${now?.slice(0, 7) ?? 'another commit'} while the release manifest was being committed, ` +
            `so it was not updated: nothing was forced, and the manifest commit ${commit.slice(0, 7)} is left unreferenced. ` +
            `The new commits on '${head}' were not tested by this run: let staging deploy and test them (its workflow runs on the push), ` +
            `and that run will open or update the promotion. ${error.message}`,
        );
      }
      manifestCommit = commit;
      headSha = commit;
      changes.push(`committed ${path} to ${head} (${commit.slice(0, 7)})`);
      log(`Committed ${path} to ${head}: ${commit}.`);
    }
  } else if (pull) {
    // Without a committed manifest, keep the pull request's own record when it describes the same release.
    try {
      const recorded = parseEvidenceSection(pull.body);
      if (recorded && sameRelease(recorded, manifest)) manifest = recorded;
    } catch {
      // A hand-edited section that no longer parses is simply rewritten.
    }
  }

  if (!manifestCommit && (await client.aheadBy(base, headSha)) === 0) {
    return skipped(
      `'${head}' has no commits beyond '${base}'${manifestPath ? ' and the release manifest is unchanged' : ''}: there is nothing to promote.`,
      headSha,
    );
  }

  const section = renderEvidenceSection(manifest, { production, serverUrl });
  let created = false;
  if (!pull) {
    try {
      pull = await client.createPullRequest({
        head,
        base,
        title: fillTemplate(options.title ?? DEFAULT_TITLE, manifest),
        body: replaceEvidenceSection(options.body ?? DEFAULT_BODY, section),
        draft: options.draft ?? false,
      });
      created = true;
      token = refineWithAuthor(token, pull.author);
      client.tokenInfo = token;
      changes.push(`opened pull request #${pull.number}${pull.draft ? ' as a draft' : ''}`);
      log(`Opened pull request #${pull.number}: ${pull.url}`);
    } catch (error) {
      // Another run opened it meanwhile: update that one instead.
      if (!/already exists/i.test((error as Error).message)) throw error;
      pull = await client.findOpenPullRequest(head, base);
      if (!pull) throw error;
      log(`Pull request #${pull.number} was opened meanwhile by another run: updating it.`);
    }
  }
  if (!created) {
    if (sameEvidenceSection(findEvidenceSection(pull.body)?.text, section)) {
      log(`The evidence section of #${pull.number} is already up to date.`);
    } else {
      pull = await client.updateBody(pull.number, replaceEvidenceSection(pull.body, section));
      changes.push('updated the evidence section');
      log(`Updated the evidence section of #${pull.number}; the title and the rest of the body are kept.`);
    }
    if (options.draft && !pull.draft)
      log('Note: `draft` applies to new pull requests only; the existing one is left ready for review.');
  }

  const labels = planLabels(pull.labels, options.labels ?? [], options.removeLabels ?? []);
  if (labels.add.length > 0) {
    await client.addLabels(pull.number, labels.add);
    changes.push(`added label${labels.add.length > 1 ? 's' : ''} ${labels.add.join(', ')}`);
  }
  for (const name of labels.remove) await client.removeLabel(pull.number, name);
  if (labels.remove.length > 0)
    changes.push(`removed label${labels.remove.length > 1 ? 's' : ''} ${labels.remove.join(', ')}`);

  const reviews = planReviewers(pull, options.reviewers ?? [], options.teamReviewers ?? []);
  if (reviews.skippedAuthor)
    log(`Note: ${pull.author.login} opened the pull request and cannot be asked to review it.`);
  if (reviews.reviewers.length > 0 || reviews.teams.length > 0) {
    await client.requestReviewers(pull.number, reviews.reviewers, reviews.teams);
    changes.push(
      `requested reviews from ${[...reviews.reviewers, ...reviews.teams.map((t) => `team ${t}`)].join(', ')}`,
    );
  }

  const assignees = planAssignees(pull.assignees, options.assignees ?? []);
  if (assignees.length > 0) {
    await client.addAssignees(pull.number, assignees);
    changes.push(`assigned ${assignees.join(', ')}`);
  }

  if (options.autoMerge && pull.draft) {
    log(`Note: #${pull.number} is a draft, and GitHub does not enable auto-merge on drafts: it is left off.`);
  } else if (options.autoMerge && pull.autoMerge?.method !== options.autoMerge) {
    await client.enableAutoMerge(pull.nodeId, options.autoMerge, headSha);
    changes.push(`enabled auto-merge (${options.autoMerge}) for head ${headSha.slice(0, 7)}`);
  }

  token = refineWithScopes(token, client.oauthScopes);
  return {
    operation: created ? 'created' : changes.length > 0 ? 'updated' : 'unchanged',
    number: pull.number,
    url: pull.url,
    headSha,
    manifestCommit,
    manifest,
    production,
    changes,
    reason: undefined,
    token,
    requests: client.requests,
    head,
    base,
    repository: options.repository,
  };
}

const HEADINGS: Record<PromotionOperation, string> = {
  created: '🚀 Promotion pull request opened',
  updated: '🔁 Promotion pull request updated',
  unchanged: '✅ Promotion pull request already up to date',
  skipped: '⏭️ Nothing to promote',
};

/** The job summary of a promotion: what was done, what changes in production, and what the token means for checks. */
export function promotionSummary(result: PromotionResult): JobSummary {
  const { manifest } = result;
  const summary = new JobSummary().heading(
    escaped`${HEADINGS[result.operation]}${result.number !== undefined ? `: #${result.number}` : ''}`,
  );
  summary.table(
    ['what', 'value'],
    [
      ['pull request', result.url ? link(`#${result.number}`, result.url) : '—'],
      ['branches', escaped`${code(result.head)} → ${code(result.base)}`],
      ['operation', result.operation],
      ['model', escaped`${code(manifest.model.name)} version ${code(manifest.model.version)}`],
      ['image', manifest.image ? code(`${manifest.image.name}@${manifest.image.digest}`) : '—'],
      [
        'tested',
        manifest.evidence
          ? escaped`${manifest.evidence.passed ? 'passed' : 'FAILED'}: ${manifest.evidence.casesPassed}/${manifest.evidence.casesTotal} cases on ${code(manifest.evidence.deployment)}`
          : 'no evidence',
      ],
      ['manifest commit', result.manifestCommit ? code(result.manifestCommit.slice(0, 7)) : '—'],
      ['GitHub requests', result.requests],
    ],
  );
  if (result.reason) summary.paragraph(escaped`${result.reason}`);
  if (result.changes.length > 0)
    summary
      .heading(escaped`What this run changed`, 3)
      .paragraph(joinMarkdown(result.changes.map((change) => escaped`- ${change}`)));
  if (result.production !== undefined) {
    const changes = diffReleaseManifests(result.production ?? undefined, manifest, { only: DEPLOYED_FIELDS });
    summary.heading(escaped`What changes in production`, 3);
    if (result.production === null)
      summary.paragraph(escaped`Production has no release manifest yet: this is its first promotion.`);
    else if (changes.length === 0) summary.paragraph(escaped`Nothing that runs changes.`);
    else {
      const show = (value: unknown, field: string) =>
        value === undefined ? undefined : code(field === 'source.commit' ? String(value).slice(0, 7) : String(value));
      summary.table(
        ['field', 'production now', 'after merge'],
        changes.map((c) => [c.field, show(c.before, c.field), show(c.after, c.field)]),
      );
    }
  }
  if (result.operation !== 'skipped') {
    summary
      .heading(escaped`Checks on this pull request`, 3)
      .paragraph(
        // Our wording; the only outside part (the token's login) is escaped where it is written in.
        new Markdown(
          tokenChecksExplanation(result.token, {
            created: result.operation === 'created',
            pushed: result.manifestCommit !== undefined,
          }),
        ),
      )
      .paragraph(escaped`<sub>Token kind from: ${result.token.evidence.join('; ')}.</sub>`);
  }
  return summary;
}
