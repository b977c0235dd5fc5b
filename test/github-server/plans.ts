/**
 * The GitHub plan of a repository's owner, as an owner's token sees it: `orgs/get` (`plan` only for the
 * organisation's owners) and `users/get-authenticated` (`plan` of the token's own account). The plan is
 * `repo.extensions.get('plan')` of any of the owner's repositories (`free`, `pro`, `team`, `enterprise`; default
 * `enterprise`, where every feature exists, as the other handlers assume); `hidePlan` models a token that may read the organisation but not its billing plan.
 */
import type { Account, GitHubState } from './model.ts';
import { nodeId } from './model.ts';
import * as json from './representations.ts';
import { notFound } from './rest.ts';
import type { GitHubServer } from './server.ts';

function planOf(state: GitHubState, owner: Account): { name: string; hidden: boolean } {
  const repos = [...state.repositories.values()].filter((r) => r.owner.login === owner.login);
  const name = (repos.map((r) => r.extensions.get('plan')).find(Boolean) as string | undefined) ?? 'enterprise';
  return { name, hidden: repos.some((r) => r.extensions.get('hidePlan') === true) };
}

const PLAN = (name: string) => ({ name, space: 976562499, private_repos: 999999, filled_seats: 3, seats: 5 });

export function registerPlans(github: GitHubServer): void {
  github.handle(
    'orgs/get',
    (c) => {
      const org = c.state.accounts.get(String(c.params['org']).toLowerCase());
      if (!org || org.type !== 'Organization') throw notFound();
      const user = json.simpleUser(c.urls, org);
      const plan = planOf(c.state, org);
      const api = `${c.urls.api}/orgs/${org.login}`;
      return {
        status: 200,
        body: {
          login: org.login,
          id: org.id,
          node_id: nodeId('O', org.id),
          url: api,
          repos_url: `${api}/repos`,
          events_url: `${api}/events`,
          hooks_url: `${api}/hooks`,
          issues_url: `${api}/issues`,
          members_url: `${api}/members{/member}`,
          public_members_url: `${api}/public_members{/member}`,
          avatar_url: user['avatar_url'],
          description: null,
          html_url: `${c.urls.html}/${org.login}`,
          has_organization_projects: true,
          has_repository_projects: true,
          public_repos: 0,
          public_gists: 0,
          followers: 0,
          following: 0,
          type: 'Organization',
          created_at: '2020-01-01T00:00:00Z',
          updated_at: '2025-01-01T00:00:00Z',
          archived_at: null,
          ...(!plan.hidden && { plan: PLAN(plan.name) }),
        },
      };
    },
    [{ metadata: 'read' }, { members: 'read' }, { administration: 'read' }],
  );

  github.handle('users/get-authenticated', (c) => {
    const account = c.grant.account;
    return {
      status: 200,
      body: {
        ...json.publicUser(c.urls, account, account.login),
        updated_at: '2025-01-01T00:00:00Z',
        collaborators: 0,
        disk_usage: 0,
        owned_private_repos: 0,
        private_gists: 0,
        total_private_repos: 0,
        two_factor_authentication: true,
        plan: { ...PLAN(planOf(c.state, account).name), collaborators: 0 },
      },
    };
  });
}
