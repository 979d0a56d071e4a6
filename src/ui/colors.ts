import { Chalk, type ChalkInstance } from 'chalk';

/**
 * The one chalk instance of deliv. chalk already follows FORCE_COLOR and the
 * TTY check; NO_COLOR (https://no-color.org) is honoured here on top of that.
 */
function detectLevel(): 0 | 1 | 2 | 3 | undefined {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return 0;
  return undefined;
}

const level = detectLevel();
export const colors: ChalkInstance = level === undefined ? new Chalk() : new Chalk({ level });

/** Semantic colours, so that every command paints the same thing the same way. */
export const paint = {
  success: (text: string) => colors.green(text),
  failure: (text: string) => colors.red(text),
  warning: (text: string) => colors.yellow(text),
  muted: (text: string) => colors.dim(text),
  accent: (text: string) => colors.cyan(text),
  strong: (text: string) => colors.bold(text),
  code: (text: string) => colors.cyan(text),
};

/** Colour for an execution or state status as AWS names them. */
export function paintStatus(status: string): string {
  switch (status) {
    case 'SUCCEEDED':
      return paint.success(status);
    case 'FAILED':
    case 'TIMED_OUT':
    case 'ABORTED':
      return paint.failure(status);
    case 'RUNNING':
    case 'PENDING_REDRIVE':
      return paint.accent(status);
    default:
      return status;
  }
}

// eslint-disable-next-line no-control-regex -- matching ANSI colour codes is the point
const ANSI_PATTERN = /\u001B\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}
