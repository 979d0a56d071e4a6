import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { WorkflowType } from '../asl/types.js';
import { LOG_RETENTION_DAYS } from '../aws/execution-logs.js';
import { UsageError } from '../ui/errors.js';

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
      hint: 'run `deliv init` to create a project, or pass a definition file',
    });
  }
  const file = path.join(root, PROJECT_FILE);
  return { root, file, config: parseProjectConfig(readFileSync(file, 'utf8'), file) };
}

/** Like loadProject, but undefined outside a project. */
export function tryLoadProject(start: string = process.cwd()): Project | undefined {
  return findProjectRoot(start) ? loadProject(start) : undefined;
}

export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new UsageError(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax at that line',
    });
  }
  if (!isMap(document.contents)) {
    throw new UsageError(`${file}: expected a mapping with name, stateMachines and targets`);
  }
  const raw = document.toJS() as Partial<ProjectConfig>;
  const where = (key: string) => {
    const node = document.get(key, true) as { range?: [number, number] } | undefined;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (typeof raw.name !== 'string' || raw.name === '') {
    throw new UsageError(`${file}: missing the project \`name\``);
  }
  if (!raw.stateMachines || typeof raw.stateMachines !== 'object') {
    throw new UsageError(`${file}: missing \`stateMachines\``, { hint: 'list each state machine with its definition file' });
  }
  for (const [name, machine] of Object.entries(raw.stateMachines)) {
    if (!machine || typeof machine.definition !== 'string') {
      throw new UsageError(`${where('stateMachines')}: state machine \`${name}\` has no \`definition\` file`);
    }
    const type = (machine.type ?? 'STANDARD').toUpperCase();
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw new UsageError(`${where('stateMachines')}: state machine \`${name}\` has type \`${machine.type}\``, {
        hint: 'use STANDARD or EXPRESS',
      });
    }
    machine.type = type;
    checkLogging(machine.logging, `${where('stateMachines')}: state machine \`${name}\``);
  }
  const targets = raw.targets ?? {};
  if (!targets.local) targets.local = { kind: 'local' };
  for (const [name, target] of Object.entries(targets)) {
    target.kind ??= name === 'local' ? 'local' : 'aws';
    checkLogging(target.logging, `${where('targets')}: target \`${name}\``);
  }
  return { ...raw, name: raw.name, stateMachines: raw.stateMachines, targets } as ProjectConfig;
}

const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'];

function checkLogging(logging: unknown, owner: string): void {
  if (logging === undefined) return;
  const config = logging as Partial<LoggingConfig> | null;
  const level = typeof config?.level === 'string' ? config.level.toUpperCase() : undefined;
  if (!config || typeof config !== 'object' || !level || !LOG_LEVELS.includes(level)) {
    throw new UsageError(`${owner} has \`logging\` without a level`, { hint: 'e.g. logging: { level: ALL, includeExecutionData: true } (levels: ALL, ERROR, FATAL, OFF)' });
  }
  config.level = level as LoggingConfig['level'];
  if (config.logGroupArn !== undefined && !/^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:[^:]+(:\*)?$/.test(String(config.logGroupArn))) {
    throw new UsageError(`${owner}: \`${String(config.logGroupArn)}\` is not a log group ARN`, { hint: 'expected arn:aws:logs:<region>:<account>:log-group:<name>:*, or give its name as logGroup' });
  }
  if (config.retentionInDays !== undefined && !LOG_RETENTION_DAYS.includes(config.retentionInDays)) {
    throw new UsageError(`${owner}: \`retentionInDays: ${String(config.retentionInDays)}\` is not a retention CloudWatch Logs offers`, {
      hint: `use one of ${LOG_RETENTION_DAYS.join(', ')} (days), or leave it out to keep the events forever`,
    });
  }
}
