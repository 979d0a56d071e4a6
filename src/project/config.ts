import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowType } from '../asl/types.js';
import { LOG_RETENTION_DAYS } from '../aws/execution-logs.js';
import { FileProblemError, UsageError } from '../ui/errors.js';
import { insideProject, PathOutsideProject } from './confine.js';
import { Places } from './places.js';
import { closest } from '../ui/suggest.js';

export const PROJECT_FILE = 'deliv.yaml';

export interface StateMachineConfig {
  /** Path of the `.asl.yaml|.asl.yml|.asl.json` definition, relative to the project root. */
  definition: string;
  type: WorkflowType;
  template?: string;
  /** Sample inputs, relative to the project root. */
  events?: string;
  /** CloudWatch Logs settings applied on deploy (AWS LoggingConfiguration); the target's when absent. */
  logging?: LoggingConfig;
  /** X-Ray tracing, applied on deploy. */
  tracing?: boolean;
}

/**
 * Where and what a machine logs (deliv.yaml `logging:`, under a machine or a
 * target). The log group defaults to `/aws/vendedlogs/states/<machine>-Logs`
 * and is created on deploy when it does not exist.
 */
export interface LoggingConfig {
  level: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  includeExecutionData?: boolean;
  /** A log group name. */
  logGroup?: string;
  /** Or its ARN (`arn:aws:logs:<region>:<account>:log-group:<name>:*`). */
  logGroupArn?: string;
  /** How long the log group keeps events (PutRetentionPolicy on deploy); unset, CloudWatch Logs keeps them forever. */
  retentionInDays?: number;
}

export interface FunctionConfig {
  /** Handler module relative to the project root, exporting `handler`. */
  handler: string;
  timeoutSeconds?: number;
  memoryMB?: number;
  architecture?: 'x86_64' | 'arm64';
  /** Expected duration per invocation, for the cost estimate. */
  durationMs?: number;
  /** Lambda runtime on AWS targets (default nodejs22.x). */
  runtime?: string;
  /** The Lambda function name on AWS targets (default `<project>-<key>`). */
  name?: string;
  /** Environment variables of the deployed function. */
  environment?: Record<string, string>;
  /** Which AWS a local run of the handler reaches: the emulator's local account (default), or `real` AWS with the user's credentials. */
  aws?: 'local' | 'real';
  /** IAM statements the function needs beyond writing its logs, added to the execution role deliv creates. */
  permissions?: Array<{ Effect?: 'Allow' | 'Deny'; Action: string | string[]; Resource: string | string[] }>;
}

export interface TargetConfig {
  /** `local` is the embedded emulator; anything else is an AWS account. */
  kind?: 'local' | 'aws';
  region?: string;
  profile?: string;
  /** The role the state machines run as; without it deliv creates one per machine with the policy `deliv policy` prints. */
  roleArn?: string;
  /** The execution role of the functions; without it deliv creates one with their logging permissions. */
  functionRoleArn?: string;
  accountId?: string;
  endpoint?: string;
  alias?: string;
  /** DefinitionSubstitutions: `${Name}` placeholders in the definitions. */
  substitutions?: Record<string, string>;
  /** Logging of every machine on this target that has no `logging:` of its own. */
  logging?: LoggingConfig;
}

export interface ProjectConfig {
  name: string;
  stateMachines: Record<string, StateMachineConfig>;
  functions?: Record<string, FunctionConfig>;
  targets: Record<string, TargetConfig>;
  defaultTarget?: string;
  /** Mock config (AWS Step Functions Local MockConfigFile format), relative to the root. */
  mocks?: string;
  /** Workload assumptions for `deliv cost` (same schema as its `--usage` file). */
  cost?: CostConfig;
  explain?: { model?: string; redactKeys?: string[]; region?: string };
  /** `deliv test`: the minimum coverage (percent), for every metric or per metric (states, transitions, branches, catches, retries). */
  test?: { coverage?: number | Partial<Record<'states' | 'transitions' | 'branches' | 'catches' | 'retries', number>> };
}

/** A Task (or Parallel/Map) failure rate: the probability one attempt fails, and optionally the error it raises. */
export type CostFailureRate = number | { rate: number; error?: string };
export type CostRange = { min?: number; expected?: number; max?: number };

