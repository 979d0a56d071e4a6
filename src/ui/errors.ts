/**
 * The error type every deliv module throws for problems a user can act on.
 * The CLI prints `message` on one line, then `hint`, and exits with `exitCode`:
 * 1 when the operation failed, 2 when the usage or the input was bad.
 */
export class DelivError extends Error {
  readonly hint?: string;
  readonly exitCode: 1 | 2;

  constructor(message: string, options: { hint?: string; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DelivError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad flags, bad arguments or bad input files: exit code 2. */
export class UsageError extends DelivError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}

/**
 * A problem at one place of a file the user wrote (deliv.yaml, a
 * MockConfigFile): reported as `file:line:col: what is wrong`, with what to
 * do as the hint, the way validate reports a definition. The emulator passes
 * it on as such (an API error, a States.Runtime cause), never as an error of
 * the workflow.
 */
export class FileProblemError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    hint: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`, { hint });
    this.name = 'FileProblemError';
  }

  /** The message and what to do, on one line (where there is no separate hint: an API error, a failure cause). */
  get withHint(): string {
    const hint = this.hint ? `${this.hint[0].toUpperCase()}${this.hint.slice(1)}` : '';
    return `${this.message}. ${hint}`.trim();
  }
}

export function isDelivError(error: unknown): error is DelivError {
  return error instanceof DelivError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
