/**
 * oclif's parse errors, rewritten as one line that keeps the whole reason:
 * which flag, what it expected, what it got, and the likely flag or value
 * when the user mistyped one. Anything else is left to the caller.
 */
import { stripAnsi } from './colors.js';
import { closest } from './suggest.js';

/** What of a command's flag definitions the messages need. */
export interface FlagShape {
  char?: string;
  min?: number;
  max?: number;
  options?: readonly string[];
}

export interface CommandShape {
  /** As typed: `task success`, not oclif's `task:success`. */
  command: string;
  flags: Readonly<Record<string, FlagShape>>;
  args: Readonly<Record<string, { description?: string }>>;
}

export interface UsageProblem {
  message: string;
  hint: string;
}

export function describeParseError(error: Error, shape: CommandShape): UsageProblem | undefined {
  const text = stripAnsi(error.message).replace(/\n?See more help with --help\s*$/, '').trim();
  const help = `see: ${shape.command} --help`;
  const reason = parseReason(text, shape);
  if (reason === undefined) return undefined;
  return { message: reason.message, hint: reason.hint ? `${reason.hint} (${help})` : help };
}

function parseReason(text: string, shape: CommandShape): { message: string; hint?: string } | undefined {
  const parsing = /^Parsing --([\w-]+)\s*\n\s*([\s\S]*)$/.exec(text);
  if (parsing) return { message: flagValueProblem(parsing[1], parsing[2].trim(), shape.flags[parsing[1]]) };

  const noValue = /^Flag --([\w-]+) expects a value$/.exec(text);
  if (noValue) return { message: `--${noValue[1]} needs a value` };

  const missing = /^Missing \d+ required args?:\n([\s\S]*)$/.exec(text);
  if (missing) {
    const names = missing[1].split('\n').map((line) => line.trim().split(/\s+/)[0]).filter((name) => name && name in shape.args);
    const described = names.map((name) => `${name.toUpperCase()}${shape.args[name].description ? ` (${shape.args[name].description})` : ''}`);
    return { message: `missing argument${names.length === 1 ? '' : 's'} ${described.join(', ')}`, hint: `${shape.command} ${names.map((name) => name.toUpperCase()).join(' ')}` };
  }

  const unknownFlags = /^Nonexistent flags?: (.+)$/.exec(text);
  if (unknownFlags) {
    const typed = unknownFlags[1].split(', ');
    const known = Object.keys(shape.flags);
    const guesses = typed.map((flag) => closest(flag.replace(/^-+/, ''), known)).filter((guess): guess is string => guess !== undefined);
    return {
      message: `unknown flag${typed.length === 1 ? '' : 's'} ${typed.join(', ')}`,
      hint: guesses.length ? `did you mean ${guesses.map((guess) => `--${guess}`).join(', ')}?` : undefined,
    };
  }

  const badOption = /^Expected --([\w-]+)=(.*) to be one of: (.+)$/.exec(text);
  if (badOption) {
    const [, flag, value, options] = badOption;
    const guess = closest(value, options.split(', '));
    return { message: `--${flag} must be one of ${options}; got \`${value}\``, hint: guess ? `did you mean --${flag} ${guess}?` : undefined };
  }

  const badArg = /^Expected (.*) to be one of: (.+)$/.exec(text);
  if (badArg) {
    const guess = closest(badArg[1], badArg[2].split(', '));
    return { message: `\`${badArg[1]}\` is not one of ${badArg[2]}`, hint: guess ? `did you mean ${guess}?` : undefined };
  }

  const relations = /^The following errors? occurred:\n([\s\S]*)$/.exec(text);
  if (relations) return { message: relations[1].split('\n').map((line) => line.trim()).filter(Boolean).join('; ') };

  if (/^Unexpected arguments?: /.test(text)) return { message: text.split('\n')[0] };
  return undefined;
}

/** `--canary must be an integer from 0 to 100; got 150` from oclif's `Expected an integer less than or equal to 100 but received: 150`. */
function flagValueProblem(flag: string, reason: string, shape: FlagShape | undefined): string {
  const integer = /^Expected an integer.* but received: (.*)$/.exec(reason);
  if (!integer) return `--${flag}: ${reason.split('\n')[0]}`;
  const { min, max } = shape ?? {};
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
  return `--${flag} must be an integer${range}; got \`${integer[1]}\``;
}
