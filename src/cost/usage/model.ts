/**
 * The usage model: what one execution of a state machine consumes, estimated
 * statically from its graph.
 *
 * State transitions are counted as AWS bills them for Standard workflows: one
 * for every state entered (Choice, Pass, Wait, Succeed, Fail, Parallel, Map and
 * every state inside branches and iterations included), plus one for every
 * retry. Map iterations and Parallel branches themselves are not transitions.
 *
 * The expected numbers treat the graph as a Markov chain: Choice branches are
 * taken with the weights of the usage file (else evenly), a Task attempt fails
 * with its expected failure rate and is retried or caught as its Retry and
 * Catch say. Expected visits solve v = start + Pᵀv, which also handles loops.
 * The minimum is the shortest failure-free path; the maximum takes every retry
 * and the longest route, each loop bounded by the usage file.
 */
import { firstMatching } from '../../asl/errors.js';
import { backoffDelay, RETRY_DEFAULTS } from '../../asl/retry.js';
import { nestedMachines, targetsOf } from '../../asl/graph.js';
import type { JsonValue, QueryLanguage, Retrier, State, SubMachine, WorkflowType } from '../../asl/types.js';
import { compileChoiceRule, compileJsonataValue, compilePayload, type EvalScope } from '../../engine/expr.js';
import type { CostUsageHints as UsageHints } from '../../project/config.js';
import { UsageError } from '../../ui/errors.js';
import { classifyTask, type TaskCall } from './resources.js';

export interface Range {
  min: number;
  expected: number;
  max: number;
}

export type { CostUsageHints as UsageHints } from '../../project/config.js';

export interface DurationModel {
  lambdaMs(functionName: string): number;
  bedrockMs: number;
  integrationMs: number;
}

export interface ModelInput {
  definition: { StartAt: string; States: Record<string, State> };
  hints?: UsageHints;
  /** Sample inputs (events/<machine>/*.json) to count Map items and read Wait seconds from. */
  sampleInputs?: unknown[];
  durations?: Partial<DurationModel>;
  /** Size of an execution's input (payloadKB of the usage file), for Express memory where no sample says better. */
  payloadKB?: number;
}

export interface CallCount {
  /** `lambda:<function>`, `bedrock:<model id>`, or the integration (`sns:publish`, `activity:<name>`, ...). */
  key: string;
  call: TaskCall;
  states: string[];
  /** Expected calls (attempts) per execution. */
  perExecution: number;
  /** Bedrock tokens per call measured at this site (--from-executions), over every call made, answered or not. */
  tokens?: { inputTokens: number; outputTokens: number };
  /**
   * The same per state: states sharing a key may call it differently (one Bedrock prompt has
   * max_tokens, the next does not; two starts of different machines), and their inputs are read per state.
   */
  sites?: Array<{ state: string; call: TaskCall; perExecution: number }>;
}

/**
 * Wall time of one execution as outcomes: [probability, milliseconds]. Express
 * rounds every execution up to 100 ms on its own, so the bill needs the spread,
 * not the mean.
 */
export type Durations = Array<[number, number]>;

/**
 * Child workflow executions one execution starts, billed as executions of
 * their own type: a Distributed Map's children, or a nested
 * `states:startExecution` of a machine of the project (filled in by the caller).
 */
export interface ChildExecutions {
  /** `Map` state, or `Task → machine`. */
  label: string;
  states: string[];
  type: WorkflowType;
  /** Expected child executions per parent execution. */
  perExecution: number;
  /** One child's usage; its calls are counted in the parent's `calls` for Distributed Map children. */
  model: Pick<MachineModel, 'transitions' | 'durations' | 'durationMs' | 'children'> & {
    calls?: CallCount[];
    /**
     * A Distributed Map child's calls by the static walk, per child: the parent's `calls` hold them (× the children),
     * and measured parent runs replace those, so children left unmeasured take these back.
     */
    ownCalls?: CallCount[];
  };
  /** One child's Express memory: its own, by AWS's rule for its own definition and input (never the parent's). */
  memoryMB: number;
  /** What starts them: a Distributed Map's Map Run, or a startExecution Task. */
  kind?: 'mapRun' | 'execution';
  /** The machine of the project they run, for startExecution children. */
  machine?: string;
}

export interface MachineModel {
  transitions: Range;
  calls: CallCount[];
  /** Expected wall time of one execution (for Express duration). */
  durationMs: number;
  durations: Durations;
  children: ChildExecutions[];
  /** What Express workflows cannot run, with the reason (empty: it can run as Express). */
  expressBlockers: string[];
  /**
   * Expected history events of one execution by type (what Step Functions
   * logs at level ALL), from the same walk: each state's Entered/Exited, each
   * Task attempt's Scheduled/Started/Succeeded or Failed, Map and Parallel
   * starts and iterations, the execution's start and its end.
   */
  events: Record<string, number>;
  /**
   * AWS's "number of Parallel or Map steps" of its Express memory estimate: the Parallel branches
   * and inline Map iterations held at once (at least 1: the payload itself).
   */
  payloadCopies: number;
  /**
   * AWS's "payload per step" of inline Map iterations whose items the sample events show: each iteration held at
   * once holds its own input (the item as ItemSelector shapes it), in KB, on top of payload × payloadCopies.
   */
  iterationPayloadKB: number;
  assumptions: string[];
  warnings: string[];
}

export const DEFAULT_LOOP_MAX = 10;

/**
 * AWS's estimate of an Express execution's memory when it is not given
 * (pricing page): 50 MB + the definition + the payload × the number of
 * Parallel or Map steps. Sizes in decimal units, as AWS's worked example
 * (50 MB + 50 KB + 32 KB × 400 steps = 62.85 MB); billed in 64 MB chunks.
 */
export function estimatedExpressMemoryMB(definitionBytes: number, payloadKB: number, steps: number): number {
  return 50 + definitionBytes / 1_000_000 + (payloadKB * steps) / 1000;
}

/**
 * AWS runs at most 40 iterations of an inline Map at once ("this mode supports up to 40 concurrent
 * iterations", https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html), whatever MaxConcurrency says above it.
 */
export const INLINE_MAP_CONCURRENCY = 40;
export const DEFAULT_DURATIONS: DurationModel = { lambdaMs: () => 100, bedrockMs: 2000, integrationMs: 50 };

interface Tally {
  calls: Map<string, { call: TaskCall; states: Set<string>; perEntry: number; sites: Map<string, { call: TaskCall; perEntry: number }> }>;
  children: Map<string, ChildExecutions>;
  /** Expected history events by type per entry; `uncaught` counts failures no Catch handles. */
  events: Map<string, number>;
}

