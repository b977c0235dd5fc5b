/**
 * What to change on the promotion pull request, decided over plain data: labels to add and remove, reviews to
 * request, people to assign. Pure; the promotion applies the result.
 */
import type { PullRequestInfo } from './client.ts';

const lower = (value: string) => value.toLowerCase();
const unique = (values: readonly string[]) => [
  ...new Map(values.filter((v) => v.trim() !== '').map((v) => [lower(v), v.trim()])).values(),
];

/** Labels to add and remove: GitHub's label names are case-insensitive; a label both added and removed is added. */
export function planLabels(
  current: readonly string[],
  add: readonly string[],
  remove: readonly string[],
): { add: string[]; remove: string[] } {
  const has = new Set(current.map(lower));
  const adding = unique(add).filter((name) => !has.has(lower(name)));
  const addSet = new Set(unique(add).map(lower));
  const removing = current.filter((name) => remove.some((r) => lower(r) === lower(name)) && !addSet.has(lower(name)));
  return { add: adding, remove: removing };
}

/** Reviews still to request: not the author (GitHub refuses), not those already asked. */
export function planReviewers(
  pull: Pick<PullRequestInfo, 'author' | 'requestedReviewers' | 'requestedTeams'>,
  reviewers: readonly string[],
  teams: readonly string[],
): { reviewers: string[]; teams: string[]; skippedAuthor: boolean } {
  const asked = new Set(pull.requestedReviewers.map(lower));
  const askedTeams = new Set(pull.requestedTeams.map(lower));
  const wanted = unique(reviewers);
  const skippedAuthor = wanted.some((r) => lower(r) === lower(pull.author.login));
  return {
    reviewers: wanted.filter((r) => lower(r) !== lower(pull.author.login) && !asked.has(lower(r))),
    // `org/team` and `team` both name the team by its slug.
    teams: unique(teams.map((t) => t.replace(/^[^/]+\//, ''))).filter((t) => !askedTeams.has(lower(t))),
    skippedAuthor,
  };
}

export function planAssignees(current: readonly string[], wanted: readonly string[]): string[] {
  const has = new Set(current.map(lower));
  return unique(wanted).filter((a) => !has.has(lower(a)));
}
