/**
 * `npm run demo`: the whole staging → production flow, played with the bundled actions against the local Azure ML
 * emulator (two workspaces), printing what a user would see in the Actions log and the job summaries.
 *
 *   run 1  model v1: staging deploy → test → swap, release manifest; production deploys that manifest
 *   run 2  model v2: the same on the other slot (blue/green)
 *   run 3  model v3 is broken: staging's test catches it before it gets any traffic; swap never runs
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatedModel } from '@mlops-actions/aml-emulator';
import { startAmlWorld, type AmlWorld } from '../test/support/aml.ts';
import { REPO_ROOT, type RunResult } from '../test/support/run-action.ts';

const STAGING = { resourceGroup: 'mlops-rg', workspace: 'mlw-staging' };
const PRODUCTION = { resourceGroup: 'mlops-rg', workspace: 'mlw-production' };
const ENDPOINTS = { staging: 'fraud-scorer-stg', production: 'fraud-scorer-prod' };

/** Three trainings: a baseline, a close retrain, and a broken one. */
const TRAININGS: [string, EmulatedModel, string][] = [
  ['1', { format: 'linear/v1', weights: [0.5, 0.25, 0.125], bias: 1 }, 'baseline'],
  ['2', { format: 'linear/v1', weights: [0.52, 0.24, 0.13], bias: 1.05 }, 'retrained on a month more data'],
  ['3', { format: 'linear/v1', weights: [5, -3, 0], bias: 0 }, 'a training bug: its answers are far off'],
];

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const indent = (text: string, prefix = '    ') =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');

/** The log as the Actions UI shows it: runner commands consumed, groups folded, errors and warnings marked. */
function visibleLog(log: string): string {
  return log
    .split('\n')
    .filter((line) => line !== '' && !/^::(add-mask|debug|endgroup)::/.test(line))
    .map((line) =>
      line
        .replace(/^::group::(.*)$/, '▸ $1')
        .replace(/^::error[^:]*::(.*)$/, 'Error: $1')
        .replace(/^::warning[^:]*::(.*)$/, 'Warning: $1')
        .replace(/%25/g, '%')
        .replace(/%0A/g, '\n'),
    )
    .join('\n');
}

function split(world: AmlWorld, environment: 'staging' | 'production'): Record<string, number> | undefined {
  try {
    return world.emulator.traffic(ENDPOINTS[environment], environment === 'staging' ? STAGING : PRODUCTION);
  } catch {
    return undefined; // the endpoint does not exist yet
  }
}

function traffic(world: AmlWorld, environment: 'staging' | 'production'): string {
  const current = split(world, environment);
  if (current === undefined) return 'no endpoint';
  const entries = Object.entries(current);
  return entries.length === 0 ? 'no traffic' : entries.map(([name, percent]) => `${name} ${percent} %`).join(', ');
}