/** What the static usage model cannot read from a definition; state names as keys. */
export interface CostUsageHints {
  /** Choice state → { target state: weight }; without it, branches split evenly. */
  choices?: Record<string, Record<string, number>>;
  /** Task state → probability an attempt fails (retried and caught as its Retry/Catch say). */
  failureRates?: Record<string, CostFailureRate>;
  /** Map state → items per execution; without it, counted in the sample events. */
  mapItems?: Record<string, number | CostRange>;
  /** The Choice that closes a loop → rounds per execution (expected, and at most). */
  loops?: Record<string, number | { expected?: number; max?: number }>;
  /** Wait state → seconds, where the definition reads them from the input (Express duration). */
  waitSeconds?: Record<string, number>;
}

export interface CostMachineConfig extends CostUsageHints {
  executionsPerMonth?: number;
  /** Express billing: memory (64 MB steps) and duration (100 ms steps) of one execution. */
  express?: { memoryMB?: number; durationMs?: number };
  /** Size of an execution's input, for the Express memory estimate (else the largest sample event). */
  payloadKB?: number;
}

export interface CostFunctionConfig {
  memoryMB?: number;
  durationMs?: number;
  architecture?: 'x86_64' | 'arm64';
}

export interface CostTokens {
  inputTokens?: number;
  outputTokens?: number;
}

/** deliv.yaml `cost:` — also the schema of `deliv cost --usage FILE`. */
export interface CostConfig extends CostMachineConfig {
  region?: string;
  /** Monthly budget in USD: `deliv cost` exits 1 above it. */
  maxMonthly?: number;
  freeTier?: 'always' | 'none';
  /** Defaults for Lambda functions with no figures of their own. */
  lambda?: CostFunctionConfig;
  /** Per-function figures; they win over `functions:` of deliv.yaml. */
  functions?: Record<string, CostFunctionConfig>;
  bedrock?: CostTokens & { durationMs?: number; models?: Record<string, CostTokens> };
  /** Expected duration of a call to a service integration (SNS, SQS, ...), for Express. */
  integrationDurationMs?: number;
  /** Per-machine overrides of everything in CostMachineConfig. */
  stateMachines?: Record<string, CostMachineConfig>;
}

export interface Project {
  root: string;
  file: string;
  config: ProjectConfig;
}

/** Walks up from `start` to the folder holding deliv.yaml. */
export function findProjectRoot(start: string = process.cwd()): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, PROJECT_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Loads deliv.yaml from the project around `start`; errors name the file and line. */
export function loadProject(start: string = process.cwd()): Project {
  const root = findProjectRoot(start);
  if (!root) {
    throw new UsageError(`no ${PROJECT_FILE} found in ${path.resolve(start)} or any folder above it`, {
      code: 'PROJECT_NOT_FOUND',
      hint: 'run `deliv init` to create a project, or pass a definition file',
    });
  }
  const file = path.join(root, PROJECT_FILE);
  // Named as validate names definitions: relative to where the user is, when that is shorter.
  const relative = path.relative(process.cwd(), file);
  const label = relative.length < file.length ? relative : file;
  return { root, file, config: parseProjectConfig(readFileSync(file, 'utf8'), file, label) };
}

/** Like loadProject, but undefined outside a project. */
export function tryLoadProject(start: string = process.cwd()): Project | undefined {
  return findProjectRoot(start) ? loadProject(start) : undefined;
}

/** The fields each part of deliv.yaml has: a field outside these is a typo deliv would otherwise pass over in silence. */
const KNOWN_FIELDS = {
  project: ['name', 'stateMachines', 'functions', 'targets', 'defaultTarget', 'mocks', 'cost', 'explain', 'test'],
  stateMachine: ['definition', 'type', 'template', 'events', 'logging', 'tracing'],
  function: ['handler', 'timeoutSeconds', 'memoryMB', 'architecture', 'durationMs', 'runtime', 'name', 'environment', 'aws', 'permissions'],
  target: ['kind', 'region', 'profile', 'roleArn', 'functionRoleArn', 'accountId', 'endpoint', 'alias', 'substitutions', 'logging'],
  logging: ['level', 'includeExecutionData', 'logGroup', 'logGroupArn', 'retentionInDays'],
  explain: ['model', 'redactKeys', 'region'],
  test: ['coverage'],
} satisfies Record<string, string[]>;

/**
 * deliv.yaml read and checked; every problem is a FileProblemError at its
 * file:line:col with what to do. `file` locates the project (its folder is the
 * root every path is confined to); `label` names it in messages (default `file`).
 */
