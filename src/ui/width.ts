/**
 * Widths on screen. A cell is measured as the terminal will show it: after the
 * output layer has dropped the escape sequences and control characters that
 * came from data (so a state name carrying an OSC title counts only its
 * letters), with wide characters (CJK, emoji) taking two columns and combining
 * marks none, as terminals draw them (string-width's grapheme rules).
 */
import stringWidth from 'string-width';
import { terminalSafe } from './output.js';

/** Terminal columns `text` takes once written through the output layer. */
export function visibleWidth(text: string): number {
  return stringWidth(terminalSafe(text, { colour: false }));
}

/** `text` followed (or, right-aligned, preceded) by spaces up to `width` columns on screen. */
export function padVisible(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const gap = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? gap + text : text + gap;
}
