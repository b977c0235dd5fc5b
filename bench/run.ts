/**
 * `npm run bench`: what the actions cost, as ratios measured side by side in one run (median of alternating runs;
 * these machines are noisy). Prints a table and writes bench/results.json.
 *
 *   start-up   each bundled action to its first log line and to the end of its smallest complete run, against bare node
 *   pipeline   deploy → test → swap on the emulator's realistic (recorded) timing, scaled: wall time over provisioning
 *              time, projected to full scale, and the ARM requests by kind against the floor (bench/pipeline.ts)
 *   load       the test action's request generator against autocannon on the same scoring server
 *   containers promote by digest against a rebuild of the same image (where Docker runs), and the bundle sizes
 *
 * BENCH_RUNS (default 5) sets the runs per figure; BENCH_ONLY=startup,load,… picks sections; BENCH_TIME_SCALE
 * (default 0.02) scales the pipeline's timeline.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import autocannon from 'autocannon';
import { runLoad } from '../packages/core/src/aml/scoring.ts';
import { GitHubServer } from '../test/github-server/index.ts';
import { DEPLOY, ENDPOINT, managementClient, MODELS, startAmlWorld } from '../test/support/aml.ts';
import { dockerUnavailableReason, startRegistry } from '../test/support/docker.ts';
import { REPO_ROOT, runAction, type RunResult } from '../test/support/run-action.ts';
import { expectOk, median, round, RUNS, table } from './common.ts';
import { pipeline, printPipeline } from './pipeline.ts';

const ONLY = process.env['BENCH_ONLY']?.split(',');
const wanted = (section: string) => !ONLY || ONLY.includes(section);

/** Runs every case once per round, in turn, so that slow and fast moments of the machine fall on all of them. */
async function alternate(cases: Record<string, () => Promise<number>>): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const [name, run] of Object.entries(cases)) samples[name]?.push(await run());
  }
  return samples;
}

function spawnTimed(args: string[]): Promise<{ firstOutputMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first: number | undefined;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', () => (first ??= performance.now() - started));
    child.on('error', reject);
    child.on('close', () => resolve({ firstOutputMs: first ?? Number.NaN, totalMs: performance.now() - started }));
  });
}

// ---------------------------------------------------------------- start-up

