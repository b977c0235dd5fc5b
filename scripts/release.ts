/**
 * Releases the actions: `vX.Y.Z` as a GitHub release whose notes are CHANGELOG.md's section for it, and the major
 * tag `vX` moved to the same commit. Run by .github/workflows/release.yml (by hand, with the version) after
 * `npm run check-dist` has proved the committed bundles are built from the sources.
 *
 *   GITHUB_TOKEN=… GITHUB_REPOSITORY=owner/name GITHUB_SHA=<commit> npm run release -- --version 1.4.0
 *
 * Refused before any change: a version that is not X.Y.Z, one already released (or whose tag exists), one lower
 * than a release of the same major (it would move `vX` back), one without a changelog section. The release is
 * drafted, then published (immutable releases allow no edit afterwards); an earlier run's draft is reused.
 * GITHUB_API_URL points it at GitHub Enterprise Server or a test server (default https://api.github.com).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../packages/core/src/errors.ts';
import { planRelease, ReleaseClient } from '../packages/core/src/github/release.ts';
import { detectTokenKind } from '../packages/core/src/github/token.ts';

const USAGE = 'usage: npm run release -- --version X.Y.Z   (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA from the job)';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let version: string | undefined;
  try {
    ({
      values: { version },
    } = parseArgs({ args: argv, options: { version: { type: 'string' } }, strict: true }));
  } catch (error) {
    console.error(`release: ${errorMessage(error)}\n${USAGE}`);
    return 1;
  }
  const token = env['GITHUB_TOKEN'] ?? '';
  const repository = env['GITHUB_REPOSITORY'] ?? '';
  const sha = env['GITHUB_SHA'] ?? '';
  const validSha = /^[0-9a-f]{40}$/.test(sha);
  if (!version || !token || !repository || !validSha) {
    const missing = [
      !version && '--version',
      !token && 'GITHUB_TOKEN',
      !repository && 'GITHUB_REPOSITORY',
      !validSha && 'GITHUB_SHA (a full commit sha)',
    ];
    console.error(`release: missing ${missing.filter(Boolean).join(', ')}\n${USAGE}`);
    return 1;
  }
  try {
    const client = new ReleaseClient({
      token,
      repository,
      tokenInfo: detectTokenKind(token),
      apiUrl: env['GITHUB_API_URL'] || undefined,
      userAgent: 'mlops-actions-release',
    });
    const changelog = readFileSync(join(env['GITHUB_WORKSPACE'] ?? process.cwd(), 'CHANGELOG.md'), 'utf8');
    const plan = planRelease(version, changelog, await client.state());
    const result = await client.release(plan, sha, (line) => console.log(line));
    console.log(
      `release: ${result.tag} and ${result.majorTag} → ${result.sha}; users pin ${result.majorTag} or the sha.`,
    );
    return 0;
  } catch (error) {
    console.error(`release: ${errorMessage(error)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
