import { ux } from '@oclif/core';

/**
 * Runs `work` behind a spinner on stderr. Spinners appear only on a TTY, so
 * scripts and CI logs stay clean; the final status is printed either way.
 */
export async function withProgress<T>(title: string, work: () => Promise<T>, done: (result: T) => string = () => 'done'): Promise<T> {
  const interactive = Boolean(process.stderr.isTTY);
  if (interactive) ux.action.start(title);
  try {
    const result = await work();
    if (interactive) ux.action.stop(done(result));
    return result;
  } catch (error) {
    if (interactive) ux.action.stop('failed');
    throw error;
  }
}
