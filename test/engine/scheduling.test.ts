/**
 * The engine shares the event loop with its host (the emulator's HTTP API, a
 * signal handler, other executions): no execution may hold it for long, whether
 * its states are synchronous (a Pass/Choice loop) or each one awaits (a
 * JSONata expression the jsonata package evaluates, which continues as a
 * promise callback: promise callbacks all run before the loop's next turn).
 * Each case checks progress, not time: a timer set as the execution starts must
 * run while the execution is still under way.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import type { ExecutionHandle, HistoryEvent } from '../../src/engine/index.js';
import { compile, realClock, TaskFailure, virtualClock } from '../../src/engine/index.js';
import type { Clock } from '../../src/engine/index.js';
import { longestTimerGap } from '../helpers/event-loop.js';

const LOOPS = 400;

function start(definition: StateMachineDefinition, name = 'run-1', type: 'STANDARD' | 'EXPRESS' = 'STANDARD', clock: Clock = virtualClock()): { handle: ExecutionHandle; events: HistoryEvent[] } {
  const compiled = compile(definition);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const events: HistoryEvent[] = [];
  const handle = compiled.machine.start({
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:busy:${name}`,
    name,
    type,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:busy',
    stateMachineName: 'busy',
    roleArn: 'arn:aws:iam::123456789012:role/busy',
    input: {},
    clock,
    runner: { run: () => Promise.reject(new TaskFailure('NoRunner', 'no task expected')) },
    onEvent: (event) => events.push(event),
  });
  return { handle, events };
}

/** How many events the execution had written when a timer set at its start ran, and whether it had ended by then. */
async function whenTimerRuns(definition: StateMachineDefinition, type: 'STANDARD' | 'EXPRESS' = 'STANDARD', clock?: Clock): Promise<{ eventsThen: number; endedThen: boolean; handle: ExecutionHandle; events: HistoryEvent[] }> {
  const { handle, events } = start(definition, 'run-1', type, clock);
  let ended = false;
  void handle.result.then(() => (ended = true));
  const seen = await new Promise<{ eventsThen: number; endedThen: boolean }>((resolve) => setTimeout(() => resolve({ eventsThen: events.length, endedThen: ended }), 0));
  return { ...seen, handle, events };
}

/** A Pass/Choice loop of synchronous states that counts to `count` (Infinity: for ever). */
function passChoiceLoop(count: number): StateMachineDefinition {
  const again = Number.isFinite(count) ? { Variable: '$.i', NumericLessThan: count, Next: 'Increment' } : { Variable: '$.i', NumericGreaterThanEquals: 0, Next: 'Increment' };
  return {
    StartAt: 'Init',
    States: {
      Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Increment' },
      Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Again' },
      Again: { Type: 'Choice', Choices: [again], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
}

/** A loop of `loops` states that each await the jsonata package (arrays are beyond the synchronous fast path) for a sum of `size` numbers. */
function heavyLoop(size: number, loops: number): StateMachineDefinition {
  return {
    QueryLanguage: 'JSONata',
    StartAt: 'Init',
    States: {
      Init: { Type: 'Pass', Output: { n: 0 }, Next: 'Heavy' },
      Heavy: { Type: 'Pass', Output: `{% {"n": $states.input.n + 1, "sum": $sum([1..${size}])} %}`, Next: 'Again' },
      Again: { Type: 'Choice', Choices: [{ Condition: `{% $states.input.n < ${loops} %}`, Next: 'Heavy' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };
}

describe('an execution gives the event loop back', () => {
  it('while a chain of synchronous states (a Pass/Choice loop) runs', async () => {
    // A loop that never ends on its own: a finite one fits in one turn's budget on a quiet machine, and then rightly ends first.
    // Express on the real clock: it runs past Standard's 25,000 events, and far from Express's 5 minutes.
    const loop = passChoiceLoop(Infinity);
    const { endedThen, handle } = await whenTimerRuns(loop, 'EXPRESS', realClock());
    expect(endedThen).toBe(false);
    handle.stop();
    expect((await handle.result).status).toBe('ABORTED');
  });

  it('while every state awaits a JSONata expression, and stops when asked', async () => {
    const heavy = heavyLoop(10_000, LOOPS);
    const { endedThen, eventsThen, handle, events } = await whenTimerRuns(heavy);
    expect(endedThen).toBe(false);
    expect(eventsThen).toBeLessThan(4 * LOOPS);
    handle.stop();
    const result = await handle.result;
    expect(result.status).toBe('ABORTED');
    expect(events.at(-1)?.type).toBe('ExecutionAborted');
  });
});

describe('one slow JSONata evaluation holds the event loop only once', () => {
  it('a loop of states each evaluating for hundreds of milliseconds leaves the loop free from the second one on', async () => {
    // $sum over three million numbers: about 150-400 ms of one thread, in one evaluation.
    const heavy = heavyLoop(3_000_000, 1_000);
    const { handle, events } = start(heavy);
    const heavyDone = () => events.filter((event) => event.type === 'PassStateExited' && event.stateExitedEventDetails?.name === 'Heavy').length;
    // Wait out the worker's start (and a first evaluation here, if one is ever made before it is told apart).
    while (heavyDone() < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    // From then on, the longest gap between ticks of a 5 ms timer over four more heavy states.
    const until = heavyDone() + 4;
    const { longestMs } = await longestTimerGap(async () => {
      while (heavyDone() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    });
    handle.stop();
    expect((await handle.result).status).toBe('ABORTED');
    // Each evaluation held the thread for its whole 150+ ms before; now only the loaded machine's noise remains.
    expect(longestMs).toBeLessThan(100);
  }, 30_000);
});

describe('several busy executions share one budget per turn', () => {
  it('four endless Pass/Choice loops leave the event loop free every ~10 ms, not every 4 x 10 ms', async () => {
    const loop = passChoiceLoop(Infinity);
    // Express: a loop that never ends runs past Standard's 25,000 events (and, on the real clock, is far from Express's 5 minutes).
    const handles = [1, 2, 3, 4].map((n) => start(loop, `loop-${n}`, 'EXPRESS', realClock()).handle);
    // Each gap between ticks of a 1 ms timer is one turn of the loop: the engine's share of it, and the machine's noise.
    const gaps: number[] = [];
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    clearInterval(ticker);
    for (const handle of handles) handle.stop();
    for (const handle of handles) expect((await handle.result).status).toBe('ABORTED');
    gaps.sort((a, b) => a - b);
    // Each execution spends its 10 ms in a turn; before, the four spent theirs in the same turn (a median gap of 40-70 ms).
    expect(gaps[gaps.length >> 1]).toBeLessThan(30);
  });
});
