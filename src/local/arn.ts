/**
 * Step Functions ARNs as AWS builds them. A state machine ARN may carry a
 * version (`:3`) or an alias (`:prod`) qualifier, and StartExecution accepts a
 * `#TestCase` suffix that picks a mocked test case, as Step Functions Local does.
 */
import { ApiError, invalidArn, validationError } from './api-error.js';

export interface Partition {
  region: string;
  account: string;
}

export const machineArn = (p: Partition, name: string) => `arn:aws:states:${p.region}:${p.account}:stateMachine:${name}`;
export const executionArn = (p: Partition, machineName: string, name: string, express = false) =>
  express
    ? `arn:aws:states:${p.region}:${p.account}:express:${machineName}:${name}:${crypto.randomUUID()}`
    : `arn:aws:states:${p.region}:${p.account}:execution:${machineName}:${name}`;

/** The execution ARN a machine ARN and an execution name make (Express ones end in their own random `expressSuffix`). */
export function executionArnOfMachine(machineArn: string, name: string, expressSuffix: string | null): string {
  return expressSuffix === null ? `${machineArn.replace(':stateMachine:', ':execution:')}:${name}` : `${machineArn.replace(':stateMachine:', ':express:')}:${name}:${expressSuffix}`;
}

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

/** The `Name` shape's length (1 to 80): a longer one is refused by the service model, before any other check. */
const NAME_MAX = 80;

/**
 * A state machine, execution or activity name as AWS checks it: over 80
 * characters is the model's ValidationException (recorded: "Member must have
 * length less than or equal to 80"); a forbidden character is InvalidName.
 */
export function checkName(name: string, field = 'name'): string {
  if (name.length > NAME_MAX) throw validationError(field, `Member must have length less than or equal to ${NAME_MAX}`, name);
  if (!isValidName(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
  return name;
}

/** AWS's alias name pattern (CharacterRestrictedName): letters, digits, `_`, `-` and `.`, not digits only (that would read as a version). */
const ALIAS_PATTERN = '^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$';
const ALIAS_NAME = new RegExp(ALIAS_PATTERN);

export function checkAliasName(name: string): string {
  if (name.length > NAME_MAX) throw validationError('name', `Member must have length less than or equal to ${NAME_MAX}`, name);
  if (!ALIAS_NAME.test(name)) throw validationError('name', `Member must satisfy regular expression pattern: ${ALIAS_PATTERN}`, name);
  return name;
}

/** AWS's rule for state machine, execution, version-description and alias names. */
export function isValidName(name: unknown, max = NAME_MAX): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > max) return false;
  // Whitespace, brackets, wildcards, special characters and control characters are refused.
  if (/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u.test(name)) return false;
  return ![...name].some((char) => {
    const code = char.codePointAt(0)!;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
}