export function parseProjectConfig(text: string, file: string, label: string = file): ProjectConfig {
  const places = new Places(text);
  const fail = (keys: (string | number)[], problem: string, hint: string, key = false): never => {
    const place = places.at(keys, { key });
    throw new FileProblemError(label, place.line, place.column, problem, hint);
  };
  const syntax = places.syntaxErrors()[0];
  if (syntax) throw new FileProblemError(label, syntax.place.line, syntax.place.column, syntax.message, 'fix the YAML syntax at that line');
  const raw = (places.value() ?? undefined) as Partial<ProjectConfig> | undefined;
  if (!isObject(raw)) fail([], 'expected a mapping with name, stateMachines and targets', 'start from the deliv.yaml that `deliv init` writes');
  const config = raw as Partial<ProjectConfig>;
  const onlyKnown = (value: unknown, keys: (string | number)[], known: readonly string[], where: string): void => {
    if (!isObject(value)) return;
    for (const field of Object.keys(value)) {
      if (known.includes(field)) continue;
      const guess = closest(field, known);
      fail([...keys, field], `unknown field \`${field}\` ${where}`, guess ? `did you mean \`${guess}\`?` : `the fields there are ${known.join(', ')}`, true);
    }
  };
  onlyKnown(config, [], KNOWN_FIELDS.project, 'at the top of deliv.yaml');
  onlyKnown(config.explain, ['explain'], KNOWN_FIELDS.explain, 'under `explain`');
  onlyKnown(config.test, ['test'], KNOWN_FIELDS.test, 'under `test`');
  if (typeof config.name !== 'string' || config.name === '') fail(['name'], 'missing the project `name`', 'add `name: <project>` at the top');
  if (!isObject(config.stateMachines)) fail(['stateMachines'], 'missing `stateMachines`', 'list each state machine with its definition file, e.g. stateMachines: { orders: { definition: statemachines/orders.asl.yaml } }');
  const root = path.dirname(path.resolve(file));
  const confined = (keys: (string | number)[], value: unknown, what: string): void => {
    if (typeof value !== 'string' || value === '') fail(keys, `${what} must be a path relative to the project folder`, 'write the file\'s path relative to the folder of deliv.yaml');
    try {
      insideProject(root, value as string);
    } catch (error) {
      if (!(error instanceof PathOutsideProject)) throw error;
      fail(keys, `${what} (${value as string}) is outside the project: ${error.why}`, 'deliv reads and writes only inside the project folder; move the file into it');
    }
  };
  for (const [name, machine] of Object.entries(config.stateMachines as Record<string, StateMachineConfig>)) {
    const at = ['stateMachines', name];
    // The name becomes a file name (.deliv/build/<name>.asl.json) and an ARN part: AWS's rules keep both safe.
    if (!MACHINE_NAME.test(name)) fail(at, `\`${name}\` is not a state machine name AWS accepts`, 'use 1 to 80 characters without spaces, brackets, wildcards or any of " # % \\ ^ | ~ ` $ & , ; : /', true);
    onlyKnown(machine, at, KNOWN_FIELDS.stateMachine, `of state machine \`${name}\``);
    onlyKnown(machine?.logging, [...at, 'logging'], KNOWN_FIELDS.logging, `under the \`logging\` of \`${name}\``);
    if (!isObject(machine) || machine.definition === undefined) fail(at, `state machine \`${name}\` has no \`definition\` file`, `add definition: statemachines/${name}.asl.yaml`);
    confined([...at, 'definition'], machine.definition, `the definition of \`${name}\``);
    if (machine.events !== undefined) confined([...at, 'events'], machine.events, `the events folder of \`${name}\``);
    const type = typeof machine.type === 'string' ? machine.type.toUpperCase() : machine.type === undefined ? 'STANDARD' : undefined;
    if (type !== 'STANDARD' && type !== 'EXPRESS') fail([...at, 'type'], `state machine \`${name}\` has type \`${String(machine.type)}\``, 'use STANDARD or EXPRESS');
    machine.type = type as WorkflowType;
    checkLogging(machine.logging, (problem, hint) => fail([...at, 'logging'], `state machine \`${name}\` ${problem}`, hint));
  }
  if (config.functions !== undefined) {
    if (!isObject(config.functions)) fail(['functions'], '`functions` must map each function name to its handler', 'e.g. functions: { charge: { handler: functions/charge.mjs } }');
    for (const [name, fn] of Object.entries(config.functions as Record<string, FunctionConfig>)) {
      const at = ['functions', name];
      if (!FUNCTION_KEY.test(name)) fail(at, `\`${name}\` is not a Lambda function name`, 'use 1 to 64 letters, digits, - and _', true);
      onlyKnown(fn, at, KNOWN_FIELDS.function, `of function \`${name}\``);
      if (!isObject(fn) || fn.handler === undefined) fail(at, `function \`${name}\` has no \`handler\``, `add handler: functions/${name}.mjs (a module exporting handler)`);
      confined([...at, 'handler'], fn.handler, `the handler of \`${name}\``);
      for (const field of ['timeoutSeconds', 'memoryMB'] as const) {
        const value = fn[field];
        if (value !== undefined && (typeof value !== 'number' || !(value > 0))) fail([...at, field], `${field} of \`${name}\` must be a positive number`, field === 'timeoutSeconds' ? 'Lambda allows 1 to 900 seconds' : 'Lambda allows 128 to 10240 MB');
      }
      if (fn.aws !== undefined && fn.aws !== 'local' && fn.aws !== 'real') fail([...at, 'aws'], `aws of \`${name}\` is \`${String(fn.aws)}\``, 'use local (the emulator\'s account, the default) or real');
    }
  }
  if (config.mocks !== undefined) confined(['mocks'], config.mocks, 'the mocks file');
  if (config.targets !== undefined && !isObject(config.targets)) fail(['targets'], '`targets` must map each target name to its settings', 'e.g. targets: { prod: { region: eu-west-1 } }');
  const targets = (config.targets ?? {}) as Record<string, TargetConfig>;
  if (!targets.local) targets.local = { kind: 'local' };
  for (const [name, target] of Object.entries(targets)) {
    if (!isObject(target)) fail(['targets', name], `target \`${name}\` must be a mapping`, 'e.g. region: eu-west-1, profile: default');
    onlyKnown(target, ['targets', name], KNOWN_FIELDS.target, `of target \`${name}\``);
    onlyKnown(target.logging, ['targets', name, 'logging'], KNOWN_FIELDS.logging, `under the \`logging\` of target \`${name}\``);
    target.kind ??= name === 'local' ? 'local' : 'aws';
    checkLogging(target.logging, (problem, hint) => fail(['targets', name, 'logging'], `target \`${name}\` ${problem}`, hint));
  }
  return { ...config, name: config.name as string, stateMachines: config.stateMachines as Record<string, StateMachineConfig>, targets } as ProjectConfig;
}

