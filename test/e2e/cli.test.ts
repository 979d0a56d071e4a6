import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('deliv CLI basics', () => {
  it('prints help with usage', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('USAGE');
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^deliv\/\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runCli(['no-such-command']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: unknown command `deliv no-such-command`\n`deliv --help` lists the commands\n$/);
  });
});
