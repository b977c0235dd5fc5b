import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.ts';

/**
 * File inputs resolve against the workspace (the checked-out repository, GITHUB_WORKSPACE) and may not leave it:
 * a workflow input such as `../../etc/passwd`, a symlink out of the repository, or a dangling symlink that a write
 * would follow out of it is refused before anything is read or written.
 */
export function workspaceRoot(): string {
  return resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd());
}

/** Whether `target` is `base` or below it (lexically). */
export function isInside(target: string, base: string): boolean {
  const rel = relative(base, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Where the file system takes `path` once links are followed, even when it does not exist yet: a dangling link
 * leads where a write would create its target, a missing file is where its (real) folder is.
 */
export function realDestination(path: string, depth = 0): string {
  try {
    return realpathSync(path);
  } catch {
    // Missing, or a dangling link (or a cycle of links, which the depth ends).
  }
  if (depth > 40) throw new UserError(`${path} is part of a cycle of symbolic links.`);
  let link: string | undefined;
  try {
    if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
  } catch {
    link = undefined;
  }
  if (link !== undefined) return realDestination(resolve(dirname(path), link), depth + 1);
  const parent = dirname(path);
  return parent === path ? path : join(realDestination(parent, depth + 1), basename(path));
}

/**
 * Why `path` is not a place inside `root` we may read or write (it is outside, or a link leads out of it);
 * undefined when it is fine.
 */
export function escapeFromWorkspace(path: string, root: string): string | undefined {
  const absolute = resolve(root, path);
  if (!isInside(absolute, root)) return `it is outside the repository (${root})`;
  const real = realDestination(absolute);
  if (!isInside(real, realDestination(root))) return `a symbolic link takes it outside the repository (to ${real})`;
  return undefined;
}

export function resolveWorkspacePath(
  input: string,
  path: string,
  options: { mustExist?: boolean; root?: string } = {},
): string {
  const root = options.root ?? workspaceRoot();
  const absolute = resolve(root, path);
  if (!isInside(absolute, root)) {
    throw new UserError(
      `Input '${input}' is '${path}', which is outside the repository (${root}): give a path inside the checked-out repository.`,
      { input },
    );
  }
  if (!existsSync(absolute) && options.mustExist !== false) {
    throw new UserError(`Input '${input}': ${path} does not exist in the repository (looked for ${absolute}).`, {
      input,
    });
  }
  // Symlinks must not lead out either, dangling ones included (a write would follow them).
  if (escapeFromWorkspace(absolute, root)) {
    throw new UserError(
      `Input '${input}': ${path} is a link to a place outside the repository (${realDestination(absolute)}); refusing to ${existsSync(absolute) ? 'read' : 'write'} it.`,
      { input },
    );
  }
  return absolute;
}

/** A path as people and GitHub annotations want it: relative to the repository when inside it. */
export function displayPath(path: string, root = workspaceRoot()): string {
  const absolute = resolve(root, path);
  return isInside(absolute, root) && absolute !== root ? relative(root, absolute).split(sep).join('/') : path;
}
