/**
 * A Step Functions runtime error raised inside an execution (`States.Runtime`,
 * `States.IntrinsicFailure`, a task's error, ...). The engine turns it into the
 * matching history event and lets Retry/Catch see `error`; it never escapes
 * the engine as an exception.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string = '',
    /** The field whose evaluation failed (`Items`, `Arguments/FunctionName`), for EvaluationFailed's `location`. */
    readonly location?: string,
  ) {
    super(cause ? `${error}: ${cause}` : error);
    this.name = 'StatesError';
  }
}