async function step(
  world: AmlWorld,
  environment: 'staging' | 'production',
  action: string,
  inputs: Record<string, string>,
): Promise<RunResult> {
  const before = traffic(world, environment);
  const started = Date.now();
  const result = await world.run(action, { 'env-file': `examples/.env.${environment}`, ...inputs });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n  ${bold(`▶ ${action}`)} ${dim(`(${seconds}s, exit ${result.exitCode})`)}`);
  console.log(indent(visibleLog(result.log)));
  const outputs = Object.entries(result.outputs).filter(([, value]) => value !== '');
  if (outputs.length > 0) console.log(dim(indent(`outputs: ${outputs.map(([k, v]) => `${k}=${v}`).join('  ')}`)));
  console.log(`    traffic: ${before} → ${bold(traffic(world, environment))}`);
  if (result.summary.trim()) console.log(dim(indent(`job summary:\n${indent(result.summary.trim(), '  ')}`)));
  return result;
}

async function stagingRun(world: AmlWorld, run: number, manifestPath: string): Promise<boolean> {
  console.log(`\n${bold(`━━ cd-staging · run ${run} (environment: staging, workspace ${STAGING.workspace}) ━━`)}`);
  const deploy = await step(world, 'staging', 'aml-endpoint-deploy', {
    'endpoint-file': 'examples/endpoint.yml',
    'deployment-file': 'examples/deployment.yml',
  });
  if (deploy.exitCode !== 0) return false;
  const test = await step(world, 'staging', 'aml-endpoint-test', {
    deployment: deploy.outputs['deployment'] as string,
    cases: 'examples/cases',
    'relative-tolerance': '0.1',
    'load-requests': '200',
    'load-concurrency': '8',
    'max-p95-ms': '500',
    'compare-live': 'true',
    'manifest-path': manifestPath,
  });
  if (test.exitCode !== 0) {
    console.log(
      `\n  ${bold('✗ aml-endpoint-swap skipped')}: the test step failed, so the new model never gets traffic.`,
    );
    return false;
  }
  await step(world, 'staging', 'aml-endpoint-swap', {
    deployment: deploy.outputs['deployment'] as string,
    'expected-traffic': deploy.outputs['traffic'] as string,
  });
  console.log(`\n  ${bold('▶ open-promotion-pr')} ${dim('(integration → main, carrying the release manifest)')}`);
  console.log(indent(readFileSync(join(REPO_ROOT, manifestPath), 'utf8')));
  return true;
}

async function productionRun(world: AmlWorld, run: number, manifestPath: string): Promise<void> {
  console.log(`\n${bold(`━━ cd-production · run ${run} (environment: production, approved by a reviewer) ━━`)}`);
  const deploy = await step(world, 'production', 'aml-endpoint-deploy', {
    'endpoint-file': 'examples/endpoint.yml',
    'deployment-file': 'examples/deployment.yml',
    manifest: manifestPath,
  });
  if (deploy.exitCode !== 0) throw new Error('production deploy failed');
  const test = await step(world, 'production', 'aml-endpoint-test', {
    deployment: deploy.outputs['deployment'] as string,
    cases: 'examples/cases',
    'relative-tolerance': '0.1',
    'load-requests': '100',
  });
  if (test.exitCode !== 0) throw new Error('production test failed');
  const swap = await step(world, 'production', 'aml-endpoint-swap', {
    deployment: deploy.outputs['deployment'] as string,
    'expected-traffic': deploy.outputs['traffic'] as string,
    strategy: 'canary',
    'canary-steps': '25,100',
    'canary-wait': '1s',
    'probe-request-file': 'examples/cases/typical.request.json',
  });
  if (swap.exitCode !== 0) throw new Error('production swap failed');
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'mlops-demo-'));
  console.log(bold('mlops-actions demo: staging → production on the local Azure ML emulator'));
  const world = await startAmlWorld({
    // Blob storage on: examples/deployment.yml uploads its code folder and registers its inline environment.
    emulator: { workspaces: [STAGING, PRODUCTION], provisioningMs: 1000, dataDir: tmp, blobStorage: true },
    repo: REPO_ROOT,
    models: {},
    inputs: {},
  });
  try {
    console.log(
      dim(`emulator: ARM ${world.emulator.urls.arm} · workspaces ${STAGING.workspace}, ${PRODUCTION.workspace}`),
    );
    let productionRuns = 0;
    for (const [index, [version, model, story]] of TRAININGS.entries()) {
      console.log(`\n${bold(`■ training registers model fraud v${version}`)} — ${story}`);
      for (const target of [STAGING, PRODUCTION]) await world.emulator.models.register(target, 'fraud', version, model);
      // The manifest lives in the checkout, as open-promotion-pr commits it to the promotion branch.
      const manifestPath = `.tmp/demo/release-${version}.json`;
      if (await stagingRun(world, index + 1, manifestPath)) await productionRun(world, ++productionRuns, manifestPath);
    }
    const armRequests = world.emulator
      .requests()
      .filter((r) => !['score', 'score.mirror', 'token'].includes(r.kind) && !r.kind.startsWith('control'));
    console.log(`\n${bold('Result')}`);
    console.log(`  staging    ${ENDPOINTS.staging}: ${traffic(world, 'staging')}`);
    console.log(`  production ${ENDPOINTS.production}: ${traffic(world, 'production')}`);
    console.log(`  model v3 never received traffic; production runs v2, exactly the version staging tested.`);
    console.log(dim(`  ${armRequests.length} ARM requests in all.`));
    const prod = split(world, 'production') ?? {};
    if (Object.values(prod).reduce((a, b) => a + b, 0) !== 100) throw new Error('production has no live deployment');
  } finally {
    await world.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
