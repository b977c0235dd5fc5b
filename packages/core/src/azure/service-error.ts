/**
 * The service's error bodies, read as ARM writes them (`{ error: { code, message, details: [...] } }`) and shown in
 * full: Azure often answers with a generic top level ("BadRequest: The request is invalid.") and puts the reason in
 * `details`, nested, sometimes as a JSON problem-details document inside a message. Nothing here trusts the shape.
 */

export interface ArmErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
}

/** `error` of an ARM error body or operation status, from the response text; undefined when there is none. */
export function armErrorBody(text: string | null | undefined): ArmErrorBody | undefined {
  if (!text) return undefined;
  try {
    const error = (JSON.parse(text) as { error?: unknown } | null)?.error;
    return error !== null && typeof error === 'object' ? (error as ArmErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

const MAX_DEPTH = 4;
const MAX_LINES = 20;
/** "InferencingClient HttpRequest error, error detail: {"errors":{"VmSize":["Not enough quota …"]}, …}" */
const EMBEDDED = /^([\s\S]*?)\berror detail:\s*(\{[\s\S]*\})\s*$/;

/** The field errors of an RFC 7807 problem-details document embedded in a message (ASP.NET's `errors` map). */
function embeddedErrors(message: string): { lead: string; errors: string[] } | undefined {
  const match = EMBEDDED.exec(message);
  if (!match) return undefined;
  try {
    const problem = JSON.parse(match[2] as string) as { errors?: unknown };
    if (problem.errors === null || typeof problem.errors !== 'object') return undefined;
    const errors = Object.entries(problem.errors as Record<string, unknown>).flatMap(([field, messages]) =>
      (Array.isArray(messages) ? messages : [messages]).map((text) => `${field}: ${String(text)}`),
    );
    return errors.length > 0 ? { lead: (match[1] as string).replace(/[\s,]+$/, ''), errors } : undefined;
  } catch {
    return undefined;
  }
}

function detailLines(details: unknown, depth: number, lines: string[]): void {
  if (!Array.isArray(details) || depth > MAX_DEPTH) return;
  const indent = '  '.repeat(depth);
  for (const detail of details) {
    if (lines.length >= MAX_LINES) return;
    if (detail === null || typeof detail !== 'object') continue;
    const { code, message, details: nested } = detail as ArmErrorBody;
    const text = typeof message === 'string' ? message : '';
    const embedded = embeddedErrors(text);
    const shown = embedded ? embedded.lead : text;
    lines.push(`${indent}↳ ${typeof code === 'string' ? code : '(no code)'}${shown ? `: ${shown}` : ''}`);
    for (const error of embedded?.errors ?? []) lines.push(`${indent}  ↳ ${error}`);
    detailLines(nested, depth + 1, lines);
  }
}

/**
 * The nested `details` as lines to append to the top-level message ("" when there are none), each
 * "↳ <code>: <message>", indented by depth.
 */
export function describeDetails(details: unknown): string {
  const lines: string[] = [];
  detailLines(details, 1, lines);
  return lines.map((line) => `\n${line}`).join('');
}
