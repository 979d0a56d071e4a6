import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';

/** `--target`: one definition for every command that reads a target of deliv.yaml. */
export const targetFlag = Flags.string({
  char: 't',
  description: 'target from deliv.yaml (`local` is the embedded emulator); default: defaultTarget, else local',
  helpGroup: 'TARGET',
});

/** `--target/--region/--profile`, the same on every command that talks to Step Functions. */
export const targetFlags = {
  target: targetFlag,
  region: Flags.string({ description: 'AWS region (overrides the target and AWS_REGION)', helpGroup: 'TARGET' }),
  profile: Flags.string({ description: 'AWS profile from ~/.aws/config (overrides the target and AWS_PROFILE)', helpGroup: 'TARGET' }),
};

/** The task commands' flags: a target, or any Step Functions endpoint (an emulator's) instead. */
export const taskTargetFlags = {
  ...targetFlags,
  endpoint: Flags.string({ description: 'emulator or Step Functions endpoint (instead of a --target)', exclusive: ['target'], helpGroup: 'TARGET' }),
};

/** One `--sub Name=value`. */
export interface Substitution {
  name: string;
  value: string;
}

/** One `Name=value` of `--sub`, split where the first `=` is (a value may hold more). */
export function parseSubstitution(pair: string): Substitution {
  const index = pair.indexOf('=');
  if (index <= 0) throw new UsageError(`--sub ${pair}: expected Name=value`, { hint: 'for example --sub PaymentFunctionArn=arn:aws:lambda:us-east-1:123456789012:function:pay' });
  return { name: pair.slice(0, index), value: pair.slice(index + 1) };
}

/**
 * `--sub Name=value` (repeatable), parsed by oclif itself: the command gets
 * the pairs, and `substitutions(flags.sub)` makes them a record.
 */
export const subFlag = Flags.custom<Substitution>({
  description: 'fill a ${Name} placeholder: Name=value (repeatable)',
  helpValue: 'Name=value',
  multiple: true,
  parse: async (pair) => parseSubstitution(pair),
});

export function substitutions(pairs: readonly Substitution[] | undefined): Record<string, string> {
  return Object.fromEntries((pairs ?? []).map(({ name, value }) => [name, value]));
}
