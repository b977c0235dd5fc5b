/**
 * Which kind of token the action was given, and what that means for the checks on the pull request it opens.
 *
 * How the kind is told apart, most reliable first, with no extra request:
 * 1. GitHub's token prefixes (documented since 2021): `ghp_` classic personal access token, `github_pat_`
 *    fine-grained personal access token, `gho_` OAuth app token, `ghu_` GitHub App user-to-server token (acts as
 *    the user), `ghs_` GitHub App installation (server-to-server) token.
 * 2. An installation token may be the workflow's own `GITHUB_TOKEN` (the installation token of the "GitHub
 *    Actions" app) or another App's: the action also receives the job's token (input `job-token`, default
 *    `${{ github.token }}`) and compares the two locally. Equal → `GITHUB_TOKEN`; different → another App.
 *    The job token is never sent anywhere.
 * 3. What GitHub reports back confirms it: the author of a pull request the token creates is
 *    `github-actions[bot]` for `GITHUB_TOKEN`, `<app>[bot]` (type Bot) for another App, the user for a personal
 *    token; and responses to classic personal tokens carry `x-oauth-scopes`, which installation tokens and
 *    fine-grained tokens never get.
 * Legacy 40-hex tokens (old GitHub Enterprise Server) are `unknown` until GitHub's answers say more.
 */

import { escapeMarkdown } from '../summary.ts';

export type TokenKind =
  | 'github-token'
  | 'app-installation'
  | 'installation'
  | 'classic-pat'
  | 'fine-grained-pat'
  | 'oauth'
  | 'app-user'
  | 'unknown';

export interface TokenInfo {
  kind: TokenKind;
  /** How the kind was established, for the summary ("token prefix ghp_", "same as the job's GITHUB_TOKEN", …). */
  evidence: string[];
  /** The account the token acts as, once GitHub has said (e.g. `github-actions[bot]`, `release-bot[bot]`). */
  login?: string;
}

/** The login GitHub gives the workflow's GITHUB_TOKEN. */
export const GITHUB_ACTIONS_LOGIN = 'github-actions[bot]';

export function detectTokenKind(token: string, jobToken?: string): TokenInfo {
  const prefixed = (kind: TokenKind, prefix: string): TokenInfo => ({ kind, evidence: [`token prefix ${prefix}`] });
  if (token.startsWith('github_pat_')) return prefixed('fine-grained-pat', 'github_pat_');
  if (token.startsWith('ghp_')) return prefixed('classic-pat', 'ghp_');
  if (token.startsWith('gho_')) return prefixed('oauth', 'gho_');
  if (token.startsWith('ghu_')) return prefixed('app-user', 'ghu_');
  if (jobToken && token === jobToken) {
    return {
      kind: 'github-token',
      evidence: ["same value as the job's GITHUB_TOKEN (`job-token`)"],
      login: GITHUB_ACTIONS_LOGIN,
    };
  }
  if (token.startsWith('ghs_')) {
    return jobToken
      ? { kind: 'app-installation', evidence: ["token prefix ghs_ (installation token), not the job's GITHUB_TOKEN"] }
      : { kind: 'installation', evidence: ['token prefix ghs_ (installation token); no job token to compare with'] };
  }
  return { kind: 'unknown', evidence: ['no known token prefix'] };
}

/** Refines the kind with what GitHub said: who authored a pull request the token created. */
export function refineWithAuthor(info: TokenInfo, author: { login: string; type?: string | undefined }): TokenInfo {
  const evidence = [...info.evidence, `GitHub made ${author.login} the author of the pull request it created`];
  if (author.login === GITHUB_ACTIONS_LOGIN) return { kind: 'github-token', evidence, login: author.login };
  if (author.type === 'Bot' || author.login.endsWith('[bot]')) {
    const kind = info.kind === 'app-user' ? info.kind : 'app-installation';
    return { kind, evidence, login: author.login };
  }
  const kind = info.kind === 'unknown' || info.kind === 'installation' ? 'unknown' : info.kind;
  return { kind, evidence, login: author.login };
}

/** Refines the kind with the `x-oauth-scopes` response header (sent for classic personal and OAuth tokens only). */
export function refineWithScopes(info: TokenInfo, oauthScopes: string | undefined): TokenInfo {
  if (oauthScopes === undefined || info.kind !== 'unknown') return info;
  return {
    ...info,
    kind: 'classic-pat',
    evidence: [...info.evidence, `GitHub answered with x-oauth-scopes: ${oauthScopes || '(none)'}`],
  };
}

export function describeTokenKind(kind: TokenKind): string {
  switch (kind) {
    case 'github-token':
      return "the workflow's GITHUB_TOKEN";
    case 'app-installation':
      return 'a GitHub App installation token';
    case 'installation':
      return 'an installation token (the workflow GITHUB_TOKEN or a GitHub App)';
    case 'classic-pat':
      return 'a personal access token (classic)';
    case 'fine-grained-pat':
      return 'a fine-grained personal access token';
    case 'oauth':
      return 'an OAuth app token';
    case 'app-user':
      return 'a GitHub App user access token';
    case 'unknown':
      return 'a token of unknown kind';
  }
}

/**
 * What the token means for the checks on the promotion pull request, in a few sentences for the job summary.
 * `created` says whether this run opened the pull request (otherwise it only edited it or pushed to its branch).
 */
export function tokenChecksExplanation(info: TokenInfo, options: { created: boolean; pushed: boolean }): string {
  const who = info.login ? ` (${escapeMarkdown(info.login)})` : '';
  const acts = options.created
    ? 'opened this pull request'
    : options.pushed
      ? 'pushed the release manifest to its branch'
      : 'updated this pull request';
  const intro = `This run ${acts} with ${describeTokenKind(info.kind)}${who}.`;
  switch (info.kind) {
    case 'github-token':
      return (
        `${intro} Events caused by GITHUB_TOKEN do not start \`push\` workflows, and \`pull_request\` workflow runs ` +
        'for a pull request it opens or pushes to are created waiting for approval: someone with write access must ' +
        'press **Approve workflows to run** on the pull request before its required checks report, and until then ' +
        'it cannot merge (auto-merge waits too). For checks that run at once, pass a GitHub App installation token ' +
        '(e.g. from actions/create-github-app-token) as `token`.'
      );
    case 'app-installation':
      return (
        `${intro} Workflow runs for this pull request start at once, as for any collaborator's, and its required ` +
        'checks report without anyone approving them. The pull request is authored by the App, so any person may ' +
        'review and approve it.'
      );
    case 'installation':
      return (
        `${intro} If it is the workflow's GITHUB_TOKEN, the pull request's workflow runs wait for approval by ` +
        "someone with write access; if it is another GitHub App's token, they run at once. Leave `job-token` at its " +
        'default so the action can tell which.'
      );
    case 'classic-pat':
    case 'fine-grained-pat':
    case 'oauth':
    case 'app-user':
      return (
        `${intro} Workflow runs for this pull request start at once, but it acts as a person${who}: that person ` +
        'cannot approve the promotion themselves, and the pipeline depends on their account. A GitHub App ' +
        'installation token is the better choice for automation.'
      );
    case 'unknown':
      return `${intro} Whether its pull request checks run at once depends on its kind: a GITHUB_TOKEN's wait for approval; an App's or a person's run at once.`;
  }
}
