/**
 * The loopback GitHub server itself: what it serves validates against GitHub's OpenAPI description and GraphQL
 * schema, and what does not (a client's bad request, a handler's bad response, an unknown route or field) is
 * caught loudly.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { GitHubServer, type Repository } from './index.ts';

// Each test starts a server; the first compiles the OpenAPI validators and builds GitHub's GraphQL schema (seconds).
jest.setTimeout(60_000);

const TOKEN = 'ghs_selftest00000000000000000000000000000';
const OWNER = 'octo-org';
const NAME = 'ml-service';

let github: GitHubServer;
let repo: Repository;

async function raw(
  method: string,
  path: string,
  body?: unknown,
  token = TOKEN,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

beforeEach(async () => {
  github = await GitHubServer.start();
  github.addToken(TOKEN, { kind: 'github-token' });
  repo = github.repository(`${OWNER}/${NAME}`);
  repo.commitFiles('main', { 'README.md': '# ml-service\n' }, 'Initial commit');
  repo.commitFiles(
    'integration',
    { 'score.py': 'print(1)\n', 'release/manifest.json': '{}\n' },
    'Change the scoring script',
    'main',
  );
});

afterEach(async () => {
  await github.close();
});

describe('loopback GitHub server', () => {
  test('serves a pull request round trip whose every response validates against the description', async () => {
    const octokit = getOctokit(TOKEN, { baseUrl: github.url });
    const created = await octokit.rest.pulls.create({
      owner: OWNER,
      repo: NAME,
      head: 'integration',
      base: 'main',
      title: 'Promote',
    });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe('github-actions[bot]');
    const list = await octokit.rest.pulls.list({
      owner: OWNER,
      repo: NAME,
      head: `${OWNER}:integration`,
      base: 'main',
    });
    expect(list.data.map((p) => p.number)).toEqual([created.data.number]);
    await octokit.rest.issues.addLabels({
      owner: OWNER,
      repo: NAME,
      issue_number: created.data.number,
      labels: ['promotion'],
    });
    const compare = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: OWNER,
      repo: NAME,
      basehead: 'main...integration',
    });
    expect(compare.data).toMatchObject({ ahead_by: 1, behind_by: 0, status: 'ahead', total_commits: 1 });
    const content = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: NAME,
      path: 'release/manifest.json',
      ref: 'integration',
    });
    expect(Buffer.from((content.data as { content: string }).content, 'base64').toString()).toBe('{}\n');
    const full = await octokit.rest.repos.get({ owner: OWNER, repo: NAME });
    expect(full.data.full_name).toBe(`${OWNER}/${NAME}`);
    const auto = await octokit.graphql<{
      enablePullRequestAutoMerge: {
        pullRequest: { autoMergeRequest: { mergeMethod: string; enabledBy: { login: string } } };
      };
    }>(
      'mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: SQUASH }) { pullRequest { number autoMergeRequest { mergeMethod enabledBy { login } } } } }',
      { id: created.data.node_id },
    );
    expect(auto.enablePullRequestAutoMerge.pullRequest.autoMergeRequest).toEqual({
      mergeMethod: 'SQUASH',
      enabledBy: { login: 'github-actions[bot]' },
    });
    expect(repo.pull(created.data.number).autoMerge?.mergeMethod).toBe('squash');
    github.assertValid();
    expect(github.calls()).toEqual([
      'POST pulls/create',
      'GET pulls/list',
      'POST issues/add-labels',
      'GET repos/compare-commits-with-basehead',
      'GET repos/get-content',
      'GET repos/get',
      'POST graphql:enablePullRequestAutoMerge',
    ]);
  });

  test('the Git Data API: blob → tree → commit → fast-forward ref update; a non-fast-forward is refused unless forced', async () => {
    const octokit = getOctokit(TOKEN, { baseUrl: github.url });
    const head = repo.branch('integration') as string;
    const blob = await octokit.rest.git.createBlob({ owner: OWNER, repo: NAME, content: 'hello\n', encoding: 'utf-8' });
    expect(blob.data.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a'); // git hash-object of "hello\n"
    const { data: commit } = await octokit.rest.git.getCommit({ owner: OWNER, repo: NAME, commit_sha: head });
    const tree = await octokit.rest.git.createTree({
      owner: OWNER,
      repo: NAME,
      base_tree: commit.tree.sha,
      tree: [{ path: 'docs/hello.txt', mode: '100644', type: 'blob', sha: blob.data.sha }],
    });
    const created = await octokit.rest.git.createCommit({
      owner: OWNER,
      repo: NAME,
      message: 'Add hello',
      tree: tree.data.sha,
      parents: [head],
    });
    // Someone else pushes meanwhile.
    const other = repo.commitFiles('integration', { 'x.txt': 'x' }, 'Concurrent push');
    await expect(
      octokit.rest.git.updateRef({
        owner: OWNER,
        repo: NAME,
        ref: 'heads/integration',
        sha: created.data.sha,
        force: false,
      }),
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } },
    });
    expect(repo.branch('integration')).toBe(other);
    await octokit.rest.git.updateRef({
      owner: OWNER,
      repo: NAME,
      ref: 'heads/integration',
      sha: created.data.sha,
      force: true,
    });
    expect(repo.readFile('integration', 'docs/hello.txt')).toBe('hello\n');
    expect(repo.readFile('integration', 'score.py')).toBe('print(1)\n');
    await expect(octokit.rest.git.getRef({ owner: OWNER, repo: NAME, ref: 'heads/missing' })).rejects.toMatchObject({
      status: 404,
    });
    github.assertValid();
  });

  test('a request body GitHub would not accept is a recorded failure and a 422', async () => {
    const response = await raw('POST', `/repos/${OWNER}/${NAME}/pulls`, { title: 42, head: 'integration' });
    expect(response.status).toBe(422);
    expect(github.failures.join('\n')).toMatch(
      /pulls\/create request does not match GitHub's OpenAPI description: .*title must be string/,
    );
    expect(() => github.assertValid()).toThrow(/1 problem/);
  });

  test('an unknown route, a wrong method and a non-JSON body are recorded failures', async () => {
    expect((await raw('GET', '/repos/octo-org/ml-service/hooks')).status).toBe(404);
    expect((await raw('DELETE', `/repos/${OWNER}/${NAME}/pulls`)).status).toBe(404);
    expect((await raw('POST', `/repos/${OWNER}/${NAME}/pulls`, '{not json')).status).toBe(400);
    expect(github.failures).toEqual([
      'GET /repos/octo-org/ml-service/hooks: unknown route (not in the OpenAPI fixture)',
      `DELETE /repos/${OWNER}/${NAME}/pulls: method not in the OpenAPI fixture`,
      `POST /repos/${OWNER}/${NAME}/pulls: the body is not JSON`,
    ]);
  });

  test('a handler response that breaks the description is caught, sent as a 500, and recorded', async () => {
    github.handle('pulls/get', () => ({ status: 200, body: { number: 'one' } }));
    github.handle('git/get-commit', () => ({ status: 418, body: { message: 'teapot' } }));
    expect((await raw('GET', `/repos/${OWNER}/${NAME}/pulls/1`)).status).toBe(500);
    expect((await raw('GET', `/repos/${OWNER}/${NAME}/git/commits/abc`)).status).toBe(500);
    expect(github.failures[0]).toMatch(
      /pulls\/get 200 response does not match GitHub's OpenAPI description: .*must have required property/,
    );
    expect(github.failures[1]).toBe(
      "git/get-commit 418 response does not match GitHub's OpenAPI description: status 418 is not documented for git/get-commit",
    );
  });

  test('operations are extended by id, and only with ids in the fixture', () => {
    expect(() => github.handle('repos/get-branch-rules', () => ({ status: 200 }))).toThrow(
      /not in the OpenAPI fixture; add it to operations.ts and run npm run fixtures:github/,
    );
  });

  test('tokens: unknown → 401; missing permission → 403 with x-accepted-github-permissions; classic PATs get x-oauth-scopes', async () => {
    expect((await raw('GET', `/repos/${OWNER}/${NAME}/pulls`, undefined, 'ghs_unknown')).json).toMatchObject({
      message: 'Bad credentials',
    });
    github.addToken('ghs_readonly', {
      kind: 'app',
      login: 'reader',
      permissions: { contents: 'read', metadata: 'read' },
    });
    const refused = await raw(
      'POST',
      `/repos/${OWNER}/${NAME}/pulls`,
      { title: 't', head: 'integration', base: 'main' },
      'ghs_readonly',
    );
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ message: 'Resource not accessible by integration' });
    expect(refused.headers.get('x-accepted-github-permissions')).toBe('pull_requests=write');
    github.addToken('github_pat_x', { kind: 'fine-grained-pat', login: 'mona', permissions: { metadata: 'read' } });
    expect((await raw('GET', `/repos/${OWNER}/${NAME}/pulls`, undefined, 'github_pat_x')).json).toMatchObject({
      message: 'Resource not accessible by personal access token',
    });
    github.addToken('ghp_x', { kind: 'classic-pat', login: 'mona' });
    const classic = await raw('GET', `/repos/${OWNER}/${NAME}/pulls`, undefined, 'ghp_x');
    expect(classic.headers.get('x-oauth-scopes')).toBe('repo, workflow');
    expect((await raw('GET', `/repos/${OWNER}/${NAME}/pulls`)).headers.get('x-oauth-scopes')).toBeNull();
    github.assertValid();
  });

  test('faults are injected per operation and validated like any response', async () => {
    github.fail(
      'pulls/list',
      403,
      'API rate limit exceeded for installation ID 1.',
      {},
      { 'x-ratelimit-remaining': '0' },
    );
    const limited = await raw('GET', `/repos/${OWNER}/${NAME}/pulls`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await raw('GET', `/repos/${OWNER}/${NAME}/pulls`)).status).toBe(200);
    github.assertValid();
  });

  test("GraphQL: validated against GitHub's schema; fields without a resolver and business errors", async () => {
    const graphql = (query: string, variables: Record<string, unknown> = {}) =>
      raw('POST', '/graphql', { query, variables });
    const invalid = await graphql(
      'mutation { enablePullRequestAutoMerge(input: { pullRequestId: "x", mergeMethod: FAST }) { clientMutationId } }',
    );
    expect((invalid.json as { errors: { message: string }[] }).errors[0]?.message).toMatch(/FAST/);
    expect(github.failures[0]).toMatch(/GraphQL validation against GitHub's schema/);
    github.reset();

    await graphql('query { viewer { login } }');
    expect(github.failures[0]).toBe("GraphQL field viewer has no resolver (server.resolve('viewer', ...))");
    github.reset();

    const pull = repo.openPullRequest({
      head: 'integration',
      base: 'main',
      title: 'p',
      user: github.state.account('mona'),
    });
    repo.allowAutoMerge = false;
    const refused = await graphql(
      'mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }',
      { id: pull.nodeId },
    );
    expect(refused.json).toMatchObject({
      data: { enablePullRequestAutoMerge: null },
      errors: [{ type: 'UNPROCESSABLE', message: 'Pull request Auto merge is not allowed for this repository' }],
    });
    github.resolve('viewer', (_args, context) => ({ login: context.grant.account.login }));
    expect((await graphql('query { viewer { login } }')).json).toEqual({
      data: { viewer: { login: 'github-actions[bot]' } },
    });
    github.assertValid();
  });
});
