/**
 * Bundles every action with ncc: actions/<name>/src/index.ts → dist/index.js, and src/post.ts (if any) →
 * dist/post/index.js. `npm run bundle [-- name ...]` bundles only the named actions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const wanted = process.argv.slice(2);
const NEVER_RUN = ['apache-arrow', 'open'];
const actions = readdirSync(join(root, 'actions')).filter(
  (name) =>
    existsSync(join(root, 'actions', name, 'src', 'index.ts')) && (wanted.length === 0 || wanted.includes(name)),
);

let failed = false;
for (const action of actions) {
  const dir = join(root, 'actions', action);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const entries = [['index.ts', 'dist']];
  if (existsSync(join(dir, 'src', 'post.ts'))) entries.push(['post.ts', join('dist', 'post')]);
  for (const [entry, out] of entries as [string, string][]) {
    const result = spawnSync(
      process.execPath,
      [
        ncc,
        'build',
        join('src', entry),
        '-o',
        out,
        '--license',
        'licenses.txt',
        '--quiet',
        '--no-source-map-register',
        '--transpile-only',
        // ncc's persistent cache (~/.cache/ncc) treats everything under node_modules as immutable, and the
        // workspace package @mlops-actions/core is reached through node_modules: with the cache, a bundle can
        // carry core as it was when the cache was filled, and check-dist agrees with the stale result.
        '--no-cache',
        // Code the actions never run, loaded by the SDKs only on paths we do not take: apache-arrow (and its
        // flatbuffers) for blob listings in Arrow format (@azure/storage-blob), and `open` with its xdg-open script
        // for the browser sign-in (@azure/identity). Both are dynamic imports, so leaving them out changes nothing
        // until such a path is called, which then fails with "Cannot find package".
        ...NEVER_RUN.flatMap((name) => ['--external', name]),
      ],
      { cwd: dir, stdio: 'inherit' },
    );
    if (result.status !== 0) {
      console.error(`bundle: ${action}/src/${entry} failed`);
      failed = true;
    }
  }
  console.log(`bundle: ${action} → ${entries.map(([, out]) => `actions/${action}/${out}`).join(', ')}`);
}
process.exit(failed ? 1 : 0);
