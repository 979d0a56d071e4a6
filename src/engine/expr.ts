/**
 * The one place the core imports the expression layer from (engine-expr's
 * jsonpath, payload, choice and jsonata modules).
 */
export { applyResultPath, compileChoiceRule, compileJsonataValue, compilePath, compilePayload } from './_shims.js';
export type { EvalScope } from './_shims.js';
