import { Command, Errors } from '@oclif/core';
import { paint } from './colors.js';
import { DelivError, errorMessage } from './errors.js';
import { EXIT_CODES } from './interrupt.js';

/**
 * The base of every deliv command: `--json` for scripts, and errors rendered
 * as one line plus a hint with the documented exit codes (EXIT_CODES). A stack trace appears only with DEBUG set.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  /** Writes a line to stdout unless --json is on (the JSON result is then the only output). */
  protected say(text = ''): void {
    if (!this.jsonEnabled()) this.log(text);
  }

  /** Writes a line to stderr: progress and warnings never mix with data on stdout. */
  protected note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (process.env.DEBUG) process.stderr.write(`${error.stack ?? error}\n`);
    if (error instanceof DelivError) {
      this.report(error.message, error.hint, error.exitCode);
    }
    // oclif's own parse errors (unknown flag, missing argument) are usage errors.
    if (error instanceof Errors.CLIError && error.oclif?.exit !== 0 && isParseError(error)) {
      this.report(firstLine(error.message), `see: ${this.config.bin} ${this.id ?? ''} --help`.trimEnd(), 2);
    }
    if ((error as { code?: string }).code === 'EEXIT') throw error;
    if (error.name === 'ExitPromptError' || error.name === 'AbortPromptError') {
      this.report('cancelled', undefined, EXIT_CODES.interrupted);
    }
    this.report(firstLine(errorMessage(error)), 'run again with DEBUG=deliv* for details', 1);
  }

  private report(message: string, hint: string | undefined, exitCode: number): never {
    if (this.jsonEnabled()) {
      process.stdout.write(`${JSON.stringify({ error: { message, hint, exitCode } }, null, 2)}\n`);
    } else {
      process.stderr.write(`${paint.failure('Error:')} ${message}\n`);
      if (hint) process.stderr.write(`${paint.muted(hint)}\n`);
    }
    this.exit(exitCode);
  }
}

function isParseError(error: Error): boolean {
  const names = ['RequiredArgsError', 'UnexpectedArgsError', 'NonExistentFlagsError', 'FailedFlagValidationError', 'CLIParseError', 'ArgInvalidOptionError', 'FlagInvalidOptionError'];
  return names.includes(error.constructor.name) || /Unexpected argument|Nonexistent flag|Missing \d+ required arg|Expected --|Parsing --/.test(error.message);
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}
