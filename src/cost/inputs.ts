/**
 * The figures a cost estimate rests on that do not come from the graph walk:
 * Bedrock tokens per call, Express memory, nested executions of other
 * machines, and measured runs laid over the static model. Each says where its
 * figure came from, as an assumption the report prints.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../project/config.js';
import { billedExpressMemoryMB, type MachineSpec, type TokenSpec } from './estimate.js';
import type { CostConfig } from './usage/config.js';
import type { MeasuredUsage } from './usage/measured.js';
import { estimatedExpressMemoryMB, EXPRESS_MAX_MS, type CallCount, type ChildExecutions, type MachineModel } from './usage/model.js';
import { mockedTokenUsage, tokensOfText } from './usage/tokens.js';

export const DEFAULT_TOKENS = { inputTokens: 1_000, outputTokens: 300 };

/** Models past their end of life on Bedrock: still priced, with a warning. */
export const LEGACY_MODELS: Array<[RegExp, string]> = [
  [/claude-3-haiku/, 'Claude 3 Haiku is a legacy model past its end of life on Amazon Bedrock; plan a move to Claude Haiku 4.5'],
  [/claude-3-5-haiku/, 'Claude 3.5 Haiku is a legacy model past its end of life on Amazon Bedrock; plan a move to Claude Haiku 4.5'],
];

export const formatNumber = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

type MockConfig = Parameters<typeof mockedTokenUsage>[0];

export function readMockConfig(project: Project, warnings: string[]): MockConfig | undefined {
  // Where the emulator looks: `mocks:` of deliv.yaml, else the conventional mocks/MockConfigFile.json.
  const file = path.resolve(project.root, project.config.mocks ?? path.join('mocks', 'MockConfigFile.json'));
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as MockConfig;
  } catch (error) {
    warnings.push(`${file}: not readable as JSON (${(error as Error).message.split('\n')[0]}); Bedrock token usage not read from it`);
    return undefined;
  }
}

/** Every call a machine's executions make, its child executions' included (a Lambda only a child calls is priced too). */
export function allCalls(machine: MachineSpec): CallCount[] {
  return callsOfExecution(machine).map((entry) => entry.call);
}

/**
 * Every call of one execution of the machine with how many times it is made per execution (`factor` × its
 * perExecution): its own, and its children's at any depth priced, with the machine whose definition makes it.
 */
function callsOfExecution(machine: MachineSpec): Array<{ call: CallCount; factor: number; machine: string }> {
  const calls = machine.model.calls.map((call) => ({ call, factor: 1, machine: machine.name }));
  const walk = (children: MachineModel['children'], factor: number, depth: number, owner: string) => {
    if (depth > 5) return;
    for (const child of children) {
      const count = factor * child.perExecution;
      const name = child.machine ?? owner;
      for (const call of child.model.calls ?? []) calls.push({ call, factor: count, machine: name });
      walk(child.model.children, count, depth + 1, name);
    }
  };
  walk(machine.model.children, 1, 1, machine.name);
  return calls;
}

interface TokenInputs {
  machines: MachineSpec[];
  config: CostConfig;
  mocks?: MockConfig;
  measured: Map<string, TokenSpec & { calls: number }>;
  assumptions: string[];
}

type Source = 'usage file' | 'measured runs' | 'mocked responses' | 'max_tokens of the request' | 'prompt size' | 'default';

/**
 * Tokens per call of each model, averaged over its call sites weighted by
 * calls a month. Each side comes from the first of: the usage file, measured
 * runs (--from-executions), the usage the MockConfigFile responses record,
 * the request itself (max_tokens caps the output, the written prompt sizes
 * the input), and only then a stated default.
 */
