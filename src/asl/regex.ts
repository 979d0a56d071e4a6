/**
 * Regular expressions written in a definition (JSONPath filters `=~ /.../`,
 * JSONata's `$match`, `$replace`, `$split`, `$contains`) run on RE2's
 * linear-time engine, not on V8's backtracking one: `(a+)+$` against a long
 * input would otherwise hold the event loop for minutes (ReDoS). RE2 has no
 * backreferences or lookaround, so which patterns a definition may hold is a
 * rule of the language as deliv runs it: `deliv validate` and the engine both
 * compile them here, and refuse the same ones in the same words.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

const requireFromHere = createRequire(import.meta.url);

// Loaded on the first pattern: most definitions have none, and `deliv validate` should not pay for it at start-up.
let re2: typeof import('re2js') | undefined;

/** RE2's compiled pattern for `source` with the JavaScript `flags` i, m and s (others are ignored); SyntaxError when RE2 refuses it. */
export function compileLinearRegex(source: string, flags: string): RE2JS {
  re2 ??= requireFromHere('re2js') as typeof import('re2js');
  const { RE2JS: Engine } = re2;
  let options = 0;
  if (flags.includes('i')) options |= Engine.CASE_INSENSITIVE;
  if (flags.includes('m')) options |= Engine.MULTILINE;
  if (flags.includes('s')) options |= Engine.DOTALL;
  try {
    return Engine.compile(source, options);
  } catch (error) {
    throw new SyntaxError(`unsupported regular expression /${source}/: ${(error as Error).message} (regular expressions run on a linear-time engine: no backreferences or lookaround)`);
  }
}
