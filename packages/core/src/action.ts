import * as core from '@actions/core';
import { YamlFileError } from './yaml-file.ts';
import { errorMessage, UserError } from './errors.ts';
import { redact } from './summary.ts';
import { logLine } from './untrusted.ts';

/**
 * The frame of every action's `run()`: a failure becomes one clear error in the log (with GitHub annotations on the
 * right file and line where there is one) and a non-zero exit, never an unhandled rejection or a stack trace for a
 * user mistake. Secrets are redacted from whatever is printed.
 */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    reportFailure(error);
    process.exitCode = 1;
  }
}

export function reportFailure(error: unknown): void {
  if (error instanceof YamlFileError) {
    for (const problem of error.problems) {
      core.error(redact(problem.message), {
        title: 'Invalid Azure ML YAML',
        file: error.file,
        ...(problem.line !== undefined && { startLine: problem.line }),
        ...(problem.column !== undefined && { startColumn: problem.column }),
      });
    }
    logLine(error.message);
    return;
  }
  const message = redact(errorMessage(error));
  if (error instanceof UserError) {
    const { file, line } = error.where ?? {};
    core.error(message, { ...(file && { file }), ...(line !== undefined && { startLine: line }) });
    return;
  }
  core.error(message);
  // Unexpected errors: the stack helps a bug report; it is debug-only so ordinary logs stay readable.
  if (error instanceof Error && error.stack) core.debug(redact(error.stack));
}

/**
 * The entry point of a bundled action: runs it, then makes sure the process ends. Work abandoned on purpose (an
 * operation given up at its timeout, a hung request) must not keep the job step running until the job's own limit.
 */
export async function runAsStep(run: () => Promise<void>): Promise<void> {
  await run();
  setTimeout(() => process.exit(), 2000).unref();
}