export function bedrockTokens({ machines, config, mocks, measured, assumptions }: TokenInputs): Map<string, TokenSpec> {
  const perModel = new Map<string, Array<{ weight: number; input: number; output: number; sources: [Source, Source] }>>();
  for (const machine of machines) {
    // The children's calls too (a Distributed Map's, a started machine's), each weighed by how often it is made.
    for (const { call, factor, machine: caller } of callsOfExecution(machine)) {
      if (call.call.kind !== 'bedrock') continue;
      const { modelId } = call.call;
      const explicit = config.bedrock?.models?.[modelId];
      const fromRuns = measured.get(modelId);
      // Each state on its own: its mocks, its max_tokens, its prompt. Measured counts rescale the static sites.
      const sites = call.sites && call.sites.length > 0 ? call.sites : [{ state: call.states[0], call: call.call, perExecution: call.perExecution }];
      const staticCalls = sites.reduce((total, site) => total + site.perExecution, 0);
      for (const site of sites) {
        const request = site.call.kind === 'bedrock' ? site.call : call.call;
        const fromMocks = mocks ? mockedTokenUsage(mocks, caller, [site.state]) : undefined;
        const pick = (side: 'inputTokens' | 'outputTokens'): [number, Source] => {
          const stated = explicit?.[side] ?? config.bedrock?.[side];
          if (stated !== undefined) return [stated, 'usage file'];
          // What this call site's own measured runs reported, before what the model's calls elsewhere did.
          if (call.tokens) return [call.tokens[side], 'measured runs'];
          if (fromRuns) return [fromRuns[side], 'measured runs'];
          if (fromMocks) return [fromMocks[side], 'mocked responses'];
          if (side === 'outputTokens' && request.maxOutputTokens !== undefined) return [request.maxOutputTokens, 'max_tokens of the request'];
          if (side === 'inputTokens' && request.promptChars !== undefined && request.promptChars > 0 && !request.dynamicPrompt) return [tokensOfText(request.promptChars), 'prompt size'];
          return [DEFAULT_TOKENS[side], 'default'];
        };
        const [input, inputSource] = pick('inputTokens');
        const [output, outputSource] = pick('outputTokens');
        const share = staticCalls > 0 ? site.perExecution / staticCalls : 1 / sites.length;
        const list = perModel.get(modelId) ?? [];
        list.push({ weight: Math.max(call.perExecution * factor * share * machine.executionsPerMonth, 1e-9), input, output, sources: [inputSource, outputSource] });
        perModel.set(modelId, list);
      }
    }
  }
  const result = new Map<string, TokenSpec>();
  for (const [modelId, list] of perModel) {
    const weight = list.reduce((total, site) => total + site.weight, 0);
    const inputTokens = list.reduce((total, site) => total + site.input * site.weight, 0) / weight;
    const outputTokens = list.reduce((total, site) => total + site.output * site.weight, 0) / weight;
    result.set(modelId, { inputTokens, outputTokens });
    const sources = (index: 0 | 1) => [...new Set(list.map((site) => site.sources[index]))].join(' and ');
    if (list.every((site) => site.sources[0] === 'usage file' && site.sources[1] === 'usage file')) continue;
    const hint = list.some((site) => site.sources.includes('default')) ? ' (set bedrock.inputTokens/outputTokens in the usage file)' : '';
    assumptions.push(`Bedrock ${modelId}: ${formatNumber(inputTokens)} input tokens per call (${sources(0)}) and ${formatNumber(outputTokens)} output tokens (${sources(1)})${hint}`);
  }
  return result;
}

/**
 * Express memory as AWS's pricing page estimates it when it is not given:
 * 50 MB + the definition + the payload × the number of Parallel or Map steps,
 * billed in 64 MB chunks. Sizes in decimal units, as AWS's worked example
 * (50 MB + 50 KB + 32 KB × 400 steps = 62.85 MB).
 */
