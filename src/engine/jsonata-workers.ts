/**
 * The worker threads that evaluate slow JSONata expressions (see
 * compileJsonataExpression): a small pool, started on the first slow
 * expression and kept warm, so that one evaluation of hundreds of
 * milliseconds never holds the thread the emulator's API and its other
 * executions run on. A worker gets a copy of `$` and the bindings (values are
 * JSON, so a structured clone is a faithful copy), evaluates with the same
 * code as this thread (evaluatePrepared), and answers the JSON result or
 * the QueryEvaluationError's cause.
 *
 * The time limit is enforced here, by terminating the worker: jsonata's own
 * guardrail only looks at the clock between steps, and one step (a `$sort`
 * of a large array, a regular expression) can run past it. The evaluation
 * then fails with the cause the in-thread limit gives (D1012, worded by
 * src/engine/jsonata.ts, which turns every outcome into a value or an error).
 */
import { Worker } from 'node:worker_threads';
import { workerExecArgv } from './threads.js';
import type { JsonValue } from '../asl/types.js';

/** Two: a second slow expression need not wait for the first, and the machine's cores stay for the API. */
const POOL_SIZE = 2;

/**
 * What an expression is evaluated against: `$` and the bindings (`$states`,
 * the variables), with the limits its jsonata compiles with. In a worker they
 * arrive as copies, so `$states.context` must be built.
 */
export interface JsonataJob {
  expression: string;
  field: string;
  input: JsonValue | undefined;
  bindings: Record<string, unknown>;
  timeoutMs: number;
  depth: number;
}

export interface WorkerJob extends JsonataJob {
  id: number;
}

/** A worker's answer to a job; `ready` once it has loaded, so that its start is not counted against a job's time limit. */
export type WorkerAnswer = { id: number; value: JsonValue } | { id: number; cause: string } | { ready: true };

/** How a job ended: its value, the cause of its QueryEvaluationError, stopped at the time limit, or the worker lost (why). */
export type WorkerOutcome = { value: JsonValue } | { cause: string } | { timedOut: true } | { lost: string };

interface Pending {
  job: WorkerJob;
  settle: (outcome: WorkerOutcome) => void;
}

const FROM_SOURCES = import.meta.url.endsWith('.ts');

function spawn(): Worker {
  // A heap of its own (an expression that builds huge values fails, not the emulator) and a stack
  // about the size of the main thread's, so a recursion blows where it blows here.
  const options = { resourceLimits: { maxOldGenerationSizeMb: 1024, stackSizeMb: 1 }, execArgv: workerExecArgv() };
  if (!FROM_SOURCES) return new Worker(new URL('./jsonata-worker.js', import.meta.url), options);
  // Run from the sources (the unit tests): the worker loads them through tsx as this thread does.
  const source = new URL('./jsonata-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`, { ...options, eval: true });
}

class EvaluationWorker {
  private readonly worker = spawn();
  private current: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  gone = false;

  constructor(private readonly done: (worker: EvaluationWorker) => void) {
    this.worker.unref();
    this.worker.on('message', (answer: WorkerAnswer) => {
      if ('ready' in answer) {
        this.ready = true;
        if (this.current) this.send(this.current);
        return;
      }
      const pending = this.current;
      if (!pending || answer.id !== pending.job.id) return;
      this.settle();
      pending.settle('value' in answer ? { value: answer.value } : { cause: answer.cause });
      this.done(this);
    });
    // A worker that died (out of memory, or anything else) fails what it ran and is replaced.
    this.worker.on('error', (error) => this.lost(error.message));
    this.worker.on('exit', () => this.lost('the evaluation ended unexpectedly'));
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(pending: Pending): void {
    this.current = pending;
    // Busy, it keeps the process alive (a CLI awaiting the result); idle, it does not.
    this.worker.ref();
    if (this.ready) this.send(pending);
  }

  private send(pending: Pending): void {
    this.timer = setTimeout(() => {
      this.gone = true;
      void this.worker.terminate();
      this.end({ timedOut: true });
    }, pending.job.timeoutMs);
    this.worker.postMessage(pending.job);
  }

  private lost(why: string): void {
    if (this.gone) return;
    this.gone = true;
    this.end({ lost: why });
  }

  private end(outcome: WorkerOutcome): void {
    const pending = this.current;
    this.settle();
    pending?.settle(outcome);
    this.done(this);
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.current = undefined;
    if (!this.gone) this.worker.unref();
  }
}

const workers: EvaluationWorker[] = [];
const queue: Pending[] = [];
let jobs = 0;

function next(worker: EvaluationWorker): void {
  if (worker.gone) workers.splice(workers.indexOf(worker), 1);
  dispatch();
}

function dispatch(): void {
  while (queue.length > 0) {
    let worker = workers.find((candidate) => !candidate.busy && !candidate.gone);
    if (!worker && workers.length < POOL_SIZE) {
      worker = new EvaluationWorker(next);
      workers.push(worker);
    }
    if (!worker) return;
    worker.run(queue.shift()!);
  }
}

/** Evaluates `job` in a worker thread, with the code this thread uses (evaluatePrepared in src/engine/jsonata.ts). */
export function evaluateInWorker(job: JsonataJob): Promise<WorkerOutcome> {
  return new Promise((settle) => {
    jobs += 1;
    queue.push({ job: { ...job, id: jobs }, settle });
    dispatch();
  });
}
