// Library entry: the pieces other tools may embed.
export { DelivError, UsageError } from './ui/errors.js';
export type * from './asl/types.js';
export type * from './engine/types.js';
export { validateDefinition, type Problem, type ValidationInput } from './asl/validate.js';
