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
import { estimatedExpressMemoryMB, EXPRESS_MAX_MS, type CallCount, type MachineModel } from './usage/model.js';
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
  const calls = [...machine.model.calls];
  const walk = (children: MachineModel['children'], depth: number) => {
    if (depth > 5) return;
    for (const child of children) {
      calls.push(...(child.model.calls ?? []));
      walk(child.model.children, depth + 1);
    }
  };
  walk(machine.model.children, 1);
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
    for (const call of machine.model.calls) {
      if (call.call.kind !== 'bedrock') continue;
      const { modelId } = call.call;
      const explicit = config.bedrock?.models?.[modelId];
      const fromRuns = measured.get(modelId);
      // Each state on its own: its mocks, its max_tokens, its prompt. Measured counts rescale the static sites.
      const sites = call.sites && call.sites.length > 0 ? call.sites : [{ state: call.states[0], call: call.call, perExecution: call.perExecution }];
      const staticCalls = sites.reduce((total, site) => total + site.perExecution, 0);
      for (const site of sites) {
        const request = site.call.kind === 'bedrock' ? site.call : call.call;
        const fromMocks = mocks ? mockedTokenUsage(mocks, machine.name, [site.state]) : undefined;
        const pick = (side: 'inputTokens' | 'outputTokens'): [number, Source] => {
          const stated = explicit?.[side] ?? config.bedrock?.[side];
          if (stated !== undefined) return [stated, 'usage file'];
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
        list.push({ weight: Math.max(call.perExecution * share * machine.executionsPerMonth, 1e-9), input, output, sources: [inputSource, outputSource] });
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

/**
 * Measured runs replace the static figures: transitions, every call they made
 * (off the expected path too), durations. A Distributed Map's child
 * executions leave no events in the parent's history, yet each is one of the
 * parent's transitions: the static count of children is added back.
 */
export function applyMeasured(model: MachineModel, measured: MeasuredUsage): string[] {
  const notes: string[] = [];
  // A Distributed Map's children measured through its Map Runs replace the static ones: their count, their own usage.
  notes.push(...overlayMeasuredChildren(model, measured, 'mapRun'));
  const children = model.children.reduce((total, child) => total + child.perExecution, 0);
  model.transitions = { min: measured.transitions.min + children, expected: measured.transitions.expected + children, max: measured.transitions.max + children };
  if (children > 0) notes.push(`${formatNumber(children)} child execution(s) per execution of ${model.children.map((child) => child.label).join(', ')} added to the measured transitions (one each; the parent's history does not list them)`);
  model.durationMs = measured.durationMs;
  if (measured.durations && measured.durations.length > 0) model.durations = measured.durations.map((ms) => [1 / measured.durations!.length, ms]);
  else model.durations = [[1, measured.durationMs]];
  const longest = Math.max(...model.durations.map(([, ms]) => ms));
  if (measured.durationMs > EXPRESS_MAX_MS) model.expressBlockers.push(`measured executions take ${formatNumber(Math.round(measured.durationMs / 6_000) / 10)} min on average; Express stops at 5 minutes`);
  else if (longest > EXPRESS_MAX_MS) model.warnings.push(`some measured executions took up to ${formatNumber(Math.round(longest / 6_000) / 10)} min; as Express they would time out at 5 minutes`);
  const seen = new Set<string>();
  for (const call of model.calls) {
    seen.add(call.key);
    call.perExecution = measured.calls[call.key] ?? 0;
  }
  for (const [key, perExecution] of Object.entries(measured.calls)) {
    if (seen.has(key)) continue;
    model.calls.push({ key, call: measuredCall(key), states: measured.callStates?.[key] ?? [], perExecution });
  }
  return notes;
}

/** Measured calls per execution as call counts of the model. */
function measuredCalls(usage: Pick<MeasuredUsage, 'calls' | 'callStates'>): CallCount[] {
  return Object.entries(usage.calls).map(([key, perExecution]) => ({ key, call: measuredCall(key), states: usage.callStates?.[key] ?? [], perExecution }));
}

/**
 * Child executions the measured runs started, read from their own histories, in place of the static model's: per
 * parent execution as many as were counted, each with its measured transitions, durations and calls. `mapRun`:
 * a Distributed Map's children (whose calls the parent's measured history does not hold); `execution`: the
 * startExecution children linkNestedExecutions made of the measured start calls.
 */
export function overlayMeasuredChildren(model: MachineModel, measured: MeasuredUsage, kind: 'mapRun' | 'execution'): string[] {
  const notes: string[] = [];
  for (const child of model.children) {
    const found = (measured.children ?? []).filter((entry) => entry.kind === kind && child.states.includes(entry.state));
    if (found.length === 0) continue;
    const usage = found[0].usage;
    if (kind === 'mapRun') child.perExecution = found.reduce((total, entry) => total + entry.perExecution, 0);
    child.model = {
      ...child.model,
      transitions: usage.transitions,
      durationMs: usage.durationMs,
      durations: usage.durations.length > 0 ? usage.durations.map((ms): [number, number] => [1 / usage.durations.length, ms]) : [[1, usage.durationMs]],
      calls: measuredCalls(usage),
    };
    notes.push(
      `${child.label}: ${formatNumber(child.perExecution)} child execution(s) per execution, their transitions (${formatNumber(usage.transitions.expected)} each), durations and calls measured from ${usage.executions} of their own histories`,
    );
  }
  return notes;
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
        });
        assumptions.push(`${machine.name}: ${states.join(', ')} start ${target}; priced as ${child.type} executions of ${target} (on top of its own executions a month)`);
      }
    }
    machine.model.calls = kept;
  }
}
