/**
 * `deliv test` as one library call: run the selected test files, measure
 * coverage when asked (or when deliv.yaml sets a threshold), and say how the
 * run ends (exit 0 all passed, 1 a case failed or coverage is short).
 */
import path from 'node:path';
import type { Project } from '../project/config.js';
import type { CoverageOverlay } from '../graph/coverage.js';
import { checkThreshold, coverageOverlay, measureCoverage, type MachineCoverage } from './coverage.js';
import { toReport, type TestReport } from './report.js';
import { updateTestFile, type FileUpdate } from './update.js';
import { runTests, type RunOptions, type TestRunResult } from './runner.js';

export interface TestOptions extends RunOptions {
  coverage?: boolean;
  /** Run the cases end to end through this target's API instead of in-process (the local emulator). */
  target?: string;
  /** Progress for people (the emulator started, the machines deployed). */
  note?: (text: string) => void;
  /** Write what failing cases actually did into their files (snapshot workflow). */
  update?: boolean;
}

export interface TestOutcome {
  report: TestReport;
  run: TestRunResult;
  updates: FileUpdate[];
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

/** The cases through the emulator's API: the machines are deployed first, as `deliv deploy` would. */
async function runOnTarget(project: Project, options: TestOptions & { target: string }): Promise<TestRunResult> {
  const { resolveTarget } = await import('../aws/target.js');
  const { UsageError } = await import('../ui/errors.js');
  const target = resolveTarget(project, { target: options.target });
  if (!target.local) {
    throw new UsageError(`deliv test runs through the local emulator, not \`${target.name}\` (an AWS target)`, { hint: 'use --target local, or no --target to run in-process; record a run on AWS as a test with --from-execution' });
  }
  const { connect } = await import('../local/connect.js');
  const { deploy, renderForDeploy, requireRoleArn } = await import('../deploy/deploy.js');
  const { runTestsOnEmulator } = await import('./emulator-target.js');
  const note = options.note ?? (() => undefined);
  const connection = await connect(project, { target: options.target }, note);
  const roleArn = requireRoleArn(connection.target, undefined, project.file);
  const desired = await renderForDeploy(project, connection.target, [], roleArn);
  const plans = await deploy(connection.sfn, connection.target, desired, { names: [], dryRun: false, alias: connection.target.alias ?? 'live', roleArn });
  const changed = plans.filter((plan) => plan.change !== 'unchanged').map((plan) => plan.name);
  if (changed.length > 0) note(`deployed ${changed.join(', ')} to ${connection.target.name}`);
  return runTestsOnEmulator(project, { ...options, sfn: connection.sfn });
}

export async function testProject(project: Project, options: TestOptions = {}): Promise<TestOutcome> {
  const run = options.target ? await runOnTarget(project, { ...options, target: options.target }) : await runTests(project, options);
  const threshold = project.config.test?.coverage;
  // A filtered run (--case, --bail) covers less by design: the threshold judges whole runs only.
  const whole = !options.caseFilter && !(options.bail && run.failed > 0);
  const coverage = options.coverage || threshold !== undefined ? coverageOf(run) : undefined;
  const misses = coverage && whole ? checkThreshold(coverage, threshold) : undefined;
  const report = toReport(run, options.coverage ? coverage : undefined, misses);
  report.target = options.target ?? 'engine';
  const updates: FileUpdate[] = [];
  if (options.update) {
    for (const file of run.files) {
      const update = updateTestFile(file.path, file.cases, file.file);
      if (update) updates.push(update);
    }
    report.updated = updates.flatMap((update) => update.cases.map((name) => ({ file: update.file, case: name })));
  }
  // Updated cases are the new expectation: the run is judged on the rest.
  const updatedCount = report.updated?.length ?? 0;
  const ok = run.failed - updatedCount === 0 && (misses?.length ?? 0) === 0;
  report.ok = ok;
  return { report, run, updates, exitCode: ok ? 0 : 1 };
}

/** `deliv graph MACHINE --coverage`: the machine's test files run, and what they left uncovered as an overlay for the picture. */
export async function graphCoverage(project: Project | undefined, machine: string | undefined): Promise<{ coverage: MachineCoverage; overlay: CoverageOverlay }> {
  if (!project || !machine || !project.config.stateMachines[machine]) {
    const { UsageError } = await import('../ui/errors.js');
    throw new UsageError('--coverage draws a state machine of deliv.yaml as its tests cover it', { hint: 'run it in a project: deliv graph <machine> --coverage (tests in tests/<machine>.test.yaml)' });
  }
  const run = await runTests(project, { selectors: [machine] });
  const [coverage] = coverageOf(run);
  const cases = run.files.flatMap((file) => file.cases).filter((c) => c.status !== 'skipped');
  const overlay = coverageOverlay(coverage, { cases: cases.length, failed: run.failed, files: run.files.map((file) => path.relative(project.root, file.path)) });
  return { coverage, overlay };
}

export { TestFileError, formatTestFileProblem } from './file.js';
export { REPORTERS, renderReport, type Reporter } from './report.js';

export interface ReplayResult {
  file: string;
  machine: string;
  case: string;
  created: boolean;
  replaced: boolean;
  status?: string;
  mocked: string[];
}

/** Reads a recorded execution through the SFN API and writes it as a replay test case. */
export async function recordReplay(
  project: Project,
  sfn: import('@aws-sdk/client-sfn').SFNClient,
  executionArn: string,
  options: { out?: string; name?: string } = {},
): Promise<ReplayResult> {
  const path = await import('node:path');
  const { readHistory, describeExecutionMachine } = await import('../aws/sfn.js');
  const { replayCase, writeReplayCase } = await import('./replay.js');
  const { UsageError } = await import('../ui/errors.js');
  const [events, machine] = await Promise.all([readHistory(sfn, executionArn, { includeExecutionData: true }), describeExecutionMachine(sfn, executionArn)]);
  const { executionNames } = await import('../aws/arn.js');
  const machineName = machine.name ?? executionNames(executionArn)?.machine ?? '';
  if (!project.config.stateMachines[machineName]) {
    throw new UsageError(`the execution ran state machine \`${machineName}\`, which is not in ${project.file}`, { hint: `known: ${Object.keys(project.config.stateMachines).join(', ')}` });
  }
  if (!events.some((event) => /^Execution(Succeeded|Failed|TimedOut|Aborted)$/.test(event.type ?? ''))) {
    throw new UsageError(`execution ${executionArn} has not ended yet`, { hint: 'wait for it to end (deliv logs --follow), then record it' });
  }
  const testCase = replayCase(events, { executionArn, name: options.name });
  const file = path.resolve(options.out ?? path.join(project.root, 'tests', `${machineName}.test.yaml`));
  const written = writeReplayCase(file, testCase, machineName);
  return {
    file: path.relative(process.cwd(), written.file) || written.file,
    machine: machineName,
    case: testCase.name,
    created: written.created,
    replaced: written.replaced,
    status: testCase.expect?.status,
    mocked: Object.keys(testCase.states ?? {}),
  };
}
