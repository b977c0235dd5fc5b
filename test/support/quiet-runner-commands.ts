/**
 * Jest setup: in-process tests run the library outside a runner, and every secret it handles prints
 * `::add-mask::<value>` — a command for the runner, which a terminal shows as noise that looks like a leaked secret.
 * Those lines are dropped; everything else is written as before. Tests of the commands themselves capture
 * `process.stdout.write` over this, and end-to-end tests read the child process's own output, so both still see them.
 */
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  String(chunk).startsWith('::add-mask::') ? true : write(chunk, ...rest)) as typeof process.stdout.write;
