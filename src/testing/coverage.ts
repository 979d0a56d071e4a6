/**
 * Coverage of a machine by a set of executions: states entered, transitions
 * taken, Choice rules (each rule and the Default) chosen, Catch handlers and
 * Retry policies that fired. Read from the definition and the histories only,
 * so the same code measures test runs and recorded executions.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { firstMatchingIndex, StatesErrors } from '../asl/errors.js';
import { statesOf, targetsOf } from '../asl/graph.js';
import type { ChoiceRule, JsonValue, QueryLanguage, StateMachineDefinition } from '../asl/types.js';
import { compileChoiceRule } from '../engine/choice.js';
import { compilePath } from '../engine/jsonpath.js';
import type { CoverageOverlay } from '../graph/coverage.js';
import { ATTEMPT_EVENTS, CONTAINER_FAILURE_EVENTS, errorOf, failureOf, historyValue, WORK_FAILURE_EVENTS, type StateVisit } from '../asl/history.js';
import { executionFacts } from './history.js';

export const METRICS = ['states', 'transitions', 'branches', 'catches', 'retries'] as const;
export type Metric = (typeof METRICS)[number];

/** One thing that can be covered: `state:Pay`, `edge:Pay->Ship`, `choice:IsPaid[0]`, `choice:IsPaid[Default]`, `catch:Pay[0]`, `retry:Pay[1]`. */
export interface CoverageItem {
  id: string;
  metric: Metric;
  state: string;
  /** Edge target, Choice rule target, catcher target. */
  to?: string;
  label: string;
  covered: boolean;
}

export interface MetricSummary {
  covered: number;
  total: number;
  /** 100 when there is nothing to cover. */
  percent: number;
}

export interface MachineCoverage {
  machine: string;
  metrics: Record<Metric, MetricSummary>;
  items: CoverageItem[];
  uncovered: CoverageItem[];
}

interface StateDef {
  Type?: string;
  Next?: string;
  Default?: string;
  Choices?: ChoiceRule[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  InputPath?: string | null;
  QueryLanguage?: QueryLanguage;
  Branches?: { StartAt: string; States: Record<string, StateDef>; QueryLanguage?: QueryLanguage }[];
  Iterator?: { StartAt: string; States: Record<string, StateDef> };
  ItemProcessor?: { StartAt: string; States: Record<string, StateDef> };
}

interface FlatState {
  name: string;
  def: StateDef;
  language: QueryLanguage;
}

/** Every state of the definition, nested ones included, with the query language it runs in. */
function flatten(definition: StateMachineDefinition): FlatState[] {
  return statesOf(definition).map((info) => ({ name: info.name, def: info.state as StateDef, language: info.queryLanguage }));
}

/** Every coverable item of a definition, none covered yet. */
export function coverageItems(definition: StateMachineDefinition): CoverageItem[] {
  const items: CoverageItem[] = [];
  const states = flatten(definition);
  for (const { name, def } of states) {
    items.push({ id: `state:${name}`, metric: 'states', state: name, label: name, covered: false });
    def.Choices?.forEach((rule, index) => {
      items.push({ id: `choice:${name}[${index}]`, metric: 'branches', state: name, to: rule.Next, label: `${name} rule ${index + 1} → ${rule.Next}`, covered: false });
    });
    if (def.Type === 'Choice') {
      // A Choice without Default still has an outcome of its own: States.NoChoiceMatched.
      items.push({ id: `choice:${name}[Default]`, metric: 'branches', state: name, to: def.Default, label: `${name} Default → ${def.Default ?? StatesErrors.NoChoiceMatched}`, covered: false });
    }
    def.Catch?.forEach((catcher, index) => {
      items.push({ id: `catch:${name}[${index}]`, metric: 'catches', state: name, to: catcher.Next, label: `${name} Catch ${catcher.ErrorEquals.join(', ')} → ${catcher.Next}`, covered: false });
    });
    def.Retry?.forEach((retrier, index) => {
      items.push({ id: `retry:${name}[${index}]`, metric: 'retries', state: name, label: `${name} Retry ${retrier.ErrorEquals.join(', ')}`, covered: false });
    });
    for (const to of targetsOf(def)) items.push({ id: `edge:${name}->${to}`, metric: 'transitions', state: name, to, label: `${name} → ${to}`, covered: false });
  }
  return items;
}

/** The error of a failed attempt event (a task's, or a Parallel or Map failing as a whole), if it is one. */
function failureError(event: HistoryEvent): string | undefined {
  const type = event.type ?? '';
  if (!WORK_FAILURE_EVENTS.has(type) && !CONTAINER_FAILURE_EVENTS.has(type)) return undefined;
  return failureOf(event)?.error || undefined;
}

function choiceRuleTaken(flat: FlatState, entry: StateVisit, target: string, variables: Record<string, JsonValue>): string | undefined {
  const rules = flat.def.Choices ?? [];
  const candidates = rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => rule.Next === target);
  const defaultToo = flat.def.Default === target;
  if (candidates.length === 1 && !defaultToo) return `[${candidates[0].index}]`;
  if (candidates.length === 0) return defaultToo ? '[Default]' : undefined;
  // Several rules (or a rule and the Default) lead to the same state: evaluate them on the state's input.
  let input = historyValue(entry.entered.stateEnteredEventDetails?.input) ?? null;
  if (flat.language === 'JSONPath' && typeof flat.def.InputPath === 'string') input = compilePath(flat.def.InputPath)(input) ?? null;
  for (const { rule, index } of candidates) {
    try {
      const matched = compileChoiceRule(rule, flat.language)({ input, context: {}, variables, states: { input } });
      if (matched === true) return `[${index}]`;
    } catch {
      return `[${index}]`;
    }
  }
  return defaultToo ? '[Default]' : `[${candidates[0].index}]`;
}

