import { describe, expect, it } from '@jest/globals';
import {
  detectTokenKind,
  refineWithAuthor,
  refineWithScopes,
  tokenChecksExplanation,
  type TokenKind,
} from '../../src/github/token.ts';

const JOB = 'ghs_job00000000000000000000000000000000000';

describe('token kind detection', () => {
  it.each<[string, string | undefined, TokenKind]>([
    [JOB, JOB, 'github-token'],
    ['ghs_other000000000000000000000000000000000', JOB, 'app-installation'],
    ['ghs_other000000000000000000000000000000000', undefined, 'installation'],
    ['ghp_classic00000000000000000000000000000000', JOB, 'classic-pat'],
    ['github_pat_11AAAA_bbbb', JOB, 'fine-grained-pat'],
    ['gho_oauth000000000000000000000000000000000', JOB, 'oauth'],
    ['ghu_user0000000000000000000000000000000000', JOB, 'app-user'],
    ['0123456789abcdef0123456789abcdef01234567', JOB, 'unknown'],
  ])('%s (job token %s) → %s', (token, job, kind) => {
    expect(detectTokenKind(token, job).kind).toBe(kind);
  });

  it('says how it knows', () => {
    expect(detectTokenKind(JOB, JOB).evidence[0]).toContain("job's GITHUB_TOKEN");
    expect(detectTokenKind('ghp_x', JOB).evidence[0]).toBe('token prefix ghp_');
  });

  it('refines with the author GitHub gave a pull request the token created', () => {
    const installation = detectTokenKind('ghs_other000000000000000000000000000000000');
    expect(refineWithAuthor(installation, { login: 'github-actions[bot]', type: 'Bot' })).toMatchObject({
      kind: 'github-token',
      login: 'github-actions[bot]',
    });
    expect(refineWithAuthor(installation, { login: 'release-bot[bot]', type: 'Bot' })).toMatchObject({
      kind: 'app-installation',
      login: 'release-bot[bot]',
    });
    expect(refineWithAuthor(detectTokenKind('ghp_x'), { login: 'mona', type: 'User' })).toMatchObject({
      kind: 'classic-pat',
      login: 'mona',
    });
    expect(refineWithAuthor(detectTokenKind('legacy'), { login: 'mona', type: 'User' }).kind).toBe('unknown');
  });

  it('refines an unknown token with x-oauth-scopes (classic tokens only get it)', () => {
    expect(refineWithScopes(detectTokenKind('0123456789abcdef'), 'repo, workflow').kind).toBe('classic-pat');
    expect(refineWithScopes(detectTokenKind(JOB, JOB), 'repo').kind).toBe('github-token');
    expect(refineWithScopes(detectTokenKind('0123456789abcdef'), undefined).kind).toBe('unknown');
  });

  it('explains what the token means for the checks on the pull request', () => {
    const job = tokenChecksExplanation(detectTokenKind(JOB, JOB), { created: true, pushed: false });
    expect(job).toContain('opened this pull request');
    expect(job).toContain('Approve workflows to run');
    expect(job).toContain('do not start `push` workflows');
    const app = tokenChecksExplanation(
      { kind: 'app-installation', evidence: [], login: 'release-bot[bot]' },
      { created: false, pushed: true },
    );
    expect(app).toContain('pushed the release manifest');
    expect(app).toContain('start at once');
    const pat = tokenChecksExplanation(
      { kind: 'fine-grained-pat', evidence: [], login: 'mona' },
      { created: false, pushed: false },
    );
    expect(pat).toContain('acts as a person (mona)');
    expect(tokenChecksExplanation(detectTokenKind('ghs_x'), { created: true, pushed: false })).toContain('job-token');
    expect(tokenChecksExplanation(detectTokenKind('legacy'), { created: true, pushed: false })).toContain(
      'depends on its kind',
    );
  });
});
