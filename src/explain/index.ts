/**
 * `deliv explain` as a library: from an execution (or a machine, or a whole
 * project) to an explanation of its failure. `deliv start --wait --explain`
 * and `deliv logs --explain` call `explainExecution` with the client they
 * already hold.
 */
import os from 'node:os';
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition, WorkflowType } from '../asl/types.js';
import { executionNames, isExpressExecutionArn } from '../aws/arn.js';
import { createBedrockClient, createSfnClient } from '../aws/clients.js';
import type { ResolvedTarget } from '../aws/target.js';
import { declaredBy, describeExecutionMachine, findStateMachineArn, latestExecution, listStateMachines, machineDefinition, readHistory } from '../aws/sfn.js';
import type { Project } from '../project/config.js';
import { DelivError, UsageError } from '../ui/errors.js';
import { askModel, BedrockUnavailable, DEFAULT_MODEL, type TokenUsage } from './bedrock.js';
import { cacheDir, cacheKey, readCachedAnswer, writeCachedAnswer } from './cache.js';
import { callCost } from './prices.js';
import { findState } from '../asl/graph.js';
import { extractFailureContext, redactContext, type FailureContext } from './context.js';
import { explainOffline, type ExplanationParts } from './offline.js';
import { PROMPT_VERSION, renderPrompt, SYSTEM_PROMPT } from './prompt.js';
import { Redactor, type RedactionSummary } from './redact.js';
import { StatesErrors } from '../asl/errors.js';

export { extractFailureContext, type FailureContext } from './context.js';
export { explainOffline, type ExplanationParts } from './offline.js';
export { Redactor } from './redact.js';
export { DEFAULT_MODEL } from './bedrock.js';

export interface ExplainSettings {
  project?: Project;
  /** Bedrock model id, inference profile id or ARN; default: deliv.yaml `explain.model`, then Claude Haiku 4.5 (global profile). */
  model?: string;
  /** Region of the Bedrock call; default: deliv.yaml `explain.region`, the AWS target's region, AWS_REGION, us-east-1. */
  region?: string;
  profile?: string;
  /** Answer with the rule-based explainer; nothing leaves the machine. */
  offline?: boolean;
  /** false only when the user explicitly asked for it (`--no-redact`): the prompt then carries the raw data. */
  redact?: boolean;
  /** Build the prompt and return it without calling anything. */
  showPrompt?: boolean;
  /** Reuse an earlier answer to the same redacted prompt (default true). */
  cache?: boolean;
  /** Use ConverseStream and hand each piece of text to onText as it arrives. */
  stream?: boolean;
  onText?: (text: string) => void;
  /** Progress and fallbacks, for stderr. */
  onNote?: (text: string) => void;
}

export interface ExplainOptions extends ExplainSettings {
  /** An execution ARN, a state machine name (its latest failed execution), or nothing (the latest failure of the project's machines). */
  execution?: string;
  target: ResolvedTarget;
  /** A Step Functions client for the target, when the caller already has one. */
  sfn?: SFNClient;
}

export interface ExplainResult {
  executionArn?: string;
  stateMachineArn?: string;
  error: string;
  failingState?: string;
  /** Who answered: Claude, the cache of Claude's earlier answers, the offline rules, or nobody (--show-prompt). */
  source: 'bedrock' | 'cache' | 'offline' | 'none';
  /** Why the offline explainer answered. */
  offlineReason?: string;
  text: string;
  sections?: ExplanationParts;
  model?: string;
  usage?: TokenUsage;
  /** What this call cost in USD (0 from the cache; absent when the model's price is unknown). */
  costUsd?: number;
  /** Where the price came from. */
  priceSource?: string;
  redacted: boolean;
  redactions: RedactionSummary;
  /** Exactly what is (or would be) sent to Bedrock. */
  prompt: { system: string; user: string };
  /** Whether anything was sent to Bedrock. */
  sent: boolean;
  streamed: boolean;
  /** The failure context as sent (redacted unless redaction was turned off). */
  context: FailureContext;
}

export async function explainExecution(options: ExplainOptions): Promise<ExplainResult> {
  const sfn = options.sfn ?? (await createSfnClient(options.target));
  const executionArn = await resolveFailedExecution(sfn, options.project, options.execution);
  const context = await loadFailureContext(sfn, executionArn, options.project);
  return explainContext(context, { ...options, region: options.region ?? bedrockRegion(options.project, options.target), profile: options.profile ?? (options.target.local ? undefined : options.target.profile) });
}

