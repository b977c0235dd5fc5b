/**
 * The pipeline section of `npm run bench`: deploy → test → swap against the emulator's realistic timing profile
 * (each long operation lasts what it lasted against Azure in the recorded sessions), scaled by BENCH_TIME_SCALE
 * (default 0.02) with the actions' poll interval scaled alike (1 s at full scale, the inputs' default; the schedule then grows with the time elapsed, which scales by itself), and no
 * Retry-After, as recorded. Measured: wall time over the emulated provisioning, split into the lag between an
 * operation's end and the poll that sees it (it scales with the timeline) and everything else (process start-up,
 * reads, the test's requests: it does not); projected to full scale from that split. And the ARM requests by kind
 * against the floor the operations need.
 */
import { performance } from 'node:perf_hooks';
import type { OperationLogEntry, RequestLogEntry } from '../packages/aml-emulator/src/index.ts';
import { DEPLOY, startAmlWorld } from '../test/support/aml.ts';
import { expectOk, median, round, RUNS, table } from './common.ts';

const TIME_SCALE = Number(process.env['BENCH_TIME_SCALE'] ?? 0.02);
const FULL_SCALE_POLL_MS = 1000;

/** The requests a deploy → test → swap cannot do without, per kind (polls of long operations counted apart). */
export const FLOOR: Record<string, number> = {
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

interface Round {
  wallMs: number;
  provisioningMs: number;
  pollLagMs: number;
  operations: string[];
  requests: Record<string, number>;
}

const lasting = (operation: OperationLogEntry) => Date.parse(operation.dueTime ?? '') - Date.parse(operation.startTime);

/** From an operation's end to the first status poll that saw it ended. */
function pollLag(operation: OperationLogEntry, requests: RequestLogEntry[]): number {
  const due = Date.parse(operation.dueTime ?? '');
  const seen = requests.find(
    (request) =>
      request.kind === 'operationStatus' && request.path.endsWith(operation.id) && Date.parse(request.time) >= due,
  );
  if (seen === undefined) throw new Error(`no poll saw operation ${operation.id} end`);
  return Date.parse(seen.time) - due;
}

export async function pipeline() {
  const pollInterval = `${Math.round(FULL_SCALE_POLL_MS * TIME_SCALE)}ms`;
  const world = await startAmlWorld({
    emulator: { timing: 'realistic', timeScale: TIME_SCALE, provisioningMs: undefined },
  });
  try {
    const polled = { 'poll-interval': pollInterval };
    expectOk(await world.run('aml-endpoint-deploy', { ...DEPLOY, ...polled, model: 'fraud:1' }), 'warm-up deploy');
    expectOk(
      await world.run('aml-endpoint-test', { ...polled, deployment: 'green', 'request-file': 'deploy/request.json' }),
      'warm-up test',
    );
    expectOk(await world.run('aml-endpoint-swap', { ...polled, deployment: 'green' }), 'warm-up swap');
    const rounds: Round[] = [];
    for (let run = 0; run < RUNS; run++) {
      const requestMark = world.emulator.requests().length;
      const operationMark = world.emulator.operations().length;
      const started = performance.now();
      const deploy = expectOk(
        await world.run('aml-endpoint-deploy', { ...DEPLOY, ...polled, model: `fraud:${(run % 2) + 2}` }),
        'deploy',
      );
      const slot = deploy.outputs['deployment'] as string;
      expectOk(
        await world.run('aml-endpoint-test', {
          ...polled,
          deployment: slot,
          'request-file': 'deploy/request.json',
          'load-requests': '0',
        }),
        'test',
      );
      expectOk(
        await world.run('aml-endpoint-swap', {
          ...polled,
          deployment: slot,
          'expected-traffic': deploy.outputs['traffic'] as string,
        }),
        'swap',
      );
      const wallMs = performance.now() - started;
      const requests = world.emulator.requests().slice(requestMark);
      const operations = world.emulator.operations().slice(operationMark);
      const byKind: Record<string, number> = {};
      for (const request of requests) byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
      rounds.push({
        wallMs,
        provisioningMs: operations.reduce((sum, operation) => sum + lasting(operation), 0),
        pollLagMs: operations.reduce((sum, operation) => sum + pollLag(operation, requests), 0),
        operations: operations.map((o) => `${o.deployment === undefined ? 'endpoint' : 'deployment'} ${o.action}`),
        requests: byKind,
      });
    }
    return summarize(rounds);
  } finally {
    await world.close();
  }
}

/** The first round creates the idle slot (9 min); the others update it in place (5 min 20 s): reported apart. */
function summarize(rounds: Round[]) {
  const groups = new Map<string, Round[]>();
  for (const round of rounds) {
    const key = round.operations.join(' + ');
    groups.set(key, [...(groups.get(key) ?? []), round]);
  }
  const rows = [...groups].map(([operations, group]) => {
    const m = (pick: (round: Round) => number) => median(group.map(pick));
    const wall = m((r) => r.wallMs);
    const provisioning = m((r) => r.provisioningMs);
    const lag = m((r) => r.pollLagMs);
    const other = wall - provisioning - lag;
    const fullProvisioning = provisioning / TIME_SCALE;
    return {
      operations,
      runs: group.length,
      wallMs: round(wall),
      provisioningMs: round(provisioning),
      ratio: round(wall / provisioning, 3),
      pollLagMs: round(lag),
      otherOverheadMs: round(other),
      fullScale: {
        provisioningS: round(fullProvisioning / 1000),
        wallS: round((fullProvisioning + lag / TIME_SCALE + other) / 1000),
        ratio: round((fullProvisioning + lag / TIME_SCALE + other) / fullProvisioning, 4),
      },
    };
  });
  const kinds = [...new Set(rounds.flatMap((r) => Object.keys(r.requests)))].sort();
  const requests = Object.fromEntries(kinds.map((kind) => [kind, median(rounds.map((r) => r.requests[kind] ?? 0))]));
  return {
    timeScale: TIME_SCALE,
    pollInterval: `${FULL_SCALE_POLL_MS / 1000}s × scale, then 0.4 % of the time elapsed`,
    rows,
    requests,
    floor: FLOOR,
  };
}

export function printPipeline(p: Awaited<ReturnType<typeof pipeline>>): void {
  console.log(
    `Pipeline deploy → test → swap, realistic timing × ${p.timeScale} (poll interval ${p.pollInterval}, no Retry-After)`,
  );
  console.log(
    table(
      ['operations', 'runs', 'wall ms', 'provisioning ms', 'wall / prov.', 'poll lag ms', 'other ms', 'full scale'],
      p.rows.map((r) => [
        r.operations,
        r.runs,
        r.wallMs,
        r.provisioningMs,
        r.ratio,
        r.pollLagMs,
        r.otherOverheadMs,
        `${r.fullScale.wallS} s / ${r.fullScale.provisioningS} s = ${r.fullScale.ratio}`,
      ]),
    ),
  );
  const kinds = Object.keys(p.requests);
  console.log(
    table(
      ['ARM request kind', 'per run', 'floor'],
      kinds.map((kind) => [kind, p.requests[kind] ?? 0, FLOOR[kind] ?? (kind === 'operationStatus' ? 'polls' : '–')]),
    ),
  );
  const beyond = kinds.filter((kind) => kind in FLOOR && (p.requests[kind] ?? 0) > (FLOOR[kind] ?? 0));
  console.log(beyond.length === 0 ? 'requests beyond polls: at the floor' : `above the floor: ${beyond.join(', ')}`);
}
