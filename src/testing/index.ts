/**
 * `deliv test` as one library call: run the selected test files, measure
 * coverage when asked (or when deliv.yaml sets a threshold), and say how the
 * run ends (exit 0 all passed, 1 a case failed or coverage is short).
 */
import type { Project } from '../project/config.js';
import { checkThreshold, measureCoverage, type MachineCoverage } from './coverage.js';
import { toReport, type TestReport } from './report.js';
import { runTests, type RunOptions, type TestRunResult } from './runner.js';

export interface TestOptions extends RunOptions {
  coverage?: boolean;
}

export interface TestOutcome {
  report: TestReport;
  run: TestRunResult;
  exitCode: 0 | 1;
}

export function coverageOf(run: TestRunResult): MachineCoverage[] {
  const byMachine = new Map<string, { definition: TestRunResult['files'][number]['definition']; histories: TestRunResult['files'][number]['cases'][number]['events'][] }>();
  for (const file of run.files) {
    const entry = byMachine.get(file.machine) ?? { definition: file.definition, histories: [] };
    entry.histories.push(...file.cases.filter((c) => c.status !== 'skipped').map((c) => c.events));
    byMachine.set(file.machine, entry);
  }
  return [...byMachine].map(([machine, { definition, histories }]) => measureCoverage(machine, definition, histories));
}

export async function testProject(project: Project, options: TestOptions = {}): Promise<TestOutcome> {
  const run = await runTests(project, options);
  const threshold = project.config.test?.coverage;
  // A filtered run (--case, --bail) covers less by design: the threshold judges whole runs only.
  const whole = !options.caseFilter && !(options.bail && run.failed > 0);
  const coverage = options.coverage || threshold !== undefined ? coverageOf(run) : undefined;
  const misses = coverage && whole ? checkThreshold(coverage, threshold) : undefined;
  const report = toReport(run, options.coverage ? coverage : undefined, misses);
  return { report, run, exitCode: report.ok ? 0 : 1 };
}

export { TestFileError, formatTestFileProblem } from './file.js';
export { REPORTERS, renderReport, type Reporter } from './report.js';
