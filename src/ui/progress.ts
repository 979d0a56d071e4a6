/**
 * A spinner on stderr for work that takes a while. It draws one line and
 * redraws it in place (carriage return, erase line), cut to the terminal's
 * width so that it never wraps: a wrapped line is what leaves pieces behind
 * when a spinner moves the cursor up to redraw. When the work ends, the line
 * is erased, so the terminal shows only what the command printed. Anything
 * written to stdout or stderr while it spins erases the line first and the
 * spinner draws itself again below it.
 *
 * Spinners appear only on a terminal and never with --json: scripts and CI
 * logs get the command's own output and nothing else.
 */
import type { fitVisible as FitVisible } from './width.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;
const ERASE_LINE = '\r\u001B[2K';

let enabled = true;

/** Off for the rest of the command (BaseCommand turns it off under --json). */
export function disableProgress(): void {
  enabled = false;
}

/** Runs `work` behind a spinner titled `title` (on a terminal), erased when the work ends either way. */
export async function withProgress<T>(title: string, work: () => Promise<T>): Promise<T> {
  if (!enabled || !process.stderr.isTTY) return work();
  // Loaded only for a spinner: string-width builds its emoji tables when loaded, which every command
  // importing this file (most of them, through their progress) would pay for on a pipe too.
  const { fitVisible } = await import('./width.js');
  const spinner = new Spinner(title, fitVisible);
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}

type Write = typeof process.stdout.write;

class Spinner {
  private frame = 0;
  private shown = false;
  /** A write left its line open: drawing now would erase it, so the spinner waits for the line's end. */
  private held = false;
  private readonly timer: NodeJS.Timeout;
  private readonly restore: (() => void)[] = [];
  private readonly rawErr: (text: string) => void;

  constructor(
    private readonly title: string,
    private readonly fit: typeof FitVisible,
  ) {
    const stderrWrite = process.stderr.write.bind(process.stderr) as (text: string) => boolean;
    this.rawErr = (text) => void stderrWrite(text);
    for (const stream of [process.stdout, process.stderr]) this.intercept(stream);
    // Ended mid-spin (Ctrl-C, process.exit): the line still goes, so the shell's prompt starts clean.
    const onExit = () => this.erase();
    process.once('exit', onExit);
    this.restore.push(() => process.off('exit', onExit));
    this.draw();
    this.timer = setInterval(() => this.draw(), FRAME_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.erase();
    for (const undo of this.restore.splice(0)) undo();
  }

  private draw(): void {
    if (this.held) return;
    const columns = process.stderr.columns || Number(process.env.COLUMNS) || 80;
    const text = `${FRAMES[this.frame++ % FRAMES.length]} ${this.title}…`;
    // One column short of the width: a line that reaches the last column makes some terminals wrap early.
    this.rawErr(`${ERASE_LINE}${this.fit(text, columns - 1)}`);
    this.shown = true;
  }

  private erase(): void {
    if (!this.shown) return;
    this.rawErr(ERASE_LINE);
    this.shown = false;
  }

  /** Output while spinning: the spinner line goes, the text is written, the spinner comes back after a full line. */
  private intercept(stream: NodeJS.WriteStream): void {
    const original = stream.write;
    stream.write = ((...args: Parameters<Write>) => {
      this.erase();
      const written = (original as (...parameters: Parameters<Write>) => boolean).apply(stream, args);
      const text = typeof args[0] === 'string' ? args[0] : Buffer.from(args[0] as Uint8Array).toString();
      this.held = !text.endsWith('\n');
      this.draw();
      return written;
    }) as Write;
    this.restore.push(() => {
      stream.write = original;
    });
  }
}