/** AWS's state machine names: 1-80 characters, none of whitespace, brackets, wildcards, `"#%\\^|~\`$&,;:/` or control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what the rule excludes
const MACHINE_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;
/** Lambda's function names. */
const FUNCTION_KEY = /^[A-Za-z0-9_-]{1,64}$/;

const isObject = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);

const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'];

function checkLogging(logging: unknown, fail: (problem: string, hint: string) => never): void {
  if (logging === undefined) return;
  const config = logging as Partial<LoggingConfig> | null;
  const level = typeof config?.level === 'string' ? config.level.toUpperCase() : undefined;
  if (!config || typeof config !== 'object' || !level || !LOG_LEVELS.includes(level)) {
    fail('has `logging` without a level', 'e.g. logging: { level: ALL, includeExecutionData: true } (levels: ALL, ERROR, FATAL, OFF)');
  }
  config!.level = level as LoggingConfig['level'];
  if (config!.logGroupArn !== undefined && !/^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:[^:]+(:\*)?$/.test(String(config!.logGroupArn))) {
    fail(`has logGroupArn \`${String(config!.logGroupArn)}\`, which is not a log group ARN`, 'expected arn:aws:logs:<region>:<account>:log-group:<name>:*, or give its name as logGroup');
  }
  if (config!.retentionInDays !== undefined && !LOG_RETENTION_DAYS.includes(config!.retentionInDays)) {
    fail(`has \`retentionInDays: ${String(config!.retentionInDays)}\`, which is not a retention CloudWatch Logs offers`, `use one of ${LOG_RETENTION_DAYS.join(', ')} (days), or leave it out to keep the events forever`);
  }}
