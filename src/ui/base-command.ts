import { Command, ux } from '@oclif/core';
import { DelivError, errorMessage, type ErrorCode } from './errors.js';
import { EXIT_CODES } from './interrupt.js';
import { jsonTerminalSafe, terminalSafe, writeErr } from './output.js';
import { writeError } from './report.js';
import { describeParseError, type CommandShape } from './usage.js';

/**
 * The base of every deliv command: `--json` for scripts, and errors rendered
 * as one line plus a hint with the documented exit codes (EXIT_CODES). A stack trace appears only with DEBUG set.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  override async init(): Promise<void> {
    await super.init();
    // --json output is for programs: no spinner, even on a terminal.
    if (this.jsonEnabled()) (await import('./progress.js')).disableProgress();
  }

  /** Writes a line to stdout unless --json is on (the JSON result is then the only output). */
  protected say(text = ''): void {
    if (!this.jsonEnabled()) this.log(text);
  }

  /** Every line a command logs is made safe for the terminal (ui/output.ts). */
  override log(message = '', ...args: unknown[]): void {
    super.log(terminalSafe(typeof message === 'string' ? message : String(message)), ...args);
  }

  /** The --json result: the data unchanged, with the characters a terminal would act on escaped. */
  override logJson(json: unknown): void {
    ux.stdout(jsonTerminalSafe(ux.colorizeJson(json, { pretty: true, theme: this.config.theme?.json })));
  }

  /** Writes a line to stderr: progress and warnings never mix with data on stdout. */
  protected note(text: string): void {
    writeErr(`${text}\n`);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (process.env.DEBUG) process.stderr.write(`${error.stack ?? error}\n`);
    if (error instanceof DelivError) {
      this.report(error.code, ownMessage(error.message), error.hint, error.exitCode);
    }
    // oclif's own parse errors (unknown flag, bad value, missing argument) are usage errors, reason kept whole.
    const usage = error.oclif?.exit === 0 ? undefined : describeParseError(error, this.shape());
    if (usage) this.report('USAGE', usage.message, usage.hint, EXIT_CODES.usage);
    if ((error as { code?: string }).code === 'EEXIT') throw error;
    if (error.name === 'ExitPromptError' || error.name === 'AbortPromptError') {
      this.report('INTERRUPTED', 'cancelled', undefined, EXIT_CODES.interrupted);
    }
    this.report('INTERNAL', firstLine(errorMessage(error)), 'run again with DEBUG=deliv* for details', 1);
  }

  /** The command as typed, with its flags (json and help included) and arguments, for usage messages. */
  private shape(): CommandShape {
    const command = `${this.config.bin} ${(this.id ?? '').replaceAll(':', this.config.topicSeparator)}`.trimEnd();
    return { command, flags: { ...this.ctor.baseFlags, ...this.ctor.flags, help: {} }, args: this.ctor.args ?? {} };
  }

  private report(code: ErrorCode, message: string, hint: string | undefined, exitCode: number): never {
    writeError({ code, message, hint, exitCode }, this.jsonEnabled());
    this.exit(exitCode);
  }
}

/** A flag's own parse error (`--sub`'s), without the frame oclif puts around it ("Parsing --sub", "See more help with --help"). */
function ownMessage(text: string): string {
  return text.replace(/^Parsing --[\w-]+\s*\n\s*/, '').replace(/\n?See more help with --help\s*$/, '');
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}
