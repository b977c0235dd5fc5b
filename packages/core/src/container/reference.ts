import { UserError } from '../errors.ts';

/**
 * Image references as Docker reads them: `[registry/]repository[:tag][@sha256:digest]`. The registry is the first
 * path component when it looks like a host (has a `.` or a `:`, or is `localhost`); otherwise Docker Hub.
 */
export interface ImageReference {
  /** `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
  registry: string;
  /** The repository path inside the registry: `owner/app`, `library/busybox`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function isDigest(text: string): boolean {
  return DIGEST.test(text);
}

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** The registry's API host: Docker Hub's API is not at `docker.io`. */
export function registryApiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

export function parseImageReference(text: string, what = 'image reference'): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) {
      throw new UserError(
        `The ${what} '${text}' has '@${digest}', which is not a sha256 digest (sha256: and 64 hex digits).`,
      );
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw new UserError(`The ${what} '${text}' has an invalid tag '${tag}'.`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && looksLikeHost(parts[0] as string)) registry = (parts.shift() as string).toLowerCase();
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (!parts.every((part) => COMPONENT.test(part))) {
    throw new UserError(
      `The ${what} '${text}' has an invalid repository '${repository}': use lower-case letters, digits and ` +
        `separators (. _ -) between '/'.`,
    );
  }
  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

export function formatReference(reference: ImageReference): string {
  const name = `${reference.registry}/${reference.repository}`;
  return `${name}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
}

/**
 * The image name the action pushes: `registry/repository`, lower-cased (GitHub owners may have capitals; image
 * names may not). `image` may already start with the registry host. Errors name the input.
 */
export function imageName(registry: string, image: string): { registry: string; repository: string; name: string } {
  const host = registry
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (!host || host.includes('/')) {
    throw new UserError(`Input 'registry' is '${registry}': use a registry host such as ghcr.io or myacr.azurecr.io.`, {
      input: 'registry',
    });
  }
  let path = image.trim().toLowerCase();
  if (path.startsWith(`${host}/`)) path = path.slice(host.length + 1);
  const parts = path.split('/');
  if (!path || !parts.every((part) => COMPONENT.test(part))) {
    throw new UserError(
      `Input 'image' is '${image}', which is not a repository name: use owner/name (lower-case letters, digits, . _ -).`,
      { input: 'image' },
    );
  }
  const repository = host === 'docker.io' && parts.length === 1 ? `library/${path}` : path;
  return { registry: host, repository, name: `${host}/${repository}` };
}