export function expressMemory(definition: unknown, model: MachineModel, payloadKB: number | undefined, samples: unknown[]): { memoryMB: number; text: string } {
  const definitionKB = Buffer.byteLength(JSON.stringify(definition)) / 1000;
  const sampleKB = samples.length > 0 ? Math.max(...samples.map((sample) => Buffer.byteLength(JSON.stringify(sample)) / 1000)) : undefined;
  const payload = payloadKB ?? sampleKB ?? 1;
  const source = payloadKB !== undefined ? 'payloadKB' : sampleKB !== undefined ? 'largest sample event' : 'assumed; set payloadKB';
  const steps = model.payloadCopies;
  const iterations = model.iterationPayloadKB ?? 0;
  const memoryMB = estimatedExpressMemoryMB(Buffer.byteLength(JSON.stringify(definition)), payload, steps) + iterations / 1000;
  const billed = billedExpressMemoryMB(memoryMB);
  const held = iterations > 0 ? ` + ${formatNumber(iterations)} KB of inline Map iterations' inputs (the sample items as ItemSelector shapes them)` : '';
  return {
    memoryMB,
    text: `${billed} MB billed: 50 MB + ${formatNumber(definitionKB)} KB definition + ${formatNumber(payload)} KB payload (${source}) × ${steps} Map or Parallel step${steps === 1 ? '' : 's'}${held} = ${formatNumber(memoryMB)} MB, in 64 MB chunks (set express.memoryMB)`,
  };
}

/** What measured runs say about a machine's or a child's figures: notes (assumptions) and warnings, without its name yet. */
export interface MeasuredNotes {
  notes: string[];
  warnings: string[];
}

/** A machine of the project as a started child runs it (linkNestedExecutions' modelOf). */
export type ChildMachine = (name: string) => { model: MachineModel; type: MachineSpec['declaredType']; memoryMB: number } | undefined;

/**
 * Measured runs replace the static figures: transitions, every call they made
 * (off the expected path too), durations. A Distributed Map's child
 * executions leave no events in the parent's history, yet each is one of the
 * parent's transitions: the children counted (or, where they could not be, the
 * static count) are added back.
 */
export function applyMeasured(model: MachineModel, measured: MeasuredUsage, resolve?: ChildMachine): MeasuredNotes {
  const said: MeasuredNotes = { notes: [], warnings: [] };
  // A Distributed Map's children measured through its Map Runs replace the static ones: their count, their own usage.
  overlayMeasuredChildren(model, measured, 'mapRun', said, resolve);
  const children = model.children.reduce((total, child) => total + child.perExecution, 0);
  model.transitions = { min: measured.transitions.min + children, expected: measured.transitions.expected + children, max: measured.transitions.max + children };
  if (children > 0) said.notes.push(`${formatNumber(children)} child execution(s) per execution of ${model.children.map((child) => child.label).join(', ')} added to the measured transitions (one each; the parent's history does not list them)`);
  model.durationMs = measured.durationMs;
  if (measured.durations && measured.durations.length > 0) model.durations = measured.durations.map((ms) => [1 / measured.durations!.length, ms]);
  else model.durations = [[1, measured.durationMs]];
  const longest = Math.max(...model.durations.map(([, ms]) => ms));
  if (measured.durationMs > EXPRESS_MAX_MS) model.expressBlockers.push(`measured executions take ${formatNumber(Math.round(measured.durationMs / 6_000) / 10)} min on average; Express stops at 5 minutes`);
  else if (longest > EXPRESS_MAX_MS) model.warnings.push(`some measured executions took up to ${formatNumber(Math.round(longest / 6_000) / 10)} min; as Express they would time out at 5 minutes`);
  // The static walk files a Distributed Map child's calls under the parent; the children hold them now (measured,
  // or ownCalls), so a static call only children make is not kept as a parent call at 0.
  const childStates = new Map<string, Set<string>>();
  for (const child of model.children) for (const call of child.model.ownCalls ?? []) for (const state of call.states) (childStates.get(call.key) ?? childStates.set(call.key, new Set()).get(call.key)!).add(state);
  const parentCalls = model.calls.filter((call) => measured.calls[call.key] !== undefined || !call.states.every((state) => childStates.get(call.key)?.has(state)));
  model.calls = measuredCalls(measured, parentCalls, true);
  return said;
}