async function startup() {
  const world = await startAmlWorld({ emulator: { provisioningMs: 20 } });
  const github = await GitHubServer.start();
  try {
    // A workspace as a pipeline leaves it: green live (v1), blue idle (v2).
    expectOk(await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' }), 'deploy');
    expectOk(
      await world.run('aml-endpoint-test', { deployment: 'green', 'request-file': 'deploy/request.json' }),
      'test',
    );
    expectOk(await world.run('aml-endpoint-swap', { deployment: 'green' }), 'swap');
    expectOk(await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:2' }), 'deploy');
    // A repository whose promotion PR is open and current: open-promotion-pr finds nothing to change.
    const token = 'ghs_benchtoken0000000000000000000000000001';
    github.addToken(token, { kind: 'github-token' });
    const repo = github.repository('octo-org/ml-service');
    repo.commitFiles('main', { 'README.md': '# ml\n' }, 'Initial commit');
    // The tested commit: open-promotion-pr promotes only integration's tip as the manifest records it.
    const tested = repo.commitFiles('integration', { 'score.py': 'x = 1\n' }, 'Change', 'main');
    const manifest = join(world.repo, 'release.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        schema: 1,
        model: { name: 'fraud', version: '2' },
        source: { repository: 'octo-org/ml-service', commit: tested },
        createdAt: '2026-11-01T00:00:00.000Z',
      }),
    );
    const promote = () =>
      runAction('open-promotion-pr', {
        inputs: { manifest: 'release.json' },
        github: {
          apiUrl: github.url,
          graphqlUrl: github.graphqlUrl,
          token,
          repository: 'octo-org/ml-service',
          workspace: world.repo,
        },
      });
    expectOk(await promote(), 'open-promotion-pr');

    const runs: Record<string, () => Promise<RunResult>> = {
      'aml-endpoint-deploy (plan, no change)': () =>
        world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1', mode: 'plan' }),
      'aml-endpoint-test (1 case, no load)': () =>
        world.run('aml-endpoint-test', {
          deployment: 'blue',
          'request-file': 'deploy/request.json',
          'load-requests': '0',
        }),
      'aml-endpoint-swap (already live)': () => world.run('aml-endpoint-swap', { deployment: 'green' }),
      'open-promotion-pr (unchanged)': promote,
      'build-container (bad input)': () =>
        runAction('build-container', { inputs: { image: 'UPPER CASE' }, github: { workspace: world.repo } }),
    };
    const first: Record<string, number[]> = { 'node -e console.log': [] };
    const total: Record<string, number[]> = { 'node -e 0': [] };
    for (let round = 0; round < RUNS; round++) {
      first['node -e console.log']?.push((await spawnTimed(['-e', 'console.log(1)'])).firstOutputMs);
      total['node -e 0']?.push((await spawnTimed(['-e', '0'])).totalMs);
      for (const [name, run] of Object.entries(runs)) {
        const result = await run();
        if (!name.includes('bad input')) expectOk(result, name);
        (first[name] ??= []).push(result.firstOutputMs ?? Number.NaN);
        (total[name] ??= []).push(result.durationMs);
      }
    }
    const baseFirst = median(first['node -e console.log'] as number[]);
    const baseTotal = median(total['node -e 0'] as number[]);
    const rows = Object.keys(runs).map((name) => {
      const f = median(first[name] as number[]);
      const t = median(total[name] as number[]);
      return {
        name,
        firstLineMs: round(f),
        firstLineRatio: round(f / baseFirst, 2),
        completeMs: round(t),
        completeRatio: round(t / baseTotal, 2),
      };
    });
    return { baseline: { firstLineMs: round(baseFirst), exitMs: round(baseTotal) }, actions: rows };
  } finally {
    await github.close();
    await world.close();
  }
}

// ---------------------------------------------------------------- load

/** The emulator in its own process, so the server does not share an event loop with either load generator. */
async function emulatorProcess(): Promise<{ info: Record<string, string>; stop: () => void }> {
  const child = spawn(
    process.execPath,
    // No endpoint rate limit: the load comparison measures the generators, not the service's 500 requests per second.
    [
      join(REPO_ROOT, 'packages', 'aml-emulator', 'bin', 'aml-emulator.js'),
      '--port',
      '0',
      '--provisioning-ms',
      '10',
      '--endpoint-rps',
      '0',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0] as string);
    });
    child.on('exit', (code) => reject(new Error(`aml-emulator exited with ${code}`)));
  });
  return { info: JSON.parse(line) as Record<string, string>, stop: () => child.kill('SIGTERM') };
}

