import { describe, expect, test } from '@jest/globals';
import { redact } from '../../src/summary.ts';
import {
  computeLabels,
  computeTags,
  DEFAULT_TAG_RULES,
  gitContextFrom,
  imageVersion,
  parseKeyValues,
  parseSemver,
  parseTagRules,
  sanitizeTag,
  splitLines,
  type GitContext,
} from '../../src/container/tags.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const HEAD = 'fedcba9876543210fedcba9876543210fedcba98';
const MERGE = '1111111111111111111111111111111111111111';

const repository = {
  name: 'Scoring-Service',
  full_name: 'Octo-Org/Scoring-Service',
  default_branch: 'main',
  description: 'Scores things',
  html_url: 'https://github.com/Octo-Org/Scoring-Service',
  license: { spdx_id: 'MIT' },
};

function env(eventName: string, ref: string, sha = SHA): Record<string, string> {
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: 'Octo-Org/Scoring-Service',
    GITHUB_SERVER_URL: 'https://github.com',
  };
}

const defaults = parseTagRules(DEFAULT_TAG_RULES);

describe('tags across events (default rules)', () => {
  const cases: { name: string; env: Record<string, string>; event: unknown; tags: string[]; revision: string }[] = [
    {
      name: 'push to the default branch: sha, branch, latest',
      env: env('push', 'refs/heads/main'),
      event: { repository },
      tags: [SHA, 'main', 'latest'],
      revision: SHA,
    },
    {
      name: 'push to another branch: no latest, branch name sanitised',
      env: env('push', 'refs/heads/feature/New-Model'),
      event: { repository },
      tags: [SHA, 'feature-New-Model'],
      revision: SHA,
    },
    {
      name: 'tag v1.2.3: version, major.minor, major; no latest (not a branch)',
      env: env('push', 'refs/tags/v1.2.3'),
      event: { repository },
      tags: [SHA, '1.2.3', '1.2', '1'],
      revision: SHA,
    },
    {
      name: 'pre-release tag: only the full version',
      env: env('push', 'refs/tags/v2.0.0-rc.1'),
      event: { repository },
      tags: [SHA, '2.0.0-rc.1'],
      revision: SHA,
    },
    {
      name: 'v0 release: no bare major tag 0',
      env: env('push', 'refs/tags/v0.3.1'),
      event: { repository },
      tags: [SHA, '0.3.1', '0.3'],
      revision: SHA,
    },
    {
      name: 'non-semver tag: no semver tags',
      env: env('push', 'refs/tags/nightly'),
      event: { repository },
      tags: [SHA],
      revision: SHA,
    },
    {
      name: 'pull request: the head sha (not the merge commit) and pr-N',
      env: env('pull_request', 'refs/pull/42/merge', MERGE),
      event: { number: 42, pull_request: { number: 42, head: { sha: HEAD, ref: 'feature' } }, repository },
      tags: [HEAD, 'pr-42'],
      revision: HEAD,
    },
    {
      name: 'pull_request_target: the head sha too',
      env: env('pull_request_target', 'refs/heads/main', MERGE),
      event: { number: 7, pull_request: { number: 7, head: { sha: HEAD } }, repository },
      tags: [HEAD, 'pr-7'],
      revision: HEAD,
    },
    {
      name: 'workflow_dispatch on the default branch: sha, branch, latest',
      env: env('workflow_dispatch', 'refs/heads/main'),
      event: { inputs: {}, repository },
      tags: [SHA, 'main', 'latest'],
      revision: SHA,
    },
    {
      name: 'workflow_dispatch on another branch: no latest',
      env: env('workflow_dispatch', 'refs/heads/integration'),
      event: { inputs: {}, repository },
      tags: [SHA, 'integration'],
      revision: SHA,
    },
    {
      name: 'workflow_run: the triggering run head, not the default branch tip',
      env: env('workflow_run', 'refs/heads/main', MERGE),
      event: { workflow_run: { head_sha: HEAD, head_branch: 'integration' }, repository },
      tags: [HEAD, 'integration'],
      revision: HEAD,
    },
    {
      name: 'no default_branch in the payload (schedule): never latest',
      env: env('schedule', 'refs/heads/main'),
      event: { schedule: '0 0 * * *' },
      tags: [SHA, 'main'],
      revision: SHA,
    },
  ];
  test.each(cases)('$name', ({ env: runnerEnv, event, tags, revision }) => {
    const git = gitContextFrom(runnerEnv, event);
    expect(computeTags(git, defaults)).toEqual(tags);
    expect(computeLabels(git, new Date(0))['org.opencontainers.image.revision']).toBe(revision);
  });
});

