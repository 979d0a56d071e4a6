/**
 * The error type every deliv module throws for problems a user can act on.
 * The CLI prints `message` on one line, then `hint`, and exits with `exitCode`:
 * 1 when the operation failed, 2 when the usage or the input was bad.
 */
/**
 * The stable names of what went wrong, for scripts: `--json` prints the code
 * beside the message (`{ "error": { "code": "STATE_MACHINE_NOT_FOUND", ... } }`),
 * so nothing has to match message text. A code, once shipped, keeps its
 * meaning; the README's table lists them all (a test keeps it equal to this).
 */
export const ERROR_CODES = {
  USAGE: 'bad flags, arguments or input, with no more specific code (exit 2)',
  FAILED: 'the operation failed, with no more specific code (exit 1)',
  INTERNAL: 'something deliv did not expect; the message is the raw error',
  INTERRUPTED: 'Ctrl-C or a cancelled prompt (exit 130)',
  UNKNOWN_COMMAND: 'no such command',
  STATE_MACHINE_NOT_FOUND: 'the state machine is not in deliv.yaml, or not on the target',
  STATE_MACHINE_NOT_DEPLOYED: 'the state machine is in deliv.yaml but not deployed on the target',
  EXECUTION_NOT_FOUND: 'no such execution on the target',
  EXECUTION_ALREADY_EXISTS: 'another execution of the state machine has that name (a closed one, or an open one with another input)',
  EXECUTION_NOT_FAILED: 'the execution has not failed, timed out or been stopped: nothing to explain',
  NO_FAILED_EXECUTION: 'no execution of the state machine(s) has failed: nothing to explain',
  NO_EXECUTIONS: 'the state machine has no executions yet',
  TARGET_NOT_FOUND: 'the target is not in deliv.yaml',
  ACTIVITY_NOT_FOUND: 'no activity of that name on the target',
  FUNCTION_NOT_FOUND: 'no function of that name in deliv.yaml to answer with',
  TASK_NOT_FOUND: 'no task waits for that token: it never did, or it has ended',
  INVALID_TOKEN: 'not a task token the target gave out',
  PROJECT_NOT_FOUND: 'no deliv.yaml in this folder or above, and the command needs one',
  FILE_NOT_FOUND: 'a file named by a flag, an argument or deliv.yaml cannot be read',
  FILE_PROBLEM: 'a file the user wrote (deliv.yaml, a usage, test or mock file) is wrong, at file:line:col where deliv can tell',
  INVALID_DEFINITION: 'a state machine definition is not valid (`deliv validate` lists why)',
  INVALID_INPUT: 'an execution input or a task output is not one JSON value',
  CONFIRMATION_REQUIRED: 'a step that deletes or sends data needs --yes, or a terminal to confirm',
  INVALID_ARN: 'not a valid ARN',
  LOGGING_OFF: 'an Express machine logs nothing, so its executions keep no history to read',
  LOG_GROUP_NOT_FOUND: 'the log group an Express machine logs to does not exist',
  EMULATOR_NOT_RUNNING: 'the local emulator does not answer at its endpoint',
  EMULATOR_ALREADY_RUNNING: 'an emulator already serves that data dir',
  EMULATOR_START_FAILED: 'the emulator process did not start',
  PORT_IN_USE: 'another process holds the port the emulator was to listen on',
  STORE_DAMAGED: "the emulator's store is damaged or incomplete; it is left as it is",
  DATA_DIR_NOT_WRITABLE: "the emulator's data dir cannot be created or written",
  AWS_NO_CREDENTIALS: 'no AWS credentials, or AWS rejected them',
  AWS_CREDENTIALS_EXPIRED: 'the AWS session token has expired',
  AWS_ACCESS_DENIED: 'IAM denied an action',
  AWS_THROTTLED: 'AWS kept throttling after the retries',
  AWS_REGION: 'no region, or not a region the service is in',
  AWS_UNREACHABLE: 'the endpoint could not be reached',
  AWS_CONNECTION_DROPPED: 'the connection was dropped after the retries',
  AWS_TIMEOUT: 'the endpoint did not answer in time',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DelivError extends Error {
  readonly hint?: string;
  readonly exitCode: 1 | 2;
  readonly code: ErrorCode;

  constructor(message: string, options: { hint?: string; exitCode?: 1 | 2; cause?: unknown; code?: ErrorCode } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DelivError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.code = options.code ?? (this.exitCode === 2 ? 'USAGE' : 'FAILED');
  }
}

/**
 * A failure after some of a run's changes were made: the same error, with what
 * was already done and what running again does in its hint. `done` empty (or a
 * non-Error) gives the error back as it is.
 */
export function partialFailure(error: unknown, done: string[], again: string): unknown {
  if (done.length === 0 || !(error instanceof Error)) return error;
  const hint = error instanceof DelivError && error.hint ? `${error.hint}; ` : '';
  return new DelivError(error.message, {
    hint: `${hint}already done: ${done.join(', ')}. ${again}`,
    cause: error,
    exitCode: error instanceof DelivError ? error.exitCode : 1,
    code: error instanceof DelivError ? error.code : undefined,
  });
}

/** Bad flags, bad arguments or bad input files: exit code 2. */
export class UsageError extends DelivError {
  constructor(message: string, options: { hint?: string; cause?: unknown; code?: ErrorCode } = {}) {
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
    super(`${file}:${line}:${column}: ${problem}`, { hint, code: 'FILE_PROBLEM' });
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
