/**
 * The loopback server's GraphQL endpoint: every document is parsed and validated against GitHub's public schema
 * (`@octokit/graphql-schema`), then executed by graphql-js against that same schema with small resolvers over the
 * in-memory model, so what a resolver returns is checked by the schema's types as well.
 */
import { schema as published } from '@octokit/graphql-schema';
import { buildSchema, execute, GraphQLError, Kind, parse, validate, type GraphQLSchema } from 'graphql';
import type { Account, PullRequest, Repository, TokenGrant } from './model.ts';
import type { Urls } from './representations.ts';

let schema: GraphQLSchema | undefined;
/** GitHub's schema, built once per process. */
export function githubSchema(): GraphQLSchema {
  schema ??= buildSchema(published.idl, { assumeValidSDL: true });
  return schema;
}

/** An error GitHub itself would return (not a fault of the server): sent as is, with GitHub's `type`. */
export class GitHubGraphQLError extends GraphQLError {
  readonly type: string;
  constructor(type: 'UNPROCESSABLE' | 'FORBIDDEN' | 'NOT_FOUND', message: string) {
    super(message);
    this.type = type;
  }
}

export interface GraphQLContext {
  grant: TokenGrant;
  urls: Urls;
  findPullRequest(nodeId: string): { repo: Repository; pull: PullRequest } | undefined;
  require(permissions: Record<string, 'read' | 'write'>): void;
}

/** A root field resolver: `(args, context)` → a plain object the schema's types then check. */
export type RootResolver = (args: Record<string, unknown>, context: GraphQLContext) => unknown;

export function actorObject(urls: Urls, account: Account) {
  return {
    __typename: account.type === 'Bot' ? 'Bot' : 'User',
    login: account.login,
    url: `${urls.html}/${account.login}`,
    avatarUrl: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    resourcePath: `/${account.login}`,
  };
}

/** A PullRequest object with the fields promotion tools read; add fields here as queries need them. */
export function pullRequestObject(urls: Urls, repo: Repository, pull: PullRequest): Record<string, unknown> {
  const object: Record<string, unknown> = {
    __typename: 'PullRequest',
    id: pull.nodeId,
    number: pull.number,
    title: pull.title,
    body: pull.body ?? '',
    url: `${urls.html}/${repo.fullName}/pull/${pull.number}`,
    state: pull.state === 'open' ? 'OPEN' : 'CLOSED',
    isDraft: pull.draft,
    headRefName: pull.head,
    baseRefName: pull.base,
    headRefOid: repo.headSha(pull),
    author: actorObject(urls, pull.user),
  };
  object['autoMergeRequest'] = pull.autoMerge && {
    mergeMethod: pull.autoMerge.mergeMethod.toUpperCase(),
    enabledAt: pull.autoMerge.enabledAt,
    enabledBy: actorObject(urls, pull.autoMerge.enabledBy),
    commitHeadline: pull.autoMerge.commitTitle,
    commitBody: pull.autoMerge.commitMessage,
    pullRequest: object,
  };
  return object;
}

/** The root fields (Query or Mutation field names) a document calls; empty when it does not parse. */
export function rootFields(query: string, operationName?: string): string[] {
  try {
    const document = parse(query);
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operations.find((o) => !operationName || o.name?.value === operationName) ?? operations[0];
    return (operation?.selectionSet.selections ?? [])
      .filter((s) => s.kind === Kind.FIELD)
      .map((s) => s.name.value)
      .filter((name) => !name.startsWith('__'));
  } catch {
    return [];
  }
}

export interface GraphQLOutcome {
  body: Record<string, unknown>;
  /** Validation problems and resolver faults: the test fails on these. */
  failures: string[];
}

export function executeGraphQL(
  request: unknown,
  resolvers: ReadonlyMap<string, RootResolver>,
  context: GraphQLContext,
): GraphQLOutcome {
  const { query, variables, operationName } = (request ?? {}) as {
    query?: unknown;
    variables?: Record<string, unknown>;
    operationName?: string;
  };
  if (typeof query !== 'string') {
    return {
      body: { message: 'A query attribute must be specified and must be a string.' },
      failures: ['GraphQL request without a query'],
    };
  }
  let document;
  try {
    document = parse(query);
  } catch (error) {
    const message = (error as Error).message;
    return { body: { errors: [{ message }] }, failures: [`GraphQL syntax: ${message}`] };
  }
  const problems = validate(githubSchema(), document);
  if (problems.length > 0) {
    return {
      body: { errors: problems.map((p) => ({ message: p.message, locations: p.locations })) },
      failures: problems.map((p) => `GraphQL validation against GitHub's schema: ${p.message}`),
    };
  }
  const rootValue: Record<string, unknown> = {};
  for (const [field, resolve] of resolvers)
    rootValue[field] = (args: Record<string, unknown>) => resolve(args, context);
  const result = execute({
    schema: githubSchema(),
    document,
    rootValue,
    contextValue: context,
    variableValues: variables ?? {},
    ...(operationName && { operationName }),
  });
  if ('then' in result) throw new Error('github-server: GraphQL resolvers must be synchronous');
  const failures: string[] = [];
  const errors = (result.errors ?? []).map((error) => {
    const original = error.originalError;
    if (original instanceof GitHubGraphQLError) {
      return { type: original.type, path: error.path, locations: error.locations, message: original.message };
    }
    failures.push(`GraphQL execution: ${error.message}${error.path ? ` at ${error.path.join('.')}` : ''}`);
    return { message: error.message, path: error.path, locations: error.locations };
  });
  const body: Record<string, unknown> = { data: result.data ?? null };
  if (errors.length > 0) body['errors'] = errors;
  return { body, failures };
}
