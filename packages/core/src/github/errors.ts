/**
 * GitHub's refusals translated into what to change: a repository setting, the job's `permissions:`, an App's
 * permissions, a branch that moved. Each message keeps GitHub's own status, message and request id, so a support
 * ticket can quote them.
 */
import { UserError } from '../errors.ts';
import { describeTokenKind, type TokenInfo } from './token.ts';

export interface GitHubCallContext {
  /** The REST operationId (`pulls/create`) or GraphQL field (`enablePullRequestAutoMerge`). */
  operation: string;
  /** What was being done, for the message: "create the pull request integration → main". */
  action: string;
  repository: string;
  token: TokenInfo;
  /** The job permissions the whole run needs, to print as one block (e.g. `{ contents: 'write', 'pull-requests': 'write' }`). */
  jobPermissions?: Record<string, 'read' | 'write'>;
}

export class GitHubApiError extends UserError {
  override name = 'GitHubApiError';
  readonly status: number;
  readonly operation: string;
  /** GitHub's own message. */
  readonly githubMessage: string;
  readonly requestId: string | undefined;

  constructor(
    message: string,
    details: { status: number; operation: string; githubMessage: string; requestId?: string | undefined },
  ) {
    super(message);
    this.status = details.status;
    this.operation = details.operation;
    this.githubMessage = details.githubMessage;
    this.requestId = details.requestId;
  }
}

/** The branch moved between reading it and updating it: nothing was forced. */
export class BranchMovedError extends GitHubApiError {
  override name = 'BranchMovedError';
}

/** The fine-grained permission each operation needs (GitHub's names), for when GitHub's answer does not say. */
const OPERATION_PERMISSIONS: Record<string, string> = {
  'pulls/list': 'pull_requests=read',
  'pulls/get': 'pull_requests=read',
  'pulls/create': 'pull_requests=write',
  'pulls/update': 'pull_requests=write',
  'pulls/request-reviewers': 'pull_requests=write',
  'issues/add-labels': 'pull_requests=write',
  'issues/remove-label': 'pull_requests=write',
  'issues/add-assignees': 'pull_requests=write',
  'git/get-ref': 'contents=read',
  'git/get-commit': 'contents=read',
  'git/create-blob': 'contents=write',
  'git/create-tree': 'contents=write',
  'git/create-commit': 'contents=write',
  'git/update-ref': 'contents=write',
  'repos/get-content': 'contents=read',
  'repos/compare-commits-with-basehead': 'contents=read',
  enablePullRequestAutoMerge: 'contents=write,pull_requests=write',
};

interface ParsedError {
  status: number;
  message: string;
  errors: { message?: string; code?: string; field?: string; resource?: string }[];
  headers: Record<string, string | undefined>;
  graphqlType?: string;
}

function parse(error: unknown): ParsedError | undefined {
  const e = error as {
    status?: unknown;
    message?: unknown;
    response?: { data?: unknown; headers?: Record<string, string | undefined> };
    errors?: { type?: string; message?: string }[];
    headers?: Record<string, string | undefined>;
  };
  // @octokit/graphql: GraphqlResponseError, HTTP 200 with `errors`.
  if (Array.isArray(e?.errors) && e.errors.length > 0 && e.status === undefined) {
    const first = e.errors[0] ?? {};
    return {
      status: first.type === 'FORBIDDEN' ? 403 : first.type === 'NOT_FOUND' ? 404 : 422,
      message: e.errors.map((x) => x.message ?? '').join('; '),
      errors: [],
      headers: e.headers ?? {},
      ...(first.type !== undefined && { graphqlType: first.type }),
    };
  }
  if (typeof e?.status !== 'number') return undefined;
  const data = (e.response?.data ?? {}) as { message?: unknown; errors?: unknown };
  return {
    status: e.status,
    message: typeof data.message === 'string' ? data.message : String(e.message ?? ''),
    errors: Array.isArray(data.errors) ? (data.errors as ParsedError['errors']) : [],
    headers: e.response?.headers ?? {},
  };
}

