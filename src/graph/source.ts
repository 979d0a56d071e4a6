import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from '../asl/types.js';
import { resolveTarget, type TargetFlags } from '../aws/target.js';
import { findStateMachineArn, listExecutions, readHistory } from '../aws/sfn.js';
import { connect } from '../local/connect.js';
import { PROJECT_FILE, tryLoadProject, type Project } from '../project/config.js';
import { DEFINITION_EXTENSIONS, loadDefinitionFile, parseDefinition } from '../project/definition.js';
import { DelivError, UsageError } from '../ui/errors.js';
import { notKnownError } from '../ui/suggest.js';
import { summarizeExecution, type ExecutionSummary } from './execution.js';

/** What `deliv graph` draws: a machine of the project, or a bare definition file. */
export interface GraphSource {
  title: string;
  /** The definition file, relative to the working directory (or the execution's machine ARN). */
  source: string;
  definition: StateMachineDefinition;
  /** `${Name}` placeholders left without a value: drawn as written. */
  unresolved: string[];
  project?: Project;
  /** The deployed name (the deliv.yaml key, or the file's base name for a bare file). */
  machineName?: string;
}

export interface SourceOptions extends TargetFlags {
  /** `--sub Name=value`, over the target's substitutions. */
  substitutions?: Record<string, string>;
  cwd?: string;
}

function isDefinitionFile(arg: string, cwd = process.cwd()): boolean {
  if (DEFINITION_EXTENSIONS.some((extension) => arg.endsWith(extension)) || /\.(json|ya?ml)$/.test(arg)) return true;
  const file = path.resolve(cwd, arg);
  return existsSync(file) && statSync(file).isFile();
}

/** Finds the definition to draw: `NAME` in deliv.yaml, a `FILE` anywhere, or the project's only machine. */
export function resolveGraphSource(arg: string | undefined, options: SourceOptions = {}): GraphSource {
  const cwd = options.cwd ?? process.cwd();
  const project = tryLoadProject(cwd);
  if (arg !== undefined && isDefinitionFile(arg, cwd)) return fromFile(arg, project, options, cwd);
  if (!project) {
    throw new UsageError(arg ? `\`${arg}\` is not a definition file, and there is no deliv.yaml here to name machines` : 'nothing to draw: no deliv.yaml here and no definition file given', {
      code: 'PROJECT_NOT_FOUND',
      hint: 'pass a .asl.json or .asl.yaml file, or run inside a deliv project',
    });
  }
  const names = Object.keys(project.config.stateMachines);
  const name = arg ?? (names.length === 1 ? names[0] : undefined);
  if (!name) {
    throw new UsageError(`${project.file} has ${names.length} state machines; say which one to draw`, {
      hint: `deliv graph ${names[0] ?? 'NAME'}   (known: ${names.join(', ') || 'none'})`,
    });
  }
  const machine = project.config.stateMachines[name];
  if (!machine) {
    throw notKnownError('state machine', name, names, PROJECT_FILE);
  }
  const target = resolveTarget(project, options);
  const file = path.resolve(project.root, machine.definition);
  const loaded = loadDefinitionFile(file, { ...target.substitutions, ...options.substitutions });
  return { title: name, source: path.relative(cwd, file) || file, definition: loaded.definition, unresolved: loaded.unresolved, project, machineName: name };
}

function fromFile(arg: string, project: Project | undefined, options: SourceOptions, cwd: string): GraphSource {
  const file = path.resolve(cwd, arg);
  // The file of one of the project's machines gets that machine's name and its target's substitutions.
  const machineName = project
    ? Object.entries(project.config.stateMachines).find(([, machine]) => path.resolve(project.root, machine.definition) === file)?.[0]
    : undefined;
  const targetSubstitutions = machineName ? resolveTarget(project, options).substitutions : {};
  const loaded = loadDefinitionFile(file, { ...targetSubstitutions, ...options.substitutions });
  // `statemachine.asl.yaml` in a template folder is better known by its folder.
  const fileName = path.basename(file).replace(/(\.asl)?\.(json|ya?ml)$/, '');
  const baseName = /^(state-?machine|definition)$/i.test(fileName) ? path.basename(path.dirname(file)) : fileName;
  return {
    title: machineName ?? baseName,
    source: path.relative(cwd, file) || file,
    definition: loaded.definition,
    unresolved: loaded.unresolved,
    project: machineName ? project : undefined,
    machineName: machineName ?? baseName,
  };
}

