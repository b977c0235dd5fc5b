/**
 * The contract the example workflows keep, checked mechanically (contract.test.ts runs it over .github/workflows and
 * over fixtures that break each rule once):
 *
 * - `local-action`: every `uses: ./actions/X` names an action of this repository, passes only inputs X's action.yml
 *   declares, and every input it requires (required, without a default).
 * - `step-outputs`: every `steps.<id>.outputs.<name>` names an earlier step of the same job, and an output that
 *   step has (its action.yml's outputs for our actions; a `name=` written to GITHUB_OUTPUT for `run:` steps).
 * - `needs-outputs`: every `needs.<job>.outputs.<name>` names a job in `needs:` that declares that output.
 * - `pinned`: every other action is pinned to a full 40-character commit SHA (docker:// images to a digest).
 * - `runtime`: each pinned action is a release in the table of verified pins (pinned-actions.ts), with the version in
 *   its comment, and that release runs on node24.
 * - `run-expressions`: no `${{ }}` inside `run:` scripts (values reach scripts through `env:`).
 * - `permissions`: `permissions:` at the top, `{}` or read-only; a job's write permissions only where the job does
 *   what needs them (id-token → an Azure sign-in with client-id, contents → the promotion's manifest commit or
 *   auto-merge, or the release command, pull-requests → the promotion or the plan comment, issues → the drift
 *   issues, packages → build-container, statuses → a commit status); and the ones its steps need are there.
 * - `concurrency`: jobs that deploy, move traffic, push images or open the promotion have a concurrency group with
 *   `cancel-in-progress: false`; for deployments the group names the job's environment.
 * - `environment`: jobs that deploy or move traffic run in a GitHub environment (its gate, and the OpenID Connect
 *   subject `environment:<name>`).
 * - `workflow-run`: in a workflow triggered by `workflow_run`, every job runs only when the triggering run
 *   succeeded (its `if:` tests `github.event.workflow_run.conclusion == 'success'`, or it needs a job that does).
 * - `checkout`: actions/checkout steps set `persist-credentials: false` (no token left in .git/config).
 * - `rollback-on-cancel`: an aml-endpoint-swap `mode: rollback` step runs on failure and on cancellation
 *   (`failure() || cancelled()`): a job cancelled after a promotion must not leave production on the new slot.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parse, parseDocument, type Document } from 'yaml';
import { PINNED_ACTIONS, REQUIRED_RUNTIME } from './pinned-actions.ts';

export interface ActionMetadata {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: Record<string, unknown>;
}

export interface Finding {
  file: string;
  line: number;
  rule: string;
  message: string;
}

export const RULES = [
  'local-action',
  'step-outputs',
  'needs-outputs',
  'pinned',
  'runtime',
  'run-expressions',
  'permissions',
  'concurrency',
  'environment',
  'workflow-run',
  'checkout',
  'rollback-on-cancel',
] as const;
export type Rule = (typeof RULES)[number];

/** Every action of the repository (`actions/<name>/action.yml`), by name. */
export function loadActions(root: string): Map<string, ActionMetadata> {
  const actions = new Map<string, ActionMetadata>();
  for (const name of readdirSync(join(root, 'actions'))) {
    const file = join(root, 'actions', name, 'action.yml');
    if (!existsSync(file)) continue;
    const metadata = parse(readFileSync(file, 'utf8')) as Partial<ActionMetadata> | null;
    actions.set(name, { inputs: metadata?.inputs ?? {}, outputs: metadata?.outputs ?? {} });
  }
  return actions;
}

type Json = Record<string, unknown>;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Json;
  env?: Json;
}

interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: string | Json;
  concurrency?: string | Json;
  environment?: string | { name?: string };
  outputs?: Json;
  steps?: Step[];
  uses?: string;
}

const WRITE_JUSTIFICATIONS: Record<string, string> = {
  'id-token': 'an Azure sign-in with OpenID Connect (an ./actions/aml-endpoint-* step with client-id)',
  contents:
    "open-promotion-pr's manifest commit (manifest-path) or auto-merge, or the release command (npm run release)",
  'pull-requests': 'an open-promotion-pr step, or a plan-report step with kind: pull-request (the plan comment)',
  issues: 'a plan-report step with kind: drift (the drift issues)',
  packages: 'a build-container step',
  statuses: 'a run step that posts a commit status (…/statuses/…)',
};

