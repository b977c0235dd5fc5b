import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.ts';

/**
 * File inputs resolve against the workspace (the checked-out repository, GITHUB_WORKSPACE) and may not leave it:
 * a workflow input such as `../../etc/passwd` or a symlink out of the repository is refused before it is read.
 */
export function workspaceRoot(): string {
  return resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd());
}

export function resolveWorkspacePath(
  input: string,
  path: string,
  options: { mustExist?: boolean; root?: string } = {},
): string {
  const root = options.root ?? workspaceRoot();
  const absolute = resolve(root, path);
  const inside = (target: string, base: string) => {
    const rel = relative(base, target);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };
  if (!inside(absolute, root)) {
    throw new UserError(
      `Input '${input}' is '${path}', which is outside the repository (${root}): give a path inside the checked-out repository.`,
      { input },
    );
  }
  if (!existsSync(absolute)) {
    if (options.mustExist === false) return absolute;
    throw new UserError(`Input '${input}': ${path} does not exist in the repository (looked for ${absolute}).`, {
      input,
    });
  }
  // Symlinks must not lead out either.
  if (!inside(realpathSync(absolute), realpathSync(root))) {
    throw new UserError(`Input '${input}': ${path} is a link to a file outside the repository; refusing to read it.`, {
      input,
    });
  }
  return absolute;
}

/** A path as people and GitHub annotations want it: relative to the repository when inside it. */
export function displayPath(path: string, root = workspaceRoot()): string {
  const absolute = resolve(root, path);
  const rel = relative(root, absolute);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
    ? rel.split(sep).join('/')
    : path;
}