export interface ExecutionOptions extends TargetFlags {
  /** An execution ARN, or `latest` for the newest execution of the machine. */
  execution: string;
  /** Progress for stderr (e.g. that the local emulator was started). */
  note?: (text: string) => void;
  cwd?: string;
}

/** Reads an execution's history from the target (local emulator or AWS) and summarises what each state did. */
export async function loadExecution(source: GraphSource, options: ExecutionOptions): Promise<ExecutionSummary> {
  const project = source.project ?? tryLoadProject(options.cwd ?? process.cwd());
  const { sfn, target } = await connect(project, options, options.note ?? (() => {}));
  try {
    const executionArn = await executionArnFor(sfn, source, options.execution);
    const events = await readHistory(sfn, executionArn);
    return summarizeExecution(events, { executionArn });
  } catch (error) {
    throw explainServiceError(error, target.name);
  } finally {
    sfn.destroy();
  }
}

async function executionArnFor(sfn: SFNClient, source: GraphSource, execution: string): Promise<string> {
  if (execution !== 'latest') return execution;
  if (!source.machineName) throw new UsageError('--execution latest needs the state machine: pass its NAME or FILE');
  const machineArn = await findStateMachineArn(sfn, source.machineName);
  const [newest] = await listExecutions(sfn, machineArn, { limit: 1 });
  if (!newest?.executionArn) {
    throw new DelivError(`\`${source.machineName}\` has no executions yet`, { hint: `start one with \`deliv start ${source.machineName}\``, code: 'NO_EXECUTIONS' });
  }
  return newest.executionArn;
}

/** `--execution` takes an ARN or `latest`; anything else is a usage error before any call is made. */
export function checkExecutionFlag(execution: string): void {
  if (execution !== 'latest' && !execution.startsWith('arn:')) {
    throw new UsageError(`--execution takes an execution ARN or \`latest\`, not \`${execution}\``, {
      hint: 'list executions with `deliv logs`, or use --execution latest',
    });
  }
}

/** The definition an execution ran, from the service itself, for `deliv graph --execution ARN` with no file at hand. */
export async function sourceFromExecution(options: ExecutionOptions): Promise<GraphSource> {
  const { sfn, target } = await connect(undefined, options, options.note ?? (() => {}));
  try {
    const { DescribeStateMachineForExecutionCommand } = await import('@aws-sdk/client-sfn');
    const described = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: options.execution }));
    const loaded = parseDefinition(described.definition ?? '{}', described.stateMachineArn ?? options.execution);
    return { title: described.name ?? 'state machine', source: described.stateMachineArn ?? options.execution, definition: loaded.definition, unresolved: [] };
  } catch (error) {
    throw explainServiceError(error, target.name);
  } finally {
    sfn.destroy();
  }
}

/** The service errors this command expects (unreachable endpoints and credentials are explained by the client factory). */
function explainServiceError(error: unknown, targetName: string): unknown {
  const name = (error as { name?: string }).name ?? '';
  if (name === 'ExecutionDoesNotExist') {
    return new DelivError(`no such execution on target \`${targetName}\``, { hint: 'check the ARN, the --target and the region', code: 'EXECUTION_NOT_FOUND' });
  }
  if (name === 'InvalidArn') return new UsageError(`not a valid execution ARN: ${(error as Error).message}`, { code: 'INVALID_ARN' });
  return error;
}