function emptyTally(): Tally {
  return { calls: new Map(), children: new Map(), events: new Map() };
}

function countEvent(tally: Tally, type: string, count: number): void {
  if (count !== 0) tally.events.set(type, (tally.events.get(type) ?? 0) + count);
}

function stateEvents(type: string, exits = true): Tally {
  const tally = emptyTally();
  countEvent(tally, `${type}StateEntered`, 1);
  if (exits) countEvent(tally, `${type}StateExited`, 1);
  return tally;
}

function addTally(into: Tally, from: Tally, factor: number): void {
  for (const [type, count] of from.events) countEvent(into, type, count * factor);
  for (const [key, child] of from.children) {
    const existing = into.children.get(key);
    if (existing) existing.perExecution += child.perExecution * factor;
    else into.children.set(key, { ...child, perExecution: child.perExecution * factor });
  }
  for (const [key, entry] of from.calls) {
    const existing = into.calls.get(key);
    if (existing) {
      existing.perEntry += entry.perEntry * factor;
      for (const state of entry.states) existing.states.add(state);
      for (const [state, site] of entry.sites) {
        const known = existing.sites.get(state);
        if (known) known.perEntry += site.perEntry * factor;
        else existing.sites.set(state, { call: site.call, perEntry: site.perEntry * factor });
      }
    } else {
      const sites = new Map([...entry.sites].map(([state, site]) => [state, { call: site.call, perEntry: site.perEntry * factor }]));
      into.calls.set(key, { call: entry.call, states: new Set(entry.states), perEntry: entry.perEntry * factor, sites });
    }
  }
}

function callKey(call: TaskCall): string {
  switch (call.kind) {
    case 'lambda':
      return `lambda:${call.functionName}`;
    case 'bedrock':
      return `bedrock:${call.modelId}`;
    default:
      return call.integration;
  }
}

interface BlockResult {
  transitions: Range;
  tally: Tally;
  durationMs: number;
  durations: Durations;
}

interface StateResult {
  /** Transitions for one entry into the state (itself, its retries, and what runs inside it). */
  weight: Range;
  tally: Tally;
  durationMs: number;
  /** The spread of `durationMs`; a single outcome when absent. */
  durations?: Durations;
  /** Where the execution goes next on the expected path, with probabilities (summing to ≤ 1; the rest ends the block). */
  exits: Array<[string, number]>;
  /** Targets a failure-free run may take (for the minimum). */
  happyTargets: string[];
  /** Every target any run may take (for the maximum). */
  anyTargets: string[];
}

class Walker {
  readonly assumptions: string[] = [];
  readonly warnings: string[] = [];
  readonly expressBlockers: string[] = [];
  /** Extra payload copies held by Parallel branches and concurrent inline Map iterations. */
  extraPayloadCopies = 0;
  /** KB held by inline Map iterations whose items the samples show: each iteration holds its own input, not the execution's. */
  iterationPayloadKB = 0;
  private readonly hints: UsageHints;
  private readonly durations: DurationModel;

  constructor(private readonly input: ModelInput) {
    this.hints = input.hints ?? {};
    this.durations = { ...DEFAULT_DURATIONS, ...input.durations };
  }

