import { createHash } from 'node:crypto';
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';
import { registryApiHost } from './reference.ts';

/**
 * A small client of the OCI distribution API (https://github.com/opencontainers/distribution-spec): manifests by
 * tag or digest, blob existence, cross-repository blob mounts. It answers the registry's auth challenge itself —
 * `Basic`, or `Bearer` with a token from the realm the registry names (ghcr.io, ACR, Docker Hub) — and retries
 * transient failures (network errors, 429, 502–504) with the registry's `Retry-After`.
 */

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const ACCEPT = Object.values(MEDIA_TYPES).join(', ');
const INDEX_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
const MANIFEST_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** `ghcr.io`, `myacr.azurecr.io`, `127.0.0.1:5000` (loopback registries are spoken to over plain HTTP). */
  registry: string;
  credentials?: RegistryCredentials;
  /** Token scopes asked for on the first Bearer challenge, e.g. `repository:owner/app:pull,push`. */
  scopes?: readonly string[];
  fetch?: typeof fetch;
  /** Attempts for transient failures (default 4) and the first back-off (default 500 ms, doubling). */
  attempts?: number;
  retryDelayMs?: number;
  userAgent?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  json: {
    mediaType?: string;
    schemaVersion?: number;
    manifests?: Descriptor[];
    config?: Descriptor;
    layers?: Descriptor[];
  };
}

/** A registry answered with an error: carries its status and the distribution error code (`MANIFEST_UNKNOWN`, …). */
export class RegistryError extends UserError {
  override name = 'RegistryError';
  readonly status: number;
  readonly code: string | undefined;

  constructor(message: string, status: number, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values may hold commas). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = (/^\s*(\S+)/.exec(header)?.[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header
    .slice(header.indexOf(scheme) + scheme.length)
    .matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[(match[1] as string).toLowerCase()] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme, params };
}

const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  /** Every request made (method, path, status): for the summary and for tests that prove what did not happen. */
  readonly requests: { method: string; path: string; status: number }[] = [];
  private readonly credentials: RegistryCredentials | undefined;
  private readonly scopes: Set<string>;
  private readonly fetch: typeof fetch;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly userAgent: string;
  private authorization: string | undefined;

  constructor(options: RegistryClientOptions) {
    const host = registryApiHost(options.registry);
    this.registry = options.registry;
    this.baseUrl = `${isLoopback(host) ? 'http' : 'https'}://${host}`;
    this.credentials = options.credentials;
    this.scopes = new Set(options.scopes ?? []);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.attempts = options.attempts ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.userAgent = options.userAgent ?? 'mlops-actions/build-container';
    if (options.credentials) maskSecret(options.credentials.password);
  }

  /** A manifest or index, its bytes exactly as stored (so its digest is unchanged when copied). */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, {
      headers: { accept: ACCEPT },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError(
        `${this.registry}/${repository}@${reference}: the registry returned a manifest whose sha256 is ${digest}.`,
        response.status,
      );
    }
    const json = JSON.parse(bytes.toString('utf8')) as FetchedManifest['json'];
    const mediaType = json.mediaType ?? (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    return { digest, mediaType, bytes, json };
  }

  /** The digest the registry serves for a tag or digest (`Docker-Content-Digest`), or undefined when absent. */
  async headManifest(
    repository: string,
    reference: string,
  ): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const response = await this.request('HEAD', `/v2/${repository}/manifests/${reference}`, {
      headers: { accept: ACCEPT },
      allow: [404],
    });
    if (response.status === 404) return undefined;
    let digest = response.headers.get('docker-content-digest') ?? undefined;
    // Registries that do not send the header: the digest is the sha256 of the bytes a GET returns.
    if (!digest) digest = (await this.getManifest(repository, reference)).digest;
    return {
      digest,
      mediaType: (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '',
      size: Number(response.headers.get('content-length') ?? 0),
    };
  }

