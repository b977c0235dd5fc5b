/**
 * A loopback GitHub API server for tests: REST operations routed and validated by GitHub's OpenAPI description
 * (the committed fixture), GraphQL validated by GitHub's public schema, over a small in-memory model of accounts,
 * tokens and repositories. Every request body the client sends and every response body the server sends is
 * checked; any mismatch, unknown route or unimplemented operation is recorded in `failures`, answered with an
 * error status, and makes `assertValid()` throw — so a test cannot pass on a request GitHub would not accept.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  actorObject,
  executeGraphQL,
  GitHubGraphQLError,
  pullRequestObject,
  rootFields,
  type GraphQLContext,
  type RootResolver,
} from './graphql.ts';
import {
  GitHubState,
  type Access,
  type PullRequest,
  type Repository,
  type TokenGrant,
  type TokenGrantInput,
} from './model.ts';
import { openApi, type OpenApi } from './openapi.ts';
import type { Urls } from './representations.ts';
import {
  DEFAULT_HANDLERS,
  GitHubHttpError,
  notFound,
  type HandlerSpec,
  type RestContext,
  type RestHandler,
  type RestResponse,
} from './rest.ts';

export interface RequestRecord {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** The REST operationId, or `graphql` for GraphQL requests. */
  operation: string;
  /** For GraphQL: the root fields called (e.g. `enablePullRequestAutoMerge`). */
  fields?: string[];
  status: number;
  requestBody: unknown;
  responseBody: unknown;
  /** How the server saw the caller's token. */
  tokenKind?: TokenGrant['kind'];
}

export interface InterceptedRequest {
  operation: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  grant: TokenGrant;
}

/**
 * Runs before the handler of an operation: return a response to send instead (fault injection; it is validated
 * like any other), or nothing to let the handler run (after changing state, e.g. moving a branch meanwhile).
 */
export type Interceptor = (request: InterceptedRequest) => RestResponse | void;

export interface GitHubServerOptions {
  /** Web root used in `html_url`s (default `https://github.com`). */
  htmlUrl?: string;
}

