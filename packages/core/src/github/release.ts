import { UserError } from '../errors.ts';
import { RepositoryApi } from './repository-api.ts';

/**
 * Releases of this repository's actions, as a published action has them: `vX.Y.Z` (a GitHub release whose notes
 * are the changelog's section) and the major tag `vX` that users pin, moved to the new release. Compatible with
 * immutable releases: the release is created as a draft (no tag yet), then published, which creates `vX.Y.Z` at the
 * released commit; nothing is edited after that. The major tag is a plain tag, never a release, so it can move.
 */

export interface ReleaseState {
  /** Tag names that exist (`v1.2.3`, `v1`, …). */
  tags: string[];
  /** Releases by tag: published, or a draft left by an earlier run that stopped before publishing. */
  releases: { id: number; tag: string; draft: boolean }[];
}

export interface ReleasePlan {
  version: string;
  tag: string;
  majorTag: string;
  notes: string;
  /** An earlier run's draft of this release, published instead of a new one. */
  draftId: number | undefined;
  /** Whether the major tag exists (moved) or not (created). */
  majorTagExists: boolean;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function parseVersion(version: string): [number, number, number] | undefined {
  const match = SEMVER.exec(version.replace(/^v/, ''));
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The changelog's section for a version: from its `## vX.Y.Z` (or `## [X.Y.Z]`) heading to the next `## `. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const heading = new RegExp(`^## \\[?v?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  return body === '' ? undefined : body;
}

/** What to do for a release of `version`, or why not: decided from plain data, before any change. */
export function planRelease(version: string, changelog: string, state: ReleaseState): ReleasePlan {
  const parsed = parseVersion(version);
  if (!parsed) throw new UserError(`Version '${version}' is not X.Y.Z (e.g. 1.4.0).`, { input: 'version' });
  const clean = parsed.join('.');
  const tag = `v${clean}`;
  const majorTag = `v${parsed[0]}`;
  const published = state.releases.find((r) => r.tag === tag && !r.draft);
  if (published || state.tags.includes(tag)) {
    throw new UserError(
      `${tag} is already released${published ? '' : ' (the tag exists)'}: a release is never replaced; release a new version.`,
      { input: 'version' },
    );
  }
  const newer = state.tags
    .map((t) => [t, parseVersion(t)] as const)
    .filter(([t, v]) => v && v[0] === parsed[0] && /^v\d+\.\d+\.\d+$/.test(t) && compareVersions(v, parsed) > 0)
    .map(([t]) => t);
  if (newer.length > 0) {
    throw new UserError(
      `${newer.join(', ')} is newer than ${tag}: releasing it would move ${majorTag} back. Release a higher version.`,
      { input: 'version' },
    );
  }
  const notes = changelogSection(changelog, clean);
  if (!notes) {
    throw new UserError(`CHANGELOG.md has no section for ${tag}: add '## ${tag}' with what changed, then release.`, {
      input: 'version',
    });
  }
  return {
    version: clean,
    tag,
    majorTag,
    notes,
    draftId: state.releases.find((r) => r.tag === tag && r.draft)?.id,
    majorTagExists: state.tags.includes(majorTag),
  };
}

export interface ReleaseResult {
  tag: string;
  majorTag: string;
  sha: string;
  url: string;
  majorTagMoved: boolean;
}

export class ReleaseClient extends RepositoryApi {
  async state(): Promise<ReleaseState> {
    const refs = await this.call('git/list-matching-refs', 'list the tags', () =>
      this.octokit.paginate(this.octokit.rest.git.listMatchingRefs, {
        owner: this.owner,
        repo: this.repo,
        ref: 'tags/v',
      }),
    );
    const releases = await this.call('repos/list-releases', 'list the releases', () =>
      this.octokit.paginate(this.octokit.rest.repos.listReleases, {
        owner: this.owner,
        repo: this.repo,
        per_page: 100,
      }),
    );
    return {
      tags: refs.map((ref) => ref.ref.replace(/^refs\/tags\//, '')),
      releases: releases.map((release) => ({ id: release.id, tag: release.tag_name, draft: release.draft })),
    };
  }

  /** Drafts (or reuses the earlier draft), publishes, then points the major tag at the released commit. */
  async release(plan: ReleasePlan, sha: string, log: (line: string) => void): Promise<ReleaseResult> {
    const fields = { tag_name: plan.tag, target_commitish: sha, name: plan.tag, body: plan.notes };
    const draftId =
      plan.draftId ??
      (
        await this.call('repos/create-release', `draft release ${plan.tag}`, () =>
          this.octokit.rest.repos.createRelease({ owner: this.owner, repo: this.repo, ...fields, draft: true }),
        )
      ).data.id;
    log(`${plan.draftId ? 'Reusing the draft' : 'Drafted'} release ${plan.tag} at ${sha}.`);
    const published = await this.call('repos/update-release', `publish release ${plan.tag}`, () =>
      this.octokit.rest.repos.updateRelease({
        owner: this.owner,
        repo: this.repo,
        release_id: draftId,
        ...fields,
        draft: false,
      }),
    );
    log(`Published ${published.data.html_url}; GitHub created the tag ${plan.tag}.`);
    const majorRef = { owner: this.owner, repo: this.repo, sha };
    await (plan.majorTagExists
      ? this.call('git/update-ref', `move ${plan.majorTag}`, () =>
          this.octokit.rest.git.updateRef({ ...majorRef, ref: `tags/${plan.majorTag}`, force: true }),
        )
      : this.call('git/create-ref', `create ${plan.majorTag}`, () =>
          this.octokit.rest.git.createRef({ ...majorRef, ref: `refs/tags/${plan.majorTag}` }),
        ));
    log(`${plan.majorTagExists ? 'Moved' : 'Created'} ${plan.majorTag} → ${sha}.`);
    return {
      tag: plan.tag,
      majorTag: plan.majorTag,
      sha,
      url: published.data.html_url,
      majorTagMoved: plan.majorTagExists,
    };
  }
}
