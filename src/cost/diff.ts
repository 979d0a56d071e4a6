/**
 * `deliv cost --diff REF`: the project as it is at a git ref against the
 * working tree, per machine and per line item. The files at REF are written
 * with `git show REF:path` into a temporary folder and priced there with the
 * same options, so both sides go through one estimate.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DelivError } from '../ui/errors.js';
import { Decimal } from './decimal.js';
import type { CostDiff, CostReport, ItemDiff, MachineDiff } from './types.js';
import { formatNumber } from './inputs.js';
import { formatUsd } from './report.js';

export type { CostDiff, ItemDiff, MachineDiff } from './types.js';

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new DelivError(`git ${args.join(' ')}: ${stderr || (error as Error).message}`, { exitCode: 2, hint: 'deliv cost --diff REF needs a git repository and a ref that exists (a branch, a tag, HEAD~1)' });
  }
}

/**
 * Writes the project folder `root` as it is at `ref` into a temporary folder
 * and returns that folder (the project root inside it) and a cleanup.
 * Undefined root inside when the project did not exist at `ref`.
 */
export function checkoutAt(root: string, ref: string): { dir: string; root: string; cleanup: () => void } {
  const top = git(root, ['rev-parse', '--show-toplevel']).trim();
  git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const prefix = path.relative(top, root).split(path.sep).join('/');
  const dir = mkdtempSync(path.join(tmpdir(), 'deliv-cost-diff-'));
  const files = git(top, ['ls-tree', '-r', '-z', '--name-only', ref, '--', prefix || '.']).split('\0').filter(Boolean);
  for (const file of files) {
    // Local state and build output are not part of what is priced.
    if (/(^|\/)(\.deliv|node_modules)\//.test(file)) continue;
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, execFileSync('git', ['show', `${ref}:${file}`], { cwd: top, maxBuffer: 256 * 1024 * 1024 }));
  }
  return { dir, root: path.join(dir, prefix), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const declaredItems = (report: CostReport | undefined) => report?.estimate.scenarios[0].items ?? [];
const machineCost = (report: CostReport | undefined, name: string) =>
  declaredItems(report)
    .filter((item) => item.machine === name)
    .reduce((total, item) => (item.cost ? total.add(item.cost) : total), Decimal.ZERO);

/** Working tree (`after`) against the project at `ref` (`before`; undefined when it had no project there). */
export function diffReports(ref: string, before: CostReport | undefined, after: CostReport): CostDiff {
  const names = [...new Set([...(before?.machines ?? []).map((machine) => machine.name), ...after.machines.map((machine) => machine.name)])];
  const machines = names.map((name): MachineDiff => {
    const old = before?.machines.find((machine) => machine.name === name);
    const now = after.machines.find((machine) => machine.name === name);
    const monthlyBefore = machineCost(before, name);
    const monthlyAfter = machineCost(after, name);
    const transitionsBefore = old?.transitionsPerExecution.expected;
    const transitionsAfter = now?.transitionsPerExecution.expected;
    const transitionsDelta = (transitionsAfter ?? 0) - (transitionsBefore ?? 0);
    const monthlyDelta = monthlyAfter.sub(monthlyBefore);
    const executions = (now ?? old)!.executionsPerMonth;
    const status = !old ? 'added' : !now ? 'removed' : transitionsDelta === 0 && monthlyDelta.isZero() ? 'unchanged' : 'changed';
    const sign = (value: number) => (value > 0 ? `+${formatNumber(value)}` : formatNumber(value));
    const dollars = (value: Decimal) => (value.isNegative() ? formatUsd(value) : `+${formatUsd(value)}`);
    const summary =
      status === 'added'
        ? `new: ${formatNumber(transitionsAfter ?? 0)} transitions per execution → ${dollars(monthlyDelta)}/month at ${formatNumber(executions)} executions`
        : status === 'removed'
          ? `removed → ${dollars(monthlyDelta)}/month`
          : status === 'unchanged'
            ? 'no change'
            : `${sign(transitionsDelta)} transitions per execution → ${dollars(monthlyDelta)}/month at ${formatNumber(executions)} executions`;
    return { name, status, executionsPerMonth: executions, transitionsBefore, transitionsAfter, transitionsDelta, monthlyBefore, monthlyAfter, monthlyDelta, summary };
  });
  const keys = [...new Set([...declaredItems(before).map((item) => item.item), ...declaredItems(after).map((item) => item.item)])];
  const items = keys
    .map((key): ItemDiff => {
      const old = declaredItems(before).find((item) => item.item === key);
      const now = declaredItems(after).find((item) => item.item === key);
      const beforeCost = old ? old.cost : null;
      const afterCost = now ? now.cost : null;
      return { service: (now ?? old)!.service, item: key, before: beforeCost, after: afterCost, delta: (afterCost ?? Decimal.ZERO).sub(beforeCost ?? Decimal.ZERO) };
    })
    .filter((item) => !item.delta.isZero() || (item.before === null) !== (item.after === null));
  const totalBefore = before?.estimate.scenarios[0].total ?? Decimal.ZERO;
  const totalAfter = after.estimate.scenarios[0].total;
  return { ref, machines, items, total: { before: totalBefore, after: totalAfter, delta: totalAfter.sub(totalBefore) } };
}
