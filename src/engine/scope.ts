import type { JsonValue } from '../asl/types.js';

/**
 * What an expression sees while a state runs: the effective input (`$`), the
 * context object (`$$`), the variables visible to the state (`$name`) and, in
 * JSONata, the `$states` fields that exist at that point of the state.
 *
 * Values reached through a scope are shared, never copied: expressions treat
 * them as immutable and so must every caller.
 */
export interface EvalScope {
  input: JsonValue;
  context: JsonValue;
  variables: Record<string, JsonValue>;
  states?: { input?: JsonValue; result?: JsonValue; errorOutput?: JsonValue; context?: JsonValue };
}

/** A problem found while compiling an expression; the engine adds the state path. */
export interface ExpressionProblem {
  /** Field as AWS names it, e.g. `Parameters/item.$` or `Choices[0]/Variable`. */
  field: string;
  message: string;
}