function header(name: string, value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function satisfies(granted: Access | undefined, needed: Access): boolean {
  const rank = { read: 1, write: 2, admin: 3 } as const;
  return granted !== undefined && rank[granted] >= rank[needed];
}

export class GitHubServer {
  readonly state = new GitHubState();
  readonly log: RequestRecord[] = [];
  readonly failures: string[] = [];
  private readonly api: OpenApi;
  private readonly handlers = new Map<string, HandlerSpec>(Object.entries(DEFAULT_HANDLERS));
  private readonly resolvers = new Map<string, RootResolver>();
  private readonly interceptors = new Map<string, { intercept: Interceptor; times: number }[]>();
  private server?: Server;
  private urls: Urls = { api: '', html: 'https://github.com' };

  private constructor(options: GitHubServerOptions) {
    this.api = openApi();
    this.urls.html = options.htmlUrl ?? 'https://github.com';
    this.resolvers.set('enablePullRequestAutoMerge', enablePullRequestAutoMerge);
    this.resolvers.set('disablePullRequestAutoMerge', disablePullRequestAutoMerge);
  }

  static async start(options: GitHubServerOptions = {}): Promise<GitHubServer> {
    const instance = new GitHubServer(options);
    await instance.listen();
    return instance;
  }

  /** REST root, e.g. `http://127.0.0.1:43123` (what `GITHUB_API_URL` is set to). */
  get url(): string {
    return this.urls.api;
  }

  /** What `GITHUB_GRAPHQL_URL` is set to. */
  get graphqlUrl(): string {
    return `${this.urls.api}/graphql`;
  }

  private listen(): Promise<void> {
    return new Promise((resolve) => {
      this.server = createServer((request, response) => {
        this.dispatch(request, response).catch((error: unknown) => {
          this.failures.push(`github-server crashed on ${request.method} ${request.url}: ${(error as Error).stack}`);
          if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ message: 'loopback server error' }));
        });
      });
      this.server.listen(0, '127.0.0.1', () => {
        this.urls.api = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  // --- arrangement --------------------------------------------------------------------------------------------

  addToken(token: string, grant: TokenGrantInput): TokenGrant {
    return this.state.addToken(token, grant);
  }

  repository(fullName: string, options?: { private?: boolean; defaultBranch?: string }): Repository {
    return this.state.repository(fullName, options);
  }

  /** Adds or replaces the handler of a REST operation (its id must be in the fixture: see operations.ts). */
  handle(operationId: string, handler: RestHandler, permissions: Record<string, Access>[] = []): void {
    if (!this.api.operations.has(operationId)) {
      throw new Error(
        `github-server: ${operationId} is not in the OpenAPI fixture; add it to operations.ts and run npm run fixtures:github`,
      );
    }
    this.handlers.set(operationId, { handler, permissions });
  }

  /** The handler registered for an operation, so a feature can wrap it. */
  handlerFor(operationId: string): HandlerSpec {
    const spec = this.handlers.get(operationId);
    if (!spec) throw new Error(`github-server: no handler for ${operationId}`);
    return spec;
  }

  /** Adds or replaces a GraphQL root field resolver (Query or Mutation field name). */
  resolve(field: string, resolver: RootResolver): void {
    this.resolvers.set(field, resolver);
  }

  /** Intercepts the next `times` calls of an operation (a REST operationId, or a GraphQL root field name). */
  intercept(operation: string, intercept: Interceptor, times = 1): void {
    const list = this.interceptors.get(operation) ?? [];
    list.push({ intercept, times });
    this.interceptors.set(operation, list);
  }

  /** Answers the next call of an operation with a GitHub-shaped error. */
  fail(
    operation: string,
    status: number,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): void {
    this.intercept(operation, () => {
      const error = new GitHubHttpError(status, message, extra, headers);
      return { status, body: error.body, headers: error.headers };
    });
  }

  // --- inspection ---------------------------------------------------------------------------------------------

  /** The requests made, as `METHOD operationId` lines (GraphQL as `POST graphql:field`). */
  calls(): string[] {
    return this.log.map((r) =>
      r.operation === 'graphql' ? `POST graphql:${(r.fields ?? []).join(',')}` : `${r.method} ${r.operation}`,
    );
  }

  /** Throws, listing every validation failure, unknown route and unimplemented operation seen so far. */
  assertValid(): void {
    if (this.failures.length > 0) {
      throw new Error(`github-server: ${this.failures.length} problem(s):\n- ${this.failures.join('\n- ')}`);
    }
  }

  /** Forgets the log and failures (state is kept). */
  reset(): void {
    this.log.length = 0;
    this.failures.length = 0;
  }

  // --- dispatch -----------------------------------------------------------------------------------------------

  private takeInterceptor(operation: string): Interceptor | undefined {
    const list = this.interceptors.get(operation);
    const next = list?.[0];
    if (!next) return undefined;
    if (--next.times <= 0) list.shift();
    return next.intercept;
  }

  private authenticate(request: IncomingMessage): TokenGrant | GitHubHttpError {
    const authorization = header('authorization', request.headers.authorization);
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return new GitHubHttpError(401, 'Requires authentication');
    return this.state.tokens.get(token) ?? new GitHubHttpError(401, 'Bad credentials');
  }

  private permissionError(grant: TokenGrant, alternatives: Record<string, Access>[]): GitHubHttpError | undefined {
    if (alternatives.length === 0) return undefined;
    if (grant.kind === 'classic-pat') {
      return grant.scopes.includes('repo')
        ? undefined
        : new GitHubHttpError(404, 'Not Found', {}, { 'x-accepted-oauth-scopes': 'repo' });
    }
    const allowed = alternatives.some((set) =>
      Object.entries(set).every(([name, access]) => satisfies(grant.permissions[name], access)),
    );
    if (allowed) return undefined;
    const accepted = alternatives
      .map((set) =>
        Object.entries(set)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      )
      .join('; ');
    const who = grant.kind === 'fine-grained-pat' ? 'personal access token' : 'integration';
    return new GitHubHttpError(
      403,
      `Resource not accessible by ${who}`,
      {},
      { 'x-accepted-github-permissions': accepted },
    );
  }

  private send(
    response: ServerResponse,
    grant: TokenGrant | undefined,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const base: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': randomUUID().toUpperCase(),
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-resource': 'core',
    };
    if (grant?.kind === 'classic-pat') base['x-oauth-scopes'] = grant.scopes.join(', ');
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, { ...base, ...headers });
    response.end(text);
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', this.urls.api);
    const raw = await readBody(request);
    let body: unknown;
    const hasBody = raw.trim() !== '';
    if (hasBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        this.failures.push(`${method} ${url.pathname}: the body is not JSON`);
        return this.send(response, undefined, 400, {
          message: 'Problems parsing JSON',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
    }
    const record: RequestRecord = {
      method,
      url: `${url.pathname}${url.search}`,
      operation: '?',
      status: 0,
      requestBody: body,
      responseBody: undefined,
    };
    this.log.push(record);
    const finish = (
      grant: TokenGrant | undefined,
      status: number,
      payload: unknown,
      headers?: Record<string, string>,
    ) => {
      record.status = status;
      record.responseBody = payload;
      this.send(response, grant, status, payload, headers);
    };

    if (method === 'POST' && url.pathname === '/graphql') {
      record.operation = 'graphql';
      return this.dispatchGraphQL(request, body, record, finish);
    }

    const match = this.api.match(method, url.pathname);
    if (!match) {
      this.failures.push(
        `${method} ${url.pathname}: ${this.api.knowsPath(url.pathname) ? 'method not in the OpenAPI fixture' : 'unknown route (not in the OpenAPI fixture)'}`,
      );
      return finish(undefined, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    const { operation, params } = match;
    record.operation = operation.id;
    const auth = this.authenticate(request);
    if (auth instanceof GitHubHttpError) return finish(undefined, auth.status, auth.body, auth.headers);
    const grant = auth;
    record.tokenKind = grant.kind;

    const problems = this.api.validateRequest(operation, url.searchParams, body, hasBody);
    if (problems.length > 0) {
      this.failures.push(`${operation.id} request does not match GitHub's OpenAPI description: ${problems.join('; ')}`);
      const error = new GitHubHttpError(422, `Invalid request.\n\n${problems.join('\n')}`);
      return finish(grant, 422, error.body);
    }

    const respond = (result: RestResponse) => {
      const responseProblems = this.api.validateResponse(operation, result.status, result.body);
      if (responseProblems.length > 0) {
        this.failures.push(
          `${operation.id} ${result.status} response does not match GitHub's OpenAPI description: ${responseProblems.join('; ')}`,
        );
        return finish(grant, 500, {
          message: `loopback server: invalid ${operation.id} response`,
          documentation_url: 'https://docs.github.com/rest',
        });
      }
      finish(grant, result.status, result.body, result.headers);
    };

    const interceptor = this.takeInterceptor(operation.id);
    const intercepted = interceptor?.({ operation: operation.id, params, query: url.searchParams, body, grant });
    if (intercepted) return respond(intercepted);

    const spec = this.handlers.get(operation.id);
    if (!spec) {
      this.failures.push(
        `${operation.id} is in the fixture but has no handler (server.handle('${operation.id}', ...))`,
      );
      return finish(grant, 501, {
        message: `loopback server: ${operation.id} is not implemented`,
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const context: RestContext = {
      operation,
      params,
      query: url.searchParams,
      body: (body ?? {}) as Record<string, unknown>,
      grant,
      state: this.state,
      urls: this.urls,
      repo: () => {
        const repo = this.state.findRepository(params['owner'] ?? '', params['repo'] ?? '');
        if (!repo) throw notFound();
        return repo;
      },
      account: (login) => this.state.account(login),
    };
    try {
      const refused = this.permissionError(grant, spec.permissions);
      if (refused) throw refused;
      respond(spec.handler(context));
    } catch (error) {
      if (!(error instanceof GitHubHttpError)) throw error;
      respond({ status: error.status, body: error.body, headers: error.headers });
    }
  }

  private dispatchGraphQL(
    request: IncomingMessage,
    body: unknown,
    record: RequestRecord,
    finish: (grant: TokenGrant | undefined, status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const auth = this.authenticate(request);
    if (auth instanceof GitHubHttpError) {
      return finish(undefined, 401, {
        message: 'This endpoint requires you to be authenticated.',
        documentation_url:
          'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
      });
    }
    const grant = auth;
    record.tokenKind = grant.kind;
    const { query, operationName } = (body ?? {}) as { query?: unknown; operationName?: unknown };
    record.fields = rootFields(String(query ?? ''), typeof operationName === 'string' ? operationName : undefined);
    const interceptors = new Map<string, Interceptor>();
    for (const field of record.fields) {
      const interceptor = this.takeInterceptor(field);
      if (interceptor) interceptors.set(field, interceptor);
    }
    const resolvers = new Map(this.resolvers);
    for (const [field, intercept] of interceptors) {
      const original = resolvers.get(field);
      resolvers.set(field, (args, context) => {
        const result = intercept({ operation: field, params: {}, query: new URLSearchParams(), body: args, grant });
        if (result) {
          const message = String((result.body as { message?: unknown } | undefined)?.message ?? 'refused');
          throw new GitHubGraphQLError(
            result.status === 403 ? 'FORBIDDEN' : result.status === 404 ? 'NOT_FOUND' : 'UNPROCESSABLE',
            message,
          );
        }
        return original?.(args, context);
      });
    }
    const context: GraphQLContext = {
      grant,
      urls: this.urls,
      findPullRequest: (id) => {
        for (const repo of this.state.repositories.values()) {
          for (const pull of repo.pulls.values()) if (pull.nodeId === id) return { repo, pull };
        }
        return undefined;
      },
      require: (permissions) => {
        const refused = this.permissionError(grant, [permissions]);
        if (refused) throw new GitHubGraphQLError('FORBIDDEN', String(refused.body['message']));
      },
    };
    const outcome = executeGraphQL(body, resolvers, context);
    const unknown = (record.fields ?? []).filter((f) => !this.resolvers.has(f) && !f.startsWith('__'));
    for (const field of unknown)
      this.failures.push(`GraphQL field ${field} has no resolver (server.resolve('${field}', ...))`);
    this.failures.push(...outcome.failures);
    finish(grant, 200, outcome.body);
  }
}

function autoMergeTarget(
  args: Record<string, unknown>,
  context: GraphQLContext,
): { repo: Repository; pull: PullRequest; input: Record<string, unknown> } {
  const input = (args['input'] ?? {}) as Record<string, unknown>;
  const found = context.findPullRequest(String(input['pullRequestId']));
  if (!found)
    throw new GitHubGraphQLError(
      'NOT_FOUND',
      `Could not resolve to a node with the global id of '${String(input['pullRequestId'])}'`,
    );
  context.require({ contents: 'write', pull_requests: 'write' });
  return { ...found, input };
}

const enablePullRequestAutoMerge: RootResolver = (args, context) => {
  const { repo, pull, input } = autoMergeTarget(args, context);
  if (!repo.allowAutoMerge)
    throw new GitHubGraphQLError('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository');
  if (pull.state !== 'open') throw new GitHubGraphQLError('UNPROCESSABLE', 'Pull request is not open');
  // GitHub refuses auto-merge on drafts (the wording here is ours).
  if (pull.draft) throw new GitHubGraphQLError('UNPROCESSABLE', 'Pull request is in draft state');
  const expected = input['expectedHeadOid'];
  if (typeof expected === 'string' && expected !== repo.headSha(pull)) {
    throw new GitHubGraphQLError('UNPROCESSABLE', 'Pull request head sha does not match the expected head sha');
  }
  const method = String(input['mergeMethod'] ?? 'MERGE').toLowerCase() as 'merge' | 'squash' | 'rebase';
  pull.autoMerge = {
    enabledBy: context.grant.account,
    mergeMethod: method,
    commitTitle:
      typeof input['commitHeadline'] === 'string' ? input['commitHeadline'] : `${pull.title} (#${pull.number})`,
    commitMessage: typeof input['commitBody'] === 'string' ? input['commitBody'] : '',
    enabledAt: new Date().toISOString(),
    ...(typeof expected === 'string' && { expectedHeadOid: expected }),
  };
  repo.touch(pull);
  return {
    actor: actorObject(context.urls, context.grant.account),
    clientMutationId: input['clientMutationId'] ?? null,
    pullRequest: pullRequestObject(context.urls, repo, pull),
  };
};

const disablePullRequestAutoMerge: RootResolver = (args, context) => {
  const { repo, pull, input } = autoMergeTarget(args, context);
  pull.autoMerge = null;
  repo.touch(pull);
  return {
    actor: actorObject(context.urls, context.grant.account),
    clientMutationId: input['clientMutationId'] ?? null,
    pullRequest: pullRequestObject(context.urls, repo, pull),
  };
};
