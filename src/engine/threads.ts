/**
 * What a worker thread inherits of this process's command line. A worker
 * takes node's options from its parent, but a parent started with code
 * rather than a file (`node --input-type=module -e ...`, `node -p ...`) passes
 * on options no worker may have: the worker then fails to start at all.
 */
const CODE_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);

/** The parent's node options without those that say where its own code came from. */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const arg = execArgv[i];
    if (arg.startsWith('--input-type')) continue;
    if (CODE_OPTIONS.has(arg)) {
      i += 1; // and the code that follows it
      continue;
    }
    if (/^(?:--eval|--print)=/.test(arg)) continue;
    kept.push(arg);
  }
  return kept;
}
