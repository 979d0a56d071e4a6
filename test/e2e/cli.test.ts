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
      // Each kind of mistake a user makes has its own code, not USAGE.
      writeFileSync(path.join(dir, 'half.asl.json'), '{"StartAt":');
      expect(await errorOf(['graph', 'half.asl.json'])).toMatchObject({ code: 'INVALID_DEFINITION', exitCode: 2 });
      expect(await errorOf(['cost', '--usage', 'missing.yaml', '--offline'])).toMatchObject({ code: 'FILE_NOT_FOUND', exitCode: 2 });
      writeFileSync(path.join(dir, 'usage.yaml'), 'executionsPerMonth: lots\n');
      expect(await errorOf(['cost', '--usage', 'usage.yaml', '--offline'])).toMatchObject({ code: 'FILE_PROBLEM', exitCode: 2 });
      expect(await errorOf(['start', 'orders', '--input', '{nope'])).toMatchObject({ code: 'INVALID_INPUT', exitCode: 2 });
      // A usage file that names a state of the machine wrongly is a problem of that file, and a machine not in deliv.yaml is not found.
      writeFileSync(path.join(dir, 'loops.yaml'), 'loops:\n  A: 3\n');
      expect(await errorOf(['cost', '--usage', 'loops.yaml', '--offline'])).toMatchObject({ code: 'FILE_PROBLEM', exitCode: 2, message: 'usage file: loops.A must name the Choice state that decides whether the loop runs again' });
      expect(await errorOf(['cost', 'ordrs', '--offline'])).toMatchObject({ code: 'STATE_MACHINE_NOT_FOUND', exitCode: 2 });
      const elsewhere = tempDir();
      try {
        const result = await runCli(['build', '--json'], { cwd: elsewhere.dir });
        expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'PROJECT_NOT_FOUND', exitCode: 2 });
        const cost = await runCli(['cost', '--offline', '--json'], { cwd: elsewhere.dir });
        expect(JSON.parse(cost.stdout).error).toMatchObject({ code: 'PROJECT_NOT_FOUND', exitCode: 2 });
      } finally {
        elsewhere.cleanup();
      }
    } finally {
      cleanup();
    }
    // Fourteen CLI processes in sequence: on a loaded machine the 30 s default is too short.
  }, 120_000);
});