/** `pull_requests=write` → `pull-requests: write` (a job's `permissions:` key). */
export function workflowPermission(githubPermission: string): string {
  const [name, access] = githubPermission.trim().split('=') as [string, string | undefined];
  return `${name.replace(/_/g, '-')}: ${access ?? 'write'}`;
}

/** `permissions:` as YAML lines for a message. */
export function permissionsBlock(permissions: Record<string, 'read' | 'write'>): string {
  return ['permissions:', ...Object.entries(permissions).map(([name, access]) => `  ${name}: ${access}`)].join('\n');
}

/** The first permission set of an `x-accepted-github-permissions` header (`a=write,b=read; c=admin`). */
function acceptedPermissions(header: string | undefined, operation: string): string[] {
  const value = header ?? OPERATION_PERMISSIONS[operation];
  if (!value) return [];
  const [first] = value.split(';');
  return (first ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('metadata='));
}

function permissionFix(parsed: ParsedError, context: GitHubCallContext): string {
  const needed = acceptedPermissions(parsed.headers['x-accepted-github-permissions'], context.operation);
  const neededText = needed.map(workflowPermission).join(', ') || 'more access';
  const human = needed
    .map((p) => {
      const [name, access] = p.split('=') as [string, string];
      const title = name.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
      return `"${title}: ${access === 'read' ? 'Read-only' : 'Read and write'}"`;
    })
    .join(' and ');
  switch (context.token.kind) {
    case 'github-token':
    case 'installation': {
      const permissions: Record<string, 'read' | 'write'> = { ...context.jobPermissions };
      for (const p of needed) {
        const [name, access] = workflowPermission(p).split(': ') as [string, 'read' | 'write'];
        if (permissions[name] !== 'write') permissions[name] = access;
      }
      return (
        `The job's GITHUB_TOKEN lacks ${neededText}. Give the job the permissions this action needs:\n\n` +
        `${permissionsBlock(permissions)}\n\n` +
        '(in the workflow, at the job or workflow level; an organisation or repository may also restrict the default ' +
        'token to read-only under Settings → Actions → General → Workflow permissions, which `permissions:` overrides).'
      );
    }
    case 'app-installation':
      return (
        `The GitHub App's installation lacks ${human || neededText} on ${context.repository}: add the permission in ` +
        "the App's settings and accept it on the installation, and if the token is minted with restricted " +
        `permissions (actions/create-github-app-token \`permission-*\` inputs), include ${needed.map((p) => `\`permission-${p.split('=')[0]?.replace(/_/g, '-')}: ${p.split('=')[1]}\``).join(', ')}.`
      );
    case 'fine-grained-pat':
      return `The fine-grained personal access token lacks ${human || neededText} on ${context.repository}: edit the token's repository permissions (and its repository access).`;
    case 'classic-pat':
    case 'oauth':
      return `The token lacks the \`repo\` scope, or its owner has no write access to ${context.repository}.`;
    default:
      return `The token lacks ${neededText} on ${context.repository}.`;
  }
}

