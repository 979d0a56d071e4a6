/**
 * Regular expressions written in a definition (JSONPath filters `=~ /.../`,
 * JSONata's `$match`, `$replace`, `$split`, `$contains`) run on RE2's
 * linear-time engine, not on V8's backtracking one: `(a+)+$` against a long
 * input would otherwise hold the event loop for minutes (ReDoS). RE2 has no
 * backreferences or lookaround; a pattern using them is refused with a message
 * that says so.
 */
import { RE2JS } from 're2js';

/** The part of RegExp that jsonata and the JSONPath filter use: `exec` from `lastIndex`, and `test`. */
export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  readonly global: boolean;
  private readonly compiled: RE2JS;

  constructor(pattern: RegExp | string, flags?: string) {
    this.source = typeof pattern === 'string' ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === 'string' ? '' : pattern.flags);
    this.global = this.flags.includes('g');
    let options = 0;
    if (this.flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE;
    if (this.flags.includes('m')) options |= RE2JS.MULTILINE;
    if (this.flags.includes('s')) options |= RE2JS.DOTALL;
    try {
      this.compiled = RE2JS.compile(this.source, options);
    } catch (error) {
      throw new SyntaxError(`unsupported regular expression /${this.source}/: ${(error as Error).message} (regular expressions run on a linear-time engine: no backreferences or lookaround)`);
    }
  }

  exec(text: string): RegExpExecArray | null {
    const from = this.global ? this.lastIndex : 0;
    if (from > text.length) {
      this.lastIndex = 0;
      return null;
    }
    const matcher = this.compiled.matcher(text);
    if (!matcher.find(from)) {
      if (this.global) this.lastIndex = 0;
      return null;
    }
    const groups: (string | undefined)[] = [];
    for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? undefined);
    const result = Object.assign(groups, { index: matcher.start(), input: text }) as unknown as RegExpExecArray;
    if (this.global) this.lastIndex = matcher.end();
    return result;
  }

  test(text: string): boolean {
    return this.exec(text) !== null;
  }
}