/** Marks what the executions (their histories) covered. */
export function measureCoverage(machine: string, definition: StateMachineDefinition, histories: readonly (readonly HistoryEvent[])[]): MachineCoverage {
  const items = coverageItems(definition);
  const byId = new Map(items.map((item) => [item.id, item]));
  const flat = new Map(flatten(definition).map((s) => [s.name, s]));
  const mark = (id: string) => {
    const item = byId.get(id);
    if (item) item.covered = true;
  };
  for (const events of histories) {
    const facts = executionFacts(events);
    for (const entry of facts.entries) {
      mark(`state:${entry.name}`);
      const previous = entry.entered.previousEventId ?? 0;
      const from = facts.index.visitOf(facts.index.event(previous));
      // A transition: this entry follows the exit (or the caught failure) of another entry.
      if (from && from !== entry) {
        const fromState = flat.get(from.name);
        if (!fromState) continue;
        const edge = `edge:${from.name}->${entry.name}`;
        if (!byId.has(edge)) continue;
        mark(edge);
        if (fromState.def.Type === 'Choice') {
          const rule = choiceRuleTaken(fromState, from, entry.name, facts.variables);
          if (rule) mark(`choice:${from.name}${rule}`);
        }
        const failures = from.events.map(failureError).filter((error): error is string => error !== undefined);
        const lastError = failures[failures.length - 1];
        if (fromState.def.Catch) {
          // ParallelStateFailed and MapStateFailed carry no error: then the catcher is the one leading here, off the normal Next.
          const index =
            lastError !== undefined
              ? firstMatchingIndex(fromState.def.Catch, lastError)
              : fromState.def.Next === entry.name
                ? -1
                : fromState.def.Catch.findIndex((catcher) => catcher.Next === entry.name);
          if (index >= 0 && fromState.def.Catch[index].Next === entry.name) mark(`catch:${from.name}[${index}]`);
        }
      }
    }
    for (const entry of facts.entries) {
      const retriers = flat.get(entry.name)?.def.Retry;
      if (!retriers) continue;
      entry.events.forEach((event, index) => {
        const error = failureError(event);
        if (error === undefined) return;
        const retried = entry.events.slice(index + 1).some((later) => ATTEMPT_EVENTS.has(later.type ?? ''));
        if (!retried) return;
        const retrier = firstMatchingIndex(retriers, error);
        if (retrier >= 0) mark(`retry:${entry.name}[${retrier}]`);
      });
    }
    // A Choice that matched nothing fails with States.NoChoiceMatched: that is its Default outcome.
    for (const entry of facts.entries) {
      const state = flat.get(entry.name);
      if (state?.def.Type === 'Choice' && !state.def.Default && !entry.exited && events.some((e) => errorOf(e)?.error === StatesErrors.NoChoiceMatched)) {
        mark(`choice:${entry.name}[Default]`);
      }
    }
  }
  const metrics = {} as Record<Metric, MetricSummary>;
  for (const metric of METRICS) {
    const of = items.filter((item) => item.metric === metric);
    const covered = of.filter((item) => item.covered).length;
    metrics[metric] = { covered, total: of.length, percent: of.length === 0 ? 100 : Math.floor((covered / of.length) * 1000) / 10 };
  }
  return { machine, metrics, items, uncovered: items.filter((item) => !item.covered) };
}

