/**
 * `deliv cost` as a library call: what to price (project machines or bare
 * definition files), the workload, the prices, and the estimate with its
 * assumptions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowType } from '../asl/types.js';
import { LOCAL_REGION } from '../aws/clients.js';
import { resolveTarget, type ResolvedTarget } from '../aws/target.js';
import { machineLogging } from '../deploy/logging.js';
import { tryLoadProject, type Project } from '../project/config.js';
import { DEFINITION_EXTENSIONS, loadDefinitionFile, renderStateMachine, type LoadedDefinition } from '../project/definition.js';
import { DelivError, UsageError } from '../ui/errors.js';
import type { BudgetVerdict, CostReport, PricedMachine } from './types.js';
import { costCurves, estimate, type Estimate, type EstimateInput, type FunctionSpec, type MachineSpec, type TokenSpec } from './estimate.js';
import { defaultCacheDir, loadPrices } from './prices/index.js';
import type { PriceSource, PricingService } from './prices/types.js';
import { loadUsageFile, machineUsage, mergeCostConfig, validateCostConfig, type CostConfig } from './usage/config.js';
import { modelMachine, type Durations } from './usage/model.js';
import type { MeasuredUsage } from './usage/measured.js';
import { estimatedLogVolume, measuredLogVolume, payloadText, type LogSettings } from './usage/logs.js';
import { bedrockModelKey } from './estimate.js';
import { Decimal } from './decimal.js';
import { checkoutAt, diffReports, type CostDiff } from './diff.js';
import { allCalls, applyMeasured, bedrockTokens, DEFAULT_TOKENS, expressMemory, formatNumber, LEGACY_MODELS, linkNestedExecutions, overlayMeasuredChildren, readMockConfig, type MeasuredNotes } from './inputs.js';

export const DEFAULT_EXECUTIONS_PER_MONTH = 100_000;
export const DEFAULT_FUNCTION: FunctionSpec = { memoryMB: 128, durationMs: 100, architecture: 'x86_64' };
export { DEFAULT_TOKENS } from './inputs.js';
export type { BudgetVerdict, CostReport, PricedMachine } from './types.js';

export interface CostOptions {
  /** Machine names of the project, or definition files. Empty: every machine of the project. */
  subjects: string[];
  project?: Project;
  cwd: string;
  executions?: number;
  type?: 'standard' | 'express' | 'both';
  region?: string;
  usageFile?: string;
  fromExecutions?: boolean;
  /** How many recent executions --from-executions reads per machine. */
  executionsToRead?: number;
  freeTier?: 'always' | 'none';
  offline?: boolean;
  refresh?: boolean;
  chart?: boolean;
  target?: string;
  /** Monthly budget in USD (wins over cost.maxMonthly). */
  maxMonthly?: number;
  /** A git ref: price the project there too and report the change. */
  diff?: string;
  /** Definitions (ASL JSON) to price instead of rendering the project's files, by machine name: what is deployed, what a deploy sends. */
  definitions?: Record<string, string>;
  /** Progress lines (stderr). */
  note?: (text: string) => void;
  /** Measures histories; injected by the command (it needs the SFN client and the emulator). */
  measure?: (machine: string, limit: number) => Promise<MeasuredUsage | undefined>;
}

function budgetVerdict(result: Estimate, limit: number, source: BudgetVerdict['source']): BudgetVerdict {
  const total = result.scenarios[0].total;
  const cap = Decimal.of(String(limit));
  const notPriced = result.scenarios[0].items.filter((item) => item.notPriced !== undefined).length;
  return { limit: cap, total, over: total.gt(cap), source, notPriced };
}

function isDefinitionFile(subject: string, cwd: string): boolean {
  if (DEFINITION_EXTENSIONS.some((extension) => subject.endsWith(extension)) || /\.(json|ya?ml)$/.test(subject)) return true;
  const file = path.resolve(cwd, subject);
  return existsSync(file) && statSync(file).isFile();
}

