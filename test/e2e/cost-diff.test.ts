/**
 * Cost on every change: `deliv cost --diff REF` in a scaffolded git project
 * with two commits, and the budget check's exit code, run as a user would.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

let work: ReturnType<typeof tempDir>;
let project: string;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=dev', ...args], { cwd: project, stdio: 'pipe' });

beforeAll(async () => {
  work = tempDir('deliv-cost-diff-');
  project = path.join(work.dir, 'shop');
  const init = await runCli(['init', project, '--template', 'courier-dispatch', '--yes'], { cwd: work.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'scaffold');
  // Three audit steps in front of the flow: +3 transitions per execution.
  const file = path.join(project, 'statemachines/courier-dispatch.asl.yaml');
  const text = readFileSync(file, 'utf8');
  const start = /^StartAt: (\S+)$/m.exec(text)![1];
  const audits = ['  Audit1:\n    Type: Pass\n    Next: Audit2\n', '  Audit2:\n    Type: Pass\n    Next: Audit3\n', `  Audit3:\n    Type: Pass\n    Next: ${start}\n`].join('');
  writeFileSync(file, text.replace(/^StartAt: \S+$/m, 'StartAt: Audit1').replace(/^States:\n/m, `States:\n${audits}`));
  git('commit', '-qam', 'audit trail');
}, 60_000);

afterAll(() => work?.cleanup());

describe('deliv cost --diff', () => {
  it('prices HEAD~1 beside the working tree: +3 transitions per execution → +$75.00 a month at 1M', async () => {
    const result = await runCli(['cost', '--offline', '--executions', '1000000', '--diff', 'HEAD~1'], { cwd: project });
    expect(result.exitCode, result.stderr).toBe(0);
    // 3 × 1,000,000 more transitions at $0.025 per 1,000 (the free 4,000 were already used before).
    expect(result.stdout).toContain('courier-dispatch: +3 transitions per execution → +$75.00/month at 1,000,000 executions');
    expect(result.stdout).toMatch(/State transitions \(Standard\) · courier-dispatch\s+\$\S+\s+\$\S+\s+\+\$75\.00/);
  });

  it('compares with HEAD when given alone, and carries the diff in --json', async () => {
    const result = await runCli(['cost', '--offline', '--diff', '--json'], { cwd: project });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.diff.ref).toBe('HEAD');
    expect(report.diff.total.delta).toBe('0');
    expect(report.diff.machines[0]).toMatchObject({ name: 'courier-dispatch', status: 'unchanged', transitionsDelta: 0 });
  });

  it('says which ref does not exist', async () => {
    const result = await runCli(['cost', '--offline', '--diff', 'no-such-branch'], { cwd: project });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no-such-branch/);
  });
});

describe('the monthly budget', () => {
  it('exits 1 over --max-monthly, with the report and the verdict in --json', async () => {
    const over = await runCli(['cost', '--offline', '--executions', '1000000', '--max-monthly', '1', '--json'], { cwd: project });
    expect(over.exitCode).toBe(1);
    const report = JSON.parse(over.stdout);
    expect(report.budget).toMatchObject({ limit: '1', over: true, source: '--max-monthly' });
    const within = await runCli(['cost', '--offline', '--executions', '1000', '--max-monthly', '1'], { cwd: project });
    expect(within.exitCode, within.stderr).toBe(0);
    expect(within.stdout).toMatch(/Within budget: \$\S+ a month, \$1\.00 allowed \(--max-monthly\)/);
  });

  it('reads cost.maxMonthly from deliv.yaml', async () => {
    const file = path.join(project, 'deliv.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.includes('\ncost:') ? text.replace('\ncost:', '\ncost:\n  maxMonthly: 1') : `${text}\ncost:\n  maxMonthly: 1\n`);
    try {
      const result = await runCli(['cost', '--offline', '--executions', '1000000'], { cwd: project });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/Over budget: \$\S+ a month is above \$1\.00 \(cost\.maxMonthly\)/);
    } finally {
      writeFileSync(file, text);
    }
  });
});