/**
 * Measured calls per execution as call counts: a call the static walk knows keeps what it read from the
 * definition (its sites, its request, the machine it starts); `keepUnseen` keeps the static ones the runs
 * never made, at 0. Bedrock calls carry the tokens the runs reported.
 */
function measuredCalls(usage: Pick<MeasuredUsage, 'calls' | 'callStates' | 'tokens'>, known: readonly CallCount[] = [], keepUnseen = false): CallCount[] {
  const tokensOf = (key: string) => {
    const reported = key.startsWith('bedrock:') ? usage.tokens?.[key.slice('bedrock:'.length)] : undefined;
    return reported ? { tokens: { inputTokens: reported.inputTokens, outputTokens: reported.outputTokens } } : {};
  };
  const calls: CallCount[] = [];
  for (const call of known) {
    if (!keepUnseen && usage.calls[call.key] === undefined) continue;
    const { tokens: _static, ...rest } = call;
    calls.push({ ...rest, perExecution: usage.calls[call.key] ?? 0, ...tokensOf(call.key) });
  }
  for (const [key, perExecution] of Object.entries(usage.calls)) {
    if (known.some((call) => call.key === key)) continue;
    calls.push({ key, call: measuredCall(key), states: usage.callStates?.[key] ?? [], perExecution, ...tokensOf(key) });
  }
  return calls;
}

const durationsOf = (list: readonly number[]): Array<[number, number]> => list.map((ms) => [1 / list.length, ms]);

/**
 * Child executions the measured runs started in place of the static model's: per parent execution as many as
 * were counted, each with its measured transitions, durations and calls, and its own children the same way.
 * `mapRun`: a Distributed Map's children (whose calls the parent's measured history does not hold); `execution`:
 * the startExecution children linkNestedExecutions made of the measured start calls. Children that could not be
 * counted or read keep the static model's figures, and a warning says which and why.
 */
