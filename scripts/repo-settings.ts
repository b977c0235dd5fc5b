/**
 * Repository settings as code: compares a repository's branch rulesets and deployment environments with a YAML
 * file (default examples/repo-settings.yml), prints the difference, and with --apply makes the repository match.
 *
 *   GITHUB_TOKEN=… npm run repo-settings -- --repo owner/name            print the plan (changes nothing)
 *   GITHUB_TOKEN=… npm run repo-settings -- --repo owner/name --apply    make the changes, then read back
 *   … --file path/to/settings.yml      another settings file
 *   … --check                          exit 2 when the repository differs from the file (for a scheduled check)
 *
 * The token (GITHUB_TOKEN, or GH_TOKEN as the gh CLI sets it) must be a repository admin's: a fine-grained
 * personal access token with "Administration: Read and write" and "Actions: Read-only" (plus the organisation's
 * "Members: Read-only" for team reviewers), or a classic token with the `repo` scope. GITHUB_API_URL points it at
 * GitHub Enterprise Server (default https://api.github.com). Exit codes: 0 done (or nothing to do), 1 error,
 * 2 differences found with --check.
 */
import { parseArgs } from 'node:util';
import { errorMessage, UserError } from '../packages/core/src/errors.ts';
import {
  countActions,
  formatSettingsPlan,
  readRepoSettings,
  RepoSettingsClient,
} from '../packages/core/src/github/settings.ts';
import { RepositoryFactsClient, syncRepoSettings } from '../packages/core/src/github/settings-sync.ts';

const USAGE =
  'usage: npm run repo-settings -- --repo owner/name [--apply] [--check] [--file examples/repo-settings.yml]\n' +
  '       (token from GITHUB_TOKEN or GH_TOKEN; API from GITHUB_API_URL, default https://api.github.com)';

export async function main(argv: string[]): Promise<number> {
  let values: { repo?: string; file?: string; apply?: boolean; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        repo: { type: 'string' },
        file: { type: 'string', default: 'examples/repo-settings.yml' },
        apply: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`repo-settings: ${errorMessage(error)}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.repo) {
    console.error(`repo-settings: --repo owner/name is required\n${USAGE}`);
    return 1;
  }
  if (values.apply && values.check) {
    console.error('repo-settings: --apply and --check do not go together (--check only compares)');
    return 1;
  }
  try {
    const settings = readRepoSettings(values.file as string);
    const connection = {
      token: process.env['GITHUB_TOKEN'] || process.env['GH_TOKEN'] || '',
      repository: values.repo,
      apiUrl: process.env['GITHUB_API_URL'] || undefined,
    };
    const client = new RepoSettingsClient(connection);
    if (client.apiUrl !== 'https://api.github.com') console.log(`GitHub API: ${client.apiUrl}`);
    const header = { repository: client.fullName, file: settings.file };
    const facts = await new RepositoryFactsClient(connection).read();
    const result = await syncRepoSettings({
      settings,
      client,
      facts,
      onGates: (report) => console.log(`${report.lines.join('\n')}\n`),
      apply: Boolean(values.apply),
      onPlan: (plan) => {
        const text = formatSettingsPlan(plan, header);
        // With --apply the plan's last line ("Run again with --apply …") does not hold: the changes follow.
        console.log(values.apply && plan.actions.length > 0 ? text.replace(/\n[^\n]*$/, '\nApplying:') : text);
      },
      log: (line) => console.log(`  ✓ ${line}`),
    });
    if (!result.applied) return values.check && result.plan.actions.length > 0 ? 2 : 0;
    if (result.after && result.after.actions.length > 0) {
      console.error(
        `\nrepo-settings: after applying, the repository still differs from the file:\n${formatSettingsPlan(result.after, header)}`,
      );
      return 1;
    }
    console.log(
      `Applied: ${countActions(result.plan, true)}. Read back: ${client.fullName} now matches ${settings.file} ` +
        `(${client.requests} GitHub requests).`,
    );
    return 0;
  } catch (error) {
    const detail = error instanceof UserError || !process.env['DEBUG'] ? errorMessage(error) : (error as Error).stack;
    console.error(`repo-settings: ${detail}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
