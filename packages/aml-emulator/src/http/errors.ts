/** Errors that carry the exact HTTP answer the caller should get. */
import type { ErrorDetail } from '../types.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body: unknown, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export interface ArmErrorBody {
  error: { code: string; message: string; target?: string; details: unknown[]; additionalInfo: unknown[] };
}

export function armErrorBody(
  code: string,
  message: string,
  target?: string,
  details: ErrorDetail[] = [],
): ArmErrorBody {
  return {
    error: {
      code,
      message,
      ...(target === undefined ? {} : { target }),
      details: details.map((detail) => ({ ...detail, details: [], additionalInfo: [] })),
      additionalInfo: [],
    },
  };
}

/** An error in ARM's shape (`error.code`, `message`, `details`). */
export function armError(status: number, code: string, message: string, headers?: Record<string, string>): HttpError {
  return new HttpError(status, armErrorBody(code, message), `${code}: ${message}`, headers);
}

export const badArgument = (message: string): HttpError => armError(400, 'BadArgument', message);

/**
 * The inference front end's refusals: a generic 400 BadRequest "The request is invalid." with the reason in
 * `details` (recorded in real CLI and SDK output, see README "Quota").
 */
export function invalidRequest(details: ErrorDetail[]): HttpError {
  const body = armErrorBody('BadRequest', 'The request is invalid.', undefined, details);
  return new HttpError(400, body, `BadRequest: ${details.map((d) => `${d.code}: ${d.message}`).join('; ')}`);
}
export const notFound = (message: string): HttpError => armError(404, 'UserError', message);
export const conflict = (message: string): HttpError => armError(409, 'Conflict', message);

/** A 404 whose cause is a nested detail, as the service answers for a model that does not exist. */
export function notFoundWithDetail(code: string, message: string): HttpError {
  const body = armErrorBody('UserError', 'The specified resource was not found.');
  body.error.details.push({ code, message, details: [], additionalInfo: [] });
  return new HttpError(404, body, `UserError: ${code}: ${message}`);
}