  async putManifest(
    repository: string,
    reference: string,
    manifest: { bytes: Buffer; mediaType: string },
  ): Promise<string> {
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    });
    await response.arrayBuffer();
    return response.headers.get('docker-content-digest') ?? sha256Digest(manifest.bytes);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { allow: [404] });
    return response.status !== 404;
  }

  /** A small JSON blob (an image config): never used for layers. */
  async getBlobJson(repository: string, digest: string): Promise<unknown> {
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, {});
    const bytes = Buffer.from(await response.arrayBuffer());
    if (sha256Digest(bytes) !== digest) {
      throw new RegistryError(
        `${this.registry}/${repository}: blob ${digest} does not match its digest.`,
        response.status,
      );
    }
    return JSON.parse(bytes.toString('utf8'));
  }

  /**
   * Cross-repository blob mount: the registry links a blob it already has in `from` into `repository` without any
   * upload. True when mounted (201); false when the registry declined and opened an upload instead (202), which
   * this client cancels — it never uploads layers.
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from });
    const response = await this.request('POST', `/v2/${repository}/blobs/uploads/?${query}`, { allow: [202] });
    await response.arrayBuffer();
    if (response.status === 201) return true;
    const location = response.headers.get('location');
    if (location) {
      const url = new URL(location, this.baseUrl);
      await this.request('DELETE', `${url.pathname}${url.search}`, { allow: [400, 404, 405] })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    }
    return false;
  }

  private async request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: Buffer; allow?: number[] },
  ): Promise<Response> {
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            'user-agent': this.userAgent,
            ...options.headers,
            ...(this.authorization && { authorization: this.authorization }),
          },
          ...(options.body && { body: options.body }),
        });
      } catch (error) {
        if (attempt >= this.attempts) {
          throw new RegistryError(`${method} ${this.baseUrl}${path} failed: ${describeNetworkError(error)}`, 0);
        }
        await sleep(this.retryDelayMs * 2 ** (attempt - 1));
        continue;
      }
      this.requests.push({ method, path: path.split('?')[0] as string, status: response.status });
      if (response.status === 401 && !reauthenticated) {
        const challenge = response.headers.get('www-authenticate');
        await response.arrayBuffer();
        await this.authenticate(challenge);
        reauthenticated = true;
        attempt--;
        continue;
      }
      if (TRANSIENT_STATUS.has(response.status) && attempt < this.attempts) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await response.arrayBuffer();
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0
            ? Math.min(retryAfter, 30) * 1000
            : this.retryDelayMs * 2 ** (attempt - 1),
        );
        continue;
      }
      if (response.ok || options.allow?.includes(response.status)) return response;
      throw await this.errorFrom(method, path, response);
    }
  }

  private async errorFrom(method: string, path: string, response: Response): Promise<RegistryError> {
    let code: string | undefined;
    let detail: string;
    const body = await response.text();
    try {
      const errors = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
      code = errors[0]?.code;
      detail = errors.map((error) => `${error.code ?? ''}: ${error.message ?? ''}`).join('; ');
    } catch {
      detail = body.slice(0, 200);
    }
    const where = `${this.registry}: ${method} ${path.split('?')[0]} → ${response.status}`;
    const hint =
      response.status === 401 || response.status === 403
        ? this.credentials
          ? ` (the credentials of '${this.credentials.username}' are not allowed this; on ghcr.io the job needs \`permissions: packages: write\` and the package must grant this repository access)`
          : ' (no credentials were given: set username and password)'
        : '';
    return new RegistryError(`${where}${detail ? ` ${detail}` : ''}${hint}`, response.status, code);
  }

  /** Answers a 401: Basic with the credentials, or a Bearer token from the challenge's realm. */
  private async authenticate(header: string | null): Promise<void> {
    const { scheme, params } = parseChallenge(header ?? '');
    if (scheme === 'basic') {
      if (!this.credentials) throw new RegistryError(`${this.registry} asks for credentials and none were given.`, 401);
      if (this.authorization?.startsWith('Basic ')) {
        throw new RegistryError(`${this.registry} refused the credentials of '${this.credentials.username}'.`, 401);
      }
      this.authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      return;
    }
    if (scheme !== 'bearer' || !params['realm']) {
      throw new RegistryError(
        `${this.registry} answered 401 with an auth challenge this client cannot answer: '${header ?? ''}'.`,
        401,
      );
    }
    for (const scope of (params['scope'] ?? '').split(' ').filter(Boolean)) this.scopes.add(scope);
    const realm = new URL(params['realm']);
    if (realm.protocol !== 'https:' && !isLoopback(realm.host)) {
      throw new RegistryError(
        `${this.registry} names a token realm over plain HTTP (${realm.origin}); refusing to send credentials there.`,
        401,
      );
    }
    if (params['service']) realm.searchParams.set('service', params['service']);
    for (const scope of this.scopes) realm.searchParams.append('scope', scope);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    if (this.credentials) {
      realm.searchParams.set('account', this.credentials.username);
      headers['authorization'] =
        `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    }
    let response: Response | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        response = await this.fetch(realm, { headers });
      } catch (error) {
        if (attempt === this.attempts) {
          throw new RegistryError(
            `The token service ${realm.origin} of ${this.registry} failed: ${describeNetworkError(error)}`,
            0,
          );
        }
      }
      if (response && !TRANSIENT_STATUS.has(response.status)) break;
      await sleep(this.retryDelayMs * 2 ** (attempt - 1));
    }
    if (!response) throw new RegistryError(`The token service ${realm.origin} of ${this.registry} did not answer.`, 0);
    this.requests.push({ method: 'GET', path: realm.pathname, status: response.status });
    if (!response.ok) {
      await response.arrayBuffer();
      const who = this.credentials ? `the credentials of '${this.credentials.username}'` : 'anonymous access';
      throw new RegistryError(
        `The token service of ${this.registry} refused ${who} (HTTP ${response.status}).`,
        response.status,
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryError(`The token service of ${this.registry} answered without a token.`, response.status);
    maskSecret(token);
    this.authorization = `Bearer ${token}`;
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export function isIndex(manifest: Pick<FetchedManifest, 'mediaType' | 'json'>): boolean {
  return (
    INDEX_TYPES.includes(manifest.mediaType) || (manifest.mediaType === '' && Array.isArray(manifest.json.manifests))
  );
}

export function isImageManifest(manifest: Pick<FetchedManifest, 'mediaType' | 'json'>): boolean {
  return (
    MANIFEST_TYPES.includes(manifest.mediaType) || (manifest.mediaType === '' && manifest.json.config !== undefined)
  );
}

/** Blobs an image manifest needs in its repository: the config and the layers (foreign layers with `urls` excluded). */
export function manifestBlobs(manifest: FetchedManifest): Descriptor[] {
  const blobs = [manifest.json.config, ...(manifest.json.layers ?? [])].filter((blob): blob is Descriptor => !!blob);
  return blobs.filter((blob) => !blob.urls?.length);
}

/** Compressed size of an image manifest's config and layers, as stored in the registry. */
export function manifestSize(manifest: FetchedManifest): number {
  return [manifest.json.config, ...(manifest.json.layers ?? [])].reduce((sum, blob) => sum + (blob?.size ?? 0), 0);
}
