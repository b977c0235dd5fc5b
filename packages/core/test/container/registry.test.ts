import { describe, expect, test } from '@jest/globals';
import { parseChallenge, RegistryClient, sha256Digest } from '../../src/container/registry.ts';

/**
 * The challenge flow against a scripted server (the real registry, with htpasswd and with token auth, is exercised
 * in test/build-container). Each answer is a function of the request, so the test reads like the HTTP exchange.
 */
type Handler = (url: URL, init: RequestInit) => Response;

function server(
  handlers: Handler[],
): typeof fetch & { seen: { url: string; method: string; authorization?: string }[] } {
  const seen: { url: string; method: string; authorization?: string }[] = [];
  const fn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = (init.headers ?? {}) as Record<string, string>;
    seen.push({
      url: url.toString(),
      method: init.method ?? 'GET',
      ...(headers['authorization'] && { authorization: headers['authorization'] }),
    });
    const handler = handlers.shift();
    if (!handler) throw new Error(`unexpected request ${url}`);
    return handler(url, init);
  }) as typeof fetch & { seen: typeof seen };
  fn.seen = seen;
  return fn;
}

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { digest: 'sha256:c', size: 10 },
    layers: [],
  }),
);
const DIGEST = sha256Digest(MANIFEST);
const manifestResponse = () =>
  new Response(MANIFEST, {
    status: 200,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': DIGEST },
  });

describe('auth challenges', () => {
  test('parses Bearer and Basic challenges (quoted commas kept)', () => {
    expect(
      parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull,push"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:o/a:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
  });

  test('Bearer: a token from the realm, with Basic credentials and every scope, then the request again', async () => {
    const fetch = server([
      () =>
        new Response(null, {
          status: 401,
          headers: {
            'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg",scope="repository:o/a:pull"',
          },
        }),
      (url) => {
        expect(url.searchParams.getAll('scope')).toEqual(['repository:o/b:pull,push', 'repository:o/a:pull']);
        expect(url.searchParams.get('service')).toBe('reg');
        return Response.json({ access_token: 'tok-123' });
      },
      manifestResponse,
    ]);
    const client = new RegistryClient({
      registry: 'reg.example',
      credentials: { username: 'u', password: 'p' },
      scopes: ['repository:o/b:pull,push'],
      fetch,
    });
    const manifest = await client.getManifest('o/a', DIGEST);
    expect(manifest.digest).toBe(DIGEST);
    expect(fetch.seen.map((r) => r.authorization)).toEqual([
      undefined,
      `Basic ${Buffer.from('u:p').toString('base64')}`,
      'Bearer tok-123',
    ]);
    expect(fetch.seen[0]?.url).toBe(`https://reg.example/v2/o/a/manifests/${DIGEST}`);
  });

  test('Basic: credentials sent after the challenge; refused credentials are a clear error', async () => {
    const fetch = server([
      () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
      () =>
        new Response(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }), {
          status: 401,
          headers: { 'www-authenticate': 'Basic realm="r"' },
        }),
    ]);
    const client = new RegistryClient({
      registry: '127.0.0.1:5000',
      credentials: { username: 'ci', password: 'wrong' },
      fetch,
    });
    await expect(client.hasBlob('o/a', 'sha256:x')).rejects.toThrow(
      /127.0.0.1:5000: HEAD \/v2\/o\/a\/blobs\/sha256:x → 401 UNAUTHORIZED: authentication required \(the credentials of 'ci'/,
    );
    expect(fetch.seen[0]?.url.startsWith('http://127.0.0.1:5000/')).toBe(true);
  });

  test('never sends credentials to a plain-HTTP realm off loopback', async () => {
    const fetch = server([
      () =>
        new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="http://evil.example/token"' },
        }),
    ]);
    const client = new RegistryClient({
      registry: 'reg.example',
      credentials: { username: 'u', password: 'p' },
      fetch,
    });
    await expect(client.getManifest('o/a', 'latest')).rejects.toThrow(/plain HTTP.*refusing/);
  });
});

describe('transport', () => {
  test('retries 503 and network errors, then succeeds', async () => {
    let failed = false;
    const fetch = server([
      () => new Response('busy', { status: 503 }),
      () => {
        failed = true;
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      },
      manifestResponse,
    ]);
    const client = new RegistryClient({ registry: 'reg.example', fetch, retryDelayMs: 1 });
    expect((await client.headManifest('o/a', 'v1'))?.digest).toBe(DIGEST);
    expect(failed).toBe(true);
  });

  test('a manifest whose bytes do not match the digest asked for is refused', async () => {
    const fetch = server([manifestResponse]);
    const client = new RegistryClient({ registry: 'reg.example', fetch });
    await expect(client.getManifest('o/a', `sha256:${'0'.repeat(64)}`)).rejects.toThrow(
      /returned a manifest whose sha256 is/,
    );
  });

  test('HEAD without Docker-Content-Digest: the digest is computed from the bytes', async () => {
    const fetch = server([
      () =>
        new Response(null, { status: 200, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } }),
      () => new Response(MANIFEST, { status: 200 }),
    ]);
    const client = new RegistryClient({ registry: 'reg.example', fetch });
    expect((await client.headManifest('o/a', 'v1'))?.digest).toBe(DIGEST);
  });

  test('a declined mount (202: an upload offered) is cancelled and reported, never used for an upload', async () => {
    const fetch = server([
      (url) => {
        expect(url.searchParams.get('mount')).toBe('sha256:l');
        expect(url.searchParams.get('from')).toBe('o/a');
        return new Response(null, { status: 202, headers: { location: '/v2/o/b/blobs/uploads/123?_state=x' } });
      },
      () => new Response(null, { status: 204 }),
    ]);
    const client = new RegistryClient({ registry: 'reg.example', fetch });
    expect(await client.mountBlob('o/b', 'sha256:l', 'o/a')).toBe(false);
    expect(fetch.seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'POST /v2/o/b/blobs/uploads/',
      'DELETE /v2/o/b/blobs/uploads/123',
    ]);
  });
});