const localAction = (uses: string | undefined) => /^\.\/actions\/([^/@]+)\/?$/.exec(uses ?? '')?.[1];

/** Every string in a value (keys excluded), for finding expressions anywhere in a job. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Every string in a value with its path, so a finding points at the line that holds it. */
function stringsAt(value: unknown, path: (string | number)[]): [string, (string | number)[]][] {
  if (typeof value === 'string') return [[value, path]];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringsAt(item, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringsAt(item, [...path, key]));
  }
  return [];
}

export class WorkflowChecker {
  private readonly findings: Finding[] = [];
  private readonly document: Document;
  private readonly lines = new LineCounter();
  private readonly workflow: Json;

  private readonly file: string;
  private readonly text: string[];
  private readonly actions: Map<string, ActionMetadata>;

  constructor(file: string, text: string, actions: Map<string, ActionMetadata>) {
    this.file = file;
    this.text = text.split('\n');
    this.actions = actions;
    this.document = parseDocument(text, { lineCounter: this.lines });
    this.workflow = (this.document.toJS() ?? {}) as Json;
  }

  /** Line of the node at a path (or of its nearest existing parent). */
  private line(path: (string | number)[]): number {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.document.contents : this.document.getIn(path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
    }
    return 1;
  }

  /** The source line of the node at a path: comments (a pin's `# vX.Y.Z`) are not in the parsed document. */
  private lineText(path: (string | number)[]): string {
    return this.text[this.line(path) - 1] ?? '';
  }

  private add(rule: Rule, path: (string | number)[], message: string): void {
    this.findings.push({ file: this.file, line: this.line(path), rule, message });
  }

  check(): Finding[] {
    const jobs = (this.workflow['jobs'] ?? {}) as Record<string, Job>;
    this.checkTopPermissions();
    for (const [jobId, job] of Object.entries(jobs)) {
      this.checkSteps(jobId, job);
      this.checkNeedsOutputs(jobId, job, jobs);
      this.checkJobPermissions(jobId, job);
      this.checkConcurrencyAndEnvironment(jobId, job);
    }
    this.checkWorkflowRun(jobs);
    return this.findings;
  }

  private triggers(): string[] {
    const on = this.workflow['on'];
    if (typeof on === 'string') return [on];
    if (Array.isArray(on)) return on.map(String);
    return on && typeof on === 'object' ? Object.keys(on) : [];
  }

  // --- permissions -------------------------------------------------------------------------------------------

  private checkTopPermissions(): void {
    const permissions = this.workflow['permissions'];
    if (permissions === undefined) {
      this.add(
        'permissions',
        [],
        "no top-level 'permissions:': set `permissions: {}` (or read-only) and grant per job",
      );
      return;
    }
    if (typeof permissions === 'string') {
      if (permissions !== 'read-all') {
        this.add('permissions', ['permissions'], `top-level 'permissions: ${permissions}': use {} or read-only scopes`);
      }
      return;
    }
    for (const [scope, access] of Object.entries((permissions ?? {}) as Json)) {
      if (access !== 'read' && access !== 'none') {
        this.add(
          'permissions',
          ['permissions', scope],
          `top-level '${scope}: ${String(access)}': the top level is read-only; grant write in the job that needs it`,
        );
      }
    }
  }

