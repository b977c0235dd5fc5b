/**
 * Where the actions may send tokens and files: over TLS, except to this machine (the tests' and the emulator's
 * loopback servers), where nothing crosses a network.
 */

/** `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * Why `url` must not carry a token or data (plain http to another machine, or not http at all); undefined when
 * it may.
 */
export function plainTransportProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not a URL`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return undefined;
  return `${parsed.protocol}//${parsed.host} is not https: the token and the data would cross the network in clear text`;
}