describe('tag rules', () => {
  const main = gitContextFrom(env('push', 'refs/heads/main'), { repository });
  const tag = gitContextFrom(env('push', 'refs/tags/v3.4.5'), { repository });
  test.each([
    { rules: ['type=sha,format=short'], git: main, tags: ['0123456'] },
    { rules: ['type=sha,prefix=sha-,format=short'], git: main, tags: ['sha-0123456'] },
    { rules: ['type=ref,event=branch,suffix=-amd64'], git: main, tags: ['main-amd64'] },
    { rules: ['type=ref,event=tag'], git: tag, tags: ['v3.4.5'] },
    { rules: ['type=ref,event=pr'], git: main, tags: [] },
    { rules: ['type=semver,pattern=v{{major}}.{{minor}}'], git: tag, tags: ['v3.4'] },
    { rules: ['type=semver,pattern={{version}}'], git: main, tags: [] },
    { rules: ['type=raw,value=stable', 'stable', 'prod'], git: main, tags: ['stable', 'prod'] },
    { rules: ['type=latest'], git: tag, tags: [] },
  ])('$rules on $git.ref → $tags', ({ rules, git, tags }) => {
    expect(computeTags(git, parseTagRules(rules))).toEqual(tags);
  });

  test.each([
    ['type=bogus', /unknown type/],
    ['type=sha,format=medium', /format=long or format=short/],
    ['type=ref,event=commit', /event=branch/],
    ['type=semver,pattern=x', /needs a pattern/],
    ['type=raw,value=has space', /valid tag/],
    ['type=sha,colour=blue', /unknown key\(s\) colour/],
    ['-bad', /not a valid tag/],
    ['type=ref,event', /key=value/],
  ])('%s is refused, naming the input', (rule, message) => {
    expect(() => parseTagRules([rule])).toThrow(message);
    expect(() => parseTagRules([rule])).toThrow(/Input 'tags'/);
  });
});

describe('labels', () => {
  test('OCI labels from the event; labels input wins; empty values dropped', () => {
    const git = gitContextFrom(env('push', 'refs/tags/v1.2.3'), { repository });
    expect(computeLabels(git, new Date('2026-01-02T03:04:05Z'), { 'org.opencontainers.image.vendor': 'Octo' })).toEqual(
      {
        'org.opencontainers.image.title': 'Scoring-Service',
        'org.opencontainers.image.description': 'Scores things',
        'org.opencontainers.image.url': 'https://github.com/Octo-Org/Scoring-Service',
        'org.opencontainers.image.source': 'https://github.com/Octo-Org/Scoring-Service',
        'org.opencontainers.image.version': '1.2.3',
        'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
        'org.opencontainers.image.revision': SHA,
        'org.opencontainers.image.licenses': 'MIT',
        'org.opencontainers.image.vendor': 'Octo',
      },
    );
    const bare = gitContextFrom(env('push', 'refs/heads/dev'), { repository: { license: { spdx_id: 'NOASSERTION' } } });
    const labels = computeLabels(bare, new Date(0), { 'org.opencontainers.image.title': 'mine' });
    expect(labels['org.opencontainers.image.licenses']).toBeUndefined();
    expect(labels['org.opencontainers.image.description']).toBeUndefined();
    expect(labels['org.opencontainers.image.title']).toBe('mine');
    expect(labels['org.opencontainers.image.source']).toBe('https://github.com/Octo-Org/Scoring-Service');
  });

  test('version: release, PR, branch, else short sha', () => {
    const base: GitContext = { ...gitContextFrom(env('push', ''), {}) };
    expect(imageVersion({ ...base, gitTag: 'v1.0.0' })).toBe('1.0.0');
    expect(imageVersion({ ...base, gitTag: 'release/x' })).toBe('release-x');
    expect(imageVersion({ ...base, pullRequest: 3 })).toBe('pr-3');
    expect(imageVersion({ ...base, branch: 'a/b' })).toBe('a-b');
    expect(imageVersion(base)).toBe('0123456');
  });
});

describe('helpers', () => {
  test('parseSemver', () => {
    expect(parseSemver('v1.2.3')).toEqual({ major: '1', minor: '2', patch: '3', version: '1.2.3' });
    expect(parseSemver('1.2.3-rc.1+b5')?.version).toBe('1.2.3-rc.1');
    expect(parseSemver('v1.2')).toBeUndefined();
    expect(parseSemver('01.2.3')).toBeUndefined();
  });
  test('sanitizeTag', () => {
    expect(sanitizeTag('feature/x@y')).toBe('feature-x-y');
    expect(sanitizeTag('.-lead')).toBe('lead');
    expect(sanitizeTag('a'.repeat(200))).toHaveLength(128);
  });
  test('splitLines and parseKeyValues keep commas and later = signs', () => {
    expect(splitLines('type=ref,event=branch\n\n# note\n stable \r\n')).toEqual(['type=ref,event=branch', 'stable']);
    expect(parseKeyValues(['A=1,2', 'B=x=y', 'C='], 'build-args')).toEqual({ A: '1,2', B: 'x=y', C: '' });
    expect(() => parseKeyValues(['novalue'], 'build-args')).toThrow(/Input 'build-args' has 'novalue'/);
    // A secret pasted without its key: the error names the line, never its text, and the text is masked.
    expect(() => parseKeyValues(['NPM=ok-token-1', 'ghp_pastedWithoutKey42'], 'secrets', { secret: true })).toThrow(
      /^Input 'secrets' has line 2 \(not shown: it may hold a secret\) without a KEY=/,
    );
    let message = '';
    try {
      parseKeyValues(['ghp_pastedWithoutKey42'], 'secrets', { secret: true });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('ghp_pastedWithoutKey42');
    expect(redact('ghp_pastedWithoutKey42 ok-token-1')).toBe('*** ***');
  });
});
