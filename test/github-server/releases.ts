/**
 * Releases and tag refs for the loopback GitHub server, as the release command (scripts/release.ts) uses them:
 * drafts (no tag yet), publishing a draft (GitHub creates its tag at `target_commitish` then), creating and listing
 * refs. With immutable releases on (`repo.extensions.set('immutable-releases', true)`), a published release's tag
 * cannot be moved, and a published release cannot be edited — the reason the command drafts first and publishes last.
 */
import type { Account, Repository } from './model.ts';
import { simpleUser, gitRef, type Urls } from './representations.ts';
import { notFound, validationFailed, type RestContext } from './rest.ts';
import type { GitHubServer } from './server.ts';

export interface Release {
  id: number;
  tag: string;
  target: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  author: Account;
  createdAt: string;
  publishedAt: string | null;
}

export function releasesOf(repo: Repository): Release[] {
  let releases = repo.extensions.get('releases') as Release[] | undefined;
  if (!releases) {
    releases = [];
    repo.extensions.set('releases', releases);
  }
  return releases;
}

const immutable = (repo: Repository) => repo.extensions.get('immutable-releases') === true;
let nextReleaseId = 1000;

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function releaseJson(urls: Urls, repo: Repository, release: Release) {
  const api = `${urls.api}/repos/${repo.fullName}/releases/${release.id}`;
  const tagPath = encodeURIComponent(release.tag);
  return {
    url: api,
    html_url: `${urls.html}/${repo.fullName}/releases/${release.draft ? `untagged-${release.id}` : `tag/${tagPath}`}`,
    assets_url: `${api}/assets`,
    upload_url: `${urls.api.replace(/\/$/, '')}/repos/${repo.fullName}/releases/${release.id}/assets{?name,label}`,
    tarball_url: release.draft ? null : `${urls.api}/repos/${repo.fullName}/tarball/${tagPath}`,
    zipball_url: release.draft ? null : `${urls.api}/repos/${repo.fullName}/zipball/${tagPath}`,
    id: release.id,
    node_id: `RE_${release.id}`,
    tag_name: release.tag,
    target_commitish: release.target,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: immutable(repo) && !release.draft,
    created_at: release.createdAt,
    published_at: release.publishedAt,
    author: simpleUser(urls, release.author),
    assets: [],
  };
}

/** The commit a release's target names: a commit sha, or a branch. */
function targetSha(repo: Repository, target: string): string {
  if (repo.commits.has(target)) return target;
  const sha = repo.branch(target);
  if (!sha) throw validationFailed([{ resource: 'Release', code: 'invalid', field: 'target_commitish' }]);
  return sha;
}

function findRelease(c: RestContext): Release {
  const release = releasesOf(c.repo()).find((r) => r.id === Number(c.params['release_id']));
  if (!release) throw notFound();
  return release;
}

function publish(repo: Repository, release: Release): void {
  const ref = `tags/${release.tag}`;
  if (!repo.refs.has(ref)) repo.refs.set(ref, targetSha(repo, release.target));
  release.draft = false;
  release.publishedAt = timestamp();
}

function isPublishedTag(repo: Repository, ref: string): boolean {
  return releasesOf(repo).some((r) => !r.draft && `tags/${r.tag}` === ref);
}

export function registerReleases(github: GitHubServer): void {
  github.handle(
    'repos/list-releases',
    (c) => {
      const repo = c.repo();
      const releases = [...releasesOf(repo)].reverse().slice(0, Number(c.query.get('per_page') ?? 30));
      return { status: 200, body: releases.map((r) => releaseJson(c.urls, repo, r)) };
    },
    [{ contents: 'read' }],
  );

  github.handle(
    'repos/create-release',
    (c) => {
      const repo = c.repo();
      const tag = String(c.body['tag_name']);
      if (releasesOf(repo).some((r) => r.tag === tag && !r.draft))
        throw validationFailed([{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]);
      const release: Release = {
        id: nextReleaseId++,
        tag,
        target: String(c.body['target_commitish'] ?? repo.defaultBranch),
        name: String(c.body['name'] ?? tag),
        body: String(c.body['body'] ?? ''),
        draft: c.body['draft'] === true,
        prerelease: c.body['prerelease'] === true,
        author: c.grant.account,
        createdAt: timestamp(),
        publishedAt: null,
      };
      targetSha(repo, release.target);
      releasesOf(repo).push(release);
      if (!release.draft) publish(repo, release);
      return { status: 201, body: releaseJson(c.urls, repo, release) };
    },
    [{ contents: 'write' }],
  );

  github.handle(
    'repos/update-release',
    (c) => {
      const repo = c.repo();
      const release = findRelease(c);
      if (!release.draft && immutable(repo)) throw validationFailed([], 'Cannot modify an immutable release');
      for (const [field, key] of [
        ['tag_name', 'tag'],
        ['target_commitish', 'target'],
        ['name', 'name'],
        ['body', 'body'],
      ] as const) {
        if (typeof c.body[field] === 'string') release[key] = c.body[field];
      }
      if (c.body['draft'] === false && release.draft) publish(repo, release);
      return { status: 200, body: releaseJson(c.urls, repo, release) };
    },
    [{ contents: 'write' }],
  );

  github.handle(
    'git/list-matching-refs',
    (c) => {
      const repo = c.repo();
      const prefix = String(c.params['ref']);
      const refs = [...repo.refs].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));
      return { status: 200, body: refs.map(([name, sha]) => gitRef(c.urls, repo, name, sha)) };
    },
    [{ contents: 'read' }],
  );

  github.handle(
    'git/create-ref',
    (c) => {
      const repo = c.repo();
      const ref = String(c.body['ref']);
      const sha = String(c.body['sha']);
      if (!/^refs\/.+\/.+/.test(ref)) throw validationFailed([], `${ref} is not a valid ref name.`);
      const name = ref.slice('refs/'.length);
      if (repo.refs.has(name)) throw validationFailed([], 'Reference already exists');
      if (!repo.commits.has(sha)) throw validationFailed([], 'Object does not exist');
      repo.refs.set(name, sha);
      return { status: 201, body: gitRef(c.urls, repo, name, sha) };
    },
    [{ contents: 'write' }],
  );

  // A published immutable release's tag stays where it is; other refs update as before.
  const updateRef = github.handlerFor('git/update-ref');
  github.handle(
    'git/update-ref',
    (c) => {
      const repo = c.repo();
      const name = String(c.params['ref']).replace(/^refs\//, '');
      if (immutable(repo) && isPublishedTag(repo, name))
        throw validationFailed([], `Cannot update ${name}: it is the tag of an immutable release`);
      return updateRef.handler(c);
    },
    updateRef.permissions,
  );
}
