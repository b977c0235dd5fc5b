/**
 * `npm run bench`: what the actions cost, as ratios measured side by side in one run (median of alternating runs;
 * these machines are noisy). Prints a table and writes bench/results.json.
 *
 *   start-up   each bundled action to its first log line and to the end of its smallest complete run, against bare node
 *   pipeline   deploy → test → swap against the emulator at 2 s and 10 s of provisioning: wall time over provisioning
 *              time, and the ARM requests by kind against the floor the operations need
 *   load       the test action's request generator against autocannon on the same scoring server
 *   containers promote by digest against a rebuild of the same image (where Docker runs), and the bundle sizes
 *
 * BENCH_RUNS (default 5) sets the runs per figure; BENCH_ONLY=startup,load,… picks sections.
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
import { DEPLOY, ENDPOINT, managementClient, MODELS, startAmlWorld, type AmlWorld } from '../test/support/aml.ts';
import { dockerUnavailableReason, startRegistry } from '../test/support/docker.ts';
import { REPO_ROOT, runAction, type RunResult } from '../test/support/run-action.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const ONLY = process.env['BENCH_ONLY']?.split(',');
const wanted = (section: string) => !ONLY || ONLY.includes(section);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const table = (header: string[], rows: (string | number)[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => String(c).padEnd(widths[i] as number)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};

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

function expectOk(result: RunResult, what: string): RunResult {
  if (result.exitCode !== 0) throw new Error(`${what} failed:\n${result.log}`);
  return result;
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

// ---------------------------------------------------------------- pipeline overhead

/** The requests a deploy → test → swap cannot do without, per kind (polls of long operations counted apart). */
const FLOOR: Record<string, number> = {
  'workspaces.get': 1, // the workspace's region for new resources
  // deploy: state and scoring URI; test: scoring URI; swap: state before, read-back after; the traffic update's
  // poller reads the endpoint once when the operation is done
  'onlineEndpoints.get': 5,
  'onlineDeployments.list': 2, // deploy: which slots exist; test: is the tested slot there and Succeeded
  'modelVersions.get': 1, // the exact version exists (the bench deploys fraud:<n>)
  // deploy: the environment exists; test and swap: its image, for the record (both slots use the same one here)
  'environmentVersions.get': 3,
  'codeVersions.get': 1,
  'onlineDeployments.createOrUpdate': 1,
  // test: still what was tested after the load; swap: is the slot to promote provisioned and still what was
  // tested, what the live slot holds (for rollback); the deployment's poller reads it once when it is done
  'onlineDeployments.get': 4,
  'onlineDeployments.update': 1, // the test's record, a tags-only PATCH
  'onlineEndpoints.listKeys': 1,
  'onlineEndpoints.createOrUpdate': 1, // one traffic update
  // deploy: will the slot fit in the region's cores per VM family (sizes' families and cores, cores in use)
  'virtualMachineSizes.list': 1,
  'usages.list': 1,
};

async function pipeline() {
  const results = [];
  const worlds: [number, AmlWorld][] = [];
  for (const provisioningMs of [2000, 10_000]) {
    const world = await startAmlWorld({ emulator: { provisioningMs, retryAfterSeconds: 1 } });
    expectOk(await world.run('aml-endpoint-deploy', { ...DEPLOY, model: 'fraud:1' }), 'warm-up deploy');
    expectOk(
      await world.run('aml-endpoint-test', { deployment: 'green', 'request-file': 'deploy/request.json' }),
      'warm-up test',
    );
    expectOk(await world.run('aml-endpoint-swap', { deployment: 'green' }), 'warm-up swap');
    worlds.push([provisioningMs, world]);
  }
  try {
    const samples: Record<number, { wall: number[]; requests: Record<string, number>[] }> = {};
    for (let round = 0; round < RUNS; round++) {
      for (const [provisioningMs, world] of worlds) {
        const mark = world.emulator.requests().length;
        const started = performance.now();
        const deploy = expectOk(
          await world.run('aml-endpoint-deploy', { ...DEPLOY, model: `fraud:${(round % 2) + 2}` }),
          'deploy',
        );
        const slot = deploy.outputs['deployment'] as string;
        expectOk(
          await world.run('aml-endpoint-test', {
            deployment: slot,
            'request-file': 'deploy/request.json',
            'load-requests': '0',
          }),
          'test',
        );
        expectOk(
          await world.run('aml-endpoint-swap', {
            deployment: slot,
            'expected-traffic': deploy.outputs['traffic'] as string,
          }),
          'swap',
        );
        const wall = performance.now() - started;
        const byKind: Record<string, number> = {};
        for (const request of world.emulator.requests().slice(mark))
          byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
        (samples[provisioningMs] ??= { wall: [], requests: [] }).wall.push(wall);
        samples[provisioningMs]?.requests.push(byKind);
      }
    }
    for (const [provisioningMs] of worlds) {
      const { wall, requests } = samples[provisioningMs] as { wall: number[]; requests: Record<string, number>[] };
      const provisioning = 2 * provisioningMs; // the deployment PUT and the traffic PUT
      const kinds = [...new Set(requests.flatMap((r) => Object.keys(r)))].sort();
      const byKind = Object.fromEntries(kinds.map((kind) => [kind, median(requests.map((r) => r[kind] ?? 0))]));
      results.push({
        provisioningMs,
        wallMs: round(median(wall)),
        provisioningTotalMs: provisioning,
        ratio: round(median(wall) / provisioning, 2),
        overheadMs: round(median(wall) - provisioning),
        requests: byKind,
        floor: FLOOR,
      });
    }
    return results;
  } finally {
    for (const [, world] of worlds) await world.close();
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
    console.log('Pipeline deploy → test → swap (two long operations each)');
    console.log(
      table(
        ['provisioning', 'wall ms', 'provisioning ms', 'wall / provisioning', 'overhead ms'],
        p.map((r) => [`${r.provisioningMs / 1000} s`, r.wallMs, r.provisioningTotalMs, r.ratio, r.overheadMs]),
      ),
    );
    const kinds = [...new Set(p.flatMap((r) => Object.keys(r.requests)))].sort();
    console.log(
      table(
        ['ARM request kind', ...p.map((r) => `at ${r.provisioningMs / 1000} s`), 'floor'],
        kinds.map((kind) => [
          kind,
          ...p.map((r) => r.requests[kind] ?? 0),
          FLOOR[kind] ?? (kind === 'operationStatus' ? 'polls' : '–'),
        ]),
      ),
    );
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
