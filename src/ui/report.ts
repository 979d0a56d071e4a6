import { paint } from './colors.js';
import type { ErrorCode } from './errors.js';
import { jsonTerminalSafe, writeErr } from './output.js';

export interface ReportedError {
  code: ErrorCode;
  message: string;
  hint?: string;
  exitCode: number;
}

/** An error as the user sees it: one line and a hint on stderr, or with --json the `{ error }` object on stdout. */
export function writeError(error: ReportedError, json: boolean): void {
  if (json) {
    process.stdout.write(`${jsonTerminalSafe(JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode } }, null, 2))}\n`);
    return;
  }
  writeErr(`${paint.failure('Error:')} ${error.message}\n`);
  if (error.hint) writeErr(`${paint.muted(error.hint)}\n`);
}
