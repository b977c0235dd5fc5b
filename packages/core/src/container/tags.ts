import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { maskSecret } from '../summary.ts';
import { isValidTag } from './reference.ts';

/**
 * Which tags and OCI labels an image gets, from the workflow's event. Pure functions over plain data: the event
 * payload and the runner's `GITHUB_*` variables go in, tags and labels come out.
 */

/** What the image is built from, read from the event (not only from `GITHUB_SHA`, which is wrong for some events). */
export interface GitContext {
  eventName: string;
  /** The commit in the image: the pull request's head (not the merge commit), the triggering run's head, … */
  sha: string;
  ref: string;
  /** Set for builds of a branch (push, workflow_dispatch, workflow_run, schedule). */
  branch?: string;
  /** Set for builds of a git tag. */
  gitTag?: string;
  /** Set for pull requests. */
  pullRequest?: number;
  /** From the payload's `repository.default_branch`; without it nothing is the default branch. */
  defaultBranch?: string;
  isDefaultBranch: boolean;
  /** `owner/name` as GitHub spells it (maybe with capitals). */
  repository: string;
  serverUrl: string;
  repo: { name?: string; description?: string; license?: string; htmlUrl?: string; homepage?: string };
}

type Payload = Record<string, unknown>;

function record(value: unknown): Payload {
  return value !== null && typeof value === 'object' ? (value as Payload) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Builds the context from the runner's environment and the event payload (`GITHUB_EVENT_PATH`'s JSON). */
export function gitContextFrom(env: Readonly<Record<string, string | undefined>>, event: unknown): GitContext {
  const payload = record(event);
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  let sha = env['GITHUB_SHA'] ?? '';
  let ref = env['GITHUB_REF'] ?? '';
  let pullRequest: number | undefined;
  const pr = record(payload['pull_request']);
  if (eventName.startsWith('pull_request') && Object.keys(pr).length > 0) {
    // GITHUB_SHA is the merge commit GitHub made for the check, which nobody ever deploys: tag the head.
    sha = text(record(pr['head'])['sha']) ?? sha;
    pullRequest = typeof pr['number'] === 'number' ? pr['number'] : Number(payload['number']) || undefined;
  }
  const run = record(payload['workflow_run']);
  if (eventName === 'workflow_run' && Object.keys(run).length > 0) {
    // GITHUB_SHA/GITHUB_REF are the default branch's; the image is of the run that triggered us.
    sha = text(run['head_sha']) ?? sha;
    const headBranch = text(run['head_branch']);
    if (headBranch) ref = `refs/heads/${headBranch}`;
  }
  if (pullRequest === undefined) {
    const match = /^refs\/pull\/(\d+)\//.exec(ref);
    if (match) pullRequest = Number(match[1]);
  }
  const branch =
    pullRequest === undefined && ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  const gitTag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
  const repository = record(payload['repository']);
  const defaultBranch = text(repository['default_branch']);
  const license = text(record(repository['license'])['spdx_id']);
  return {
    eventName,
    sha,
    ref,
    ...(branch !== undefined && { branch }),
    ...(gitTag !== undefined && { gitTag }),
    ...(pullRequest !== undefined && { pullRequest }),
    ...(defaultBranch !== undefined && { defaultBranch }),
    isDefaultBranch: branch !== undefined && defaultBranch !== undefined && branch === defaultBranch,
    repository: env['GITHUB_REPOSITORY'] ?? text(repository['full_name']) ?? '',
    serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
    repo: {
      ...(text(repository['name']) && { name: text(repository['name']) }),
      ...(text(repository['description']) && { description: text(repository['description']) }),
      // GitHub says NOASSERTION when it cannot tell the licence: that is not a licence.
      ...(license && license !== 'NOASSERTION' && { license }),
      ...(text(repository['html_url']) && { htmlUrl: text(repository['html_url']) }),
      ...(text(repository['homepage']) && { homepage: text(repository['homepage']) }),
    },
  };
}

/** One tag rule, parsed from a line of the `tags` input. */
export type TagRule =
  | { type: 'sha'; format: 'long' | 'short'; prefix: string; suffix: string }
  | { type: 'ref'; event: 'branch' | 'tag' | 'pr'; prefix: string; suffix: string }
  | { type: 'semver'; pattern: string; prefix: string; suffix: string }
  | { type: 'raw'; value: string }
  | { type: 'latest' };

