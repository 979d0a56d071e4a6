/**
 * A worker thread of src/engine/jsonata-workers.ts: evaluates the JSONata
 * expressions it is sent with the same code the engine's thread uses, one at
 * a time, each expression compiled once.
 */
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import type jsonataType from 'jsonata';
import { StatesError } from './errors.js';
import { evaluatePrepared, prepareJsonata } from './jsonata.js';
import type { WorkerAnswer, WorkerJob } from './jsonata-workers.js';

const compiled = new Map<string, jsonataType.Expression>();

function prepared(job: WorkerJob): jsonataType.Expression {
  const key = `${job.timeoutMs}|${job.depth}|${job.expression}`;
  let expression = compiled.get(key);
  if (!expression) {
    expression = prepareJsonata(job.expression, job);
    // Expressions come from definitions, so there are few; a flood of distinct ones only costs recompiling.
    if (compiled.size >= 1_000) compiled.clear();
    compiled.set(key, expression);
  }
  return expression;
}

// On a busy machine the thread that serves the API comes first: on Linux a thread has its own
// nice value (elsewhere this call would lower the whole process, so it is not made there).
if (process.platform === 'linux') {
  try {
    os.setPriority(0, 10);
  } catch {
    // A sandbox that refuses it: the worker runs at the usual priority.
  }
}

const port = parentPort!;
port.on('message', (job: WorkerJob) => {
  const answer = (reply: WorkerAnswer) => port.postMessage(reply);
  evaluatePrepared(prepared(job), job).then(
    (value) => answer({ id: job.id, value }),
    (error: unknown) => answer({ id: job.id, cause: error instanceof StatesError ? error.cause : String(error) }),
  );
});
port.postMessage({ ready: true } satisfies WorkerAnswer);