/** `test.coverage` of deliv.yaml: one percentage for every metric, or one per metric. */
export type CoverageThreshold = number | Partial<Record<Metric, number>>;

export interface ThresholdMiss {
  machine: string;
  metric: Metric;
  percent: number;
  required: number;
}

export function checkThreshold(coverage: readonly MachineCoverage[], threshold: CoverageThreshold | undefined): ThresholdMiss[] {
  if (threshold === undefined) return [];
  const misses: ThresholdMiss[] = [];
  for (const machine of coverage) {
    for (const metric of METRICS) {
      const required = typeof threshold === 'number' ? threshold : threshold[metric];
      if (required !== undefined && machine.metrics[metric].percent < required) misses.push({ machine: machine.machine, metric, percent: machine.metrics[metric].percent, required });
    }
  }
  return misses;
}

/**
 * What a picture of the machine needs to mark the gaps (`deliv graph
 * --coverage`): uncovered states, the edges of uncovered transitions,
 * Choice rules and catchers, and the figures as lines under the drawing.
 */
export function coverageOverlay(coverage: MachineCoverage, source: { cases: number; failed: number; files: string[] }): CoverageOverlay {
  const edges: CoverageOverlay['edges'] = [];
  for (const item of coverage.uncovered) {
    if (item.to === undefined) continue;
    if (item.metric === 'transitions') edges.push({ from: item.state, to: item.to, kind: 'next' });
    else if (item.metric === 'catches') edges.push({ from: item.state, to: item.to, kind: 'catch' });
    else if (item.metric === 'branches') edges.push({ from: item.state, to: item.to, kind: item.id.endsWith('[Default]') ? 'default' : 'choice' });
  }
  const figures = METRICS.map((metric) => `${metric} ${coverage.metrics[metric].covered}/${coverage.metrics[metric].total}`).join(', ');
  const footer = [`coverage of ${coverage.machine} by ${source.cases} test case${source.cases === 1 ? '' : 's'} (${source.files.join(', ')}): ${figures}`];
  if (source.failed > 0) footer.push(`${source.failed} case${source.failed === 1 ? '' : 's'} failed: coverage counts what they did (deliv test ${coverage.machine})`);
  if (coverage.uncovered.length === 0) footer.push('everything is covered');
  else {
    const shown = coverage.uncovered.slice(0, 8).map((item) => item.label);
    footer.push(`not covered (dashed): ${shown.join('; ')}${coverage.uncovered.length > shown.length ? `; and ${coverage.uncovered.length - shown.length} more (deliv test --coverage)` : ''}`);
  }
  return { states: coverage.uncovered.filter((item) => item.metric === 'states').map((item) => item.state), edges, footer };
}
