/**
 * The runner cancels a step (a cancelled run, `timeout-minutes`) by sending SIGINT to its process, SIGTERM 7.5 s later
 * and killing the process tree 2.5 s after that (GitHub Docs, "Workflow cancellation reference"). Node's default is to
 * die at the first signal; an action that has something to put back listens instead, and gets about ten seconds.
 */
export function listenForCancellation(log: (line: string) => void): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`Received ${signal} again: still putting things back before exiting.`);
      return;
    }
    log(`Received ${signal}: the step is being cancelled; putting things back before exiting.`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