  private checkJobPermissions(jobId: string, job: Job): void {
    const steps = job.steps ?? [];
    const uses = (name: string) => steps.filter((s) => localAction(s.uses) === name);
    const azureSignIn = steps.some((s) => localAction(s.uses)?.startsWith('aml-endpoint-') && s.with?.['client-id']);
    // `mode: verify` only reads; the other mode opens the pull request (and may commit the manifest).
    const promotions = uses('open-promotion-pr').filter((s) => (s.with?.['mode'] ?? 'open') !== 'verify');
    const reports = (kind: string) => uses('plan-report').filter((s) => s.with?.['kind'] === kind);
    const needs: Record<string, boolean> = {
      'id-token': azureSignIn,
      contents:
        promotions.some((s) => s.with?.['manifest-path'] || String(s.with?.['auto-merge']) === 'true') ||
        steps.some((s) => /\bnpm run release\b/.test(s.run ?? '')),
      'pull-requests': promotions.length > 0 || reports('pull-request').length > 0,
      issues: reports('drift').length > 0,
      packages: uses('build-container').length > 0,
      statuses: steps.some((s) => /\/statuses\//.test(s.run ?? '')),
    };
    const permissions = job.permissions;
    if (typeof permissions === 'string') {
      if (permissions === 'write-all') {
        this.add('permissions', ['jobs', jobId, 'permissions'], `job ${jobId}: 'write-all': list the scopes it needs`);
      }
      return;
    }
    const granted = (permissions ?? {}) as Json;
    for (const [scope, access] of Object.entries(granted)) {
      if (access !== 'write') continue;
      if (!(scope in WRITE_JUSTIFICATIONS)) {
        this.add(
          'permissions',
          ['jobs', jobId, 'permissions', scope],
          `job ${jobId}: '${scope}: write' is never needed here`,
        );
      } else if (!needs[scope]) {
        this.add(
          'permissions',
          ['jobs', jobId, 'permissions', scope],
          `job ${jobId}: '${scope}: write' without ${WRITE_JUSTIFICATIONS[scope]}: drop it`,
        );
      }
    }
    for (const [scope, needed] of Object.entries(needs)) {
      if (needed && granted[scope] !== 'write') {
        const top = (this.workflow['permissions'] ?? {}) as Json;
        if (permissions === undefined && typeof top === 'object' && top[scope] === 'write') continue;
        this.add(
          'permissions',
          ['jobs', jobId, permissions === undefined ? 'runs-on' : 'permissions'],
          `job ${jobId} needs '${scope}: write' for ${WRITE_JUSTIFICATIONS[scope]}`,
        );
      }
    }
  }

  // --- steps: our actions, outputs, pins, scripts ------------------------------------------------------------

  private checkSteps(jobId: string, job: Job): void {
    const steps = job.steps ?? [];
    steps.forEach((step, index) => {
      const path = ['jobs', jobId, 'steps', index];
      const name = localAction(step.uses);
      if (step.uses?.startsWith('./') && !name) {
        this.add('local-action', [...path, 'uses'], `'${step.uses}' is not ./actions/<name>`);
      } else if (name) {
        this.checkLocalAction(jobId, index, name, step);
        const condition = String(step.if ?? '');
        if (
          name === 'aml-endpoint-swap' &&
          step.with?.['mode'] === 'rollback' &&
          !(/\bfailure\(\)/.test(condition) && /\bcancelled\(\)/.test(condition))
        ) {
          this.add(
            'rollback-on-cancel',
            [...path, step.if === undefined ? 'uses' : 'if'],
            `job ${jobId}: the rollback step must run when the job is cancelled too: 'if: (failure() || cancelled()) && …'`,
          );
        }
      } else if (step.uses) {
        this.checkPinned([...path, 'uses'], step.uses);
        if (/^actions\/checkout@/.test(step.uses) && String(step.with?.['persist-credentials']) !== 'false') {
          this.add(
            'checkout',
            [...path, 'uses'],
            `job ${jobId}: actions/checkout without 'persist-credentials: false' leaves the token in .git/config`,
          );
        }
      }
      if (step.run?.includes('${{')) {
        this.add(
          'run-expressions',
          [...path, 'run'],
          `job ${jobId}, step ${step.id ?? step.name ?? index + 1}: '\${{' inside run: — pass the value through env: and use "$NAME"`,
        );
      }
      for (const [text, at] of stringsAt(step, path)) this.checkStepReferences(jobId, index, at, text, steps);
    });
    if (job.if) this.checkStepReferences(jobId, -1, ['jobs', jobId, 'if'], job.if, [], true);
    for (const text of strings(job.outputs ?? {})) {
      this.checkStepReferences(jobId, steps.length, ['jobs', jobId, 'outputs'], text, steps);
    }
    for (const text of strings(job.environment ?? {})) {
      this.checkStepReferences(jobId, steps.length, ['jobs', jobId, 'environment'], text, steps);
    }
  }

  private checkPinned(path: (string | number)[], uses: string): void {
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses)) {
        this.add('pinned', path, `'${uses}': pin the image by digest (docker://image@sha256:…)`);
      }
      return;
    }
    const [action, ref] = uses.split('@');
    if (!ref || !/^[0-9a-f]{40}$/.test(ref)) {
      this.add(
        'pinned',
        path,
        `'${uses}': pin third-party actions to a full commit SHA (owner/repo@<40 hex> # vX.Y.Z)`,
      );
      return;
    }
    this.checkRuntime(path, uses, action ?? '', ref);
  }

  private checkRuntime(path: (string | number)[], uses: string, action: string, sha: string): void {
    const pin = PINNED_ACTIONS.find((p) => p.action === action && p.sha === sha);
    if (!pin) {
      this.add(
        'runtime',
        path,
        `'${uses}' is not in test/workflows/pinned-actions.ts: verify its release and runtime, then add it`,
      );
      return;
    }
    if (pin.runtime !== REQUIRED_RUNTIME) {
      this.add('runtime', path, `'${action}@${pin.version}' runs on ${pin.runtime}: pin a ${REQUIRED_RUNTIME} release`);
    }
    const comment = this.lineText(path).match(/#\s*(v\S+)/)?.[1];
    if (comment !== pin.version) {
      this.add('runtime', path, `'${uses}' is ${pin.version}: say so in its comment ('# ${pin.version}')`);
    }
  }

  private checkLocalAction(jobId: string, index: number, name: string, step: Step): void {
    const path = ['jobs', jobId, 'steps', index];
    const metadata = this.actions.get(name);
    if (!metadata) {
      this.add('local-action', [...path, 'uses'], `./actions/${name} does not exist`);
      return;
    }
    const given = step.with ?? {};
    for (const input of Object.keys(given)) {
      if (!(input in metadata.inputs)) {
        this.add('local-action', [...path, 'with', input], `./actions/${name} has no input '${input}'`);
      }
    }
    for (const [input, spec] of Object.entries(metadata.inputs)) {
      if (spec.required && spec.default === undefined && !(input in given)) {
        this.add('local-action', [...path, 'uses'], `./actions/${name} requires the input '${input}'`);
      }
    }
  }

  private checkStepReferences(
    jobId: string,
    index: number,
    path: (string | number)[],
    text: string,
    steps: Step[],
    jobLevel = false,
  ): void {
    for (const match of text.matchAll(/\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g)) {
      const [, id, output] = match as unknown as [string, string, string];
      if (jobLevel) {
        this.add(
          'step-outputs',
          path,
          `job ${jobId}: steps.${id}.outputs.${output} in the job's if: (no step has run yet)`,
        );
        continue;
      }
      const at = steps.findIndex((s) => s.id === id);
      if (at < 0) {
        this.add('step-outputs', path, `job ${jobId}: steps.${id}.outputs.${output}: no step has id '${id}'`);
        continue;
      }
      if (at >= index) {
        this.add('step-outputs', path, `job ${jobId}: steps.${id}.outputs.${output} is read before step '${id}' runs`);
        continue;
      }
      const source = steps[at] as Step;
      const name = localAction(source.uses);
      if (name) {
        const outputs = this.actions.get(name)?.outputs ?? {};
        if (!(output in outputs)) {
          this.add(
            'step-outputs',
            path,
            `job ${jobId}: steps.${id}.outputs.${output}: ./actions/${name} has no output '${output}' (it has ${Object.keys(outputs).join(', ')})`,
          );
        }
      } else if (source.run !== undefined) {
        if (!new RegExp(`\\b${output}=`).test(source.run) || !source.run.includes('GITHUB_OUTPUT')) {
          this.add(
            'step-outputs',
            path,
            `job ${jobId}: steps.${id}.outputs.${output}: the run step '${id}' never writes ${output}= to $GITHUB_OUTPUT`,
          );
        }
      }
    }
  }

  private checkNeedsOutputs(jobId: string, job: Job, jobs: Record<string, Job>): void {
    const needs = typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []);
    for (const text of strings(job)) {
      for (const match of text.matchAll(/\bneeds\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g)) {
        const [, other, output] = match as unknown as [string, string, string];
        if (!needs.includes(other)) {
          this.add(
            'needs-outputs',
            ['jobs', jobId],
            `job ${jobId}: needs.${other}.outputs.${output}, but ${other} is not in needs:`,
          );
        } else if (!(output in (jobs[other]?.outputs ?? {}))) {
          this.add('needs-outputs', ['jobs', jobId], `job ${jobId}: job ${other} declares no output '${output}'`);
        }
      }
    }
  }

  // --- concurrency, environments, workflow_run ---------------------------------------------------------------

  private checkConcurrencyAndEnvironment(jobId: string, job: Job): void {
    const steps = job.steps ?? [];
    const deploys = steps.some(
      (s) =>
        (localAction(s.uses) === 'aml-endpoint-deploy' && (s.with?.['mode'] ?? 'deploy') !== 'plan') ||
        localAction(s.uses) === 'aml-endpoint-swap',
    );
    const opensPromotion = (s: Step) => localAction(s.uses) === 'open-promotion-pr' && s.with?.['mode'] !== 'verify';
    const writes = deploys || steps.some((s) => localAction(s.uses) === 'build-container' || opensPromotion(s));
    if (!writes) return;
    const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
    if (deploys && !environment) {
      this.add(
        'environment',
        ['jobs', jobId],
        `job ${jobId} deploys or moves traffic without 'environment:' (no gate, and no environment OpenID Connect subject)`,
      );
    }
    const concurrency = job.concurrency ?? (this.workflow['concurrency'] as Job['concurrency']);
    const where: (string | number)[] = job.concurrency === undefined ? ['jobs', jobId] : ['jobs', jobId, 'concurrency'];
    if (concurrency === undefined) {
      this.add('concurrency', where, `job ${jobId} changes shared state without a concurrency group`);
      return;
    }
    const group = typeof concurrency === 'string' ? concurrency : String(concurrency['group'] ?? '');
    const cancel = typeof concurrency === 'string' ? undefined : concurrency['cancel-in-progress'];
    if (cancel !== false) {
      this.add(
        'concurrency',
        where,
        `job ${jobId}: 'cancel-in-progress: false' is required (a deployment or push cut off halfway is worse than a wait)`,
      );
    }
    if (deploys && environment && !group.includes(environment.replace(/^\$\{\{\s*|\s*\}\}$/g, ''))) {
      this.add(
        'concurrency',
        where,
        `job ${jobId}: the concurrency group '${group}' does not name its environment '${environment}'`,
      );
    }
  }

  private checkWorkflowRun(jobs: Record<string, Job>): void {
    if (!this.triggers().includes('workflow_run')) return;
    const gated = new Map<string, boolean>();
    const isGated = (jobId: string, seen = new Set<string>()): boolean => {
      if (gated.has(jobId)) return gated.get(jobId) as boolean;
      if (seen.has(jobId)) return false;
      seen.add(jobId);
      const job = jobs[jobId] ?? {};
      const condition = job.if ?? '';
      const own = /github\.event\.workflow_run\.conclusion\s*==\s*'success'/.test(condition);
      const needs = typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []);
      const inherits =
        !/\b(always|cancelled|failure)\(\)/.test(condition) && needs.some((other) => isGated(other, seen));
      const result = own || inherits;
      gated.set(jobId, result);
      return result;
    };
    for (const jobId of Object.keys(jobs)) {
      if (!isGated(jobId)) {
        this.add(
          'workflow-run',
          ['jobs', jobId],
          `job ${jobId} runs on workflow_run without checking the triggering run succeeded ` +
            "(if: github.event.workflow_run.conclusion == 'success')",
        );
      }
    }
  }
}

export function checkWorkflow(file: string, text: string, actions: Map<string, ActionMetadata>): Finding[] {
  return new WorkflowChecker(file, text, actions).check();
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: [${finding.rule}] ${finding.message}`;
}

/** The job names a workflow's checks appear under (a job's `name:`, else its id), and its static environments. */
export function jobChecksAndEnvironments(text: string): { checks: string[]; environments: string[] } {
  const workflow = (parse(text) ?? {}) as Json;
  const jobs = (workflow['jobs'] ?? {}) as Record<string, Job>;
  const checks: string[] = [];
  const environments: string[] = [];
  for (const [jobId, job] of Object.entries(jobs)) {
    checks.push(job.name ?? jobId);
    const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
    if (environment && !environment.includes('${{')) environments.push(environment);
  }
  return { checks, environments };
}