  assume(text: string): void {
    if (!this.assumptions.includes(text)) this.assumptions.push(text);
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  block(machine: { StartAt: string; States: Record<string, State> }, where: string): BlockResult {
    const names = Object.keys(machine.States ?? {});
    if (!machine.StartAt || !machine.States?.[machine.StartAt]) {
      throw new UsageError(`${where}: StartAt \`${machine.StartAt}\` is not one of its states`, { hint: 'run `deliv validate` for details', code: 'INVALID_DEFINITION' });
    }
    const results = new Map<string, StateResult>();
    for (const name of names) results.set(name, this.state(name, machine.States[name], names));
    const sccs = stronglyConnected(names, (name) => results.get(name)!.anyTargets);
    this.applyLoops(machine, results, sccs);

    const visits = expectedVisits(names, machine.StartAt, results);
    const tally = emptyTally();
    let expected = 0;
    let durationMs = 0;
    names.forEach((name, index) => {
      const result = results.get(name)!;
      const v = visits[index];
      if (v <= 0) return;
      expected += v * result.weight.expected;
      durationMs += v * result.durationMs;
      addTally(tally, result.tally, v);
    });
    return {
      transitions: { min: shortestPath(machine.StartAt, results), expected, max: this.longestPath(machine.StartAt, results, sccs, machine) },
      tally,
      durationMs,
      durations: pathDurations(machine.StartAt, results),
    };
  }

  /** A Choice closing a loop with `loops.<Choice>` in the usage file: continue with probability 1 − 1/expected. */
  private applyLoops(machine: { States: Record<string, State> }, results: Map<string, StateResult>, sccs: string[][]): void {
    for (const [name, bound] of Object.entries(this.hints.loops ?? {})) {
      const state = machine.States[name];
      if (!state) continue;
      if (state.Type !== 'Choice') {
        throw new UsageError(`usage file: loops.${name} must name the Choice state that decides whether the loop runs again`, { code: 'FILE_PROBLEM' });
      }
      const component = sccs.find((scc) => scc.includes(name))!;
      const result = results.get(name)!;
      const looping = result.anyTargets.filter((target) => component.includes(target));
      const leaving = result.anyTargets.filter((target) => !component.includes(target));
      if (looping.length === 0 || component.length < 2) throw new UsageError(`usage file: loops.${name}: \`${name}\` is not on a loop`, { code: 'FILE_PROBLEM' });
      const expected = typeof bound === 'number' ? bound : (bound.expected ?? bound.max ?? 1);
      if (!(expected >= 1)) throw new UsageError(`usage file: loops.${name} must be at least 1`, { code: 'FILE_PROBLEM' });
      if (leaving.length === 0) throw new UsageError(`usage file: loops.${name}: the loop through \`${name}\` has no way out`, { code: 'FILE_PROBLEM' });
      const stay = 1 - 1 / expected;
      result.exits = [
        ...looping.map((target): [string, number] => [target, stay / looping.length]),
        ...leaving.map((target): [string, number] => [target, (1 - stay) / leaving.length]),
      ];
    }
  }

  private loopMax(component: string[], machine: { States: Record<string, State> }): number {
    for (const name of component) {
      const bound = this.hints.loops?.[name];
      if (bound !== undefined && machine.States[name]?.Type === 'Choice') {
        return typeof bound === 'number' ? bound : (bound.max ?? bound.expected ?? DEFAULT_LOOP_MAX);
      }
    }
    this.assume(`loop through ${component.join(', ')}: at most ${DEFAULT_LOOP_MAX} rounds in the maximum (set loops.<Choice> in the usage file)`);
    return DEFAULT_LOOP_MAX;
  }

  private longestPath(start: string, results: Map<string, StateResult>, sccs: string[][], machine: { States: Record<string, State> }): number {
    const componentOf = new Map<string, number>();
    sccs.forEach((component, index) => component.forEach((name) => componentOf.set(name, index)));
    const weights = sccs.map((component) => {
      const sum = component.reduce((total, name) => total + results.get(name)!.weight.max, 0);
      const cyclic = component.length > 1 || results.get(component[0])!.anyTargets.includes(component[0]);
      return cyclic ? sum * this.loopMax(component, machine) : sum;
    });
    const memo = new Map<number, number>();
    const best = (index: number): number => {
      const known = memo.get(index);
      if (known !== undefined) return known;
      let next = 0;
      for (const name of sccs[index]) {
        for (const target of results.get(name)!.anyTargets) {
          const targetIndex = componentOf.get(target);
          if (targetIndex !== undefined && targetIndex !== index) next = Math.max(next, best(targetIndex));
        }
      }
      const value = weights[index] + next;
      memo.set(index, value);
      return value;
    };
    return best(componentOf.get(start)!);
  }

  private failure(name: string): { rate: number; error?: string } | undefined {
    const value = this.hints.failureRates?.[name];
    if (value === undefined) return undefined;
    const failure = typeof value === 'number' ? { rate: value } : value;
    if (!(failure.rate >= 0 && failure.rate <= 1)) throw new UsageError(`usage file: failureRates.${name} must be between 0 and 1`, { code: 'FILE_PROBLEM' });
    return failure;
  }

  private state(name: string, state: State, siblings: string[]): StateResult {
    const next = targetsOf(state, ['next']);
    for (const target of next) {
      if (!siblings.includes(target)) throw new UsageError(`state \`${name}\`: Next \`${target}\` is not a state of its block`, { hint: 'run `deliv validate` for details', code: 'INVALID_DEFINITION' });
    }
    const base: StateResult = { weight: { min: 1, expected: 1, max: 1 }, tally: emptyTally(), durationMs: 0, exits: next.map((target) => [target, 1]), happyTargets: next, anyTargets: next };
    switch (state.Type) {
      case 'Pass':
      case 'Succeed':
        return { ...base, tally: stateEvents(state.Type) };
      case 'Fail':
        // A Fail state is entered, never exited: the execution (or its branch) fails there.
        return { ...base, tally: stateEvents('Fail', false) };
      case 'Wait': {
        const seconds = this.waitSeconds(name, state);
        const mean = seconds.reduce((total, [p, value]) => total + p * value, 0);
        return { ...base, tally: stateEvents('Wait'), durationMs: mean * 1000, durations: seconds.map(([p, value]) => [p, value * 1000]) };
      }
      case 'Choice':
        return this.choice(name, state, siblings);
      case 'Task': {
        const call = classifyTask(state);
        const tally = emptyTally();
        tally.calls.set(callKey(call), { call, states: new Set([name]), perEntry: 1, sites: new Map([[name, { call, perEntry: 1 }]]) });
        // Per attempt; withRetries turns the failed attempts' Succeeded into Failed.
        for (const type of ['TaskScheduled', 'TaskStarted', 'TaskSucceeded']) countEvent(tally, type, 1);
        if ('callback' in call && call.callback) {
          this.assume(`${name}: waits for a task token; the wait is not billed by Standard workflows`);
          this.blockExpress(`${name} waits for a task token (.waitForTaskToken)`);
        }
        if (call.kind === 'integration' && /\.sync(:2)?$/.test(call.integration)) {
          this.blockExpress(`${name} runs a .sync integration (${call.integration})`);
          // A .sync job is submitted before it is waited for: one more event per attempt.
          countEvent(tally, 'TaskSubmitted', 1);
        }
        if (call.kind === 'activity') this.blockExpress(`${name} calls an Activity (${call.integration.slice('activity:'.length)})`);
        return this.withRetries(name, state, { ...base, tally, durationMs: this.callDuration(call) });
      }
      case 'Parallel': {
        const branches = (state.Branches ?? []).map((branch, index) => this.block(branch, `${name}.Branches[${index}]`));
        const tally = emptyTally();
        for (const branch of branches) addTally(tally, branch.tally, 1);
        countEvent(tally, 'ParallelStateStarted', 1);
        countEvent(tally, 'ParallelStateSucceeded', 1);
        const inner = sumRanges(branches.map((branch) => branch.transitions));
        this.extraPayloadCopies += branches.length;
        const durations = maxOf(branches.map((branch) => branch.durations));
        return this.withRetries(name, state, {
          ...base,
          weight: { min: 1 + inner.min, expected: 1 + inner.expected, max: 1 + inner.max },
          tally,
          durationMs: meanDuration(durations),
          durations,
        });
      }
      case 'Map': {
        const processor: SubMachine | undefined = state.ItemProcessor ?? state.Iterator;
        if (!processor) throw new UsageError(`Map state \`${name}\` has no ItemProcessor`, { code: 'INVALID_DEFINITION' });
        const copiesBefore = this.extraPayloadCopies;
        const kbBefore = this.iterationPayloadKB;
        const iteration = this.block(processor, `${name}.ItemProcessor`);
        const innerCopies = this.extraPayloadCopies - copiesBefore;
        const innerKB = this.iterationPayloadKB - kbBefore;
        const items = this.mapItems(name, state);
        const tally = emptyTally();
        addTally(tally, iteration.tally, items.expected);
        countEvent(tally, 'MapStateStarted', 1);
        countEvent(tally, 'MapStateSucceeded', 1);
        const concurrency = typeof state.MaxConcurrency === 'number' && state.MaxConcurrency > 0 ? state.MaxConcurrency : Infinity;
        if (processor.ProcessorConfig?.Mode === 'DISTRIBUTED') {
          // The children hold their own payload copies, in their own memory: none of them is this machine's.
          this.extraPayloadCopies = copiesBefore;
          this.iterationPayloadKB = kbBefore;
          const waves = Number.isFinite(concurrency) ? Math.ceil(items.expected / concurrency) : Math.min(1, items.expected);
          return this.distributedMap(name, state, processor, iteration, items, waves, { copies: innerCopies, kb: innerKB }, base);
        }
        countEvent(tally, 'MapIterationStarted', items.expected);
        countEvent(tally, 'MapIterationSucceeded', items.expected);
        // AWS's "payload per step": an iteration holds its input (the item as ItemSelector shapes it) when the samples show one.
        if (items.largestItemBytes !== undefined) this.iterationPayloadKB += (Math.min(items.max, concurrency) * items.largestItemBytes) / 1000;
        else this.extraPayloadCopies += Math.min(items.max, concurrency);
        // The item count moves the duration of each execution: every count its own outcome, before Express rounds each up.
        const running = Math.min(concurrency, INLINE_MAP_CONCURRENCY);
        const durations = compact(items.spread.flatMap(([p, count]) => mapDuration(iteration.durations, count, running).map(([q, ms]): [number, number] => [p * q, ms])));
        return this.withRetries(name, state, {
          ...base,
          weight: {
            min: 1 + items.min * iteration.transitions.min,
            expected: 1 + items.expected * iteration.transitions.expected,
            max: 1 + items.max * iteration.transitions.max,
          },
          tally,
          durationMs: meanDuration(durations),
          durations,
        });
      }
    }
  }

  blockExpress(reason: string): void {
    if (!this.expressBlockers.includes(reason)) this.expressBlockers.push(reason);
  }

  /**
   * A Distributed Map runs every item (or batch) as a child workflow execution
   * of its own type: the parent pays the Map state and one transition per
   * child, each child is billed as a Standard or Express execution.
   */
  private distributedMap(name: string, state: Extract<State, { Type: 'Map' }>, processor: SubMachine, iteration: BlockResult, items: MapItems, waves: number, inner: { copies: number; kb: number }, base: StateResult): StateResult {
    const type: WorkflowType = processor.ProcessorConfig?.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
    const batch = state.ItemBatcher?.MaxItemsPerBatch;
    const perBatch = typeof batch === 'number' && batch > 0 ? batch : 1;
    const children = (count: number) => (perBatch > 1 ? Math.ceil(count / perBatch) : count);
    const count = { min: children(items.min), expected: perBatch > 1 ? Math.ceil(items.expected / perBatch) : items.expected, max: children(items.max) };
    if (perBatch > 1) this.assume(`${name}: items batched ${perBatch} to a child execution`);
    const longestChild = Math.max(...iteration.durations.map(([, ms]) => ms));
    // An Express child stops at 5 minutes like any Express execution: billing it for longer would price a failure.
    if (type === 'EXPRESS' && longestChild > EXPRESS_MAX_MS) this.warn(`${name}: its Express child executions take up to ${round(longestChild / 60_000)} min; Express stops at 5 minutes (make the children STANDARD)`);
    // Not AWS's documented word: no AWS page found says an EXPRESS machine cannot hold a Distributed Map (searched
    // the Step Functions developer guide, Map state and Distributed mode pages, 2026-12-06); third-party linters
    // say so, and src/asl/validate.ts accepts one. Kept as a blocker because pricing the parent as Express would
    // rest on a Map Run inside an Express execution, which deliv has no AWS source to bill.
    this.blockExpress(`${name} is a Distributed Map (Express workflows cannot run one)`);
    // The item processor's states run in the children, not in this machine: only its calls stay in the tally,
    // once per child (a batch of items is one child's input, one run of its states).
    const own = emptyTally();
    const calls = emptyTally();
    addTally(calls, iteration.tally, count.expected);
    for (const [key, entry] of calls.calls) own.calls.set(key, entry);
    // The parent logs the Map Run; each child execution's own events are the child's.
    for (const type of ['MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded']) countEvent(own, type, 1);
    own.children.set(`map:${name}`, {
      label: `${name} (Distributed Map)`,
      states: [name],
      type,
      perExecution: count.expected,
      model: { transitions: iteration.transitions, durations: iteration.durations, durationMs: iteration.durationMs, children: [...iteration.tally.children.values()], ownCalls: callCounts(iteration.tally) },
      memoryMB: type === 'EXPRESS' ? this.childMemory(name, processor, items, perBatch, inner) : 0,
      kind: 'mapRun',
    });
    return this.withRetries(name, state, {
      ...base,
      weight: { min: 1 + count.min, expected: 1 + count.expected, max: 1 + count.max },
      tally: own,
      durationMs: waves * iteration.durationMs,
    });
  }

  /**
   * One Express child's memory by AWS's rule for the child itself: its own definition (the item processor), its
   * own input (one item, or a batch of them), the Parallel and Map steps inside it.
   */
  private childMemory(name: string, processor: SubMachine, items: MapItems, perBatch: number, inner: { copies: number; kb: number }): number {
    const { ProcessorConfig: _config, ...definition } = processor as SubMachine & { ProcessorConfig?: unknown };
    const definitionBytes = Buffer.byteLength(JSON.stringify(definition));
    const perChild = Math.max(1, Math.min(perBatch, items.max));
    let payloadKB: number;
    let source: string;
    if (items.largestItemBytes !== undefined) {
      payloadKB = (items.largestItemBytes * perChild) / 1000;
      source = `${perChild > 1 ? `${perChild} × ` : ''}the largest item of the sample events${items.selected ? ' as ItemSelector shapes it' : ''} (${round(items.largestItemBytes / 1000)} KB)`;
    } else if (this.input.payloadKB !== undefined) {
      payloadKB = this.input.payloadKB;
      source = "payloadKB, the parent's input size: no sample item to measure";
    } else {
      payloadKB = 1;
      source = 'assumed: no sample item to measure; set payloadKB';
    }
    const steps = Math.max(1, inner.copies);
    const memoryMB = estimatedExpressMemoryMB(definitionBytes, payloadKB, steps) + inner.kb / 1000;
    const iterations = inner.kb > 0 ? ` + ${round(inner.kb)} KB of inline Map iterations' inputs` : '';
    this.assume(
      `${name}: Express memory of each child execution ${Math.max(64, Math.ceil(memoryMB / 64) * 64)} MB billed: 50 MB + ${round(definitionBytes / 1000)} KB child definition + ${round(payloadKB)} KB input (${source}) × ${steps} Map or Parallel step${steps === 1 ? '' : 's'}${iterations} = ${round(memoryMB)} MB, in 64 MB chunks`,
    );
    return memoryMB;
  }

  private choice(name: string, state: Extract<State, { Type: 'Choice' }>, siblings: string[]): StateResult {
    const targets = targetsOf(state, ['choice', 'default']);
    for (const target of targets) {
      if (!siblings.includes(target)) throw new UsageError(`Choice \`${name}\`: target \`${target}\` is not a state of its block`, { hint: 'run `deliv validate` for details', code: 'INVALID_DEFINITION' });
    }
    const weights = this.hints.choices?.[name];
    let exits: Array<[string, number]>;
    if (weights) {
      for (const target of Object.keys(weights)) {
        if (!targets.includes(target)) {
          throw new UsageError(`usage file: choices.${name}.${target}: \`${name}\` has no branch to \`${target}\``, { hint: `its branches go to ${targets.join(', ')}`, code: 'FILE_PROBLEM' });
        }
      }
      const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
      if (!(total > 0)) throw new UsageError(`usage file: choices.${name}: weights must add up to more than 0`, { code: 'FILE_PROBLEM' });
      exits = targets.map((target) => [target, (weights[target] ?? 0) / total]);
      // The weights move the bill as much as any price: the report says which were used.
      this.assume(`${name}: branch weights from the usage file: ${exits.map(([target, p]) => `${target} ${round(p * 100)}%`).join(', ')}`);
    } else {
      exits = targets.map((target) => [target, 1 / targets.length]);
      if (targets.length > 1) this.assume(`${name}: no branch weights, even split over ${targets.join(', ')} (set choices.${name} in the usage file)`);
    }
    if (!state.Default && (state.Choices ?? []).length > 0) {
      this.warn(`${name}: no Default; an input matching no rule fails the execution with States.NoChoiceMatched`);
    }
    return { weight: { min: 1, expected: 1, max: 1 }, tally: stateEvents('Choice'), durationMs: 0, exits, happyTargets: targets, anyTargets: targets };
  }

  /** Retries and catches of a Task, Parallel or Map: each retry is one more billed transition and one more run of the work. */
  private withRetries(name: string, state: Extract<State, { Type: 'Task' | 'Parallel' | 'Map' }>, result: StateResult): StateResult {
    const retriers = state.Retry ?? [];
    const catchers = state.Catch ?? [];
    const catchTargets = targetsOf(state, ['catch']);
    const failure = this.failure(name);
    const maxRetries = retriers.reduce((total, retrier) => total + maxAttempts(retrier), 0);
    const inner = result.weight;
    const work = { min: inner.min - 1, expected: inner.expected - 1, max: inner.max - 1 };
    const rate = failure?.rate ?? 0;
    const retrier = failure ? matching(retriers, failure.error) : undefined;
    const budget = retrier ? maxAttempts(retrier) : 0;
    let attempts = 1;
    let waitSeconds = 0;
    let reach = 1;
    for (let retry = 1; retry <= budget; retry++) {
      reach *= rate;
      attempts += reach;
      waitSeconds += reach * retryDelaySeconds(retrier!, retry);
    }
    const finalFailure = reach * rate;
    const catcher = failure && finalFailure > 0 ? matching(catchers, failure.error) : undefined;
    if (failure && rate > 0) {
      this.assume(
        `${name}: ${(rate * 100).toFixed(2).replace(/\.?0+$/, '')}% of attempts fail${failure.error ? ` with ${failure.error}` : ''}` +
          (retrier ? `, retried up to ${budget} times` : ', not retried') +
          (finalFailure > 0 ? (catcher ? `, then caught to ${catcher.Next}` : ', then fail the execution') : ''),
      );
    }
    const exits: Array<[string, number]> = result.exits.map(([target, p]) => [target, p * (1 - finalFailure)]);
    if (catcher && finalFailure > 0) exits.push([catcher.Next, finalFailure]);
    const tally = emptyTally();
    addTally(tally, result.tally, attempts);
    // Each attempt was counted as succeeding; the expected failed ones (attempts − successes) end in the failure event instead.
    const failedAttempts = failure && rate > 0 ? attempts - (1 - finalFailure) : 0;
    const [succeeded, failed] = state.Type === 'Task' ? ['TaskSucceeded', 'TaskFailed'] : [`${state.Type}StateSucceeded`, `${state.Type}StateFailed`];
    countEvent(tally, succeeded, -failedAttempts);
    countEvent(tally, failed, failedAttempts);
    countEvent(tally, `${state.Type}StateEntered`, 1);
    countEvent(tally, `${state.Type}StateExited`, catcher ? 1 : 1 - finalFailure);
    if (!catcher) countEvent(tally, 'uncaught', finalFailure);
    let durations = result.durations;
    if (failure && rate > 0) {
      // k retries happen with probability rate^k; the run stops at the first success or when the retries are spent.
      const once = result.durations ? meanDuration(result.durations) : result.durationMs;
      const outcomes: Durations = [];
      let reached = 1;
      let waited = 0;
      for (let retry = 0; retry <= budget; retry++) {
        outcomes.push([reached * (retry < budget ? 1 - rate : 1), (retry + 1) * once + waited]);
        reached *= rate;
        if (retry < budget) waited += retryDelaySeconds(retrier!, retry + 1) * 1000;
      }
      durations = compact(outcomes);
    }
    return {
      weight: {
        min: inner.min,
        expected: attempts * (1 + work.expected),
        max: (1 + maxRetries) * (1 + work.max),
      },
      tally,
      durationMs: attempts * result.durationMs + waitSeconds * 1000,
      durations,
      exits,
      happyTargets: result.happyTargets,
      anyTargets: [...new Set([...result.anyTargets, ...catchTargets])],
    };
  }

  private callDuration(call: TaskCall): number {
    switch (call.kind) {
      case 'lambda':
        return this.durations.lambdaMs(call.functionName);
      case 'bedrock':
        return this.durations.bedrockMs;
      default:
        return this.durations.integrationMs;
    }
  }

  /** Seconds waited, as outcomes: one per sample event that gives them. */
  private waitSeconds(name: string, state: Extract<State, { Type: 'Wait' }>): Durations {
    const fromHints = this.hints.waitSeconds?.[name];
    if (fromHints !== undefined) return [[1, fromHints]];
    if (typeof state.Seconds === 'number') return [[1, state.Seconds]];
    const path = state.SecondsPath ?? jsonataInputPath(state.Seconds);
    if (path) {
      const samples = this.samplesReaching(name);
      const values = samples.reaching.map((sample) => readPath(sample, path)).filter((value): value is number => typeof value === 'number');
      if (values.length > 0) {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        this.assume(`${name}: waits ${round(mean)} s on average, read from ${values.length} sample event(s)${samples.note}`);
        return values.map((value) => [1 / values.length, value]);
      }
    }
    if (state.Timestamp || state.TimestampPath || path) {
      this.assume(`${name}: wait time unknown, 0 s assumed for Express duration (set waitSeconds.${name} in the usage file)`);
    }
    return [[1, 0]];
  }

  /**
   * The sample events whose run can reach `target` (or the Parallel or Map
   * holding it): each is walked from StartAt along Next, and at every Choice
   * its rules are evaluated with the sample, so a Choice that routes a sample
   * elsewhere keeps it out of what is averaged there. A rule the sample alone
   * cannot decide (it reads what an earlier state computes) lets the sample
   * go both ways. `note` says, for the assumption, when some were left out.
   */
  private samplesReaching(target: string): { reaching: unknown[]; note: string } {
    const samples = this.input.sampleInputs ?? [];
    const reaching = samples.filter((sample) => reaches(this.input.definition, target, sample, this.language()));
    const left = samples.length - reaching.length;
    return { reaching, note: left > 0 ? ` (the ${left} other sample event(s) the Choice routing sends elsewhere)` : '' };
  }

  private language(): QueryLanguage {
    return (this.input.definition as { QueryLanguage?: QueryLanguage }).QueryLanguage ?? 'JSONPath';
  }

  private mapItems(name: string, state: Extract<State, { Type: 'Map' }>): MapItems {
    const hint = this.hints.mapItems?.[name];
    const path = state.ItemsPath ?? jsonataInputPath(state.Items) ?? (state.ItemReader || Array.isArray(state.Items) ? undefined : '$');
    const samples = this.samplesReaching(name);
    const reaching = samples.reaching;
    const found: Array<[unknown, unknown[]]> = Array.isArray(state.Items)
      ? (reaching.length > 0 ? reaching : [null]).map((sample): [unknown, unknown[]] => [sample, state.Items as unknown[]])
      : path
        ? reaching.map((sample): [unknown, unknown] => [sample, readPath(sample, path)]).filter((entry): entry is [unknown, unknown[]] => Array.isArray(entry[1]))
        : [];
    const arrays = found.map(([, list]) => list);
    // A child execution's (an iteration's) input is the item as ItemSelector shapes it, not the item as read.
    const select = itemSelector(state, state.QueryLanguage ?? this.language());
    const itemBytes = found.flatMap(([sample, list]) => list.map((item, index) => Buffer.byteLength(JSON.stringify(select(item, index, sample)) ?? '')));
    const largestItemBytes = itemBytes.length > 0 ? Math.max(...itemBytes) : undefined;
    const selected = select !== identityItem;
    if (hint !== undefined) {
      if (typeof hint === 'number') return { min: hint, expected: hint, max: hint, spread: wholeCounts([[1, hint]]), largestItemBytes, selected };
      const expected = hint.expected ?? hint.max ?? hint.min ?? 1;
      const range = { min: hint.min ?? expected, expected, max: hint.max ?? expected };
      const spread = spreadOf(range);
      if (spread.length > 1) {
        this.assume(
          `${name}: item counts ${range.min}–${range.max} priced as ${spread.map(([p, count]) => `${count} (${round(p * 100)}%)`).join(', ')}: a third at the expected ${range.expected}, the rest at min and max, weighted so the mean stays ${range.expected}`,
        );
      }
      return { ...range, spread, largestItemBytes, selected };
    }
    if (Array.isArray(state.Items)) return { min: state.Items.length, expected: state.Items.length, max: state.Items.length, spread: [[1, state.Items.length]], largestItemBytes, selected };
    if (path) {
      const counts = arrays.map((items) => items.length);
      if (counts.length > 0) {
        const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
        this.assume(`${name}: ${round(expected)} items per execution on average (${Math.min(...counts)}–${Math.max(...counts)}), counted in ${counts.length} sample event(s)${samples.note}`);
        return { min: Math.min(...counts), expected, max: Math.max(...counts), spread: counts.map((count): [number, number] => [1 / counts.length, count]), largestItemBytes, selected };
      }
    }
    this.assume(`${name}: 1 item per execution assumed (set mapItems.${name} in the usage file)`);
    return { min: 1, expected: 1, max: 1, spread: [[1, 1]], largestItemBytes, selected };
  }
}

/** A Map's item counts: the range, and the counts as outcomes [probability, count] for the duration. */
interface MapItems extends Range {
  spread: Array<[number, number]>;
  /** The largest item found in the sample events, as ItemSelector shapes it, in bytes of JSON (a child execution's input). */
  largestItemBytes?: number;
  /** Whether an ItemSelector (or the legacy Parameters) shaped the items measured. */
  selected: boolean;
}

const identityItem = (item: unknown): unknown => item;

/**
 * A Map's ItemSelector (or the legacy Parameters) applied to one item by the engine's own template evaluation, with
 * the context a run gives it (`$$.Map.Item.Index/Value`) and the sample as the Map's input. What a static walk
 * cannot know (a variable, an asynchronous JSONata function) leaves the item as read.
 */
function itemSelector(state: Extract<State, { Type: 'Map' }>, language: QueryLanguage): (item: unknown, index: number, input: unknown) => unknown {
  const template = state.ItemSelector ?? (language === 'JSONPath' ? state.Parameters : undefined);
  if (template === undefined) return identityItem;
  let evaluate: (scope: EvalScope) => JsonValue | Promise<JsonValue>;
  try {
    evaluate = language === 'JSONata' ? compileJsonataValue(template, 'ItemSelector') : compilePayload(template, 'ItemSelector');
  } catch {
    return identityItem;
  }
  return (item, index, input) => {
    const context: JsonValue = { Map: { Item: { Index: index, Value: item as JsonValue } } };
    const scope: EvalScope = { input: (input ?? null) as JsonValue, context, variables: {}, states: { input: (input ?? null) as JsonValue, context } };
    try {
      const value = evaluate(scope);
      if (value instanceof Promise) {
        value.catch(() => undefined);
        return item;
      }
      return value;
    } catch {
      return item;
    }
  };
}

/** A count that is not whole (an expected 2.5 items) as its two neighbours, keeping the mean. */
function wholeCounts(outcomes: Array<[number, number]>): Array<[number, number]> {
  return outcomes.flatMap(([p, count]): Array<[number, number]> => {
    const low = Math.floor(count);
    return count === low ? [[p, count]] : [[p * (low + 1 - count), low], [p * (count - low), low + 1]];
  });
}

/**
 * min / expected / max as outcomes: a third at the expected count, two thirds
 * on min and max weighted (max − e) : (e − min), which keeps the mean at e.
 */
function spreadOf(range: Range): Array<[number, number]> {
  const { min, expected, max } = range;
  if (!(max > min) || expected <= min || expected >= max) return wholeCounts([[1, expected]]);
  return wholeCounts([
    [((2 / 3) * (max - expected)) / (max - min), min],
    [1 / 3, expected],
    [((2 / 3) * (expected - min)) / (max - min), max],
  ]).filter(([p]) => p > 0);
}

/**
 * Wall time of an inline Map of `count` items, `running` at once: waves of
 * iterations, each as long as its longest iteration (the longest of
 * independent draws: P(max ≤ t) = F(t)^n), one wave after another.
 */
function mapDuration(iteration: Durations, count: number, running: number): Durations {
  if (count <= 0) return [[1, 0]];
  const perWave = Number.isFinite(running) ? running : count;
  const full = Math.floor(count / perWave);
  const rest = count - full * perWave;
  let total: Durations = [[1, 0]];
  if (full > 0) total = convolvePower(longestOf(iteration, perWave), full);
  if (rest > 0) total = convolve(total, longestOf(iteration, rest));
  return total;
}

function longestOf(durations: Durations, n: number): Durations {
  const sorted = compact(durations);
  const out: Durations = [];
  let below = 0;
  for (const [p, ms] of sorted) {
    const upTo = below + p;
    out.push([upTo ** n - below ** n, ms]);
    below = upTo;
  }
  return compact(out);
}

/** The sum of `times` independent copies, by doubling. */
function convolvePower(durations: Durations, times: number): Durations {
  let result: Durations = [[1, 0]];
  let base = durations;
  for (let n = times; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = convolve(result, base);
    if (n > 1) base = convolve(base, base);
  }
  return result;
}

/** Whether a run with this input can get to `target`, by the Choice rules it meets (see Walker.samplesReaching). */
function reaches(machine: { StartAt: string; States: Record<string, State> }, target: string, sample: unknown, language: QueryLanguage): boolean {
  const seen = new Set<string>();
  const pending = [machine.StartAt];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = machine.States[name];
    if (!state) continue;
    if (name === target || holds(state, target)) return true;
    // A sample walks the path it succeeds on: a Choice by its rules, any other state by Next (a Catch is failure's path).
    pending.push(...(state.Type === 'Choice' ? choiceRoutes(state, sample, state.QueryLanguage ?? language) : targetsOf(state, ['next'])));
  }
  return false;
}

