/**
 * Test support for the Docker end-to-end tests: find the engine, start Debian's `docker-registry` on a free loopback
 * port (htpasswd auth, or token auth backed by a small loopback token server that signs RS256 JWTs with a
 * self-signed certificate the registry trusts), and read back the requests the registry served.
 *
 * No jest here (the benchmarks use it too): suites decide with `dockerDescribe` from docker-describe.ts.
 * `.ci/run` may start one htpasswd registry for every suite and pass it on in
 * `TEST_REGISTRY` (`host:port`), `TEST_REGISTRY_USER`, `TEST_REGISTRY_PASSWORD` and `TEST_REGISTRY_LOG` (its JSON
 * log file); `startRegistry({ auth: 'htpasswd' })` then reuses it instead of starting another.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export const REQUIRE_DOCKER = process.env['REQUIRE_DOCKER'] === '1';

function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Why Docker tests cannot run here, or undefined when the engine answers and the registry binary is installed. */
export function dockerUnavailableReason(): string | undefined {
  if (!which('docker')) return 'no docker CLI on PATH (apt-get install docker.io)';
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (info.status !== 0) {
    return `the Docker engine does not answer (${(info.stderr || info.error?.message || '').trim().split('\n')[0]})`;
  }
  if (!which('docker-registry')) return 'no docker-registry binary (apt-get install docker-registry)';
  if (!which('busybox')) return 'no busybox binary to build the test image from (apt-get install busybox-static)';
  return undefined;
}

