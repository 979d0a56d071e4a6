/**
 * Execution input from `--input`: inline JSON, a file, or `-` for stdin.
 * Bad JSON is a usage error that says where (line and column), since
 * JSON.parse's own messages give an offset at best.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../ui/errors.js';

export async function readExecutionInput(value: string | undefined, cwd: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (value === undefined) return '{}';
  if (value.trim() === '') {
    throw new UsageError('--input is empty', { code: 'INVALID_INPUT', hint: `pass a JSON file, inline JSON such as '{"orderId":"o-1"}', or - for stdin; leave --input out to start with {}` });
  }
  let text: string;
  let source: string;
  if (value === '-') {
    text = await readAll(stdin);
    source = 'stdin';
  } else if (/^\s*([[{"\-\d]|true\b|false\b|null\b)/.test(value)) {
    text = value;
    source = '--input';
  } else {
    const file = path.resolve(cwd, value);
    if (!existsSync(file)) {
      throw new UsageError(`--input ${value}: no such file, and not JSON either`, { code: 'INVALID_INPUT', hint: 'pass a JSON file, inline JSON such as \'{"orderId":"o-1"}\', or - for stdin' });
    }
    if (statSync(file).isDirectory()) {
      const samples = readdirSync(file).filter((name) => name.endsWith('.json')).sort();
      throw new UsageError(`--input ${value} is a folder, not a JSON file`, {
        hint: samples.length ? `pick one of its files, e.g. --input ${path.join(value, samples[0])} (${samples.length} JSON file${samples.length === 1 ? '' : 's'} there)` : 'pass a JSON file, inline JSON, or - for stdin',
      });
    }
    text = readFileSync(file, 'utf8');
    source = path.relative(cwd, file) || file;
  }
  const problem = jsonProblem(text);
  if (problem) {
    throw new UsageError(`${source}:${problem.line}:${problem.col}: invalid JSON: ${problem.message}`, { hint: 'the execution input must be one JSON value', code: 'INVALID_INPUT' });
  }
  return text.trim();
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

export interface JsonProblem {
  line: number;
  col: number;
  message: string;
}

/** Where `text` stops being JSON, or undefined when it is valid. */
export function jsonProblem(text: string): JsonProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // Find the place ourselves: the engine's message has no reliable position.
  }
  let at = 0;
  class Stop extends Error {}
  const fail = (message: string): never => {
    throw Object.assign(new Stop(message), { at });
  };
  const describe = () => (at >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[at])}`);
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail(describe());
  };
  const string = () => {
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape');
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? '')) fail('bad escape in string');
      } else if (text.charCodeAt(at) < 0x20) fail('control character in string (newlines must be written \\n)');
      at++;
    }
    if (at >= text.length) fail('unterminated string');
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail(describe());
    at += match![0].length;
  };
  const found = () => describe().replace('unexpected ', '');
  /** The items of an object or array, from its opening bracket to `close`. */
  const sequence = (close: string, item: () => void) => {
    at++;
    space();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === close) {
        at++;
        return;
      }
      fail(`expected ',' or '${close}', found ${found()}`);
    }
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      sequence('}', () => {
        space();
        if (text[at] !== '"') fail(`expected a "quoted" property name, found ${found()}`);
        string();
        space();
        if (text[at] !== ':') fail(`expected ':' after the property name, found ${found()}`);
        at++;
        value();
      });
    } else if (char === '[') sequence(']', value);
    else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '-' || (char >= '0' && char <= '9')) number();
    else fail(describe());
  };
  try {
    value();
    space();
    if (at < text.length) fail(`${describe()} after the JSON value`);
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const offset = (error as Stop & { at: number }).at;
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, col: before.at(-1)!.length + 1, message: error.message };
  }
  return { line: 1, col: 1, message: 'not valid JSON' };
}