function readSampleEvents(project: Project, folder: string | undefined): unknown[] {
  if (!folder) return [];
  const dir = path.resolve(project.root, folder);
  if (!existsSync(dir)) return [];
  const samples: unknown[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    try {
      samples.push(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    } catch {
      // A broken sample is `deliv validate`'s business; the estimate just does without it.
    }
  }
  return samples;
}

interface Subject {
  name: string;
  file: string;
  loaded: LoadedDefinition;
  declaredType: WorkflowType;
  samples: unknown[];
  bare: boolean;
}

export async function runCost(options: CostOptions): Promise<CostReport> {
  const report = await estimateProject(options);
  if (options.diff !== undefined) report.diff = await diffAgainst(options, options.diff, report);
  return report;
}

/**
 * The change a deploy makes to the monthly bill: the machines as deployed
 * against what the deploy sends, priced with the project's workload and the
 * bundled prices (a deploy does not wait on the Pricing API).
 */
export async function deployCostDelta(project: Project, target: string | undefined, machines: Array<{ name: string; before?: string; after: string }>): Promise<{ before: Decimal; after: Decimal; delta: Decimal; line: string }> {
  const base = { project, cwd: project.root, target, offline: true } satisfies Partial<CostOptions>;
  const deployed = machines.filter((machine) => machine.before !== undefined);
  const after = await estimateProject({ ...base, subjects: machines.map((machine) => machine.name), definitions: Object.fromEntries(machines.map((machine) => [machine.name, machine.after])) });
  const before = deployed.length > 0 ? (await estimateProject({ ...base, subjects: deployed.map((machine) => machine.name), definitions: Object.fromEntries(deployed.map((machine) => [machine.name, machine.before!])) })).estimate.scenarios[0].total : Decimal.ZERO;
  const now = after.estimate.scenarios[0].total;
  const delta = now.sub(before);
  const { formatUsd } = await import('./report.js');
  const sign = delta.isNegative() ? '' : '+';
  const line = `Cost: ${formatUsd(before)} → ${formatUsd(now)} a month (${sign}${formatUsd(delta)}) at the workload of deliv.yaml, bundled prices; \`deliv cost --diff\` for the detail`;
  return { before, after: now, delta, line };
}

/** Prices the project as it was at `ref` with the same options, and compares it with `report`. */
async function diffAgainst(options: CostOptions, ref: string, report: CostReport): Promise<CostDiff> {
  if (!options.project) {
    throw new UsageError('--diff compares the project at a git ref with the working tree, and there is no deliv.yaml here', { hint: 'run it in a project folder under git', code: 'PROJECT_NOT_FOUND' });
  }
  const checkout = checkoutAt(options.project.root, ref);
  try {
    const project = existsSync(path.join(checkout.root, path.basename(options.project.file))) ? tryLoadProject(checkout.root) : undefined;
    const subjects = options.subjects.filter((subject) => project?.config.stateMachines[subject]);
    const before = project
      ? await estimateProject({ ...options, subjects, project, cwd: checkout.root, chart: false, fromExecutions: false, measure: undefined, usageFile: options.usageFile && path.resolve(options.cwd, options.usageFile) })
      : undefined;
    return diffReports(ref, before, report);
  } catch (error) {
    if (error instanceof DelivError) throw new DelivError(`at ${ref}: ${error.message}`, { exitCode: error.exitCode, hint: error.hint, code: error.code });
    throw error;
  } finally {
    checkout.cleanup();
  }
}

async function estimateProject(options: CostOptions): Promise<CostReport> {
  const { project } = options;
  const assumptions: string[] = [];
  const warnings: string[] = [];
  const projectCost = project ? validateCostConfig(project.config.cost, `${project.file} (cost)`) : {};
  const config: CostConfig = options.usageFile ? mergeCostConfig(projectCost, loadUsageFile(path.resolve(options.cwd, options.usageFile))) : projectCost;

  const target = project || options.target ? resolveTarget(project, { target: options.target, region: options.region }) : undefined;
  const targetName = target && project?.config.targets[target.name] ? target.name : 'local';

  const subjects = resolveSubjects(options, target?.substitutions ?? {}, targetName);
  if (subjects.some((subject) => subject.bare)) {
    assumptions.push(
      `bare definition files: priced as STANDARD workflows (see the comparison for Express); every Task a Lambda of ${DEFAULT_FUNCTION.memoryMB} MB and ${DEFAULT_FUNCTION.durationMs} ms unless its resource says otherwise; service integrations not estimated`,
    );
  }
  for (const subject of subjects) {
    if (subject.loaded.unresolved.length > 0) {
      warnings.push(`${subject.name}: unresolved placeholders ${subject.loaded.unresolved.map((name) => `\${${name}}`).join(', ')} (Lambda functions named after them)`);
    }
  }

  const region = options.region ?? config.region ?? (target && !target.local ? target.region : undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? LOCAL_REGION;
  const functionSpec = functionSpecs(project, config);
  const mocks = project ? readMockConfig(project, warnings) : undefined;
  const durations = {
    lambdaMs: (name: string) => functionSpec(name).durationMs,
    bedrockMs: config.bedrock?.durationMs ?? 2_000,
    integrationMs: config.integrationDurationMs ?? 50,
  };
  const costConfig = config;
  const machines: MachineSpec[] = [];
  const priced: PricedMachine[] = [];
  const measuredTokens = new Map<string, TokenSpec & { calls: number }>();
  const measuredByMachine = new Map<string, MeasuredUsage>();
  // A started machine runs as it does on its own: its usage file figures (express.memoryMB, express.durationMs) and
  // its sample events count for the executions another machine starts, as for its own.
  const modelOf = (name: string) => {
    const known = machines.find((machine) => machine.name === name);
    if (known) return { model: { ...known.model, durations: known.expressDurations ?? known.model.durations }, type: known.declaredType, memoryMB: known.expressMemoryMB };
    const config = project?.config.stateMachines[name];
    if (!project || !config) return undefined;
    const loaded = renderStateMachine(project, name, targetName);
    const usage = machineUsage(costConfig, name);
    const samples = readSampleEvents(project, config.events);
    const model = modelMachine({ definition: loaded.definition, hints: usage, sampleInputs: samples, durations, payloadKB: usage.payloadKB });
    if (usage.express?.durationMs !== undefined) model.durations = [[1, usage.express.durationMs]];
    return { model, type: config.type, memoryMB: usage.express?.memoryMB ?? expressMemory(loaded.definition, model, usage.payloadKB, samples).memoryMB };
  };
  for (const subject of subjects) {
    const usage = machineUsage(config, subject.name);
    const model = modelMachine({
      definition: subject.loaded.definition,
      hints: usage,
      sampleInputs: subject.samples,
      durations,
      payloadKB: usage.payloadKB,
    });
    for (const text of model.assumptions) assumptions.push(`${subject.name}: ${text}`);
    for (const text of model.warnings) warnings.push(`${subject.name}: ${text}`);
    const staticTransitions = model.transitions;
    let measuredExecutions: number | undefined;
    let measuredHistories: MeasuredUsage['histories'];
    if (options.fromExecutions && subject.bare) {
      warnings.push(`${subject.name}: a bare file has no deployed executions to measure; static estimate used`);
    } else if (options.fromExecutions) {
      const { measured, unreadable } = await measureSubject(options, subject.name);
      if (unreadable) {
        warnings.push(`${subject.name}: ${unreadable}; static estimate used`);
      } else if (measured) {
        measuredExecutions = measured.executions;
        measuredHistories = measured.histories;
        const said = applyMeasured(model, measured, modelOf);
        for (const note of said.notes) assumptions.push(`${subject.name}: ${note}`);
        for (const warning of said.warnings) warnings.push(`${subject.name}: ${warning}`);
        measuredByMachine.set(subject.name, measured);
        if (measured.tokens) for (const [modelId, tokens] of Object.entries(measured.tokens)) measuredTokens.set(modelId, tokens);
        assumptions.push(`${subject.name}: transitions, every Lambda and integration call (retries and compensations included) and durations measured from ${measured.executions} recent execution(s)`);
      } else {
        warnings.push(`${subject.name}: no executions to measure on the target; static estimate used`);
      }
    }
    const executionsPerMonth = options.executions ?? usage.executionsPerMonth ?? DEFAULT_EXECUTIONS_PER_MONTH;
    const memory = expressMemory(subject.loaded.definition, model, usage.payloadKB, subject.samples);
    const expressMemoryMB = usage.express?.memoryMB ?? memory.memoryMB;
    if (usage.express?.memoryMB === undefined) assumptions.push(`${subject.name}: Express memory ${memory.text}`);
    const expressDurationMs = usage.express?.durationMs ?? model.durationMs;
    const expressDurations: Durations = usage.express?.durationMs !== undefined ? [[1, usage.express.durationMs]] : model.durations;
    const logs = project && target && !subject.bare ? executionLogs({ project, target, subject, model, region, payloadKB: usage.payloadKB, histories: measuredHistories, assumptions, warnings }) : undefined;
    machines.push({
      name: subject.name,
      declaredType: subject.declaredType,
      model,
      executionsPerMonth,
      expressMemoryMB,
      expressDurationMs,
      expressDurations,
      measuredFrom: measuredExecutions ? { executions: measuredExecutions } : undefined,
      ...(logs ? { logs } : {}),
    });
    if (model.durations.length > 1 && usage.express?.durationMs === undefined) {
      assumptions.push(`${subject.name}: Express duration priced over ${model.durations.length} ${measuredExecutions ? 'measured runs' : 'paths'}, each rounded up to 100 ms (mean ${Math.round(model.durationMs)} ms)`);
    }
    priced.push({
      name: subject.name,
      file: subject.file,
      declaredType: subject.declaredType,
      executionsPerMonth,
      transitionsPerExecution: model.transitions,
      transitionsSource: measuredExecutions ? 'measured' : 'static',
      measuredExecutions,
      staticTransitions: measuredExecutions ? staticTransitions : undefined,
      expressMemoryMB,
      expressDurationMs,
      ...(logs
        ? {
            logs: {
              ...logs.settings,
              events: logs.volume.events,
              bytesPerExecution: Math.round(logs.volume.bytes),
              storedBytesPerExecution: Math.round(logs.volume.storedBytes),
              source: logs.volume.source,
            },
          }
        : {}),
      calls: model.calls.map((call) => ({
        kind: call.call.kind,
        name: call.call.kind === 'lambda' ? call.call.functionName : call.call.kind === 'bedrock' ? call.call.modelId : call.key,
        states: call.states,
        perExecution: call.perExecution,
      })),
    });
  }
  if (options.executions === undefined && machines.some((machine) => !config.stateMachines?.[machine.name]?.executionsPerMonth && config.executionsPerMonth === undefined)) {
    assumptions.push(`${DEFAULT_EXECUTIONS_PER_MONTH.toLocaleString('en-US')} executions a month (set --executions, or executionsPerMonth in deliv.yaml cost: or the usage file)`);
  }
  linkNestedExecutions(machines, modelOf, assumptions, warnings);
  // The startExecution children the measured runs started, read from their own histories, replace the started machine's model.
  for (const machine of machines) {
    const measured = measuredByMachine.get(machine.name);
    if (!measured) continue;
    const said: MeasuredNotes = { notes: [], warnings: [] };
    overlayMeasuredChildren(machine.model, measured, 'execution', said, modelOf);
    for (const note of said.notes) assumptions.push(`${machine.name}: ${note}`);
    for (const warning of said.warnings) warnings.push(`${machine.name}: ${warning}`);
  }
  const lambdaNames = new Set(machines.flatMap((machine) => allCalls(machine).filter((call) => call.call.kind === 'lambda').map((call) => (call.call as { functionName: string }).functionName)));
  for (const name of lambdaNames) {
    if (!project?.config.functions?.[name] && !config.functions?.[name]) {
      const spec = functionSpec(name);
      assumptions.push(`Lambda ${name}: ${spec.memoryMB} MB, ${spec.durationMs} ms, ${spec.architecture} (default; set functions.${name} in the usage file)`);
    }
  }
  for (const machine of machines) {
    if (machine.model.children.length === 0) continue;
    for (const child of machine.model.children) {
      const t = child.model.transitions.expected;
      assumptions.push(
        `${machine.name}: ${formatNumber(child.perExecution)} child execution(s) of ${child.label} per execution, billed as ${child.type} executions of their own` +
          (child.type === 'STANDARD' ? ` (${formatNumber(t)} transitions each)` : ` (${Math.round(child.model.durationMs)} ms each on average)`),
      );
    }
  }
  const bedrockModels = new Set(machines.flatMap((machine) => allCalls(machine).filter((call) => call.call.kind === 'bedrock').map((call) => (call.call as { modelId: string }).modelId)));
  const tokens = bedrockTokens({ machines, config, mocks, measured: measuredTokens, assumptions });
  const tokenSpec = (modelId: string): TokenSpec => tokens.get(modelId) ?? { ...DEFAULT_TOKENS };
  for (const modelId of bedrockModels) {
    const legacy = LEGACY_MODELS.find(([pattern]) => pattern.test(modelId));
    if (legacy) warnings.push(`Bedrock ${modelId}: ${legacy[1]}`);
  }

  const logged = machines.some((machine) => machine.logs);
  const services = pricingServices(lambdaNames.size > 0, bedrockModels, logged);

  const prices = await loadPrices({ region, services, offline: options.offline, refresh: options.refresh, cacheDir: defaultCacheDir(project?.root) });
  const copied = copiedRatesNote(prices.sources, region);
  if (copied) assumptions.push(copied);
  const freeTierSetting = options.freeTier ?? config.freeTier ?? 'always';
  const input: EstimateInput = {
    machines,
    functionSpec,
    tokenSpec,
    prices,
    freeTier: freeTierSetting === 'always',
    type: options.type ?? 'declared',
  };
  if (input.freeTier) {
    assumptions.push(
      `always-free tier applied once for the account, shared by every machine in every view: 4,000 state transitions, 1M Lambda requests and 400,000 GB-s a month${logged ? ', and 5 GB of CloudWatch Logs data (ingestion and archive storage draw on the same 5 GB, ingestion first)' : ''}`,
    );
  }
  if (logged) {
    assumptions.push(
      'CloudWatch Logs: Step Functions execution logs are billed at the vended-logs rate (tiered, per GB ingested, tiers shared by every machine) and stored compressed (per GB-month); each log event counts as its message in UTF-8 plus 26 bytes; 1 GB = 2^30 bytes; Logs Insights queries and the CloudWatch Logs charges of the Lambda functions themselves are not included',
    );
  }
  assumptions.push('Standard transitions: every state entered (inside Parallel branches and Map iterations too) and every retry; the start and the end of an execution are not billed as transitions');
  if (!machines.some((machine) => Object.keys(machineUsage(config, machine.name).failureRates ?? {}).length > 0) && !options.fromExecutions) {
    assumptions.push('no failures: retries and Catch paths are counted only for states given failureRates in the usage file');
  }
  const result = estimate(input);
  const budgetLimit = options.maxMonthly ?? config.maxMonthly;
  return {
    region,
    currency: 'USD',
    freeTier: input.freeTier,
    prices: prices.sources,
    machines: priced,
    estimate: result,
    chart: options.chart ? costCurves(input) : undefined,
    assumptions,
    warnings,
    budget: budgetLimit === undefined ? undefined : budgetVerdict(result, budgetLimit, options.maxMonthly !== undefined ? '--max-monthly' : 'cost.maxMonthly'),
  };
}

/**
 * The machines to price: names of deliv.yaml (rendered for the target, or the
 * definition a deploy is about to send) and bare definition files (filled with
 * the target's substitutions). Anything else is a usage error.
 */
function resolveSubjects(options: CostOptions, substitutions: Record<string, string>, targetName: string): Subject[] {
  const { project } = options;
  const subjects: Subject[] = [];
  const requested = options.subjects.length > 0 ? options.subjects : project ? Object.keys(project.config.stateMachines) : [];
  if (requested.length === 0 && project) throw new UsageError(`${project.file} declares no state machines`, { hint: 'add one under `stateMachines:`, or pass a file: deliv cost statemachine.asl.json' });
  if (requested.length === 0) {
    throw new UsageError(`no deliv.yaml in ${options.cwd} or above, and no definition file given`, {
      hint: 'run it in a project, or pass a file: deliv cost statemachine.asl.json',
      code: 'PROJECT_NOT_FOUND',
    });
  }
  for (const subject of requested) {
    if (project?.config.stateMachines[subject]) {
      const machine = project.config.stateMachines[subject];
      const given = options.definitions?.[subject];
      subjects.push({
        name: subject,
        file: machine.definition,
        loaded: given !== undefined ? { ...renderStateMachine(project, subject, targetName), definition: JSON.parse(given) as LoadedDefinition['definition'] } : renderStateMachine(project, subject, targetName),
        declaredType: machine.type,
        samples: readSampleEvents(project, machine.events),
        bare: false,
      });
    } else if (isDefinitionFile(subject, options.cwd)) {
      const file = path.resolve(options.cwd, subject);
      const loaded = loadDefinitionFile(file, substitutions);
      const name = path.basename(file).replace(/\.asl\.(json|ya?ml)$|\.(json|ya?ml)$/, '');
      subjects.push({ name, file: subject, loaded, declaredType: 'STANDARD', samples: [], bare: true });
    } else {
      throw new UsageError(`\`${subject}\` is neither a state machine of ${project ? project.file : 'a project'} nor a definition file`, {
        hint: project ? `known machines: ${Object.keys(project.config.stateMachines).join(', ')}` : 'pass the path of an .asl.json or .asl.yaml file',
        code: project ? 'STATE_MACHINE_NOT_FOUND' : 'FILE_NOT_FOUND',
      });
    }
  }
  return subjects;
}

/** Each function's size and duration, resolved once: the usage file, then deliv.yaml's functions, then cost.lambda, then the defaults. */
export function functionSpecs(project: Project | undefined, config: CostConfig): (name: string) => FunctionSpec {
  return (name) => {
    const fromProject = project?.config.functions?.[name];
    const fromUsage = config.functions?.[name];
    return {
      memoryMB: fromUsage?.memoryMB ?? fromProject?.memoryMB ?? config.lambda?.memoryMB ?? DEFAULT_FUNCTION.memoryMB,
      durationMs: fromUsage?.durationMs ?? fromProject?.durationMs ?? config.lambda?.durationMs ?? DEFAULT_FUNCTION.durationMs,
      architecture: fromUsage?.architecture ?? fromProject?.architecture ?? config.lambda?.architecture ?? DEFAULT_FUNCTION.architecture,
    };
  };
}

/** The price lists an estimate needs: Step Functions always, Lambda when a machine calls one, and the Bedrock list each model is sold in. */
export function pricingServices(callsLambda: boolean, bedrockModels: Iterable<string>, logs = false): PricingService[] {
  const services: PricingService[] = ['AmazonStates'];
  if (callsLambda) services.push('AWSLambda');
  if (logs) services.push('AmazonCloudWatch');
  const modelKeys = [...bedrockModels].map(bedrockModelKey);
  if (modelKeys.includes('claude-3-haiku')) services.push('AmazonBedrock');
  if (modelKeys.some((key) => key && key !== 'claude-3-haiku')) services.push('AmazonBedrockFoundationModels');
  return services;
}

/** A machine's usage measured from its recent executions; a machine whose executions cannot be read (an Express one that does not log) says why instead. */
async function measureSubject(options: CostOptions, name: string): Promise<{ measured?: Awaited<ReturnType<NonNullable<CostOptions['measure']>>>; unreadable?: string }> {
  try {
    return { measured: options.measure ? await options.measure(name, options.executionsToRead ?? 20) : undefined };
  } catch (error) {
    if (!(error instanceof DelivError)) throw error;
    return { unreadable: `${error.message}${error.hint ? ` (${error.hint})` : ''}` };
  }
}

/**
 * What a machine that logs its executions on AWS writes to CloudWatch Logs
 * per execution, with the settings deliv.yaml gives it there: measured from
 * the histories read for --from-executions, else estimated from the walk's
 * expected events. The emulator's own Express logging costs nothing, so a
 * local target counts only logging a machine declares itself.
 */
function executionLogs(context: {
  project: Project;
  target: ResolvedTarget;
  subject: Subject;
  model: ReturnType<typeof modelMachine>;
  region: string;
  payloadKB?: number;
  histories?: MeasuredUsage['histories'];
  assumptions: string[];
  warnings: string[];
}): MachineSpec['logs'] {
  const { project, target, subject, model } = context;
  if (!project.config.stateMachines[subject.name]) return undefined;
  const logging = machineLogging(project, { ...target, local: false }, subject.name);
  if (!logging) return undefined;
  const settings: LogSettings = { level: logging.level, includeExecutionData: logging.includeExecutionData, ...(logging.retentionInDays !== undefined ? { retentionInDays: logging.retentionInDays } : {}) };
  const measured = context.histories && context.histories.length > 0 ? measuredLogVolume(context.histories, settings) : undefined;
  const payload = payloadText(context.payloadKB, subject.samples);
  const names = Object.keys(subject.loaded.definition.States ?? {});
  const meanName = Math.max(1, Math.round(names.reduce((total, name) => total + name.length, 0) / Math.max(1, names.length)));
  const volume =
    measured ?? estimatedLogVolume({ events: model.events, machine: subject.name, type: subject.declaredType, region: context.region, payload: payload.text, stateName: 'S'.repeat(meanName) }, settings);
  const how =
    volume.source === 'measured'
      ? `measured: the events of ${context.histories!.length} recent execution(s) as this logging writes them`
      : `estimated from the definition's expected path: each state's Entered and Exited, each Task attempt's Scheduled, Started and Succeeded (Failed for the failure rates given), Map and Parallel starts and iterations, the execution's start and end${
          settings.includeExecutionData ? `; every input, output and set of Task parameters ${payload.source}` : '; no inputs or outputs (includeExecutionData off)'
        }${model.children.length > 0 ? "; child executions' own events not counted" : ''}`;
  const level = settings.level === 'ALL' ? 'ALL (every event)' : settings.level === 'ERROR' ? 'ERROR (only failure events: with no failures, nothing)' : 'FATAL (only the execution failing: with no failures, nothing)';
  context.assumptions.push(
    `${subject.name}: logs to ${logging.logGroupName} at level ${level}, ${settings.includeExecutionData ? 'with' : 'without'} execution data: ${formatNumber(volume.events)} log events, ${formatNumber(Math.round(volume.bytes))} bytes per execution (${how}); stored gzip-compressed, ${formatNumber(Math.round(volume.storedBytes))} bytes, ${
      settings.retentionInDays !== undefined ? `kept ${settings.retentionInDays} days (a full log group)` : 'never expiring: the first month is priced (half its events held on average)'
    }`,
  );
  if (settings.retentionInDays === undefined) context.warnings.push(`${subject.name}: its log group never expires, so its storage charge grows by a month's events every month; set logging.retentionInDays in deliv.yaml`);
  return { settings, volume };
}

/** What the rates are called in a sentence, by rate key prefix. */
const RATE_NAMES: Array<[RegExp, string]> = [
  [/^sfn\.express\./, 'Step Functions Express'],
  [/^sfn\.transition$/, 'Step Functions Standard'],
  [/^lambda\./, 'Lambda'],
  [/^bedrock\.claude-haiku-4-5-global\./, 'Claude Haiku 4.5 (global profile)'],
  [/^bedrock\./, 'Bedrock'],
];

/**
 * The snapshot holds no published rate of some regions for some services and
 * carries another region's instead: the estimate rests on that, so it says so.
 */
function copiedRatesNote(sources: readonly PriceSource[], region: string): string | undefined {
  const byRegion = new Map<string, Set<string>>();
  for (const source of sources) {
    for (const [from, keys] of Object.entries(source.copiedFrom ?? {})) {
      const names = byRegion.get(from) ?? new Set<string>();
      for (const key of keys) names.add(RATE_NAMES.find(([pattern]) => pattern.test(key))?.[1] ?? key);
      byRegion.set(from, names);
    }
  }
  if (byRegion.size === 0) return undefined;
  const parts = [...byRegion].map(([from, names]) => `${[...names].join(', ')} rates are ${from}'s`);
  return `${region}: ${parts.join('; ')} (the bundled snapshot has no rate published for ${region} there); the Pricing API gives the region's own (run without --offline, with AWS credentials)`;
}

