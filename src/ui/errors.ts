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

export function isDelivError(error: unknown): error is DelivError {
  return error instanceof DelivError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