function explain(parsed: ParsedError, context: GitHubCallContext): { text: string; moved?: boolean } {
  const { status, message } = parsed;
  const details = parsed.errors
    .map((e) => e.message ?? [e.resource, e.field, e.code].filter(Boolean).join(' '))
    .filter(Boolean);
  const all = [message, ...details].join(' ');

  if (/GitHub Actions is not permitted to create or approve pull requests/i.test(all)) {
    return {
      text:
        'GitHub Actions is not permitted to create pull requests in this repository. An admin must allow it: ' +
        'Settings → Actions → General → Workflow permissions → check "Allow GitHub Actions to create and approve ' +
        'pull requests" (in an organisation, the same setting under the organisation\'s Settings → Actions → General ' +
        'must allow it first). Or pass a GitHub App installation token as `token`, which this setting does not restrict.',
    };
  }
  if (status === 401) {
    return {
      text:
        `GitHub rejected the token (${message || 'Bad credentials'}): it is expired, revoked or not a token for this ` +
        'GitHub. An App installation token expires after an hour: mint it in the same job, just before this step.',
    };
  }
  const rateLimited = parsed.headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(all);
  if ((status === 403 || status === 429) && rateLimited) {
    const reset = Number(parsed.headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
    return {
      text: `GitHub's API rate limit was hit${when} (${message}). Re-run the job later; an App installation token has its own, higher limit.`,
    };
  }
  if (
    status === 403 ||
    (status === 404 && parsed.headers['x-accepted-oauth-scopes'] !== undefined) ||
    parsed.graphqlType === 'FORBIDDEN'
  ) {
    return { text: `GitHub refused (${message}). ${permissionFix(parsed, context)}` };
  }
  if (context.operation === 'git/update-ref' && status === 422 && /fast.?forward/i.test(all)) {
    return {
      text: 'the branch moved while the release manifest was being committed (someone pushed meanwhile).',
      moved: true,
    };
  }
  if (status === 422 && /No commits between/i.test(all)) {
    return { text: `there is nothing to promote: ${details.join('; ') || message}.` };
  }
  if (status === 422 && /already exists/i.test(all)) {
    return { text: `${details.join('; ') || message}` };
  }
  if (status === 422 && parsed.errors.some((e) => e.field === 'head' || e.field === 'base')) {
    const field = parsed.errors.find((e) => e.field === 'head' || e.field === 'base')?.field;
    return {
      text: `the ${field} branch is not valid for a pull request: check that it exists in ${context.repository} and is spelt as in git.`,
    };
  }
  if (status === 422 && /collaborator/i.test(all)) {
    return {
      text: `${message} Reviewers must have access to ${context.repository}; teams are given by slug, without the organisation (\`ml-reviewers\`, not \`org/ml-reviewers\`).`,
    };
  }
  if (status === 422 && /author/i.test(all)) {
    return { text: `${message} The pull request's author cannot be asked to review it.` };
  }
  if (/auto.?merge is not allowed/i.test(all)) {
    return {
      text: `${message}. Enable it in the repository: Settings → General → Pull Requests → "Allow auto-merge".`,
    };
  }
  if (/clean status/i.test(all)) {
    return {
      text: `${message}: the pull request can already be merged (no required checks or reviews are pending), so GitHub will not queue an auto-merge. Require status checks on the base branch, or merge it directly.`,
    };
  }
  if (status === 404) {
    return {
      text: `${message || 'Not Found'}: ${context.repository} or what was asked for does not exist, or ${describeTokenKind(context.token.kind)} cannot see it.`,
    };
  }
  if (status >= 500) {
    return { text: `GitHub had a server error (${status} ${message}). It is usually transient: re-run the job.` };
  }
  return { text: `${message}${details.length > 0 ? `: ${details.join('; ')}` : ''}` };
}

/** A GitHubApiError saying what failed, why, and what to change; other errors are returned unchanged. */
export function explainGitHubError(error: unknown, context: GitHubCallContext): Error {
  const parsed = parse(error);
  if (!parsed) return error instanceof Error ? error : new Error(String(error));
  const { text, moved } = explain(parsed, context);
  const requestId = parsed.headers['x-github-request-id'];
  const reference = `[GitHub: ${parsed.status} on ${context.operation}: "${parsed.message}"${requestId ? `, request id ${requestId}` : ''}]`;
  const message = `Could not ${context.action}: ${text} ${reference}`;
  const details = { status: parsed.status, operation: context.operation, githubMessage: parsed.message, requestId };
  return moved ? new BranchMovedError(message, details) : new GitHubApiError(message, details);
}
