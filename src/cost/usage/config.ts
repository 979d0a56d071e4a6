/**
 * The workload a cost estimate assumes: the `cost:` section of deliv.yaml and
 * the `--usage` file share one schema (the file wins where both speak).
 *
 * ```yaml
 * executionsPerMonth: 1000000      # every machine, unless stateMachines.<name> says otherwise
 * region: eu-west-1
 * maxMonthly: 250                  # USD; `deliv cost` exits 1 above it
 * payloadKB: 4                     # input size, for the Express memory estimate
 * freeTier: always                 # or none
 * lambda: { memoryMB: 128, durationMs: 100, architecture: x86_64 }   # functions not listed below
 * functions: { charge-payment: { memoryMB: 256, durationMs: 300, architecture: arm64 } }
 * bedrock: { inputTokens: 1000, outputTokens: 300, durationMs: 2000, models: { <model id>: { inputTokens, outputTokens } } }
 * express: { memoryMB: 64, durationMs: 900 }
 * integrationDurationMs: 50
 * choices: { IsInStock: { ChargeAndReserve: 0.95, OutOfStock: 0.05 } }
 * failureRates: { ChargePayment: 0.02, ValidateOrder: { rate: 0.01, error: Lambda.ServiceException } }
 * mapItems: { PackItems: 3 }          # or { min: 1, expected: 3, max: 10 }
 * loops: { StillWaiting: 3 }          # or { expected: 3, max: 10 }
 * waitSeconds: { WaitForPickup: 600 }
 * stateMachines:
 *   order-fulfillment: { executionsPerMonth: 50000, choices: {...}, express: {...}, ... }
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UsageError } from '../../ui/errors.js';
import type { CostConfig, CostMachineConfig as MachineUsageConfig } from '../../project/config.js';

export type { CostConfig, CostMachineConfig as MachineUsageConfig } from '../../project/config.js';

type Check = (value: unknown, at: string) => void;

const fail = (where: string, at: string, expected: string): never => {
  throw new UsageError(`${where}: \`${at}\` must be ${expected}`, { hint: 'see `deliv cost --help` for the usage file format', code: 'FILE_PROBLEM' });
};

function validator(where: string) {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const number = (min = 0, max = Infinity): Check => (value, at) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      fail(where, at, max === Infinity ? `a number ≥ ${min}` : `a number from ${min} to ${max}`);
    }
  };
  const oneOf = (...choices: string[]): Check => (value, at) => {
    if (typeof value !== 'string' || !choices.includes(value)) fail(where, at, `one of ${choices.join(', ')}`);
  };
  const string: Check = (value, at) => {
    if (typeof value !== 'string' || value === '') fail(where, at, 'a non-empty string');
  };
  const object = (fields: Record<string, Check>): Check => (value, at) => {
    if (!isObject(value)) fail(where, at, 'a mapping');
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const check = fields[key];
      if (!check) throw new UsageError(`${where}: unknown key \`${at ? `${at}.` : ''}${key}\``, { hint: `known keys: ${Object.keys(fields).join(', ')}`, code: 'FILE_PROBLEM' });
      if (item !== undefined && item !== null) check(item, at ? `${at}.${key}` : key);
    }
  };
  const record = (check: Check): Check => (value, at) => {
    if (!isObject(value)) fail(where, at, 'a mapping of names');
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) check(item, `${at}.${key}`);
  };
  const either = (first: Check, second: Check, expected: string): Check => (value, at) => {
    try {
      first(value, at);
    } catch {
      try {
        second(value, at);
      } catch {
        fail(where, at, expected);
      }
    }
  };
  const functionUsage = object({ memoryMB: number(128, 10_240), durationMs: number(0, 900_000), architecture: oneOf('x86_64', 'arm64') });
  const tokens = { inputTokens: number(), outputTokens: number() };
  const range = object({ min: number(), expected: number(), max: number() });
  const machine: Record<string, Check> = {
    executionsPerMonth: number(),
    express: object({ memoryMB: number(1), durationMs: number() }),
    choices: record(record(number())),
    failureRates: record(either(number(0, 1), object({ rate: number(0, 1), error: string }), 'a rate from 0 to 1, or { rate, error }')),
    mapItems: record(either(number(), range, 'a number of items, or { min, expected, max }')),
    loops: record(either(number(1), object({ expected: number(1), max: number(1) }), 'a number of rounds ≥ 1, or { expected, max }')),
    waitSeconds: record(number()),
    payloadKB: number(),
  };
  return object({
    ...machine,
    region: string,
    maxMonthly: number(),
    freeTier: oneOf('always', 'none'),
    lambda: functionUsage,
    functions: record(functionUsage),
    bedrock: object({ ...tokens, durationMs: number(), models: record(object(tokens)) }),
    integrationDurationMs: number(),
    stateMachines: record(object(machine)),
  });
}

export function validateCostConfig(value: unknown, where: string): CostConfig {
  if (value === undefined || value === null) return {};
  validator(where)(value, '');
  return value as CostConfig;
}

export function loadUsageFile(file: string): CostConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the usage file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, { hint: 'check the --usage path', code: 'FILE_NOT_FOUND' });
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    const position = (error as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    throw new UsageError(`${file}${position ? `:${position.line}:${position.col}` : ''}: ${(error as Error).message.split('\n')[0]}`, { hint: 'the usage file is YAML or JSON', code: 'FILE_PROBLEM' });
  }
  return validateCostConfig(value, file);
}

/** deliv.yaml's `cost:` overlaid with the usage file: mappings merge, values from the file win. */
export function mergeCostConfig(base: CostConfig, override: CostConfig): CostConfig {
  return deepMerge(base, override) as CostConfig;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return override ?? base;
  if (typeof override !== 'object' || override === null || Array.isArray(override)) return override ?? base;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) result[key] = deepMerge(result[key], value);
  return result;
}

/** The hints for one machine: the top level of the config, overlaid with its `stateMachines.<name>` entry. */
export function machineUsage(config: CostConfig, name: string): MachineUsageConfig {
  const { stateMachines: _machines, region: _region, maxMonthly: _budget, freeTier: _freeTier, lambda: _lambda, functions: _functions, bedrock: _bedrock, integrationDurationMs: _duration, ...shared } = config;
  return deepMerge(shared, config.stateMachines?.[name] ?? {}) as MachineUsageConfig;
}
