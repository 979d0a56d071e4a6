/**
 * deliv's exit codes, one convention for every command (README, "Exit codes"):
 * 0 it worked, 1 the operation failed, 2 bad usage or input, 130 interrupted
 * (Ctrl-C), as a shell reports a process that SIGINT ended (128 + 2).
 */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export interface Interruption {
  /** Aborts on the first Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  /** Stops listening; true when the user interrupted. */
  done(): boolean;
}

/**
 * For commands that follow something until it ends (`start --wait`,
 * `logs --follow`): the first Ctrl-C stops following so the command can say
 * where it stopped; a second one ends the process at once.
 */
export function interruption(): Interruption {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT_CODES.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    done: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      return controller.signal.aborted;
    },
  };
}
