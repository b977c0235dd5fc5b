/** Re-bundles every action and fails when dist/ differs from what is committed, printing the diff stat. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.ts')], { cwd: root, stdio: 'inherit' });
if (bundle.status !== 0) process.exit(bundle.status ?? 1);

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const changed = git('status', '--porcelain', '--', 'actions/*/dist').trim();
if (changed) {
  console.error('check-dist: dist/ is not what the sources build. Run `npm run bundle` and commit the result.');
  console.error(git('diff', '--stat', '--', 'actions/*/dist') || changed);
  process.exit(1);
}
console.log('check-dist: every dist/ matches its sources.');
