import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

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

  it('gives every --json error a stable code beside its message, so scripts never match text', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, 'deliv.yaml'), 'name: shop\nstateMachines:\n  orders:\n    definition: orders.asl.json\n');
      writeFileSync(path.join(dir, 'orders.asl.json'), '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}');
      const errorOf = async (args: string[]) => {
        const result = await runCli([...args, '--json'], { cwd: dir });
        return { exitCode: result.exitCode, ...(JSON.parse(result.stdout) as { error: { code: string; message: string } }).error };
      };
      expect(await errorOf(['build', '--target', 'nope'])).toMatchObject({ code: 'TARGET_NOT_FOUND', exitCode: 2, message: 'target `nope` is not in deliv.yaml' });
      expect(await errorOf(['graph', 'ordrs'])).toMatchObject({ code: 'STATE_MACHINE_NOT_FOUND', exitCode: 2 });
      expect(await errorOf(['build', '--no-such-flag'])).toMatchObject({ code: 'USAGE', exitCode: 2 });
      expect(await errorOf(['no-such-command'])).toMatchObject({ code: 'UNKNOWN_COMMAND', exitCode: 2 });
    } finally {
      cleanup();
    }
  });
});