/** Whether `target` is a state inside this Parallel's branches or this Map's iterations. */
function holds(state: State, target: string): boolean {
  return nestedMachines(state).some(({ machine }) => Object.entries(machine.States ?? {}).some(([name, inner]) => name === target || holds(inner, target)));
}

/** Where a Choice sends this input: the first rule that holds, else Default; a rule it cannot decide adds its branch and goes on. */
function choiceRoutes(state: Extract<State, { Type: 'Choice' }>, sample: unknown, language: QueryLanguage): string[] {
  const routes: string[] = [];
  const input = (sample ?? null) as JsonValue;
  for (const rule of state.Choices ?? []) {
    let holdsHere: boolean | undefined;
    try {
      const result = compileChoiceRule(rule, language)({ input, context: {}, variables: {}, states: { input } });
      if (typeof result === 'boolean') holdsHere = result;
      // A condition that needs an asynchronous JSONata function is not decided here.
      else result.catch(() => undefined);
    } catch {
      holdsHere = undefined;
    }
    if (holdsHere === false) continue;
    if (rule.Next) routes.push(rule.Next);
    if (holdsHere === true) return routes;
  }
  if (state.Default) routes.push(state.Default);
  return routes;
}

function maxAttempts(retrier: Retrier): number {
  return retrier.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts;
}

