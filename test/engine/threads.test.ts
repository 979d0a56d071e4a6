import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../../src/engine/threads.js';

describe('the node options a worker thread inherits', () => {
  it('leave out where the parent process took its code from, which no worker may be given', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'console.log(1)'])).toEqual([]);
    expect(workerExecArgv(['--eval=1', '-p', '2', '--print', '3'])).toEqual([]);
  });

  it('keep every other option (memory, loaders, inspector)', () => {
    expect(workerExecArgv(['--max-old-space-size=512', '--import', 'tsx', '--enable-source-maps'])).toEqual(['--max-old-space-size=512', '--import', 'tsx', '--enable-source-maps']);
  });
});
