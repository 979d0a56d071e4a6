/**
 * Step Functions ARNs as AWS builds them. A state machine ARN may carry a
 * version (`:3`) or an alias (`:prod`) qualifier, and StartExecution accepts a
 * `#TestCase` suffix that picks a mocked test case, as Step Functions Local does.
 */
import { invalidArn } from './api-error.js';

export interface Partition {
  region: string;
  account: string;
}

export const machineArn = (p: Partition, name: string) => `arn:aws:states:${p.region}:${p.account}:stateMachine:${name}`;
export const executionArn = (p: Partition, machineName: string, name: string, express = false) =>
  express
    ? `arn:aws:states:${p.region}:${p.account}:express:${machineName}:${name}:${crypto.randomUUID()}`
    : `arn:aws:states:${p.region}:${p.account}:execution:${machineName}:${name}`;

export interface MachineRef {
  /** The unqualified state machine ARN. */
  machineArn: string;
  name: string;
  version?: number;
  alias?: string;
  testCase?: string;
}

const MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:#]+)(?::([^:#]+))?(?:#(.+))?$/;

/** Parses a state machine, version or alias ARN (with an optional `#TestCase`). */
export function parseMachineArn(arn: unknown, field = 'stateMachineArn'): MachineRef {
  if (typeof arn !== 'string' || arn === '') throw invalidArn(String(arn ?? ''), `Missing ${field}`);
  const match = MACHINE_ARN.exec(arn);
  if (!match) throw invalidArn(arn, 'Resource type not valid in this context');
  const [, region, account, name, qualifier, testCase] = match;
  const ref: MachineRef = { machineArn: `arn:aws:states:${region}:${account}:stateMachine:${name}`, name, testCase };
  if (qualifier !== undefined) {
    if (/^\d+$/.test(qualifier)) ref.version = Number(qualifier);
    else ref.alias = qualifier;
  }
  return ref;
}

const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+(:[^:]+)?$/;

export function checkExecutionArn(arn: unknown): string {
  if (typeof arn !== 'string' || !EXECUTION_ARN.test(arn)) throw invalidArn(String(arn ?? ''), 'Resource type not valid in this context');
  return arn;
}

/** AWS's rule for state machine, execution, version-description and alias names. */
export function isValidName(name: unknown, max = 80): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > max) return false;
  // Whitespace, brackets, wildcards, special characters and control characters are refused.
  if (/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u.test(name)) return false;
  return ![...name].some((char) => {
    const code = char.codePointAt(0)!;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
}
