/**
 * CloudWatch Logs filter patterns, as FilterLogEvents applies them:
 * - terms: `ERROR` (contains), `"a phrase"`, `ERROR Exception` (both),
 *   `?ERROR ?WARN` (either), `ERROR -Retry` (and not), `%regex%`;
 * - JSON: `{ $.type = "TaskFailed" }`, `{ $.details.error != "X*" }`,
 *   `{ ($.a > 1) && ($.b IS TRUE) || $.c NOT EXISTS }`, `{ $.x IS NULL }`,
 *   strings with `*` wildcards, numbers compared as numbers.
 * Space-delimited patterns (`[ip, user, ...]`) are refused with the error
 * CloudWatch Logs gives a pattern it cannot parse.
 */
import { ApiError } from './api-error.js';

export type Matcher = (message: string) => boolean;

const invalid = (pattern: string, why: string) => new ApiError('InvalidParameterException', `Invalid filter pattern: ${why} in '${pattern}'`);

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJson(text);
  if (text.startsWith('[')) throw invalid(text, 'space-delimited patterns are not served by the emulator');
  return compileTerms(text);
}

// ---- terms -------------------------------------------------------------------------------

function compileTerms(pattern: string): Matcher {
  const required: Matcher[] = [];
  const optional: Matcher[] = [];
  const excluded: Matcher[] = [];
  const tokens = pattern.match(/[?-]?(?:"(?:[^"\\]|\\.)*"|%[^%]*%|\S+)/g) ?? [];
  for (const token of tokens) {
    const sign = token[0] === '?' || token[0] === '-' ? token[0] : '';
    const body = sign ? token.slice(1) : token;
    let test: Matcher;
    if (body.length > 1 && body.startsWith('%') && body.endsWith('%')) {
      let regex: RegExp;
      try {
        regex = new RegExp(body.slice(1, -1));
      } catch {
        throw invalid(pattern, 'bad regular expression');
      }
      test = (message) => regex.test(message);
    } else {
      const term = body.startsWith('"') && body.endsWith('"') && body.length >= 2 ? (JSON.parse(body) as string) : body;
      test = (message) => message.includes(term);
    }
    (sign === '?' ? optional : sign === '-' ? excluded : required).push(test);
  }
  return (message) =>
    required.every((test) => test(message)) && (optional.length === 0 || optional.some((test) => test(message))) && !excluded.some((test) => test(message));
}

// ---- JSON --------------------------------------------------------------------------------

type Node =
  | { kind: 'and'; left: Node; right: Node }
  | { kind: 'or'; left: Node; right: Node }
  | { kind: 'compare'; path: (string | number)[]; op: string; value: string | number }
  | { kind: 'is'; path: (string | number)[]; what: 'NULL' | 'TRUE' | 'FALSE' | 'NOT EXISTS' };

function compileJson(pattern: string): Matcher {
  if (!pattern.endsWith('}')) throw invalid(pattern, 'a JSON pattern ends with }');
  const parser = new JsonPatternParser(pattern.slice(1, -1), pattern);
  const tree = parser.parse();
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return evaluate(tree, document);
  };
}

class JsonPatternParser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly pattern: string,
  ) {}

  parse(): Node {
    const node = this.or();
    this.space();
    if (this.position < this.text.length) throw invalid(this.pattern, `unexpected '${this.text.slice(this.position, this.position + 10)}'`);
    return node;
  }

  private space(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
  }

  private take(token: string): boolean {
    this.space();
    if (this.text.startsWith(token, this.position)) {
      this.position += token.length;
      return true;
    }
    return false;
  }

  private or(): Node {
    let left = this.and();
    while (this.take('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.take('&&')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Node {
    if (this.take('(')) {
      const inner = this.or();
      if (!this.take(')')) throw invalid(this.pattern, 'missing )');
      return inner;
    }
    const path = this.selector();
    this.space();
    const rest = this.text.slice(this.position);
    const keyword = /^(IS\s+NULL|IS\s+TRUE|IS\s+FALSE|NOT\s+EXISTS)\b/i.exec(rest);
    if (keyword) {
      this.position += keyword[0].length;
      return { kind: 'is', path, what: keyword[1].toUpperCase().replace(/^IS\s+/, '').replace(/\s+/, ' ') as 'NULL' | 'TRUE' | 'FALSE' | 'NOT EXISTS' };
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(rest);
    if (!op) throw invalid(this.pattern, 'expected a comparison after the selector');
    this.position += op[0].length;
    this.space();
    return { kind: 'compare', path, op: op[0], ...this.value() };
  }

  private selector(): (string | number)[] {
    this.space();
    if (this.text[this.position] !== '$') throw invalid(this.pattern, 'a JSON selector starts with $');
    this.position++;
    const path: (string | number)[] = [];
    for (;;) {
      const rest = this.text.slice(this.position);
      const member = /^\.([A-Za-z0-9_\-@$]+)/.exec(rest);
      const index = /^\[(\d+)\]/.exec(rest);
      if (member) {
        path.push(member[1]);
        this.position += member[0].length;
      } else if (index) {
        path.push(Number(index[1]));
        this.position += index[0].length;
      } else break;
    }
    return path;
  }

  private value(): { value: string | number } {
    const rest = this.text.slice(this.position);
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (quoted) {
      this.position += quoted[0].length;
      return { value: JSON.parse(`"${quoted[1]}"`) as string };
    }
    const bare = /^[^\s()&|]+/.exec(rest);
    if (!bare) throw invalid(this.pattern, 'expected a value');
    this.position += bare[0].length;
    const number = Number(bare[0]);
    return Number.isFinite(number) && /^-?\d/.test(bare[0]) ? { value: number } : { value: bare[0] };
  }
}

function select(document: unknown, path: (string | number)[]): { found: boolean; value: unknown } {
  let current = document;
  for (const step of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, step)) return { found: false, value: undefined };
    current = (current as Record<string | number, unknown>)[step];
  }
  return { found: true, value: current };
}

function wildcard(expected: string): RegExp {
  return new RegExp(`^${expected.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

function evaluate(node: Node, document: unknown): boolean {
  if (node.kind === 'and') return evaluate(node.left, document) && evaluate(node.right, document);
  if (node.kind === 'or') return evaluate(node.left, document) || evaluate(node.right, document);
  const { found, value } = select(document, node.path);
  if (node.kind === 'is') {
    if (node.what === 'NOT EXISTS') return !found;
    if (node.what === 'NULL') return found && value === null;
    return value === (node.what === 'TRUE');
  }
  if (!found) return false;
  if (typeof node.value === 'number') {
    const actual = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (Number.isNaN(actual)) return node.op === '!=';
    switch (node.op) {
      case '=':
        return actual === node.value;
      case '!=':
        return actual !== node.value;
      case '<':
        return actual < node.value;
      case '>':
        return actual > node.value;
      case '<=':
        return actual <= node.value;
      default:
        return actual >= node.value;
    }
  }
  if (node.op !== '=' && node.op !== '!=') return false;
  const text = typeof value === 'string' ? value : typeof value === 'boolean' || typeof value === 'number' ? String(value) : undefined;
  const matches = text !== undefined && (node.value.includes('*') ? wildcard(node.value).test(text) : text === node.value);
  return node.op === '=' ? matches : !matches;
}
