/**
 * The workflows users copy keep their contract (see contract.ts for the rules): actionlint finds nothing, our
 * actions get only the inputs they declare and every input they require, outputs read exist, and the security rules
 * hold (pinned SHAs, no expressions in scripts, least-privilege permissions, concurrency per environment for
 * deployments, workflow_run gated on success). Each rule is also shown to fail on a fixture that breaks it, and only
 * that rule. The workflows also agree with examples/ (files they name exist) and with examples/repo-settings.yml
 * (the required check is a job's name; the environments they use are declared).
 */
import { describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readRepoSettings } from '../../packages/core/src/github/settings.ts';
import { REPO_ROOT } from '../support/run-action.ts';
import { checkWorkflow, formatFinding, jobChecksAndEnvironments, loadActions, RULES } from './contract.ts';
import { PINNED_ACTIONS } from './pinned-actions.ts';

jest.setTimeout(60_000);

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const FIXTURES = join(REPO_ROOT, 'test', 'workflows', 'fixtures');
const actions = loadActions(REPO_ROOT);
const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const fixtureFiles = readdirSync(FIXTURES).filter((f) => /\.ya?ml$/.test(f));

function actionlint(pattern: string): Promise<{ code: number | null; output: string }> {
  const bin = join(REPO_ROOT, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, pattern], { cwd: REPO_ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The rule a fixture breaks, from its first line: `# expect: <rule> — why`. */
function expectedRule(file: string): string {
  const first = readFileSync(join(FIXTURES, file), 'utf8').split('\n')[0] ?? '';
  const rule = /^# expect: ([\w-]+)/.exec(first)?.[1];
  if (!rule) throw new Error(`${file}: the first line must be '# expect: <rule> — why'`);
  return rule;
}

describe('the example workflows', () => {
  it('are the ones the design names', () => {
    expect(workflowFiles.sort()).toEqual([
      'build-container.yml',
      'cd-production.yml',
      'cd-staging.yml',
      'ci.yml',
      'drift.yml',
      'plan.yml',
      'release.yml',
    ]);
  });

  it('are actionlint clean', async () => {
    const result = await actionlint('./.github/workflows/*.{yml,yaml}');
    expect(result.output).toContain(`Checking ${workflowFiles.length} workflow file(s)`);
    expect(result.output).toContain('All workflow files passed lint checks');
    expect(result.code).toBe(0);
  });

  it.each(workflowFiles)('%s keeps the contract', (file) => {
    const findings = checkWorkflow(`.github/workflows/${file}`, readFileSync(join(WORKFLOWS, file), 'utf8'), actions);
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it('name only files that exist in the repository', () => {
    const fileInputs = [
      'endpoint-file',
      'deployment-file',
      'env-file',
      'cases',
      'manifest',
      'probe-request-file',
      'request-file',
      'expected-file',
      'expected-schema',
    ];
    const missing: string[] = [];
    let checked = 0;
    for (const file of workflowFiles) {
      const workflow = parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as {
        jobs: Record<
          string,
          {
            strategy?: { matrix?: { include?: Record<string, string>[] } };
            steps?: { uses?: string; with?: Record<string, unknown> }[];
          }
        >;
      };
      for (const [jobId, job] of Object.entries(workflow.jobs)) {
        const matrices = job.strategy?.matrix?.include ?? [{}];
        for (const step of job.steps ?? []) {
          if (!step.uses?.startsWith('./actions/')) continue;
          for (const input of fileInputs) {
            const value = step.with?.[input];
            if (typeof value !== 'string') continue;
            for (const matrix of matrices) {
              const path = value
                .replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_, key: string) => matrix[key] ?? '?')
                // drift.yml checks each environment's branch out into desired/
                .replace(/^desired\//, '');
              if (path.includes('${{')) continue;
              checked++;
              if (!existsSync(join(REPO_ROOT, path))) missing.push(`${file} ${jobId} ${input}: ${path}`);
            }
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('agree with examples/repo-settings.yml: its required checks are job names, their environments are declared', () => {
    const settings = readRepoSettings(join(REPO_ROOT, 'examples', 'repo-settings.yml'));
    const checks = new Set<string>();
    const environments = new Set<string>();
    for (const file of workflowFiles) {
      const found = jobChecksAndEnvironments(readFileSync(join(WORKFLOWS, file), 'utf8'));
      found.checks.forEach((c) => checks.add(c));
      found.environments.forEach((e) => environments.add(e));
    }
    const required = settings.rulesets.flatMap(
      (r) => r.rules.required_status_checks?.checks.map((c) => c.context) ?? [],
    );
    expect(required).toEqual(['staging']);
    for (const context of required) expect(checks).toContain(context);
    expect([...environments].sort()).toEqual(['production', 'staging']);
    expect(settings.environments.map((e) => e.name).sort()).toEqual([...environments].sort());
    // The gate on every plan: main moves only through a pull request approved by someone else, with `staging` from
    // GitHub Actions, and nobody bypasses it; production deploys from main only; integration keeps its history.
    const production = settings.environments.find((e) => e.name === 'production');
    expect(production).toMatchObject({ branches: { kind: 'custom', patterns: ['main'] } });
    const main = settings.rulesets.find((r) => r.include.includes('refs/heads/main'));
    expect(main?.rules.pull_request?.required_approving_review_count).toBeGreaterThan(0);
    expect(main?.rules.required_status_checks?.checks).toEqual([{ context: 'staging', integration_id: 15368 }]);
    expect(main?.bypassActors).toEqual([]);
    expect(main?.adminsMayBypass).toBe(false);
    const integration = settings.rulesets.find((r) => r.include.includes('refs/heads/integration'));
    expect(integration?.rules).toMatchObject({ non_fast_forward: true, deletion: true });
  });

  it('cd-production verifies the promotion in a job the production job needs', () => {
    const workflow = readFileSync(join(WORKFLOWS, 'cd-production.yml'), 'utf8');
    expect(workflow).toMatch(/production:\n\s+name: production\n\s+needs: verify/);
    expect(workflow).toMatch(/uses: \.\/actions\/open-promotion-pr\n\s+with:\n\s+mode: verify/);
  });
});

describe('pinned actions', () => {
  it('are each a verified node24 release, listed with its version and runtime', () => {
    const pins = new Map<string, string>();
    for (const file of workflowFiles) {
      const text = readFileSync(join(WORKFLOWS, file), 'utf8');
      for (const [, action, sha, version] of text.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s*#\s*(\S+)/g))
        pins.set(`${action}@${sha}`, `${action} ${version}`);
    }
    const table = [...pins].map(([key, release]) => {
      const pin = PINNED_ACTIONS.find((p) => `${p.action}@${p.sha}` === key);
      return `${release} → ${pin ? `${pin.version} ${pin.runtime}` : 'not verified'}`;
    });
    process.stdout.write(`pinned actions:\n${table.map((row) => `  ${row}`).join('\n')}\n`);
    expect(table.sort()).toEqual([
      'actions/checkout v7.0.1 → v7.0.1 node24',
      'actions/setup-node v7.0.0 → v7.0.0 node24',
    ]);
  });
});

describe('each rule fails on a workflow that breaks it', () => {
  it('every rule has a fixture', () => {
    const covered = new Set(fixtureFiles.map(expectedRule));
    expect([...RULES, 'actionlint'].filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it.each(fixtureFiles.filter((f) => expectedRule(f) !== 'actionlint'))('%s', (file) => {
    const findings = checkWorkflow(`fixtures/${file}`, readFileSync(join(FIXTURES, file), 'utf8'), actions);
    expect(findings.length).toBeGreaterThan(0);
    // Only the rule the fixture is about: the rules do not fire on each other's cases.
    expect([...new Set(findings.map((f) => f.rule))]).toEqual([expectedRule(file)]);
    for (const finding of findings) expect(finding.line).toBeGreaterThan(1);
  });

  it('messages say what is wrong, where', () => {
    const messages = (file: string) =>
      checkWorkflow(`fixtures/${file}`, readFileSync(join(FIXTURES, file), 'utf8'), actions).map(formatFinding);
    expect(messages('unknown-input.yml')).toEqual([
      "fixtures/unknown-input.yml:23: [local-action] ./actions/aml-endpoint-deploy has no input 'azure_credentials'",
    ]);
    expect(messages('missing-required-input.yml')).toEqual([
      "fixtures/missing-required-input.yml:19: [local-action] ./actions/aml-endpoint-deploy requires the input 'deployment-file'",
    ]);
    expect(messages('unknown-output.yml')[0]).toMatch(
      /^fixtures\/unknown-output\.yml:27: \[step-outputs\] job staging: steps\.deploy\.outputs\.slot: \.\/actions\/aml-endpoint-deploy has no output 'slot' \(it has deployment, endpoint, /,
    );
    expect(messages('plan-report-wrong-write.yml')).toEqual([
      "fixtures/plan-report-wrong-write.yml:10: [permissions] job plan: 'issues: write' without a plan-report step with kind: drift (the drift issues): drop it",
      "fixtures/plan-report-wrong-write.yml:9: [permissions] job plan needs 'pull-requests: write' for an open-promotion-pr step, or a plan-report step with kind: pull-request (the plan comment)",
    ]);
    expect(messages('unpinned-action.yml')).toEqual([
      "fixtures/unpinned-action.yml:10: [pinned] 'actions/checkout@v4': pin third-party actions to a full commit SHA (owner/repo@<40 hex> # vX.Y.Z)",
    ]);
    expect(messages('node20-action.yml')).toEqual([
      "fixtures/node20-action.yml:10: [runtime] 'actions/checkout@v4.2.2' runs on node20: pin a node24 release",
    ]);
    expect(messages('expression-in-run.yml')[0]).toContain('[run-expressions]');
    expect(messages('cancel-in-progress.yml')[0]).toContain("'cancel-in-progress: false' is required");
    expect(messages('workflow-run-ungated.yml')[0]).toContain(
      'job staging runs on workflow_run without checking the triggering run succeeded',
    );
  });

  it('actionlint fails on a broken workflow, with the line', async () => {
    const result = await actionlint('test/workflows/fixtures/actionlint.yml');
    expect(result.code).toBe(1);
    expect(result.output).toContain('actionlint.yml:8:5 unexpected key "runs_on" for "job" section');
  });
});
