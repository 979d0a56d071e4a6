/**
 * Errors the emulator's API returns, with AWS's exception names and HTTP status
 * codes so the SDK raises the same exception classes it raises against AWS.
 */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = type;
  }
}

export const notFoundMachine = (arn: string) => new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const notFoundExecution = (arn: string) => new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const invalidArn = (arn: string, why = 'Invalid Arn') => new ApiError('InvalidArn', `Invalid Arn: '${why}: ${arn}'`);
export const resourceNotFound = (message: string, resourceName: string) =>
  new ApiError('ResourceNotFound', message, 404, { resourceName });
export const conflict = (message: string) => new ApiError('ConflictException', message, 409);

/** Smithy's wording for a constraint failure, which AWS returns verbatim (with the offending value when it shows one). */
export function validationError(field: string, constraint: string, value?: string): ApiError {
  const shown = value === undefined ? 'Value' : `Value '${value}'`;
  return new ApiError('ValidationException', `1 validation error detected: ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
}
