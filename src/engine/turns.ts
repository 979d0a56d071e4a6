/**
 * The engine's share of the event loop. A state that awaits (a Task's answer,
 * a JSONata expression the jsonata package evaluates) continues its chain in a
 * promise callback, and promise callbacks all run before the event loop takes
 * its next timer, I/O event or signal: an execution whose every state awaits
 * something already settled (a loop of heavy JSONata states) would otherwise
 * hold the loop for ever, and with it the emulator's API and its SIGTERM.
 *
 * So each execution keeps a budget per turn of the loop. Once it has run
 * longer than BUDGET_MS in one turn, of wall time and of the process's CPU
 * time (a process the loaded machine merely descheduled is not a busy one),
 * its continuations wait in one FIFO that is run, in the order they
 * came, on the next turn (setImmediate: after I/O). An execution within its
 * budget continues exactly as before, in promise order, so the histories of
 * ordinary executions (Map iterations and Parallel branches interleaving) do
 * not depend on the machine's load; only one that holds the loop that long
 * interleaves differently, and only from there on.
 */

const BUDGET_MS = 10;

/** Counts turns of the event loop: bumped by a setImmediate, which runs once pending promise callbacks are done. */
let turn = 0;
let counting = false;

function countTurn(): void {
  if (counting) return;
  counting = true;
  setImmediate(() => {
    turn += 1;
    counting = false;
  });
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The turn's one reading of the process's CPU time, and the wall time it was taken at. */
let cpuTurn = -1;
let cpuRead = 0;
let cpuReadAt = 0;

/**
 * The process's CPU time at wall time `now` of this turn, for an execution's
 * start in it. Read once a turn (process.cpuUsage is a system call, and was a
 * fifth of the engine's time when every execution of a turn read it); a later
 * start adds the wall time since, which CPU time cannot exceed: the estimate
 * never counts CPU time the execution did not use, so it never makes it yield
 * sooner than it should; and a turn's reading is never old, since the turn
 * that took it is bumped on the next setImmediate (see countTurn).
 */
function cpuAt(now: number): number {
  if (cpuTurn !== turn) {
    cpuTurn = turn;
    cpuRead = cpuMs();
    cpuReadAt = now;
    return cpuRead;
  }
  return cpuRead + (now - cpuReadAt);
}

/** One execution's use of the current turn. */
export class TurnBudget {
  private turn = -1;
  private wallStart = 0;
  private cpuStart = 0;

  /** Whether the execution has used up this turn: its next continuation should wait (see defer). */
  spent(): boolean {
    const now = performance.now();
    if (this.turn !== turn) {
      this.turn = turn;
      this.wallStart = now;
      this.cpuStart = cpuAt(now);
      countTurn();
      return false;
    }
    // The wall clock first: it is cheap, and CPU time can only be shorter.
    return now - this.wallStart >= BUDGET_MS && cpuMs() - this.cpuStart >= BUDGET_MS;
  }
}

const waiting: Array<() => void> = [];
let scheduled = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runWaiting);
}

/**
 * Runs the continuations that waited, in the order they came, for at most
 * BUDGET_MS of this turn: each one runs until its own execution's budget is
 * spent, so with several busy executions one turn would otherwise take all
 * their budgets together, and every API call waits that long per turn it
 * needs. The rest wait for the next turn, still first in line; what these
 * continuations defer now goes behind them.
 */
function runWaiting(): void {
  scheduled = false;
  const start = performance.now();
  let count = waiting.length;
  while (count > 0) {
    count -= 1;
    waiting.shift()!();
    if (performance.now() - start >= BUDGET_MS) break;
  }
  if (waiting.length > 0) schedule();
}

/** Runs `continuation` on the next turn of the event loop, after whatever waits already: first come, first run. */
export function defer(continuation: () => void): void {
  schedule();
  waiting.push(continuation);
}