export const DEFAULT_TAG_RULES: readonly string[] = [
  'type=sha',
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}',
  'type=latest',
];

function ruleError(line: string, why: string): UserError {
  return new UserError(`Input 'tags' has the rule '${line}', which ${why}`, { input: 'tags' });
}

/** Parses `type=…,key=value` lines; a line without `type=` is a raw tag. */
export function parseTagRules(lines: readonly string[]): TagRule[] {
  return lines.map((line): TagRule => {
    if (!line.includes('=')) {
      if (!isValidTag(line)) throw ruleError(line, 'is not a valid tag (letters, digits, _ . -, at most 128).');
      return { type: 'raw', value: line };
    }
    const fields: Record<string, string> = {};
    for (const part of line.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) throw ruleError(line, `has '${part}' where key=value was expected.`);
      fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    const { type, prefix = '', suffix = '' } = fields;
    const known = (...keys: string[]) => {
      const unknown = Object.keys(fields).filter((key) => !['type', ...keys].includes(key));
      if (unknown.length) throw ruleError(line, `has unknown key(s) ${unknown.join(', ')} for type=${type}.`);
    };
    switch (type) {
      case 'sha': {
        known('format', 'prefix', 'suffix');
        const format = fields['format'] ?? 'long';
        if (format !== 'long' && format !== 'short') throw ruleError(line, 'needs format=long or format=short.');
        return { type, format, prefix, suffix };
      }
      case 'ref': {
        known('event', 'prefix', 'suffix');
        const event = fields['event'];
        if (event !== 'branch' && event !== 'tag' && event !== 'pr') {
          throw ruleError(line, 'needs event=branch, event=tag or event=pr.');
        }
        return { type, event, prefix: fields['prefix'] ?? (event === 'pr' ? 'pr-' : ''), suffix };
      }
      case 'semver': {
        known('pattern', 'prefix', 'suffix');
        const pattern = fields['pattern'];
        if (!pattern || !/\{\{(version|major|minor|patch)\}\}/.test(pattern)) {
          throw ruleError(line, 'needs a pattern such as {{version}}, {{major}}.{{minor}} or {{major}}.');
        }
        return { type, pattern, prefix, suffix };
      }
      case 'raw': {
        known('value');
        const value = fields['value'] ?? '';
        if (!isValidTag(value)) throw ruleError(line, 'needs value=<a valid tag>.');
        return { type, value };
      }
      case 'latest':
        known();
        return { type };
      default:
        throw ruleError(line, 'has an unknown type: use sha, ref, semver, raw or latest (or a plain tag).');
    }
  });
}

interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease?: string;
  version: string;
}

/** `v1.2.3`, `1.2.3-rc.1+build` → its parts; anything else → undefined. */
export function parseSemver(tag: string): SemVer | undefined {
  const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(tag);
  if (!match) return undefined;
  const [, major, minor, patch, prerelease] = match as unknown as [string, string, string, string, string | undefined];
  const version = `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}`;
  return { major, minor, patch, ...(prerelease && { prerelease }), version };
}

