/**
 * What the runner would obey in an action's output: workflow command lines (`::name::…`, the older `##[name]…`)
 * outside `::stop-commands::<token>` … `::<token>::` blocks (the opening line itself is obeyed). Lines end at LF, CR or CRLF and are trimmed, as the
 * runner reads them.
 */
export function obeyedCommands(log: string): string[] {
  const obeyed: string[] = [];
  let stopToken: string | undefined;
  for (const raw of log.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.*)$/.exec(line);
    if (stop) stopToken = stop[1];
    if (line.startsWith('::') || line.includes('##[')) obeyed.push(line);
  }
  return obeyed;
}
