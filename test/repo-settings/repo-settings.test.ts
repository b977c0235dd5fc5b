/**
 * `npm run repo-settings` end to end: the command (scripts/repo-settings.ts) run as a user runs it, against the
 * loopback GitHub server whose request and response bodies are validated against GitHub's OpenAPI description.
 * Dry run prints the plan and changes nothing; --apply makes the server's state match examples/repo-settings.yml; a
 * second apply is a no-op; refusals (403) come back explained.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  environmentsOf,
  GitHubServer,
  registerRepositorySettings,
  rulesetsOf,
  type Repository,
} from '../github-server/index.ts';
import { REPO_ROOT } from '../support/run-action.ts';

jest.setTimeout(60_000);

const ADMIN = 'github_pat_11ADMIN00000000000000_000000000000000000000000000000000000000000000000000000000001';
const READER = 'github_pat_11READER0000000000000_000000000000000000000000000000000000000000000000000000000002';
const REPO = 'octo-org/fraud-model';
const WRITES = /^(POST|PUT|PATCH|DELETE) /;

let github: GitHubServer;
let repo: Repository;

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function command(args: string[], token = ADMIN, apiUrl = github.url): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'repo-settings.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'], GITHUB_TOKEN: token, GITHUB_API_URL: apiUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const writes = () => github.calls().filter((call) => WRITES.test(call));

beforeAll(async () => {
  github = await GitHubServer.start();
  registerRepositorySettings(github);
  github.addToken(ADMIN, {
    kind: 'fine-grained-pat',
    login: 'repo-admin',
    permissions: { administration: 'write', actions: 'read', metadata: 'read', members: 'read' },
  });
  github.addToken(READER, {
    kind: 'fine-grained-pat',
    login: 'repo-reader',
    permissions: { administration: 'read', actions: 'read', metadata: 'read', members: 'read' },
  });
});

const temporary: string[] = [];
function settingsFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'repo-settings-'));
  temporary.push(dir);
  const file = join(dir, 'settings.yml');
  writeFileSync(file, lines.join('\n'));
  return file;
}

afterAll(async () => {
  await github.close();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  github.state.repositories.clear();
  repo = github.repository(REPO);
  repo.commitFiles('main', { 'README.md': '# fraud model\n' });
  repo.team('ml-reviewers', 'ML reviewers');
  github.reset();
});

afterEach(() => {
  github.assertValid();
});

describe('repo-settings against the OpenAPI-validated GitHub server', () => {
  test('the dry run prints the plan for examples/repo-settings.yml and changes nothing', async () => {
    const result = await command(['--repo', REPO]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ADMIN);
    expect(result.stdout).toContain(`Repository settings of ${REPO} against examples/repo-settings.yml:`);
    expect(result.stdout).toContain('+ ruleset "main" (create)');
    expect(result.stdout).toContain('+ rules.required_status_checks: checks=[staging (app 15368)], strict=false');
    expect(result.stdout).toContain('+ ruleset "integration" (create)');
    expect(result.stdout).toContain('Gates this private repository on GitHub Enterprise gets:');
    expect(result.stdout).toContain('✓ the promotion pull request into main needs 1 approval');
    expect(result.stdout).toContain('+ environment "staging" (create)');
    expect(result.stdout).toContain('+ environment "production" (create)');
    expect(result.stdout).toContain('+ environment "production": deployment branch policy main (add)');
    expect(result.stdout).toContain(
      'Plan: 2 rulesets to create, 2 environments to create, 3 deployment branch policies to add. Run again with --apply',
    );
    expect(writes()).toEqual([]);
    expect(rulesetsOf(repo)).toEqual([]);
    expect(environmentsOf(repo).size).toBe(0);
    // The root README shows this plan: it must be what the command prints.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const shown = /Against an empty repository the dry run prints:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(result.stdout.replace(/^GitHub API: .*\n/, '').replaceAll(REPO, 'octo-org/fraud-model')).toBe(shown);
  });

  test('--apply makes the repository match; a second --apply changes nothing', async () => {
    const first = await command(['--repo', REPO, '--apply']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('✓ created ruleset "main"');
    expect(first.stdout).toContain(`Read back: ${REPO} now matches examples/repo-settings.yml`);

    const [ruleset] = rulesetsOf(repo);
    expect(ruleset).toMatchObject({
      name: 'main',
      target: 'branch',
      enforcement: 'active',
      conditions: { ref_name: { include: ['refs/heads/main'], exclude: [] } },
    });
    expect(ruleset?.rules.map((r) => r['type']).sort()).toEqual([
      'deletion',
      'non_fast_forward',
      'pull_request',
      'required_status_checks',
    ]);
    expect(ruleset?.rules.find((r) => r['type'] === 'required_status_checks')).toEqual({
      type: 'required_status_checks',
      parameters: {
        required_status_checks: [{ context: 'staging', integration_id: 15368 }],
        strict_required_status_checks_policy: false,
      },
    });
    const production = environmentsOf(repo).get('production');
    expect(production).toMatchObject({
      waitTimer: 0,
      reviewers: [],
      branchPolicy: { protected_branches: false, custom_branch_policies: true },
    });
    expect(production?.policies.map((p) => p.name)).toEqual(['main']);
    expect(
      environmentsOf(repo)
        .get('staging')
        ?.policies.map((p) => p.name),
    ).toEqual(['integration', 'main']);

    github.reset();
    const second = await command(['--repo', REPO, '--apply']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes: the repository matches the file.');
    expect(writes()).toEqual([]);
    const check = await command(['--repo', REPO, '--check']);
    expect(check.code).toBe(0);
  });

  test('changes made by hand show up as the difference and are put back, leaving what the file does not name', async () => {
    expect((await command(['--repo', REPO, '--apply'])).code).toBe(0);
    const [ruleset] = rulesetsOf(repo);
    // Someone allows force pushes, lowers the approvals and picks merge methods in the web UI…
    ruleset!.rules = ruleset!.rules
      .filter((r) => r['type'] !== 'non_fast_forward')
      .map((r) =>
        r['type'] === 'pull_request'
          ? {
              type: 'pull_request',
              parameters: {
                ...(r['parameters'] as object),
                required_approving_review_count: 0,
                allowed_merge_methods: ['squash'],
              },
            }
          : r,
      );
    // …drops the wait timer, adds a deployment branch and an environment of their own.
    environmentsOf(repo).get('production')!.waitTimer = 0;
    environmentsOf(repo).get('production')!.policies.push({ id: 424242, name: 'hotfix/*', type: 'branch' });
    github.reset();
    expect((await command(['--repo', REPO, '--apply'])).code).toBe(0);

    github.reset();
    const check = await command(['--repo', REPO, '--check']);
    expect(check.code).toBe(0);

    repo.extensions.set('rulesets', [
      {
        ...ruleset!,
        rules: ruleset!.rules.filter((r) => r['type'] !== 'deletion'),
      },
    ]);
    environmentsOf(repo).get('production')!.waitTimer = 30;
    environmentsOf(repo).set('preview', {
      ...environmentsOf(repo).get('staging')!,
      id: 99,
      name: 'preview',
    });
    const drift = await command(['--repo', REPO, '--check']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('~ ruleset "main" (update)');
    expect(drift.stdout).toContain('~ rules.deletion: off → on');
    expect(drift.stdout).toContain('~ environment "production" (update)');
    expect(drift.stdout).toContain('~ wait_timer: 30 → 0');
    expect(drift.stdout).toContain('environment "preview" (not in the file: left as it is)');
    expect(drift.stdout).toContain('= environment "staging": as in the file');

    github.reset();
    expect((await command(['--repo', REPO, '--apply'])).code).toBe(0);
    // The merge methods chosen by hand, which the file does not set, were kept.
    const pullRequest = rulesetsOf(repo)[0]?.rules.find((r) => r['type'] === 'pull_request');
    expect(pullRequest?.['parameters']).toMatchObject({
      required_approving_review_count: 1,
      allowed_merge_methods: ['squash'],
    });
    expect(environmentsOf(repo).has('preview')).toBe(true);
  });

  test('the put-back run itself: force pushes blocked again, approvals restored, the stray branch policy removed', async () => {
    expect((await command(['--repo', REPO, '--apply'])).code).toBe(0);
    const [ruleset] = rulesetsOf(repo);
    ruleset!.rules = ruleset!.rules.filter((r) => r['type'] !== 'non_fast_forward');
    environmentsOf(repo).get('production')!.policies.push({ id: 434343, name: 'hotfix/*', type: 'branch' });
    const plan = await command(['--repo', REPO]);
    expect(plan.stdout).toContain('~ rules.non_fast_forward: off → on');
    expect(plan.stdout).toContain('- environment "production": deployment branch policy hotfix/* (remove)');
    github.reset();
    const applied = await command(['--repo', REPO, '--apply']);
    expect(applied.code).toBe(0);
    expect(writes()).toEqual(['PUT repos/update-repo-ruleset', 'DELETE repos/delete-deployment-branch-policy']);
    expect(rulesetsOf(repo)[0]?.rules.some((r) => r['type'] === 'non_fast_forward')).toBe(true);
    expect(
      environmentsOf(repo)
        .get('production')
        ?.policies.map((p) => p.name),
    ).toEqual(['main']);
  });

  test('a token without Administration: write is refused with the explanation, and nothing half-done', async () => {
    const result = await command(['--repo', REPO, '--apply'], READER);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Could not create ruleset "main"');
    expect(result.stderr).toContain('Resource not accessible by personal access token');
    expect(result.stderr).toContain('"Administration: Read and write"');
    expect(result.stderr).toContain("A workflow's GITHUB_TOKEN cannot change these settings.");
    expect(result.stderr).not.toContain('    at ');
    expect(environmentsOf(repo).size).toBe(0);
  });

  test('a private repository on GitHub Free: refused before any request that changes, with what it lacks', async () => {
    repo.extensions.set('plan', 'free');
    const result = await command(['--repo', REPO]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Gates this private repository on GitHub Free gets:');
    expect(result.stdout).toContain('✗ branch rulesets (private repositories need GitHub Pro, Team or Enterprise)');
    expect(result.stderr).toContain('rulesets: this private repository on GitHub Free has no rulesets');
    expect(result.stderr).toContain('no person stands between staging and production');
    expect(writes()).toEqual([]);
  });

  test.each(['pro', 'team'])(
    'a private repository on GitHub %s: environment reviewers and wait timers are refused, not pretended',
    async (plan) => {
      repo.extensions.set('plan', plan);
      const file = settingsFile([
        'rulesets:',
        '  - name: main',
        '    include: [main]',
        '    rules:',
        '      pull_request: { required_approving_review_count: 1 }',
        'environments:',
        '  production:',
        '    reviewers: [{ user: alice }]',
        '    wait_timer: 5',
      ]);
      const result = await command(['--repo', REPO, '--apply', '--file', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `✗ environment required reviewers and wait timers (private repositories need GitHub Enterprise`,
      );
      expect(result.stderr).toContain(
        'environments.production: required reviewers, wait timers and prevent_self_review do not exist',
      );
      expect(writes()).toEqual([]);
      expect(environmentsOf(repo).size).toBe(0);
      // The example file asks only for what every plan with rulesets has: it applies, and says where the gate is.
      const example = await command(['--repo', REPO, '--apply']);
      expect(example.code).toBe(0);
      expect(example.stdout).toContain(
        '✓ the promotion pull request into main needs 1 approval (ruleset "main"; nobody may bypass it, admins may not bypass)',
      );
    },
  );

  test('admins_may_bypass: false refuses an admin bypass actor at its file:line', async () => {
    const file = settingsFile([
      'rulesets:',
      '  - name: main',
      '    include: [main]',
      '    admins_may_bypass: false',
      '    bypass_actors:',
      '      - { actor_type: RepositoryRole, actor_id: 5 }',
      '    rules:',
      '      pull_request: { required_approving_review_count: 1 }',
    ]);
    const result = await command(['--repo', REPO, '--file', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /:6:\d+.*rulesets\.0\.bypass_actors\.0: an admin bypass, but admins_may_bypass is false/,
    );
    expect(github.calls()).toEqual([]);
  });

  test('an unknown reviewer stops the apply before anything changes', async () => {
    const file = settingsFile([
      'environments:',
      '  production:',
      '    reviewers:',
      '      - user: no-such-person',
      '    deployment_branches: [main]',
      '',
    ]);
    const result = await command(['--repo', REPO, '--apply', '--file', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("environments.production.reviewers: 'no-such-person' is not a GitHub user");
    expect(writes()).toEqual([]);
  });

  test('a mistake in the file is reported with file:line before any request', async () => {
    const file = settingsFile([
      'rulesets:',
      '  - name: main',
      '    include: [main]',
      '    rules:',
      '      non_fast_forwards: true',
      'environments:',
      '  production:',
      '    wait_timer: -1',
      '',
    ]);
    const result = await command(['--repo', REPO, '--file', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/settings\.yml:5:7: unknown field 'rulesets\.0\.rules\.non_fast_forwards'/);
    expect(result.stderr).toMatch(/settings\.yml:8:17: environments\.production\.wait_timer: /);
    expect(github.log).toEqual([]);
  });

  test('usage errors', async () => {
    const missing = await command([]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--repo owner/name is required');
    const bad = await command(['--repo', 'not-a-repo']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--repo 'not-a-repo' is not owner/name");
    const noToken = await command(['--repo', REPO], '');
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('No token: set GITHUB_TOKEN');
  });

  test('the admin token is never sent over plain http to another machine', async () => {
    const result = await command(['--repo', REPO], ADMIN, 'http://ghes.example.invalid/api/v3');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'The GitHub API URL (GITHUB_API_URL) http://ghes.example.invalid is not https: the token and the data would cross the network in clear text',
    );
    expect(result.stdout + result.stderr).not.toContain(ADMIN);
  });
});