/** A branch or git tag name as a Docker tag: `feature/login` → `feature-login`. */
export function sanitizeTag(value: string): string {
  return value
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

function expandSemver(pattern: string, version: SemVer): string | undefined {
  // A pre-release never moves the `1` or `1.2` tags users pin to; nor does a 0.x release move `0`.
  const partial = !pattern.includes('{{version}}') && !pattern.includes('{{patch}}');
  if (partial && version.prerelease) return undefined;
  if (pattern.trim() === '{{major}}' && version.major === '0') return undefined;
  return pattern
    .replace(/\{\{version\}\}/g, version.version)
    .replace(/\{\{major\}\}/g, version.major)
    .replace(/\{\{minor\}\}/g, version.minor)
    .replace(/\{\{patch\}\}/g, version.patch);
}

/** The tags the rules give for this event, in rule order, without duplicates. */
export function computeTags(git: GitContext, rules: readonly TagRule[]): string[] {
  const tags: string[] = [];
  const add = (tag: string | undefined) => {
    if (tag === undefined || tag === '') return;
    const clean = sanitizeTag(tag);
    if (clean && !tags.includes(clean)) tags.push(clean);
  };
  const semver = git.gitTag === undefined ? undefined : parseSemver(git.gitTag);
  for (const rule of rules) {
    switch (rule.type) {
      case 'sha':
        if (git.sha) add(`${rule.prefix}${rule.format === 'short' ? git.sha.slice(0, 7) : git.sha}${rule.suffix}`);
        break;
      case 'ref': {
        const value =
          rule.event === 'branch' ? git.branch : rule.event === 'tag' ? git.gitTag : git.pullRequest?.toString();
        if (value !== undefined) add(`${rule.prefix}${value}${rule.suffix}`);
        break;
      }
      case 'semver': {
        const expanded = semver && expandSemver(rule.pattern, semver);
        if (expanded) add(`${rule.prefix}${expanded}${rule.suffix}`);
        break;
      }
      case 'raw':
        add(rule.value);
        break;
      case 'latest':
        if (git.isDefaultBranch) add('latest');
        break;
    }
  }
  return tags;
}

/** `org.opencontainers.image.version`: the release version, else the branch or PR, else the short sha. */
export function imageVersion(git: GitContext): string {
  if (git.gitTag !== undefined) return parseSemver(git.gitTag)?.version ?? sanitizeTag(git.gitTag);
  if (git.pullRequest !== undefined) return `pr-${git.pullRequest}`;
  if (git.branch !== undefined) return sanitizeTag(git.branch);
  return git.sha.slice(0, 7);
}

/**
 * The OCI annotation labels (https://github.com/opencontainers/image-spec/blob/main/annotations.md) for this
 * build; `extra` (the `labels` input) wins over them. `source` is what links a ghcr.io package to its repository.
 */
export function computeLabels(
  git: GitContext,
  created: Date,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const repoUrl = `${git.serverUrl.replace(/\/+$/, '')}/${git.repository}`;
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': git.repo.name ?? git.repository.split('/').pop() ?? '',
    'org.opencontainers.image.description': git.repo.description ?? '',
    'org.opencontainers.image.url': git.repo.homepage ?? git.repo.htmlUrl ?? repoUrl,
    'org.opencontainers.image.source': git.repo.htmlUrl ?? repoUrl,
    'org.opencontainers.image.version': imageVersion(git),
    'org.opencontainers.image.created': created.toISOString(),
    'org.opencontainers.image.revision': git.sha,
    'org.opencontainers.image.licenses': git.repo.license ?? '',
  };
  for (const key of Object.keys(labels)) if (labels[key] === '') delete labels[key];
  return { ...labels, ...extra };
}

/** `key=value` lines (the `labels` and `build-args` inputs) → a record; the first `=` splits. */
/**
 * `KEY=value` lines. For a secret input (`secret: true`) every line is masked before it is looked at, and a
 * malformed line is named by its number only: it may be the secret itself, pasted without its key.
 */
export function parseKeyValues(
  lines: readonly string[],
  input: string,
  options: { secret?: boolean } = {},
): Record<string, string> {
  const result: Record<string, string> = {};
  if (options.secret) for (const line of lines) maskSecret(line);
  lines.forEach((line, index) => {
    const eq = line.indexOf('=');
    if (eq <= 0) {
      const what = options.secret ? `line ${index + 1} (not shown: it may hold a secret)` : `'${line}'`;
      throw new UserError(`Input '${input}' has ${what} without a KEY=: write one KEY=value per line.`, { input });
    }
    const value = line.slice(eq + 1);
    if (options.secret) maskSecret(value);
    result[line.slice(0, eq).trim()] = value;
  });
  return result;
}

/** Multi-line inputs whose values may hold commas (tag rules, labels, build args): one item a line. */
export function splitLines(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The event payload the runner wrote to `GITHUB_EVENT_PATH` (empty outside a runner). */
export function readEventPayload(env: Readonly<Record<string, string | undefined>> = process.env): unknown {
  const file = env['GITHUB_EVENT_PATH'];
  if (!file || !existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}