/** A docker CLI whose plain `docker build` can use BuildKit (clients before 23.0, as Debian's docker.io). */
export function buildkitDockerClient(): string | undefined {
  for (const candidate of ['/usr/bin/docker', which('docker')]) {
    if (!candidate) continue;
    const version = spawnSync(candidate, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' });
    // A candidate that is not there (spawn's ENOENT) has no output at all.
    if (version.error) continue;
    const major = Number(/^(\d+)\./.exec(version.stdout.trim())?.[1]);
    // The client answers its own version even when the engine is down (and then exits non-zero).
    if (major > 0 && major < 23) return candidate;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

/** One request the registry served, from its JSON log. */
export interface RegistryRequest {
  method: string;
  uri: string;
  status: number;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`: what docker and the action are given as `registry`. */
  address: string;
  username: string;
  password: string;
  /** The requests served since `mark()` (or since start). */
  requests(since?: number): RegistryRequest[];
  /** A position in the log, for `requests(since)`. */
  mark(): number;
  tokenServer?: TokenServer;
  stop(): Promise<void>;
}

function readRequests(logFile: string, since: number): RegistryRequest[] {
  const text = readFileSync(logFile).subarray(since).toString('utf8');
  const requests: RegistryRequest[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry['msg'] !== 'response completed' && entry['msg'] !== 'response completed with error') continue;
    requests.push({
      method: String(entry['http.request.method']),
      uri: String(entry['http.request.uri']),
      status: Number(entry['http.response.status']),
    });
  }
  return requests;
}

function htpasswdLine(username: string, password: string): string {
  const result = spawnSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`htpasswd failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface StartRegistryOptions {
  auth: 'htpasswd' | 'token';
  /** Token auth: what each user may do, `repository-name → actions`; absent = everything. */
  grants?: Record<string, Record<string, string[]>>;
}

/** Starts a `docker-registry` on a free loopback port (or reuses the one `.ci/run` started, for htpasswd auth). */
export async function startRegistry(options: StartRegistryOptions): Promise<TestRegistry> {
  const shared = process.env['TEST_REGISTRY'];
  if (options.auth === 'htpasswd' && shared) {
    const logFile = process.env['TEST_REGISTRY_LOG'] as string;
    return {
      address: shared,
      username: process.env['TEST_REGISTRY_USER'] as string,
      password: process.env['TEST_REGISTRY_PASSWORD'] as string,
      requests: (since = 0) => readRequests(logFile, since),
      mark: () => statSync(logFile).size,
      stop: async () => {},
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const username = 'ci-pusher';
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  let tokenServer: TokenServer | undefined;
  let auth: string;
  if (options.auth === 'htpasswd') {
    writeFileSync(join(dir, 'htpasswd'), htpasswdLine(username, password) + '\n');
    auth = `  htpasswd:\n    realm: test-registry\n    path: ${join(dir, 'htpasswd')}\n`;
  } else {
    tokenServer = await startTokenServer({ users: { [username]: password }, grants: options.grants ?? {} });
    writeFileSync(join(dir, 'token-ca.pem'), tokenServer.certificatePem);
    auth =
      `  token:\n    realm: ${tokenServer.realm}\n    service: ${tokenServer.service}\n` +
      `    issuer: ${tokenServer.issuer}\n    rootcertbundle: ${join(dir, 'token-ca.pem')}\n`;
  }
  const config =
    `version: 0.1\nlog:\n  level: info\n  formatter: json\n  accesslog:\n    disabled: true\n` +
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
    `http:\n  addr: 127.0.0.1:${port}\n  secret: ${randomBytes(16).toString('hex')}\n` +
    `auth:\n${auth}`;
  writeFileSync(join(dir, 'config.yml'), config);
  const logFile = join(dir, 'registry.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(`http://127.0.0.1:${port}/v2/`, 10_000);
  } catch (error) {
    child.kill('SIGTERM');
    throw new Error(`${String(error)}\n${readFileSync(logFile, 'utf8')}`, { cause: error });
  }
  return {
    address: `127.0.0.1:${port}`,
    username,
    password,
    requests: (since = 0) => readRequests(logFile, since),
    mark: () => statSync(logFile).size,
    ...(tokenServer && { tokenServer }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await tokenServer?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certificatePem: string;
  /** The token requests answered: `scope` as asked, and whether credentials came with them. */
  requests: { scope: string[]; account?: string; status: number }[];
  stop(): Promise<void>;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * A token server as the distribution spec describes (the one ghcr.io and ACR run): Basic credentials (GET) or an
 * OAuth2 password grant (POST) in, a JWT out whose `access` claim grants the scopes asked for, limited by `grants`.
 */
export async function startTokenServer(options: {
  users: Record<string, string>;
  grants: Record<string, Record<string, string[]>>;
}): Promise<TokenServer> {
  const issuer = 'test-token-issuer';
  const service = 'test-registry';
  const pems = await generate([{ name: 'commonName', value: issuer }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
  });
  const certificateDer = new X509Certificate(pems.cert).raw;
  const requests: TokenServer['requests'] = [];

  function sign(account: string | undefined, scopes: string[]): string {
    const access = scopes.flatMap((scope) => {
      const [type, ...rest] = scope.split(':');
      const actions = (rest.pop() ?? '').split(',').filter(Boolean);
      const name = rest.join(':');
      if (type !== 'repository' || !account) return [];
      const allowed = options.grants[account]?.[name] ?? options.grants[account]?.['*'];
      const granted = allowed ? actions.filter((action) => allowed.includes(action)) : actions;
      return [{ type, name, actions: granted }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certificateDer.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: account ?? '',
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const body = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(body).sign(pems.private);
    return `${body}.${base64url(signature)}`;
  }

  function authenticate(username: string | undefined, password: string | undefined): string | undefined | null {
    if (username === undefined) return undefined;
    return options.users[username] !== undefined && options.users[username] === password ? username : null;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let scopes = url.searchParams
      .getAll('scope')
      .flatMap((scope) => scope.split(' '))
      .filter(Boolean);
    let account: string | undefined | null;
    if (request.method === 'POST') {
      let text = '';
      for await (const chunk of request) text += chunk;
      const form = new URLSearchParams(text);
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      account = authenticate(form.get('username') ?? undefined, form.get('password') ?? undefined);
    } else {
      const header = request.headers.authorization ?? '';
      if (header.startsWith('Basic ')) {
        const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        account = authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
      }
    }
    const status = account === null ? 401 : 200;
    requests.push({ scope: scopes, ...(account && { account }), status });
    response.setHeader('content-type', 'application/json');
    if (status === 401) {
      response.writeHead(401).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const token = sign(account ?? undefined, scopes);
    const issuedAt = new Date().toISOString();
    // ghcr.io answers `token`, ACR and the OAuth2 form `access_token`: give both, as Docker Hub does.
    response.writeHead(200).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: issuedAt }));
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificatePem: pems.cert,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
