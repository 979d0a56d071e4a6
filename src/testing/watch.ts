/**
 * `deliv test --watch`: runs the suite, then again after each change to what
 * the tests depend on (test files, definitions, handlers, events, deliv.yaml),
 * changes within 100 ms coalesced into one run.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Project } from '../project/config.js';

const WATCHED = ['tests', 'statemachines', 'functions', 'events', 'deliv.yaml'];

export async function watchProject(project: Project, run: () => Promise<void>, signal?: AbortSignal): Promise<void> {
  let running = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, 100);
  };
  const watchers: FSWatcher[] = WATCHED.map((entry) => path.join(project.root, entry))
    .filter((target) => existsSync(target))
    .map((target) => watch(target, { recursive: true }, schedule));
  running = running.then(run);
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      resolve();
    };
    if (signal?.aborted) return stop();
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
  });
  await running;
}