export function overlayMeasuredChildren(owner: { children: MachineModel['children'] }, measured: Pick<MeasuredUsage, 'children' | 'entered' | 'executions' | 'childrenUnread'>, kind: 'mapRun' | 'execution', said: MeasuredNotes, resolve?: ChildMachine): void {
  for (const child of owner.children) {
    if ((child.kind ?? 'mapRun') !== kind) continue;
    const found = (measured.children ?? []).filter((entry) => entry.kind === kind && child.states.includes(entry.state));
    const counted = found.filter((entry) => entry.perExecution !== undefined);
    const read = found.find((entry) => entry.usage)?.usage;
    if (kind === 'mapRun') {
      const reached = child.states.some((state) => (measured.entered?.[state] ?? 0) > 0);
      if (found.length === 0 && measured.entered && !reached && !measured.childrenUnread) {
        // Not one measured run entered the Map: measured, it started no children.
        child.perExecution = 0;
        said.notes.push(`${child.label}: not reached in the ${measured.executions} measured execution(s), so no child executions counted`);
        continue;
      }
      if (counted.length > 0 && counted.length === found.length) child.perExecution = counted.reduce((total, entry) => total + entry.perExecution!, 0);
      if (found.length > 0 && counted.length === found.length && child.perExecution === 0) {
        said.notes.push(`${child.label}: its Map Runs in the ${measured.executions} measured execution(s) started no child executions`);
        continue;
      }
    }
    if (read) {
      child.model = {
        ...child.model,
        transitions: read.transitions,
        durationMs: read.durationMs,
        durations: read.durations.length > 0 ? durationsOf(read.durations) : [[1, read.durationMs]],
        calls: measuredCalls(read, child.model.ownCalls ?? child.model.calls),
        // Its own children are measured for this run only: a started machine's model, shared with its own line, stays as it is.
        children: child.model.children.map((known) => ({ ...known, model: { ...known.model } })),
      };
      // Their own children (grandchildren of the measured run), measured the same way.
      const inner: MeasuredNotes = { notes: [], warnings: [] };
      overlayMeasuredChildren(child.model, read, 'mapRun', inner, resolve);
      // As for the parent: each of its own Map Run children is one more of its transitions, absent from its history.
      const mapped = child.model.children.filter((known) => (known.kind ?? 'mapRun') === 'mapRun').reduce((total, known) => total + known.perExecution, 0);
      if (mapped > 0) child.model = { ...child.model, transitions: { min: read.transitions.min + mapped, expected: read.transitions.expected + mapped, max: read.transitions.max + mapped } };
      said.notes.push(
        `${child.label}: ${formatNumber(child.perExecution)} child execution(s) per execution, their transitions (${formatNumber(child.model.transitions.expected)} each${mapped > 0 ? `, ${formatNumber(mapped)} of them for their own Map Run children` : ''}), durations and calls measured from ${read.executions} of their own histories`,
      );
      adoptStartedChildren(child, read, inner, resolve);
      if (read.childrenUnread && (child.model.calls ?? []).some((call) => /^states:startExecution/.test(call.key))) {
        inner.warnings.push(`the executions its children start are not priced as executions (${read.childrenUnread})`);
      }
      overlayMeasuredChildren(child.model, read, 'execution', inner, resolve);
      said.notes.push(...inner.notes.map((note) => `${child.label} › ${note}`));
      said.warnings.push(...inner.warnings.map((warning) => `${child.label} › ${warning}`));
      continue;
    }
    if (kind === 'execution' && found.length === 0) continue;
    // Not read: the static model's figures per child, its calls included (measured parent calls no longer hold them).
    if (kind === 'mapRun') child.model = { ...child.model, calls: child.model.ownCalls ?? [] };
    const listed = found.flatMap((entry) => entry.listedDurations ?? []);
    if (child.type === 'EXPRESS' && listed.length > 0) child.model = { ...child.model, durations: durationsOf(listed), durationMs: listed.reduce((a, b) => a + b, 0) / listed.length };
    const why =
      found.length === 0
        ? (measured.childrenUnread ?? 'the measured histories name no Map Run for it')
        : (found.find((entry) => entry.perExecution === undefined)?.unread ?? (child.type === 'EXPRESS' ? 'Express executions keep no history that GetExecutionHistory reads' : found[0].unread!));
    const countSource = kind === 'mapRun' && counted.length > 0 && counted.length === found.length ? `counted ${formatNumber(child.perExecution)} per execution from the Map Runs` : kind === 'execution' ? `counted ${formatNumber(child.perExecution)} per execution from the measured start calls` : `${formatNumber(child.perExecution)} per execution estimated from the definition`;
    const timing = child.type === 'EXPRESS' && listed.length > 0 ? `; durations from the Map Runs' listings of ${listed.length} of them` : '';
    // What the children bill by that is left to the static walk: an Express child's duration (unless listed), a Standard child's transitions.
    const estimated = child.type === 'EXPRESS' ? (listed.length > 0 ? 'calls are' : 'durations and calls are') : 'transitions and calls are';
    said.warnings.push(`${child.label}: its ${child.type} child executions were not measured (${why}): ${countSource}${timing}; their ${estimated} estimated from the definition, not measured`);
  }
}

/**
 * A measured child's own startExecution children (grandchildren of the measured run): the start calls its
 * history holds become child executions of the machine they ran, measured from their own histories, instead of
 * an unpriced integration.
 */
