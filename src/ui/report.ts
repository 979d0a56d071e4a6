import { paint } from './colors.js';

export interface ReportedError {
  message: string;
  hint?: string;
  exitCode: number;
}

/** An error as the user sees it: one line and a hint on stderr, or with --json the `{ error }` object on stdout. */
export function writeError(error: ReportedError, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: { message: error.message, hint: error.hint, exitCode: error.exitCode } }, null, 2)}\n`);
    return;
  }
  process.stderr.write(`${paint.failure('Error:')} ${error.message}\n`);
  if (error.hint) process.stderr.write(`${paint.muted(error.hint)}\n`);
}
