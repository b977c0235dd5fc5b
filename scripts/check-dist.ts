/** Re-bundles every action and fails when dist/ differs from what is committed, printing the diff stat. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.ts')], { cwd: root, stdio: 'inherit' });
if (bundle.status !== 0) process.exit(bundle.status ?? 1);

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
// Untracked files count too: a chunk the bundle adds but nobody committed would be missing from a clone. (A
// pathspec `actions/*/dist` matches no file under dist/, so the status of actions/ is filtered instead.)
const changed = git('status', '--porcelain', '--untracked-files=all', '--', 'actions')
  .split('\n')
  .filter((line) => /^actions\/[^/]+\/dist\//.test(line.slice(3)))
  .join('\n');
if (changed) {
  console.error('check-dist: dist/ is not what the sources build. Run `npm run bundle` and commit the result.');
  console.error(changed);
  process.exit(1);
}
console.log('check-dist: every dist/ matches its sources.');
