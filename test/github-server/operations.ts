/**
 * The GitHub REST operations (by `operationId` in GitHub's OpenAPI description) that the loopback server knows.
 * `npm run fixtures:github` extracts exactly these, and the schemas they reference, from the pinned
 * `@octokit/openapi` into `test/fixtures/github/api.github.com.json`. To serve a new operation: add its id here,
 * run `npm run fixtures:github`, and register a handler (see README.md in this folder).
 */
export const GITHUB_OPERATIONS = [
  // pull requests
  'pulls/list',
  'pulls/get',
  'pulls/create',
  'pulls/update',
  'pulls/request-reviewers',
  // labels and assignees (issue endpoints, which pull requests share)
  'issues/add-labels',
  'issues/remove-label',
  'issues/add-assignees',
  // Git Data API
  'git/get-ref',
  'git/get-commit',
  'git/create-blob',
  'git/create-tree',
  'git/create-commit',
  'git/update-ref',
  'git/create-ref',
  'git/list-matching-refs',
  // repository contents and history
  'repos/get',
  'repos/get-content',
  'repos/compare-commits-with-basehead',
  // repository settings as code (scripts/repo-settings.ts): branch rulesets, environments and their deployment
  // branch policies, and the user and team ids that environment reviewers are given by
  'repos/get-repo-rulesets',
  'repos/get-repo-ruleset',
  'repos/create-repo-ruleset',
  'repos/update-repo-ruleset',
  'repos/get-all-environments',
  'repos/get-environment',
  'repos/create-or-update-environment',
  'repos/list-deployment-branch-policies',
  'repos/create-deployment-branch-policy',
  'repos/delete-deployment-branch-policy',
  'users/get-by-username',
  'teams/get-by-name',
  // releases (scripts/release.ts): a draft, then published, as immutable releases require
  'repos/list-releases',
  'repos/create-release',
  'repos/update-release',
  // which gates the repository's plan provides (repo-settings): the organisation's or the user's plan
  'orgs/get',
  'users/get-authenticated',
  // verifying a promotion before production deploys (open-promotion-pr mode: verify): the merged pull request of
  // a commit, its reviews, the staging run, and the checks and statuses on the merged head
  'repos/list-pull-requests-associated-with-commit',
  'pulls/list-reviews',
  'actions/get-workflow-run',
  'checks/list-for-ref',
  'repos/list-commit-statuses-for-ref',
  // plan comments on pull requests and drift issues (actions/plan-report; handlers in issues.ts)
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'issues/list-for-repo',
  'issues/create',
  'issues/update',
] as const;

export type GitHubOperationId = (typeof GITHUB_OPERATIONS)[number];
