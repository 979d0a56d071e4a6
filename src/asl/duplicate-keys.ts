/**
 * Keys an object of a JSON text holds more than once. JSON.parse (and a YAML
 * parser told to allow them) keeps only the last, so a definition with two
 * states of one name would run as if the first were not there: the text itself
 * has to be read to see them. validate.ts decides what each one means.
 */
import type { DefinitionPath } from './types.js';

export interface DuplicateKey {
  /** The path of the repeated key, as the parsed value has it: `['States', 'Charge']`. */
  at: DefinitionPath;
  /** Where its second (or later) occurrence starts in the text. */
  offset: number;
}

const BACKSLASH = 0x5c;

/**
 * The repeated keys of a text that JSON.parse accepts (anything else gives no
 * promise). One pass with a stack of its own, so a deeply nested text cannot
 * exhaust the call stack.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const path: Array<string | number> = [];
  // One frame per open object (its keys so far, and whether one is on `path`) or array (the index on `path`).
  const frames: Array<{ keys: Set<string>; keyed: boolean } | { index: number }> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const frame = frames[frames.length - 1];
      if (expectKey && frame && 'keys' in frame) {
        const raw = text.slice(i + 1, end - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        if (frame.keyed) path[path.length - 1] = key;
        else path.push(key);
        frame.keyed = true;
        if (frame.keys.has(key)) found.push({ at: [...path], offset: i });
        else frame.keys.add(key);
        expectKey = false;
      }
      i = end - 1;
    } else if (c === '{') {
      frames.push({ keys: new Set(), keyed: false });
      expectKey = true;
    } else if (c === '[') {
      frames.push({ index: 0 });
      path.push(0);
    } else if (c === '}' || c === ']') {
      const frame = frames.pop();
      if (frame && ('index' in frame || frame.keyed)) path.pop();
    } else if (c === ',') {
      const frame = frames[frames.length - 1];
      if (frame && 'index' in frame) path[path.length - 1] = ++frame.index;
      else expectKey = true;
    }
  }
  return found;
}

/** The index just past the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let b = quote - 1; text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}