/** The execution to explain: an ARN as given, else the newest failed execution of one machine or of all the project's machines. */
export async function resolveFailedExecution(sfn: SFNClient, project: Project | undefined, execution: string | undefined): Promise<string> {
  if (execution && /^arn:aws[\w-]*:states:[^:]*:\d*:(execution|express):/.test(execution)) return execution;
  let machineArns: string[];
  let scope: string;
  if (execution) {
    machineArns = [await findStateMachineArn(sfn, execution, declaredBy(project))];
    scope = `state machine \`${execution}\``;
  } else {
    if (!project) {
      throw new UsageError('which execution? give an execution ARN or a state machine name', {
        hint: 'e.g. `deliv explain arn:aws:states:us-east-1:123456789012:execution:order-fulfillment:run-1`, or run inside a project',
      });
    }
    const names = new Set(Object.keys(project.config.stateMachines));
    machineArns = (await listStateMachines(sfn)).filter((machine) => machine.name && names.has(machine.name)).map((machine) => machine.stateMachineArn!);
    scope = `the state machines of ${project.config.name}`;
    if (machineArns.length === 0) {
      throw new DelivError(`none of the state machines of ${project.config.name} is deployed on this target`, { hint: 'run `deliv deploy` first', code: 'STATE_MACHINE_NOT_DEPLOYED' });
    }
  }
  const latest = await latestExecution(sfn, machineArns, ['FAILED', 'TIMED_OUT']);
  if (!latest?.executionArn) {
    throw new DelivError(`no failed execution of ${scope}`, { hint: 'nothing to explain: `deliv logs` lists the executions', code: 'NO_FAILED_EXECUTION' });
  }
  return latest.executionArn;
}

export async function loadFailureContext(sfn: SFNClient, executionArn: string, project?: Project): Promise<FailureContext> {
  const [events, machine] = await Promise.all([
    readHistory(sfn, executionArn).catch((error: unknown) => {
      // (An Express execution is read from its machine's log group: its errors say what is missing and how to fix it.)
      if ((error as { name?: string }).name === 'ExecutionDoesNotExist') {
        throw new DelivError(`execution ${executionArn} does not exist on this target`, { hint: 'check the ARN and --target', cause: error, code: 'EXECUTION_NOT_FOUND' });
      }
      throw error;
    }),
    describeExecutionMachine(sfn, executionArn).catch(() => undefined),
  ]);
  if (events.length === 0 && isExpressExecutionArn(executionArn)) {
    throw new DelivError(`no logged events of ${executionArn}`, {
      hint: `check the ARN and --target; \`deliv logs ${executionNames(executionArn)?.machine ?? '<machine>'}\` lists the executions its log group holds`,
      code: 'EXECUTION_NOT_FOUND',
    });
  }
  let definition: StateMachineDefinition | undefined;
  try {
    definition = machine?.definition ? (JSON.parse(machine.definition) as StateMachineDefinition) : undefined;
  } catch {
    definition = undefined;
  }
  // An Express ARN ends in `<machine>:<name>:<id>`: the machine is not the next-to-last field.
  const names = executionNames(executionArn);
  const machineName = machine?.name ?? names?.machine;
  const workflowType: WorkflowType | undefined = machine?.type ?? (machineName ? project?.config.stateMachines[machineName]?.type : undefined) ?? (isExpressExecutionArn(executionArn) ? 'EXPRESS' : undefined);
  const context = extractFailureContext(events, definition, { executionArn, stateMachineArn: machine?.stateMachineArn, workflowType });
  if (context.execution.status === 'UNKNOWN') {
    throw new DelivError(`execution ${names?.name ?? executionArn} has not failed`, { hint: 'only failed, timed-out or aborted executions can be explained', code: 'EXECUTION_NOT_FAILED' });
  }
  return context;
}

/**
 * A failure context from what StartSyncExecution returned, for Express runs
 * that have no history to read: the error, the cause, the input, and the state
 * the cause names (AWS's runtime errors name it).
 */
export function contextFromSyncResult(result: {
  executionArn: string;
  stateMachineArn?: string;
  input?: string;
  error?: string;
  cause?: string;
  status: string;
  definition?: StateMachineDefinition;
}): FailureContext {
  const timestamp = new Date();
  const events: HistoryEvent[] = [{ id: 1, previousEventId: 0, timestamp, type: 'ExecutionStarted', executionStartedEventDetails: { input: result.input } }];
  // The state named by a runtime error's cause; a tolerated-failure error can only come from a Map that sets a tolerance.
  const named =
    result.cause?.match(/executing the state '([^']+)'/)?.[1] ??
    (result.error === StatesErrors.ExceedToleratedFailureThreshold ? soleMapWithTolerance(result.definition) : undefined);
  const state = named ? findState(result.definition, named)?.state : undefined;
  if (named) events.push({ id: 2, previousEventId: 1, timestamp, type: `${state?.Type ?? 'Task'}StateEntered` as HistoryEvent['type'], stateEnteredEventDetails: { name: named } });
  const details = { error: result.error, cause: result.cause };
  events.push(
    result.status === 'TIMED_OUT'
      ? { id: events.length + 1, previousEventId: events.length, timestamp, type: 'ExecutionTimedOut', executionTimedOutEventDetails: details }
      : { id: events.length + 1, previousEventId: events.length, timestamp, type: 'ExecutionFailed', executionFailedEventDetails: details },
  );
  return extractFailureContext(events, result.definition, { executionArn: result.executionArn, stateMachineArn: result.stateMachineArn, workflowType: 'EXPRESS' });
}

