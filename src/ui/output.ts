/**
 * The one way text reaches the terminal. Whatever deliv prints carries data it
 * does not control: state and execution names, error causes, task outputs,
 * answers from AWS or Bedrock. Written raw, an escape sequence in one of them
 * could clear the screen, move the cursor to overwrite the lines above, set the
 * window title, write the clipboard (OSC 52) or hide text. So every line goes
 * through `terminalSafe`: control characters and escape sequences are
 * dropped, except deliv's own colours (SGR codes that only set colour and
 * weight), and those only while colour is on.
 */
import { colors } from './colors.js';

/* eslint-disable no-control-regex -- matching control characters is the point of this module */
/** ESC-introduced sequences: CSI, OSC / DCS / SOS / PM / APC strings (to their terminator), and two-character escapes. */
const ESCAPE = /\u001B(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][\s\S]*?(?:\u0007|\u001B\\|$)|[ -/]*[0-~]?)/g;
/** 8-bit C1 forms: CSI (0x9B), OSC/DCS/... strings, and the other C1 controls. */
const C1 = /\u009B[0-?]*[ -/]*[@-~]|[\u009D\u0090\u0098\u009E\u009F][\s\S]*?(?:\u0007|\u009C|$)|[\u0080-\u009F]/g;
/** C0 controls but newline and tab, DEL, and the bidirectional overrides that reorder what a line appears to say. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const UNSAFE = new RegExp(`\\r\\n|${ESCAPE.source}|${C1.source}|${CONTROL.source}`, 'g');
const SGR = /^\u001B\[([0-9;]*)m$/;
/* eslint-enable no-control-regex */

/** SGR parameters chalk uses for deliv's palette: reset, bold, dim, their ends, foreground and background colours. */
function isColourOnly(params: string): boolean {
  if (params === '') return true;
  return params.split(';').every((param) => {
    const code = Number(param);
    return param !== '' && (code <= 2 || code === 22 || code === 39 || code === 49 || (code >= 30 && code <= 37) || (code >= 40 && code <= 47) || (code >= 90 && code <= 97) || (code >= 100 && code <= 107));
  });
}

export interface SafeOptions {
  /** Keep colour SGR codes (default: when colour is on). */
  colour?: boolean;
}

export function terminalSafe(text: string, options: SafeOptions = {}): string {
  const colour = options.colour ?? colors.level > 0;
  // One pass, so a kept colour code's ESC is not taken for a stray control character afterwards.
  return text.replace(UNSAFE, (match) => {
    if (match === '\r\n') return '\n';
    const sgr = SGR.exec(match);
    return colour && sgr && isColourOnly(sgr[1]) ? match : '';
  });
}

/** The characters JSON.stringify leaves raw that a terminal still acts on. */
const JSON_UNSAFE = /[\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
 * JSON text made safe for a terminal without changing the data it encodes:
 * JSON.stringify escapes C0 controls but leaves C1 controls and the bidi
 * overrides raw, so those become `\uXXXX` escapes (same value once parsed).
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes to stdout, made safe; `text` carries its own newlines. */
export function writeOut(text: string): void {
  process.stdout.write(terminalSafe(text));
}

/** Writes to stderr, made safe; `text` carries its own newlines. */
export function writeErr(text: string): void {
  process.stderr.write(terminalSafe(text));
}
