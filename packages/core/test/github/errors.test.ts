import { describe, expect, it } from '@jest/globals';
import { RequestError } from '@octokit/request-error';
import { GraphqlResponseError } from '@octokit/graphql';
import {
  BranchMovedError,
  explainGitHubError,
  GitHubApiError,
  permissionsBlock,
  workflowPermission,
  type GitHubCallContext,
} from '../../src/github/errors.ts';
import { detectTokenKind } from '../../src/github/token.ts';

const JOB = 'ghs_job00000000000000000000000000000000000';

function requestError(status: number, data: unknown, headers: Record<string, string> = {}): RequestError {
  return new RequestError(
    `${(data as { message?: string }).message ?? 'error'} - https://docs.github.com/rest`,
    status,
    {
      request: { method: 'POST', url: 'https://api.github.com/repos/o/r/pulls', headers: {} },
      response: {
        status,
        url: 'https://api.github.com/repos/o/r/pulls',
        headers: { 'x-github-request-id': 'ABCD:1234', ...headers },
        data,
      },
    },
  );
}

function context(operation: string, token = detectTokenKind(JOB, JOB)): GitHubCallContext {
  return {
    operation,
    action: 'do the thing',
    repository: 'o/r',
    token,
    jobPermissions: { contents: 'write', 'pull-requests': 'write' },
  };
}

describe('explaining GitHub errors', () => {
  it('"GitHub Actions is not permitted to create or approve pull requests" → the setting to change', () => {
    const error = explainGitHubError(
      requestError(403, { message: 'GitHub Actions is not permitted to create or approve pull requests.' }),
      context('pulls/create'),
    );
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error.message).toContain('Settings → Actions → General → Workflow permissions');
    expect(error.message).toContain('"Allow GitHub Actions to create and approve pull requests"');
    expect(error.message).toContain('organisation');
    expect(error.message).toContain(
      '[GitHub: 403 on pulls/create: "GitHub Actions is not permitted to create or approve pull requests.", request id ABCD:1234]',
    );
  });

  it('403 for the GITHUB_TOKEN → the permissions: block the job needs, with what GitHub asked for', () => {
    const error = explainGitHubError(
      requestError(
        403,
        { message: 'Resource not accessible by integration' },
        { 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
      ),
      { ...context('issues/add-labels'), jobPermissions: { contents: 'read', 'pull-requests': 'write' } },
    );
    expect(error.message).toContain("The job's GITHUB_TOKEN lacks issues: write");
    expect(error.message).toContain('permissions:\n  contents: read\n  pull-requests: write\n  issues: write');
  });

  it('403 without the header falls back to what the operation needs', () => {
    const error = explainGitHubError(
      requestError(403, { message: 'Resource not accessible by integration' }),
      context('git/create-blob'),
    );
    expect(error.message).toContain('lacks contents: write');
  });

  it('403 for an App, a fine-grained token and a classic token → what to change on each', () => {
    const header = { 'x-accepted-github-permissions': 'pull_requests=write' };
    const app = explainGitHubError(
      requestError(403, { message: 'Resource not accessible by integration' }, header),
      context('pulls/create', detectTokenKind('ghs_app', JOB)),
    );
    expect(app.message).toContain('"Pull requests: Read and write"');
    expect(app.message).toContain('`permission-pull-requests: write`');
    const fine = explainGitHubError(
      requestError(403, { message: 'Resource not accessible by personal access token' }, header),
      context('pulls/create', detectTokenKind('github_pat_x')),
    );
    expect(fine.message).toContain("edit the token's repository permissions");
    const classic = explainGitHubError(
      requestError(404, { message: 'Not Found' }, { 'x-accepted-oauth-scopes': 'repo' }),
      context('pulls/create', detectTokenKind('ghp_x')),
    );
    expect(classic.message).toContain('`repo` scope');
  });

  it('a ref update that is not a fast-forward → BranchMovedError', () => {
    const error = explainGitHubError(
      requestError(422, { message: 'Update is not a fast forward' }),
      context('git/update-ref'),
    );
    expect(error).toBeInstanceOf(BranchMovedError);
    expect(error.message).toContain('the branch moved');
  });

  it.each([
    [401, { message: 'Bad credentials' }, 'pulls/list', 'expired, revoked'],
    [403, { message: 'API rate limit exceeded for installation ID 1.' }, 'pulls/list', 'rate limit was hit'],
    [
      422,
      {
        message: 'Validation Failed',
        errors: [{ resource: 'PullRequest', code: 'custom', message: 'No commits between main and integration' }],
      },
      'pulls/create',
      'nothing to promote',
    ],
    [
      422,
      { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] },
      'pulls/create',
      'the head branch is not valid',
    ],
    [
      422,
      { message: 'Review cannot be requested from pull request author.' },
      'pulls/request-reviewers',
      'cannot be asked to review',
    ],
    [404, { message: 'Not Found' }, 'pulls/list', 'cannot see it'],
    [502, { message: 'Bad Gateway' }, 'pulls/list', 'usually transient'],
    [409, { message: 'Git Repository is empty.' }, 'git/get-commit', 'Git Repository is empty.'],
  ])('%s %j on %s → %s', (status, data, operation, expected) => {
    expect(
      explainGitHubError(
        requestError(
          status,
          data,
          status === 403 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' } : {},
        ),
        context(operation),
      ).message,
    ).toContain(expected);
  });

  it('explains GraphQL refusals of auto-merge', () => {
    const graphql = (type: string, message: string) =>
      new GraphqlResponseError({ method: 'POST', url: '/graphql' } as never, { 'x-github-request-id': 'G:1' }, {
        data: null,
        errors: [{ type, message, path: ['enablePullRequestAutoMerge'], locations: [] }],
      } as never);
    expect(
      explainGitHubError(
        graphql('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository'),
        context('enablePullRequestAutoMerge'),
      ).message,
    ).toContain('"Allow auto-merge"');
    expect(
      explainGitHubError(
        graphql('UNPROCESSABLE', 'Pull request Pull request is in clean status'),
        context('enablePullRequestAutoMerge'),
      ).message,
    ).toContain('can already be merged');
    expect(
      explainGitHubError(
        graphql('FORBIDDEN', 'Resource not accessible by integration'),
        context('enablePullRequestAutoMerge'),
      ).message,
    ).toContain('contents: write, pull-requests: write');
  });

  it('leaves errors that are not GitHub answers alone', () => {
    const plain = new Error('socket hang up');
    expect(explainGitHubError(plain, context('pulls/list'))).toBe(plain);
    expect(explainGitHubError('text', context('pulls/list')).message).toBe('text');
  });

  it('maps GitHub permission names to workflow permission keys', () => {
    expect(workflowPermission('pull_requests=write')).toBe('pull-requests: write');
    expect(workflowPermission('contents')).toBe('contents: write');
    expect(permissionsBlock({ contents: 'read' })).toBe('permissions:\n  contents: read');
  });
});