async function load() {
  const emulator = await emulatorProcess();
  try {
    const { info } = emulator;
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(info['caFile'] as string, 'utf8')]);
    const credentials = {
      tenantId: info['tenantId'] as string,
      clientId: info['clientId'] as string,
      clientSecret: info['clientSecret'] as string,
      subscriptionId: info['subscriptionId'] as string,
      resourceGroup: info['resourceGroup'] as string,
      workspace: info['workspace'] as string,
    };
    const client = managementClient({
      urls: {
        arm: info['armEndpoint'] as string,
        authorityHost: info['authorityHost'] as string,
        control: info['controlUrl'] as string,
        oidcIssuer: '',
      },
      credentials,
    });
    const { resourceGroup: rg, workspace: ws, subscriptionId } = credentials;
    const register = await fetch(`${info['controlUrl']}models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fraud', version: '1', model: MODELS['1'] }),
    });
    if (!register.ok) throw new Error(`registering the model: HTTP ${register.status} ${await register.text()}`);
    await client.environmentVersions.createOrUpdate(rg, ws, 'env', '1', {
      properties: { image: 'mcr.microsoft.com/azureml/minimal-py312-inference:latest' },
    });
    const poll = { updateIntervalInMs: 20 };
    await client.onlineEndpoints.beginCreateOrUpdateAndWait(
      rg,
      ws,
      ENDPOINT,
      { location: 'eastus', properties: { authMode: 'Key' } },
      poll,
    );
    await client.onlineDeployments.beginCreateOrUpdateAndWait(
      rg,
      ws,
      ENDPOINT,
      'green',
      {
        location: 'eastus',
        sku: { name: 'Default', capacity: 1 },
        properties: {
          endpointComputeType: 'Managed',
          instanceType: 'Standard_DS3_v2',
          // Admits 2 × 8 × 1 = 16 requests in flight: the generators' 16 connections.
          requestSettings: { maxConcurrentRequestsPerInstance: 8 },
          model: `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${ws}/models/fraud/versions/1`,
          environmentId: `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${ws}/environments/env/versions/1`,
        },
      },
      poll,
    );
    const endpoint = await client.onlineEndpoints.get(rg, ws, ENDPOINT);
    const keys = await client.onlineEndpoints.listKeys(rg, ws, ENDPOINT);
    const scoringUri = endpoint.properties.scoringUri as string;
    const body = JSON.stringify({
      data: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    const requests = 3000;
    const connections = 16;
    const target = { scoringUri, credential: keys.primaryKey as string, deployment: 'green' };

    const ours: { rps: number; p50: number; p90: number; p99: number }[] = [];
    const theirs: { rps: number; p50: number; p90: number; p99: number }[] = [];
    for (let round = 0; round < RUNS; round++) {
      const stats = await runLoad(target, [body], requests, connections);
      if (stats.errors > 0) throw new Error(`our generator saw ${stats.errors} errors`);
      ours.push({ rps: stats.throughputRps, p50: stats.p50Ms, p90: stats.p90Ms, p99: stats.p99Ms });
      const result = await autocannon({
        url: scoringUri,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${target.credential}`,
          'azureml-model-deployment': 'green',
        },
        body,
        connections,
        amount: requests,
      });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`autocannon saw ${result.non2xx} non-2xx and ${result.errors} errors`);
      theirs.push({
        // autocannon's `duration` is rounded; its start and finish times are not.
        rps: (result.requests.total * 1000) / (result.finish.getTime() - result.start.getTime()),
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
      });
    }
    const m = (list: typeof ours, key: keyof (typeof ours)[number]) => round(median(list.map((x) => x[key])), 2);
    return {
      requests,
      connections,
      ours: { rps: m(ours, 'rps'), p50Ms: m(ours, 'p50'), p90Ms: m(ours, 'p90'), p99Ms: m(ours, 'p99') },
      autocannon: { rps: m(theirs, 'rps'), p50Ms: m(theirs, 'p50'), p90Ms: m(theirs, 'p90'), p99Ms: m(theirs, 'p99') },
      throughputRatio: round(m(ours, 'rps') / m(theirs, 'rps'), 2),
    };
  } finally {
    emulator.stop();
  }
}

// ---------------------------------------------------------------- containers

function bundleSizes() {
  const sizes: Record<string, number> = {};
  for (const action of readdirSync(join(REPO_ROOT, 'actions'))) {
    const dist = join(REPO_ROOT, 'actions', action, 'dist');
    if (!existsSync(dist)) continue;
    const walk = (dir: string): number =>
      readdirSync(dir).reduce((sum, name) => {
        const path = join(dir, name);
        return sum + (statSync(path).isDirectory() ? walk(path) : name.endsWith('.js') ? statSync(path).size : 0);
      }, 0);
    sizes[action] = walk(dist);
  }
  return sizes;
}