/** The wait before retry number `retry` (1 for the first), by the engine's one rule (src/asl/retry.ts). */
function retryDelaySeconds(retrier: Retrier, retry: number): number {
  return backoffDelay(retrier.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds, retrier.BackoffRate ?? RETRY_DEFAULTS.BackoffRate, retry - 1, retrier.MaxDelaySeconds);
}

/** The first retrier or catcher whose ErrorEquals matches `error` (any, when the error is not given). */
function matching<T extends { ErrorEquals: string[] }>(handlers: readonly T[], error: string | undefined): T | undefined {
  if (error === undefined) return handlers[0];
  return firstMatching(handlers, error);
}

function sumRanges(ranges: Range[]): Range {
  return ranges.reduce((total, range) => ({ min: total.min + range.min, expected: total.expected + range.expected, max: total.max + range.max }), {
    min: 0,
    expected: 0,
    max: 0,
  });
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** `{% $states.input.a.b %}` → `$.a.b`: the one JSONata shape whose value a static walk can read. */
function jsonataInputPath(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\{%\s*\$states\.input((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*%\}$/.exec(value.trim());
  return match ? `$${match[1]}` : undefined;
}

/** Reads a simple reference path (`$`, `$.a.b`, `$['a'].b[0]`) from a sample input. */
export function readPath(input: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([A-Za-z_$][\w$-]*)|\['([^']*)'\]|\[(\d+)\]/g)];
  let value: unknown = input;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = step[1] ?? step[2] ?? Number(step[3]);
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function expectedVisits(names: string[], start: string, results: Map<string, StateResult>): number[] {
  const n = names.length;
  const index = new Map(names.map((name, i) => [name, i]));
  // (I − Pᵀ) v = e_start
  const matrix: number[][] = names.map((_, row) => names.map((__, col) => (row === col ? 1 : 0)));
  const rhs: number[] = names.map((name) => (name === start ? 1 : 0));
  names.forEach((name, from) => {
    for (const [target, p] of results.get(name)!.exits) {
      const to = index.get(target);
      if (to !== undefined) matrix[to][from] -= p;
    }
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(matrix[row][col]) > Math.abs(matrix[pivot][col])) pivot = row;
    if (Math.abs(matrix[pivot][col]) < 1e-12) {
      throw new UsageError(`the loop through \`${names[col]}\` never ends on the expected path`, {
        hint: 'give the Choice that leaves it weights (choices.<Choice>) or a bound (loops.<Choice>) in the usage file',
      });
    }
    [matrix[col], matrix[pivot]] = [matrix[pivot], matrix[col]];
    [rhs[col], rhs[pivot]] = [rhs[pivot], rhs[col]];
    for (let row = 0; row < n; row++) {
      if (row === col || matrix[row][col] === 0) continue;
      const factor = matrix[row][col] / matrix[col][col];
      for (let k = col; k < n; k++) matrix[row][k] -= factor * matrix[col][k];
      rhs[row] -= factor * rhs[col];
    }
  }
  return names.map((_, i) => Math.max(0, rhs[i] / matrix[i][i]));
}

/** Fewest transitions from `start` to the end of the block with nothing failing. */
function shortestPath(start: string, results: Map<string, StateResult>): number {
  const distance = new Map<string, number>([[start, results.get(start)!.weight.min]]);
  const done = new Set<string>();
  let best = Infinity;
  for (;;) {
    let current: string | undefined;
    for (const [name, d] of distance) if (!done.has(name) && (current === undefined || d < distance.get(current)!)) current = name;
    if (current === undefined) break;
    done.add(current);
    const d = distance.get(current)!;
    const targets = results.get(current)!.happyTargets;
    if (targets.length === 0) best = Math.min(best, d);
    for (const target of targets) {
      const candidate = d + results.get(target)!.weight.min;
      if (candidate < (distance.get(target) ?? Infinity)) distance.set(target, candidate);
    }
  }
  return Number.isFinite(best) ? best : 0;
}

/** Tarjan's strongly connected components, in reverse topological order. */
function stronglyConnected(names: string[], edges: (name: string) => string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (name: string) => {
    index.set(name, counter);
    low.set(name, counter);
    counter++;
    stack.push(name);
    onStack.add(name);
    for (const target of edges(name)) {
      if (!names.includes(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(name, Math.min(low.get(name)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(name, Math.min(low.get(name)!, index.get(target)!));
      }
    }
    if (low.get(name) === index.get(name)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== name);
      components.push(component);
    }
  };
  for (const name of names) if (!index.has(name)) visit(name);
  return components;
}

function callCounts(tally: Tally): CallCount[] {
  return [...tally.calls].map(([key, entry]) => ({
    key,
    call: entry.call,
    states: [...entry.states],
    perExecution: entry.perEntry,
    sites: [...entry.sites].map(([state, site]) => ({ state, call: site.call, perExecution: site.perEntry })),
  }));
}

/** Estimates what one execution of `definition` uses. */
export function modelMachine(input: ModelInput): MachineModel {
  const walker = new Walker(input);
  const result = walker.block(input.definition, 'definition');
  const calls = callCounts(result.tally);
  const longest = Math.max(...result.durations.map(([, ms]) => ms));
  if (result.durationMs > EXPRESS_MAX_MS) walker.blockExpress(`an execution is expected to take ${round(result.durationMs / 60_000)} min; Express stops at 5 minutes`);
  else if (longest > EXPRESS_MAX_MS) walker.warn(`some paths take up to ${round(longest / 60_000)} min; as Express they would time out at 5 minutes`);
  return {
    transitions: result.transitions,
    calls,
    durationMs: result.durationMs,
    durations: result.durations,
    children: [...result.tally.children.values()],
    expressBlockers: walker.expressBlockers,
    events: executionEvents(result.tally.events),
    payloadCopies: Math.max(1, walker.extraPayloadCopies),
    iterationPayloadKB: walker.iterationPayloadKB,
    assumptions: walker.assumptions,
    warnings: walker.warnings,
  };
}

/**
 * The execution's own events around its states': it starts once and ends
 * failed as often as a Fail state is reached or a failure goes uncaught
 * (at most always), else succeeded.
 */
function executionEvents(events: ReadonlyMap<string, number>): Record<string, number> {
  const failed = Math.min(1, (events.get('FailStateEntered') ?? 0) + (events.get('uncaught') ?? 0));
  const all: Record<string, number> = { ExecutionStarted: 1 };
  for (const [type, count] of events) if (type !== 'uncaught' && count > 1e-12) all[type] = count;
  if (failed < 1) all.ExecutionSucceeded = 1 - failed;
  if (failed > 0) all.ExecutionFailed = failed;
  return all;
}

/** Express workflows run for at most five minutes. */
export const EXPRESS_MAX_MS = 5 * 60_000;

/** Outcomes kept per distribution; past it, neighbours merge (weighted mean), which moves the bill by well under a cent per million. */
const MAX_OUTCOMES = 256;

function compact(durations: Durations): Durations {
  const merged = new Map<number, number>();
  for (const [p, ms] of durations) if (p > 0) merged.set(ms, (merged.get(ms) ?? 0) + p);
  let sorted: Durations = [...merged].map(([ms, p]) => [p, ms]);
  sorted.sort((a, b) => a[1] - b[1]);
  if (sorted.length <= MAX_OUTCOMES) return sorted;
  const bucket = Math.ceil(sorted.length / MAX_OUTCOMES);
  const buckets: Durations = [];
  for (let i = 0; i < sorted.length; i += bucket) {
    const slice = sorted.slice(i, i + bucket);
    const p = slice.reduce((total, [q]) => total + q, 0);
    buckets.push([p, slice.reduce((total, [q, ms]) => total + q * ms, 0) / p]);
  }
  sorted = buckets;
  return sorted;
}

export function meanDuration(durations: Durations): number {
  const mass = durations.reduce((total, [p]) => total + p, 0);
  return mass > 0 ? durations.reduce((total, [p, ms]) => total + p * ms, 0) / mass : 0;
}

/** The sum of two independent durations. */
function convolve(a: Durations, b: Durations): Durations {
  const out: Durations = [];
  for (const [p, x] of a) for (const [q, y] of b) out.push([p * q, x + y]);
  return compact(out);
}

/** The longest of independent durations (Parallel branches run side by side). */
export function maxOf(all: Durations[]): Durations {
  return all.reduce<Durations>((acc, next) => {
    const out: Durations = [];
    for (const [p, x] of acc) for (const [q, y] of next) out.push([p * q, Math.max(x, y)]);
    return compact(out);
  }, [[1, 0]]);
}

/**
 * Durations of the paths through a block: probability mass flows from the
 * start state along the expected-path exits (loops included) until under a
 * billionth of it is still inside; what leaves a state without an exit ends
 * the block with the time it took to get there.
 */
function pathDurations(start: string, results: Map<string, StateResult>): Durations {
  const ended: Durations = [];
  let frontier = new Map<string, Durations>([[start, [[1, 0]]]]);
  for (let step = 0; step < 10_000 && frontier.size > 0; step++) {
    const next = new Map<string, Durations>();
    let inside = 0;
    for (const [name, arriving] of frontier) {
      const result = results.get(name)!;
      const after = convolve(arriving, result.durations ?? [[1, result.durationMs]]);
      const leaving = result.exits.reduce((total, [, p]) => total + p, 0);
      if (leaving < 1) for (const [p, ms] of after) ended.push([p * (1 - leaving), ms]);
      for (const [target, p] of result.exits) {
        if (p <= 0) continue;
        const moved: Durations = after.map(([q, ms]) => [q * p, ms]);
        next.set(target, compact([...(next.get(target) ?? []), ...moved]));
        inside += moved.reduce((total, [q]) => total + q, 0);
      }
    }
    frontier = inside < 1e-9 ? new Map() : next;
  }
  const result = compact(ended);
  const mass = result.reduce((total, [p]) => total + p, 0);
  return mass > 0 ? result.map(([p, ms]) => [p / mass, ms]) : [[1, 0]];
}