function adoptStartedChildren(child: ChildExecutions, read: Omit<MeasuredUsage, 'histories'>, said: MeasuredNotes, resolve?: ChildMachine): void {
  for (const entry of (read.children ?? []).filter((candidate) => candidate.kind === 'execution')) {
    if (!child.model.children.some((known) => known.kind === 'execution' && known.states.includes(entry.state))) {
      const machine = entry.machine;
      const target = machine ? resolve?.(machine) : undefined;
      const type = target?.type ?? (entry.express ? 'EXPRESS' : 'STANDARD');
      if (!machine || (!target && (type === 'EXPRESS' || !entry.usage))) {
        said.warnings.push(`${entry.state} starts ${machine ?? 'an execution'}, which is not a machine of the project; its executions are not estimated`);
        continue;
      }
      const started = target?.model;
      child.model.children = [
        ...child.model.children,
        {
          label: `${entry.state} → ${machine}`,
          states: [entry.state],
          type,
          perExecution: entry.perExecution ?? 0,
          model: started
            ? { transitions: started.transitions, durations: started.durations, durationMs: started.durationMs, children: started.children, calls: started.calls }
            : { transitions: entry.usage!.transitions, durations: [[1, entry.usage!.durationMs]], durationMs: entry.usage!.durationMs, children: [] },
          memoryMB: target?.memoryMB ?? 0,
          kind: 'execution',
          machine,
        },
      ];
    }
    // The start calls are these child executions now, priced as such.
    child.model.calls = (child.model.calls ?? []).filter((call) => !(/^states:startExecution/.test(call.key) && call.states.every((state) => state === entry.state)));
  }
}

function measuredCall(key: string): CallCount['call'] {
  if (key.startsWith('lambda:')) return { kind: 'lambda', functionName: key.slice('lambda:'.length), callback: false };
  if (key.startsWith('bedrock:')) return { kind: 'bedrock', modelId: key.slice('bedrock:'.length) };
  if (key.startsWith('activity:')) return { kind: 'activity', integration: key };
  return { kind: 'integration', integration: key, callback: key.endsWith('.waitForTaskToken') };
}

/**
 * A Task that starts an execution of another machine of the project is
 * priced as executions of that machine (its type, its transitions, its
 * calls), not as an unpriced integration.
 */
export function linkNestedExecutions(machines: MachineSpec[], modelOf: (name: string) => { model: MachineModel; type: MachineSpec['declaredType']; memoryMB: number } | undefined, assumptions: string[], warnings: string[]): void {
  for (const machine of machines) {
    const kept: CallCount[] = [];
    for (const call of machine.model.calls) {
      if (call.call.kind !== 'integration' || !/^states:startExecution/.test(call.call.integration)) {
        kept.push(call);
        continue;
      }
      // States that share the integration may start different machines: each target on its own.
      const sites = call.sites && call.sites.length > 0 ? call.sites : [{ state: call.states[0], call: call.call, perExecution: call.perExecution }];
      const staticCalls = sites.reduce((total, site) => total + site.perExecution, 0);
      const scale = (perExecution: number) => (staticCalls > 0 ? (perExecution * call.perExecution) / staticCalls : call.perExecution / sites.length);
      const byTarget = new Map<string | undefined, typeof sites>();
      for (const site of sites) {
        const target = site.call.kind === 'integration' ? site.call.startsMachine : undefined;
        byTarget.set(target, [...(byTarget.get(target) ?? []), site]);
      }
      for (const [target, group] of byTarget) {
        const states = group.map((site) => site.state);
        const perExecution = group.reduce((total, site) => total + scale(site.perExecution), 0);
        const child = target ? modelOf(target) : undefined;
        if (!target || !child) {
          if (target) warnings.push(`${machine.name}: ${states.join(', ')} start ${target}, which is not a machine of the project; its executions are not estimated`);
          kept.push({ ...call, states, perExecution, sites: group });
          continue;
        }
        machine.model.children.push({
          label: `${states.join(', ')} → ${target}`,
          states,
          type: child.type,
          perExecution,
          model: { transitions: child.model.transitions, durations: child.model.durations, durationMs: child.model.durationMs, children: child.model.children, calls: child.model.calls },
          memoryMB: child.memoryMB,
          kind: 'execution',
          machine: target,
        });
        assumptions.push(`${machine.name}: ${states.join(', ')} start ${target}; priced as ${child.type} executions of ${target} (on top of its own executions a month)`);
      }
    }
    machine.model.calls = kept;
  }
}