async function containers() {
  const sizes = bundleSizes();
  const reason = dockerUnavailableReason();
  if (reason) return { sizes, skipped: reason };
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync) as string;
  const work = mkdtempSync(join(tmpdir(), 'bench-containers-'));
  const context = join(work, 'context');
  mkdirSync(context);
  mkdirSync(join(work, 'docker-config'));
  copyFileSync(busybox, join(context, 'busybox'));
  writeFileSync(
    join(context, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /etc && echo hi > /etc/greeting"]\n',
  );
  const registry = await startRegistry({ auth: 'htpasswd' });
  try {
    const common = {
      registry: registry.address,
      username: registry.username,
      password: registry.password,
      context,
      network: 'none',
      image: 'bench/app',
    };
    const options = (inputs: Record<string, string>) => ({
      inputs: { ...common, ...inputs },
      env: { DOCKER_CONFIG: join(work, 'docker-config') },
      github: { repository: 'octo-org/app', eventName: 'push', ref: 'refs/heads/feature' },
      timeoutMs: 120_000,
    });
    const built = expectOk(await runAction('build-container', options({ 'no-cache': 'true' })), 'build');
    const digest = built.outputs['digest'] as string;
    let tag = 0;
    const samples = await alternate({
      rebuild: async () =>
        expectOk(await runAction('build-container', options({ 'no-cache': 'true' })), 'rebuild').durationMs,
      promote: async () =>
        expectOk(
          await runAction(
            'build-container',
            options({
              'promote-from': `${registry.address}/bench/app@${digest}`,
              tags: `type=raw,value=release-${++tag}`,
            }),
          ),
          'promote',
        ).durationMs,
    });
    const rebuild = median(samples['rebuild'] as number[]);
    const promote = median(samples['promote'] as number[]);
    return { sizes, rebuildMs: round(rebuild), promoteMs: round(promote), ratio: round(rebuild / promote, 1) };
  } finally {
    await registry.stop();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30),
    node: process.version,
    runs: RUNS,
    date: new Date().toISOString(),
  };
  console.log(
    `mlops-actions bench · ${machine.cpu} · ${machine.cores} cores · ${machine.memoryGiB} GiB · Node ${machine.node} · median of ${RUNS} alternating runs\n`,
  );
  const results: Record<string, unknown> = { machine };

  if (wanted('startup')) {
    const s = await startup();
    results['startup'] = s;
    console.log(`Start-up (bare node: first line ${s.baseline.firstLineMs} ms, exit ${s.baseline.exitMs} ms)`);
    console.log(
      table(
        ['action (smallest complete run)', 'first line ms', '× node', 'complete ms', '× node'],
        s.actions.map((a) => [a.name, a.firstLineMs, a.firstLineRatio, a.completeMs, a.completeRatio]),
      ),
    );
    console.log();
  }
  if (wanted('pipeline')) {
    const p = await pipeline();
    results['pipeline'] = p;
    printPipeline(p);
    console.log();
  }
  if (wanted('load')) {
    const l = await load();
    results['load'] = l;
    console.log(`Load phase: ${l.requests} requests at ${l.connections} connections on one scoring server`);
    console.log(
      table(
        ['generator', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms'],
        [
          ['aml-endpoint-test', l.ours.rps, l.ours.p50Ms, l.ours.p90Ms, l.ours.p99Ms],
          ['autocannon', l.autocannon.rps, l.autocannon.p50Ms, l.autocannon.p90Ms, l.autocannon.p99Ms],
        ],
      ),
    );
    console.log(`throughput ratio (ours / autocannon): ${l.throughputRatio}\n`);
  }
  if (wanted('containers')) {
    const c = await containers();
    results['containers'] = c;
    console.log(
      table(
        ['bundle', 'bytes of JavaScript'],
        Object.entries(c.sizes).map(([name, bytes]) => [name, bytes]),
      ),
    );
    if ('skipped' in c) console.log(`promote vs rebuild: skipped (${c.skipped})`);
    else console.log(`promote by digest ${c.promoteMs} ms vs rebuild ${c.rebuildMs} ms: ${c.ratio}× faster`);
  }
  writeFileSync(join(REPO_ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('\nwritten: bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
