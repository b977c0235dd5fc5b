/**
 * The loopback GitHub API server for tests (see README.md in this folder).
 *
 *   const github = await GitHubServer.start();
 *   github.addToken('ghs_…', { kind: 'github-token' });
 *   const repo = github.repository('octo-org/ml-service');
 *   repo.commitFiles('main', { 'README.md': '# ml-service\n' });
 *   … point GITHUB_API_URL / GITHUB_GRAPHQL_URL at github.url / github.graphqlUrl …
 *   github.assertValid();
 *   await github.close();
 */
export {
  GitHubServer,
  type GitHubServerOptions,
  type InterceptedRequest,
  type Interceptor,
  type RequestRecord,
} from './server.ts';
export {
  DEFAULT_JOB_PERMISSIONS,
  GITHUB_ACTIONS_BOT,
  GitHubState,
  Repository,
  type Access,
  type Account,
  type AutoMerge,
  type Commit,
  type Label,
  type PullRequest,
  type TokenGrant,
  type TokenGrantInput,
  type TokenKind,
} from './model.ts';
export {
  GitHubHttpError,
  notFound,
  validationFailed,
  type RestContext,
  type RestHandler,
  type RestResponse,
} from './rest.ts';
export {
  GitHubGraphQLError,
  actorObject,
  githubSchema,
  pullRequestObject,
  type GraphQLContext,
  type RootResolver,
} from './graphql.ts';
export { GITHUB_OPERATIONS } from './operations.ts';
export * as representations from './representations.ts';
export {
  environmentsOf,
  registerRepositorySettings,
  rulesetsOf,
  type BranchPolicyRecord,
  type EnvironmentRecord,
  type RulesetRecord,
} from './settings.ts';
export { commentsOf, issuesOf, registerIssues, type Issue, type IssueComment } from './issues.ts';