/** The same, with the machine's definition read from the target (so the failing state's Retry, Catch and type are known). */
export async function syncFailureContext(sfn: SFNClient, result: Omit<Parameters<typeof contextFromSyncResult>[0], 'definition'>): Promise<FailureContext> {
  const definition = result.stateMachineArn ? ((await machineDefinition(sfn, result.stateMachineArn)) as StateMachineDefinition | undefined) : undefined;
  return contextFromSyncResult({ ...result, definition });
}

function soleMapWithTolerance(definition: StateMachineDefinition | undefined): string | undefined {
  const maps = Object.entries(definition?.States ?? {}).filter(
    ([, state]) => state.Type === 'Map' && Object.keys(state).some((key) => key.startsWith('ToleratedFailure')),
  );
  return maps.length === 1 ? maps[0][0] : undefined;
}

/** Where Bedrock is called: explain.region, the AWS target's region, the environment, then us-east-1. */
export function bedrockRegion(project: Project | undefined, target: ResolvedTarget | undefined): string {
  return project?.config.explain?.region ?? (target && !target.local ? target.region : undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** The model asked: --model, else deliv.yaml explain.model, else Claude Haiku 4.5 through its global inference profile. */
export function modelFor(settings: Pick<ExplainSettings, 'model' | 'project'>): string {
  return settings.model ?? settings.project?.config.explain?.model ?? DEFAULT_MODEL;
}

/** Explains a failure context: redacts it, then asks Claude (or the cache, or the offline rules). */
export async function explainContext(context: FailureContext, settings: ExplainSettings): Promise<ExplainResult> {
  const redact = settings.redact !== false;
  const redactor = new Redactor({ extraKeys: settings.project?.config.explain?.redactKeys, homeDir: os.homedir(), projectRoot: settings.project?.root ?? process.cwd() });
  const sentContext = redact ? redactContext(context, redactor) : context;
  const prompt = { system: SYSTEM_PROMPT, user: renderPrompt(sentContext) };
  const modelId = modelFor(settings);
  const base = {
    executionArn: context.execution.arn,
    stateMachineArn: context.execution.stateMachineArn,
    error: context.error,
    failingState: context.failingState?.name,
    redacted: redact,
    redactions: redactor.summary(),
    prompt,
    context: sentContext,
    sent: false,
    streamed: false,
  };
  if (settings.showPrompt) return { ...base, source: 'none', text: '', model: modelId };

  const offline = (reason: string): ExplainResult => {
    const sections = explainOffline(context);
    return { ...base, source: 'offline', offlineReason: reason, sections, text: renderSections(sections) };
  };
  if (settings.offline) return offline('--offline');

  const region = settings.region ?? bedrockRegion(settings.project, undefined);
  const dir = cacheDir(settings.project?.root);
  const key = cacheKey({ modelId, system: prompt.system, prompt: prompt.user, promptVersion: PROMPT_VERSION });
  if (settings.cache !== false) {
    const cached = readCachedAnswer(dir, key);
    if (cached) return { ...base, source: 'cache', text: cached.text, model: cached.modelId, usage: cached.usage, costUsd: 0 };
  }
  const client = await createBedrockClient({ name: 'bedrock', region, profile: settings.profile });
  try {
    const answer = await askModel({ client, modelId, region, system: prompt.system, prompt: prompt.user, stream: Boolean(settings.stream), onText: settings.onText });
    if (answer.text.trim() === '') throw new BedrockUnavailable(`${modelId} returned an empty answer (${answer.stopReason ?? 'no stop reason'})`, true, 'answered offline instead');
    writeCachedAnswer(dir, key, answer);
    const cost = await callCost(answer.modelId, answer.usage, { region, projectRoot: settings.project?.root });
    return { ...base, source: 'bedrock', sent: true, streamed: Boolean(settings.stream), text: answer.text, model: answer.modelId, usage: answer.usage, costUsd: cost?.usd, priceSource: cost?.source };
  } catch (error) {
    if (error instanceof BedrockUnavailable && error.fallBack) {
      settings.onNote?.(`${error.message}; ${error.hint ?? 'answered offline instead'}`);
      return { ...offline(error.message), sent: error.reachedService };
    }
    throw error;
  } finally {
    client.destroy();
  }
}

export function renderSections(parts: ExplanationParts): string {
  return [
    '## What happened', parts.whatHappened, '',
    '## Root cause', parts.rootCause, '',
    '## Fix', parts.fix, '',
    '## How to confirm', parts.confirm,
  ].join('\n');
}
