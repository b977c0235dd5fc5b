/**
 * The `files` of a comparison: the paths that differ between two commits' (flat) trees, as GitHub's
 * `diff-entry` schema describes them. Line counts are not modelled (0); renames are not detected (a removal and
 * an addition), as GitHub does past its rename-detection limits.
 */
import type { Repository, TreeEntry } from './model.ts';
import type { Urls } from './representations.ts';

function treeOf(repo: Repository, sha: string): Map<string, TreeEntry> {
  const commit = repo.commits.get(sha);
  return (commit && repo.trees.get(commit.tree)) ?? new Map();
}

export function diffEntries(urls: Urls, repo: Repository, from: string, to: string): Record<string, unknown>[] {
  const before = treeOf(repo, from);
  const after = treeOf(repo, to);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths.flatMap((path) => {
    const old = before.get(path);
    const now = after.get(path);
    if (old?.sha === now?.sha) return [];
    const status = !old ? 'added' : !now ? 'removed' : 'modified';
    return [
      {
        sha: now?.sha ?? old?.sha ?? null,
        filename: path,
        status,
        additions: 0,
        deletions: 0,
        changes: 0,
        blob_url: `${urls.html}/${repo.fullName}/blob/${to}/${path}`,
        raw_url: `${urls.html}/${repo.fullName}/raw/${to}/${path}`,
        contents_url: `${urls.api}/repos/${repo.fullName}/contents/${path}?ref=${to}`,
      },
    ];
  });
}
