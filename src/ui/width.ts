/**
 * Widths on screen. A cell is measured as the terminal will show it: after the
 * output layer has dropped the escape sequences and control characters that
 * came from data (so a state name carrying an OSC title counts only its
 * letters), with wide characters (CJK, emoji) taking two columns and combining
 * marks none, as terminals draw them (string-width's grapheme rules).
 */
import { createRequire } from 'node:module';
import { terminalSafe } from './output.js';

/* eslint-disable-next-line no-control-regex -- deliv's own colour codes, kept at no width */
const SGR_ALL = /\u001B\[[0-9;]*m/g;
/**
 * Characters that take one column each, whatever follows them, as string-width
 * says (test/ui/width.test.ts checks every one): printable ASCII, Latin-1 and
 * Latin Extended without the soft hyphen, Greek, general punctuation without
 * the invisible ones, arrows, mathematical operators, box drawing, blocks and
 * geometric shapes without the two emoji. deliv's own drawing (λ · × ↻ … ─ ▶)
 * and most state names are made of these.
 */
export const NARROW = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u0370-\u03ff\u2010-\u2027\u2030-\u205e\u2190-\u22ff\u2500-\u25fc]*$/;

let stringWidthPackage: ((text: string) => number) | undefined;

/**
 * string-width, asked only about text that is not all NARROW. Loading it (its
 * Unicode-property regular expressions) costs about 310 million instructions
 * (callgrind), 60 % of a whole `node -e 0`, which `deliv graph` paid on every
 * run to measure state names that are nearly always NARROW. So it is loaded on
 * the first text that needs it (require of an ES module: Node 20.19+, which
 * deliv requires anyway).
 */
function stringWidth(text: string): number {
  const uncoloured = text.includes('\u001B') ? text.replace(SGR_ALL, '') : text;
  if (NARROW.test(uncoloured)) return uncoloured.length;
  stringWidthPackage ??= (createRequire(import.meta.url)('string-width') as { default: (text: string) => number }).default;
  return stringWidthPackage(text);
}

/** Terminal columns `text` takes once written through the output layer. */
export function visibleWidth(text: string): number {
  return stringWidth(terminalSafe(text, { colour: false }));
}

/** `text` followed (or, right-aligned, preceded) by spaces up to `width` columns on screen. */
export function padVisible(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const gap = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? gap + text : text + gap;
}

/* eslint-disable-next-line no-control-regex -- deliv's own colour codes, kept at no width */
const SGR = /^\u001B\[[0-9;]*m/;
let segmenter: Intl.Segmenter | undefined;

/**
 * `text`'s grapheme clusters (what a terminal draws as one character). The
 * segmenter is made on first use: making one sets up ICU, 5-9 ms of CPU
 * (measured cold), which a command that cuts no text should not pay.
 */
export function graphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

/**
 * `text` cut to `columns` on screen, the cut marked with an ellipsis. Colour
 * codes are kept (and closed after a cut); what the output layer would drop
 * is dropped first, so it is never counted.
 */
export function fitVisible(text: string, columns: number): string {
  const safe = terminalSafe(text);
  if (stringWidth(safe) <= columns) return safe;
  if (columns <= 0) return '';
  let out = '';
  let used = 0;
  let coloured = false;
  let rest = safe;
  while (rest.length > 0) {
    const code = SGR.exec(rest);
    if (code) {
      out += code[0];
      coloured = true;
      rest = rest.slice(code[0].length);
      continue;
    }
    const [first] = graphemes(rest);
    const width = stringWidth(first.segment);
    if (used + width > columns - 1) break;
    out += first.segment;
    used += width;
    rest = rest.slice(first.segment.length);
  }
  return `${out}…${coloured ? '\u001B[0m' : ''}`;
}

/** The width of the terminal stdout writes to; undefined when it is not one (a pipe, a file: nothing to fit). */
export function terminalColumns(): number | undefined {
  if (!process.stdout.isTTY) return undefined;
  return process.stdout.columns || Number(process.env.COLUMNS) || 80;
}

/**
 * `text` wrapped to `columns` at its spaces, each line its own string. A word
 * is never cut: one longer than the width (an ARN, a path) gets a line of its
 * own and stays whole, so that a user can still copy it; the prose around it
 * wraps. Lines after the first start with `indent` (a list item's hanging
 * indent). No `columns` (not a terminal): the text as it is, one line.
 */
export function wrapWords(text: string, columns: number | undefined, indent = ''): string[] {
  if (columns === undefined || visibleWidth(text) <= columns) return [text];
  const lines: string[] = [];
  // The text's own leading spaces are its indent on the first line, not empty words.
  const lead = /^ */.exec(text)![0];
  let line = '';
  for (const word of text.slice(lead.length).split(' ')) {
    const start = lines.length === 0 ? lead : indent;
    if (line === '') line = start + word;
    else if (visibleWidth(`${line} ${word}`) <= columns) line = `${line} ${word}`;
    else {
      lines.push(line);
      line = indent + word;
    }
  }
  lines.push(line);
  return lines;
}
