/**
 * Is the promotion's head the commit staging tested? The pull request, and the manifest commit on top of it, may
 * carry only what was tested: the tested commit itself, or the tested commit followed by commits that change
 * nothing but the release manifest (an earlier promotion of the same commit). Anything else pushed to the head
 * branch since the test was not tested by this run, and is left to the staging run of those commits.
 */
import { UserError } from '../errors.ts';

/** What GitHub's compare `tested...head` says (plain data; see `GitHubClient.compare`). */
export interface BranchComparison {
  /** Commits in head that tested lacks. */
  aheadBy: number;
  /** Commits in tested that head lacks (the tested commit is not in head when > 0). */
  behindBy: number;
  /** Paths changed between the tested commit and head (a rename lists both names). */
  files: string[];
}

export type HeadPosition =
  | { kind: 'tested' }
  | { kind: 'tested-with-manifest'; commits: number }
  | { kind: 'untested'; commits: number; files: string[] }
  | { kind: 'not-contained' };

/** Pure: where the head stands relative to the tested commit. `comparison` is needed only when they differ. */
export function headPosition(input: {
  tested: string;
  head: string;
  comparison?: BranchComparison | undefined;
  manifestPath?: string | undefined;
}): HeadPosition {
  if (input.tested === input.head) return { kind: 'tested' };
  const comparison = input.comparison;
  if (!comparison) throw new Error('headPosition: a comparison is needed when head is not the tested commit');
  if (comparison.behindBy > 0) return { kind: 'not-contained' };
  if (comparison.aheadBy === 0) return { kind: 'tested' };
  const untested = comparison.files.filter((file) => file !== input.manifestPath);
  if (untested.length === 0 && comparison.files.length > 0)
    return { kind: 'tested-with-manifest', commits: comparison.aheadBy };
  return { kind: 'untested', commits: comparison.aheadBy, files: untested };
}

/** Why an untested head is not promoted by this run (the skip reason users read). */
export function untestedHeadReason(
  position: Extract<HeadPosition, { kind: 'untested' }>,
  context: { head: string; headSha: string; tested: string },
): string {
  const shown = position.files.slice(0, 5).join(', ') + (position.files.length > 5 ? ', …' : '');
  return (
    `'${context.head}' is now at ${context.headSha.slice(0, 7)}, ${position.commits} commit${position.commits === 1 ? '' : 's'} beyond ` +
    `the tested commit ${context.tested.slice(0, 7)}, changing ${shown || 'no files'}: this run did not test them, so it ` +
    `promotes nothing and commits nothing. The staging run of those commits tests them and opens or updates the promotion.`
  );
}

/** The refusal when the head branch no longer contains the tested commit (force-pushed, or the wrong branch). */
export function notContainedError(context: { head: string; headSha: string; tested: string }): UserError {
  return new UserError(
    `'${context.head}' (${context.headSha.slice(0, 7)}) does not contain the tested commit ${context.tested.slice(0, 7)}: ` +
      `it was force-pushed or reset since staging tested it, or 'head' is not the branch staging deployed from. Nothing is ` +
      `promoted; let staging test what '${context.head}' holds now.`,
  );
}

/** Refuses a manifest from another repository: its tested commit means nothing here. */
export function checkSourceRepository(source: { repository: string }, repository: string): void {
  if (source.repository.toLowerCase() !== repository.toLowerCase()) {
    throw new UserError(
      `The release manifest's source is ${source.repository}, not ${repository}: staging tested a commit of another ` +
        `repository (a fork?), which cannot be promoted here.`,
    );
  }
}
