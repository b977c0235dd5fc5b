import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UserError } from '../errors.ts';
import { isInside } from '../files.ts';

/**
 * What of a local folder (or file) goes to the workspace, and its fingerprints, computed the way the Azure ML CLI
 * (azure-ai-ml) does:
 *
 * - the ignore file is `.amlignore` in the folder's root, else `.gitignore` there (`.amlignore` wins; only the root
 *   one counts), with gitignore semantics; the ignore file itself is uploaded unless it ignores itself;
 * - `contentHash` is the CLI's `get_content_hash` (hash version 202208): SHA-256 over the file count, then
 *   `#<relative path>#<size>` of every file sorted by lower-cased path, then every file's bytes in that order;
 * - `objectHash` is the CLI's `get_object_hash` (MD5 seeded with "Initialize for october 2021 AML CLI version"):
 *   per folder, entries sorted by lower-cased path, each entry's name then its bytes (or its folder, recursively).
 *   It names the upload folder `LocalUpload/<objectHash>/<name>`.
 *
 * Symbolic links are followed (as the CLI's os.walk(followlinks=True)); a link cycle is an error, and so, when a
 * `root` is given, is a link that leads out of it (nothing outside the repository is uploaded).
 */

export const CONTENT_HASH_VERSION = '202208';
const OBJECT_HASH_SEED = 'Initialize for october 2021 AML CLI version';

export interface SnapshotFile {
  absolute: string;
  /** Relative to the snapshot root, `/`-separated. */
  relative: string;
  size: number;
}

export interface Snapshot {
  /** The folder or file, absolute. */
  path: string;
  /** Its base name: the last part of the remote path (`LocalUpload/<hash>/<name>`). */
  name: string;
  isFile: boolean;
  files: SnapshotFile[];
  /** Relative paths left out by the ignore file (folders end with `/`). */
  ignored: string[];
  ignoreFile: '.amlignore' | '.gitignore' | undefined;
  bytes: number;
}

interface Rules {
  file: '.amlignore' | '.gitignore' | undefined;
  matcher: Ignore | undefined;
}

function loadRules(root: string): Rules {
  for (const file of ['.amlignore', '.gitignore'] as const) {
    const path = join(root, file);
    if (existsSync(path)) return { file, matcher: ignore().add(readFileSync(path, 'utf8')) };
  }
  return { file: undefined, matcher: undefined };
}

/** Reads the tree under `path` (no file contents yet). */
export function snapshot(path: string, what: string, root?: string): Snapshot {
  if (!existsSync(path)) throw new UserError(`${what}: ${path} does not exist.`);
  const contained = (entry: string) => {
    if (root !== undefined && !isInside(realpathSync(entry), realpathSync(root)))
      throw new UserError(
        `${what}: ${entry} is a symbolic link to ${realpathSync(entry)}, outside the repository: nothing outside it is uploaded. Replace the link with the files, or leave it out with .amlignore.`,
      );
  };
  contained(path);
  const rootStat = statSync(path);
  if (rootStat.isFile()) {
    return {
      path,
      name: basename(path),
      isFile: true,
      files: [{ absolute: path, relative: basename(path), size: rootStat.size }],
      ignored: [],
      ignoreFile: undefined,
      bytes: rootStat.size,
    };
  }
  const rules = loadRules(path);
  const files: SnapshotFile[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  const walk = (folder: string, prefix: string): void => {
    const real = realpathSync(folder);
    if (seen.has(real)) throw new UserError(`${what}: ${folder} is part of a symbolic link cycle.`);
    seen.add(real);
    for (const entry of readdirSync(folder)) {
      const absolute = join(folder, entry);
      const relative = prefix === '' ? entry : `${prefix}/${entry}`;
      const stats = statSync(absolute);
      if (stats.isDirectory()) {
        if (rules.matcher?.ignores(`${relative}/`)) ignored.push(`${relative}/`);
        else {
          contained(absolute);
          walk(absolute, relative);
        }
      } else if (stats.isFile()) {
        if (rules.matcher?.ignores(relative)) ignored.push(relative);
        else {
          contained(absolute);
          files.push({ absolute, relative, size: stats.size });
        }
      }
    }
    seen.delete(real);
  };
  walk(path, '');
  if (files.length === 0) {
    throw new UserError(
      `${what}: ${path} has no files to upload${ignored.length > 0 ? ` (${rules.file} leaves out ${ignored.join(', ')})` : ''}.`,
    );
  }
  const byPath = (a: { relative: string }, b: { relative: string }) =>
    a.relative.toLowerCase() < b.relative.toLowerCase()
      ? -1
      : a.relative.toLowerCase() > b.relative.toLowerCase()
        ? 1
        : 0;
  files.sort(byPath);
  return {
    path,
    name: basename(path),
    isFile: false,
    files,
    ignored: ignored.sort(),
    ignoreFile: rules.file,
    bytes: files.reduce((sum, file) => sum + file.size, 0),
  };
}

async function feed(hash: Hash, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** The CLI's `get_content_hash` (SHA-256, hash version 202208). */
export async function contentHash(snap: Snapshot): Promise<string> {
  const hash = createHash('sha256');
  hash.update(String(snap.files.length));
  for (const file of snap.files) {
    hash.update(`#${file.relative}#`);
    hash.update(String(file.size));
  }
  for (const file of snap.files) await feed(hash, file.absolute);
  return hash.digest('hex');
}

/** The CLI's `get_object_hash` (MD5), over the files the snapshot keeps. */
export async function objectHash(snap: Snapshot): Promise<string> {
  const hash = createHash('md5');
  hash.update(OBJECT_HASH_SEED);
  if (snap.isFile) {
    await feed(hash, snap.path);
    return hash.digest('hex');
  }
  interface Folder {
    files: Map<string, SnapshotFile>;
    folders: Map<string, Folder>;
  }
  const tree: Folder = { files: new Map(), folders: new Map() };
  for (const file of snap.files) {
    const parts = file.relative.split('/');
    let folder = tree;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part);
      if (next === undefined) {
        next = { files: new Map(), folders: new Map() };
        folder.folders.set(part, next);
      }
      folder = next;
    }
    folder.files.set(parts.at(-1) ?? '', file);
  }
  const visit = async (folder: Folder): Promise<void> => {
    const names = [...folder.files.keys(), ...folder.folders.keys()].sort((a, b) =>
      a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
    );
    for (const name of names) {
      hash.update(name);
      const file = folder.files.get(name);
      if (file !== undefined) await feed(hash, file.absolute);
      else await visit(folder.folders.get(name) as Folder);
    }
  };
  await visit(tree);
  return hash.digest('hex');
}

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
