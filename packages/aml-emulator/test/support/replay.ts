/**
 * Replays the recorded Azure ML exchanges (../shared/reference/recordings: test-proxy JSON written by the Azure SDK
 * for Python's tests) against the emulator and compares, per exchange: the status code, the LRO headers (which are
 * there, what kind of URL they hold, the operation timeout, no Retry-After), the provisioning or operation state,
 * and the body's shape (names and JSON types; values are sanitized in the recordings and never compared).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Harness } from './harness.ts';

export interface RecordedEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: unknown;
}

/** What one exchange looked like, reduced to what is compared. */
export interface Observed {
  status: number;
  headers: string[];
  state: string | undefined;
  shape: string[];
}

export interface ExchangeResult {
  file: string;
  entry: number;
  what: string;
  /** Why it was not sent; undefined when it was. */
  skipped?: string;
  /** Categories that differ: status, headers, state, shape. */
  differs: string[];
  details: string[];
}

const RECORDED_SUBSCRIPTION = '00000000-0000-0000-0000-000000000';
const FALLBACK_API_VERSION = '2022-10-01';

function withApiVersion(uri: string, apiVersion: string): string {
  const url = new URL(uri);
  url.searchParams.set('api-version', apiVersion);
  return url.href;
}
/** Keys whose values are maps of user names (their keys are data, not shape). */
const MAP_KEYS = new Set(['tags', 'traffic', 'mirrorTraffic', 'environmentVariables', 'flavors']);
const MAP_PATHS = new Set(['properties.properties', 'properties.properties.properties']);

export function readRecordings(dir: string): { file: string; entries: RecordedEntry[] }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      entries: (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { Entries: RecordedEntry[] }).Entries,
    }));
}

/** Requests outside the ML workspace resource tree the emulator serves, with the reason. */
export function outOfScope(entry: RecordedEntry): string | undefined {
  const url = new URL(entry.RequestUri);
  if (url.hostname.endsWith('.core.windows.net')) return 'blob storage request (the real account; not the ARM API)';
  if (url.pathname.includes('/registrymanagement/')) return 'registry discovery service (registries are not emulated)';
  if (
    /\/providers\/Microsoft\.Resources\//i.test(url.pathname) ||
    /\/resourcegroups\/[^/]+\/deployments\//i.test(url.pathname)
  )
    return 'ARM template deployment (Microsoft.Resources; not emulated)';
  return undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Key paths with their JSON types; list items by the shape of the first one; maps of names as `object` only. */
export function shapeOf(value: unknown, path = ''): Map<string, string> {
  const shape = new Map<string, string>();
  const visit = (node: unknown, at: string, key: string) => {
    shape.set(at || '(body)', typeOf(node));
    if (MAP_KEYS.has(key) || MAP_PATHS.has(at)) return;
    if (Array.isArray(node)) {
      if (node.length > 0) visit(node[0], `${at}[]`, '');
    } else if (typeof node === 'object' && node !== null) {
      for (const [child, item] of Object.entries(node)) visit(item, at ? `${at}.${child}` : child, child);
    }
  };
  visit(value, path, '');
  return shape;
}

function shapeDifferences(recorded: unknown, actual: unknown): string[] {
  const want = shapeOf(recorded);
  const got = shapeOf(actual);
  const differences: string[] = [];
  for (const [path, type] of want) {
    const other = got.get(path);
    if (other === undefined) differences.push(`missing ${path} (${type})`);
    else if (other !== type) differences.push(`${path}: ${type} recorded, ${other} emulated`);
  }
  for (const [path, type] of got) if (!want.has(path)) differences.push(`extra ${path} (${type})`);
  return differences;
}

/** Which kind of URL an LRO header holds: the resource itself, or one of the operation URLs. */
function urlKind(value: string): string {
  const path = new URL(value).pathname;
  if (path.includes('/mfeOperationsStatus/')) return 'mfeOperationsStatus';
  if (path.includes('/mfeOperationResults/')) return 'mfeOperationResults';
  return 'resource';
}

function lroHeaders(headers: Record<string, string>): string[] {
  const lower = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const found: string[] = [];
  if (lower['azure-asyncoperation'] !== undefined)
    found.push(`Azure-AsyncOperation: ${urlKind(lower['azure-asyncoperation'])}`);
  if (lower['location'] !== undefined) found.push(`Location: ${urlKind(lower['location'])}`);
  if (lower['x-ms-async-operation-timeout'] !== undefined)
    found.push(`x-ms-async-operation-timeout: ${lower['x-ms-async-operation-timeout']}`);
  if (lower['retry-after'] !== undefined) found.push('Retry-After');
  return found;
}

function stateOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { status?: unknown; properties?: { provisioningState?: unknown } };
  if (typeof record.status === 'string') return record.status;
  const state = record.properties?.provisioningState;
  return typeof state === 'string' ? state : undefined;
}

function recordedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body ?? undefined;
  if (body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function describe(entry: RecordedEntry): string {
  const url = new URL(entry.RequestUri);
  const tail = url.pathname.replace(/^.*\/providers\/Microsoft\.MachineLearningServices\//i, '');
  return `${entry.RequestMethod} ${tail.length > 70 ? `…${tail.slice(-70)}` : tail} → ${entry.StatusCode}`;
}

const isStatusPoll = (entry: RecordedEntry) =>
  entry.RequestMethod === 'GET' && new URL(entry.RequestUri).pathname.includes('/mfeOperationsStatus/');

/** Replays one recording on a fresh emulator (workspace `00000` in resource group `00000`, as sanitized). */
export async function replay(h: Harness, file: string, entries: RecordedEntry[]): Promise<ExchangeResult[]> {
  const results: ExchangeResult[] = [];
  const operations = new Map<string, string>();
  const token = await h.armToken();
  const rewrite = (text: string) => {
    let out = text.replaceAll(RECORDED_SUBSCRIPTION, h.subscriptionId);
    for (const [recorded, emulated] of operations) out = out.replaceAll(recorded, emulated);
    return out;
  };
  const send = async (
    entry: RecordedEntry,
  ): Promise<{ status: number; headers: Record<string, string>; body: unknown; refusedApiVersion?: string }> => {
    const recorded = new URL(entry.RequestUri);
    const url = new URL(`${h.emulator.urls.arm}${rewrite(recorded.pathname).replace(/^\//, '')}`);
    for (const [key, value] of recorded.searchParams)
      if (!['t', 'c', 's', 'h'].includes(key)) url.searchParams.set(key, value);
    const body = entry.RequestBody === null || entry.RequestBody === undefined ? undefined : entry.RequestBody;
    const response = await fetch(url, {
      method: entry.RequestMethod,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: rewrite(typeof body === 'string' ? body : JSON.stringify(body)) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    const refused = (parsed as { error?: { code?: string } } | undefined)?.error?.code === 'NoRegisteredProviderFound';
    if (refused && url.searchParams.get('api-version') !== FALLBACK_API_VERSION) {
      // An api-version the emulator refuses: compared at the oldest it serves, and said so.
      const again = await send({ ...entry, RequestUri: withApiVersion(entry.RequestUri, FALLBACK_API_VERSION) });
      return { ...again, refusedApiVersion: url.searchParams.get('api-version') ?? '' };
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed };
  };
  const learnOperation = (entry: RecordedEntry, headers: Record<string, string>) => {
    const recorded = entry.ResponseHeaders['Azure-AsyncOperation'];
    const emulated = headers['azure-asyncoperation'];
    const id = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').at(-1) ?? '');
    if (recorded !== undefined && emulated !== undefined) operations.set(id(recorded), id(emulated));
  };
  const compare = (
    entry: RecordedEntry,
    got: { status: number; headers: Record<string, string>; body: unknown; refusedApiVersion?: string },
  ) => {
    const want = recordedBody(entry.ResponseBody);
    const differs: string[] = [];
    const details: string[] = [];
    if (got.refusedApiVersion !== undefined) {
      differs.push('api-version');
      details.push(`api-version ${got.refusedApiVersion} refused; compared at ${FALLBACK_API_VERSION}`);
    }
    if (got.status !== entry.StatusCode) {
      differs.push('status');
      details.push(`status ${entry.StatusCode} recorded, ${got.status} emulated`);
    }
    const [wantHeaders, gotHeaders] = [lroHeaders(entry.ResponseHeaders), lroHeaders(got.headers)];
    if (wantHeaders.join() !== gotHeaders.join()) {
      differs.push('headers');
      details.push(`headers [${wantHeaders.join('; ')}] recorded, [${gotHeaders.join('; ')}] emulated`);
    }
    if (stateOf(want) !== stateOf(got.body)) {
      differs.push('state');
      details.push(`state ${stateOf(want) ?? '-'} recorded, ${stateOf(got.body) ?? '-'} emulated`);
    }
    const shape = shapeDifferences(want, got.body);
    if (shape.length > 0) {
      differs.push('shape');
      details.push(...shape);
    }
    return { differs, details };
  };

  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as RecordedEntry;
    const skipped = outOfScope(entry);
    if (skipped !== undefined) {
      results.push({ file, entry: index, what: describe(entry), skipped, differs: [], details: [] });
      continue;
    }
    if (!isStatusPoll(entry)) {
      const got = await send(entry);
      learnOperation(entry, got.headers);
      results.push({ file, entry: index, what: describe(entry), ...compare(entry, got) });
      continue;
    }
    // A run of polls of one operation: the same states in the same order, then the last poll compared whole.
    const path = new URL(entry.RequestUri).pathname;
    let end = index;
    while (
      end + 1 < entries.length &&
      isStatusPoll(entries[end + 1] as RecordedEntry) &&
      new URL((entries[end + 1] as RecordedEntry).RequestUri).pathname === path
    )
      end++;
    const run = entries.slice(index, end + 1);
    const wantStates = collapse(run.map((polled) => stateOf(recordedBody(polled.ResponseBody)) ?? '-'));
    const last = wantStates.at(-1);
    const gotStates: string[] = [];
    let got = await send(entry);
    const firstCompared = compare(entry, got);
    for (let polls = 0; polls < 2000; polls++) {
      gotStates.push(stateOf(got.body) ?? '-');
      const state = gotStates.at(-1);
      if (got.status !== 200 || state === last || ['Succeeded', 'Failed', 'Canceled'].includes(state ?? '')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
      got = await send(entry);
    }
    const lastCompared = compare(run.at(-1) as RecordedEntry, got);
    const sequence = collapse(gotStates);
    const differs = [...new Set([...firstCompared.differs, ...lastCompared.differs])].filter(
      (kind) => kind !== 'state',
    );
    const details = [...firstCompared.details, ...lastCompared.details].filter((line) => !line.startsWith('state '));
    if (sequence.join() !== wantStates.join()) {
      differs.push('state');
      details.push(`states ${wantStates.join(' → ')} recorded, ${sequence.join(' → ')} emulated`);
    }
    for (let polled = index; polled <= end; polled++)
      results.push({
        file,
        entry: polled,
        what: `${describe(entries[polled] as RecordedEntry)} (poll ${polled - index + 1}/${run.length})`,
        differs,
        details,
      });
    index = end;
  }
  return results;
}

function collapse(states: string[]): string[] {
  return states.filter((state, i) => i === 0 || states[i - 1] !== state);
}
