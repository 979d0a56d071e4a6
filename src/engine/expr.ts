/**
 * The one place the core imports the expression layer from (engine-expr's
 * jsonpath, payload, choice and jsonata modules).
 */
export { applyResultPath, compileResultPath, compileScopePath, invalidPathCause } from './jsonpath.js';
export { compilePayload } from './payload.js';
export { compileChoiceRule } from './choice.js';
export { compileJsonataValue } from './jsonata.js';
export { parseTimestamp } from './timestamp.js';
export type { EvalScope } from './scope.js';
