/**
 * Errors the library raises for things a user must fix. Each says what is wrong, where, and how to fix it;
 * actions print `message` as is and exit non-zero.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** Where the problem is: an input name, or a file (and line) for YAML and JSON files. */
  readonly where?: { input?: string; file?: string; line?: number; column?: number };

  constructor(message: string, where?: UserError['where']) {
    super(message);
    this.where = where;
  }
}

/** A bad action input: names the input and what it accepts. */
export class InputError extends UserError {
  override name = 'InputError';
  readonly input: string;

  constructor(input: string, message: string) {
    super(`Input '${input}' ${message}`, { input });
    this.input = input;
  }
}

/** The message of anything thrown, for logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
