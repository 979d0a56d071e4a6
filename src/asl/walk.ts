/**
 * Every state of a definition, nested ones included: the states of each
 * Parallel branch and of each Map's ItemProcessor (or its legacy name,
 * Iterator), depth first in definition order.
 */
import type { DefinitionPath, MapState, ParallelState, State, StateMachineDefinition, SubMachine } from './types.js';

export interface VisitedState {
  name: string;
  state: State;
  /** From the root: `['States', 'Fan', 'Branches', 0, 'States', 'Pay']`. */
  path: DefinitionPath;
  /** The Map state whose iterations run this state as child executions (distributed mode), if any. */
  distributedMap?: string;
}

export function* everyState(definition: StateMachineDefinition | SubMachine): Generator<VisitedState> {
  yield* walk(definition, [], undefined);
}

function* walk(machine: StateMachineDefinition | SubMachine, at: DefinitionPath, distributedMap: string | undefined): Generator<VisitedState> {
  if (!machine || typeof machine.States !== 'object' || machine.States === null) return;
  for (const [name, state] of Object.entries(machine.States)) {
    if (!state || typeof state !== 'object') continue;
    const path = [...at, 'States', name];
    yield { name, state, path, distributedMap };
    if (state.Type === 'Parallel') {
      const branches = (state as ParallelState).Branches;
      if (Array.isArray(branches)) {
        for (const [index, branch] of branches.entries()) yield* walk(branch, [...path, 'Branches', index], distributedMap);
      }
    } else if (state.Type === 'Map') {
      const map = state as MapState;
      const field = map.ItemProcessor ? 'ItemProcessor' : 'Iterator';
      const processor = map.ItemProcessor ?? map.Iterator;
      if (processor) yield* walk(processor, [...path, field], isDistributed(map) ? name : distributedMap);
    }
  }
}

export function isDistributed(map: MapState): boolean {
  return (map.ItemProcessor ?? map.Iterator)?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}
