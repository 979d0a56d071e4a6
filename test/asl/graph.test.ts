import { describe, expect, it } from 'vitest';
import { blocksOf, findState, reachableStates, statesOf, targetsOf, transitionsOf } from '../../src/asl/graph.js';
import type { StateMachineDefinition } from '../../src/asl/types.js';

const delivery: StateMachineDefinition = {
  StartAt: 'Route',
  QueryLanguage: 'JSONPath',
  States: {
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.express', BooleanEquals: true, Next: 'Dispatch' },
        { Variable: '$.pickup', BooleanEquals: true, Next: 'Notify' },
      ],
      Default: 'Dispatch',
    },
    Dispatch: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Pack', States: { Pack: { Type: 'Pass', End: true } } },
        {
          StartAt: 'Couriers',
          States: {
            Couriers: {
              Type: 'Map',
              QueryLanguage: 'JSONata',
              ItemProcessor: { StartAt: 'Book', States: { Book: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
              End: true,
            },
          },
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refund' }],
      Next: 'Notify',
    },
    Notify: { Type: 'Succeed' },
    Refund: { Type: 'Fail', Error: 'Refunded' },
    Orphan: { Type: 'Pass', Next: 'Notify' },
  },
};

describe('the graph of a definition', () => {
  it('lists a state\'s transitions with where each is written', () => {
    expect(transitionsOf(delivery.States.Route).map(({ kind, target, field }) => ({ kind, target, field }))).toEqual([
      { kind: 'choice', target: 'Dispatch', field: ['Choices', 0, 'Next'] },
      { kind: 'choice', target: 'Notify', field: ['Choices', 1, 'Next'] },
      { kind: 'default', target: 'Dispatch', field: ['Default'] },
    ]);
    expect(transitionsOf(delivery.States.Dispatch)).toMatchObject([
      { kind: 'next', target: 'Notify' },
      { kind: 'catch', target: 'Refund', field: ['Catch', 0, 'Next'], errors: ['States.ALL'] },
    ]);
    expect(targetsOf(delivery.States.Route)).toEqual(['Dispatch', 'Notify']);
    expect(targetsOf(delivery.States.Dispatch, ['catch'])).toEqual(['Refund']);
  });

  it('tolerates definitions that are not valid yet', () => {
    expect(transitionsOf(null)).toEqual([]);
    expect(transitionsOf({ Next: 3, Choices: 'x', Catch: [null, { Next: 'A' }] })).toEqual([{ kind: 'catch', target: 'A', field: ['Catch', 1, 'Next'], index: 1, errors: [] }]);
    expect(statesOf({ States: 'none' })).toEqual([]);
    expect(blocksOf(undefined)).toEqual([]);
  });

  it('walks nested branches and item processors with their paths and query languages', () => {
    expect(statesOf(delivery).map(({ name, path, enclosedBy, queryLanguage }) => ({ name, path: path.join('.'), enclosedBy, queryLanguage }))).toEqual([
      { name: 'Route', path: 'States.Route', enclosedBy: [], queryLanguage: 'JSONPath' },
      { name: 'Dispatch', path: 'States.Dispatch', enclosedBy: [], queryLanguage: 'JSONPath' },
      { name: 'Pack', path: 'States.Dispatch.Branches.0.States.Pack', enclosedBy: ['Dispatch'], queryLanguage: 'JSONPath' },
      { name: 'Couriers', path: 'States.Dispatch.Branches.1.States.Couriers', enclosedBy: ['Dispatch'], queryLanguage: 'JSONata' },
      { name: 'Book', path: 'States.Dispatch.Branches.1.States.Couriers.ItemProcessor.States.Book', enclosedBy: ['Dispatch', 'Couriers'], queryLanguage: 'JSONata' },
      { name: 'Notify', path: 'States.Notify', enclosedBy: [], queryLanguage: 'JSONPath' },
      { name: 'Refund', path: 'States.Refund', enclosedBy: [], queryLanguage: 'JSONPath' },
      { name: 'Orphan', path: 'States.Orphan', enclosedBy: [], queryLanguage: 'JSONPath' },
    ]);
    expect(blocksOf(delivery).map((block) => [block.path.join('.'), block.owner, block.startAt])).toEqual([
      ['', undefined, 'Route'],
      ['States.Dispatch.Branches.0', 'Dispatch', 'Pack'],
      ['States.Dispatch.Branches.1', 'Dispatch', 'Couriers'],
      ['States.Dispatch.Branches.1.States.Couriers.ItemProcessor', 'Couriers', 'Book'],
    ]);
  });

  it('finds a state by name at any depth', () => {
    expect(findState(delivery, 'Book')).toMatchObject({ enclosedBy: ['Dispatch', 'Couriers'], queryLanguage: 'JSONata', state: { Type: 'Task' } });
    expect(findState(delivery, 'Nowhere')).toBeUndefined();
  });

  it('knows which states StartAt reaches, Catch targets included', () => {
    const [top] = blocksOf(delivery);
    expect([...reachableStates(top)].sort()).toEqual(['Dispatch', 'Notify', 'Refund', 'Route']);
    expect(reachableStates({ startAt: 'Missing', states: {} }).size).toBe(0);
  });
});
