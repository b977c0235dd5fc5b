/**
 * Repository settings as code: the branch rulesets and deployment environments a repository must have for the
 * pipelines to be safe (a pull request and the staging check before `main` moves, no force push; production behind
 * required reviewers, deployable from `main` only), declared in a YAML file and compared with — or applied to — the
 * repository through GitHub's rulesets and environments APIs.
 *
 * - `readRepoSettings` / `parseRepoSettings`: the file, checked with every problem at its `file:line`.
 * - `planRepoSettings`: pure; the live settings and the file in, the changes out (field by field).
 * - `formatSettingsPlan`: the plan as the command prints it.
 * - `RepoSettingsClient`: reads the live settings and applies a plan (REST, over @actions/github's Octokit).
 *
 * Only what the file names is managed: rulesets and environments it does not mention are listed and left alone,
 * and rule parameters it does not set keep the values they have.
 */
export * from './settings-file.ts';
export * from './settings-plan.ts';
export * from './settings-client.ts';
