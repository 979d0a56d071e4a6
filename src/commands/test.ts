import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlags } from '../ui/flags.js';

export default class Test extends BaseCommand {
  static override summary = 'Run the path tests of the state machines (tests/*.test.yaml) on the engine, with coverage';
  static override description = `Every case of tests/<machine>.test.yaml runs in-process on the ASL engine with a virtual clock: Task states answer as the case mocks them (per attempt), Waits and retries cost nothing, no emulator or AWS account is needed. A failing case shows where its path diverged, the event there, and a diff of the outputs.
Exit code 0 when every case passed (and coverage meets test.coverage of deliv.yaml), 1 when a case failed or coverage is short, 2 for a test file that is not valid (file:line:col).
With --target local the same cases run end to end through the emulator's API instead (machines deployed first, handlers included; mocks become MockConfigFile test cases); a case whose callback never answers is skipped there, as its heartbeat would take real time.
The test file format is published as JSON Schema in schemas/deliv-test.schema.json.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> order-fulfillment --coverage',
    '<%= config.bin %> <%= command.id %> tests/order-fulfillment.test.yaml --case "card declined"',
    '<%= config.bin %> <%= command.id %> --reporter junit > junit.xml',
    '<%= config.bin %> <%= command.id %> order-fulfillment --target local',
  ];

  static override strict = false;
  static override args = {
    machine: Args.string({ description: 'state machine names or test files (default: every file in tests/)' }),
  };

  static override flags = {
    case: Flags.string({ description: 'run only the cases whose name contains this' }),
    coverage: Flags.boolean({ description: 'measure states, transitions, Choice branches, Catch and Retry covered' }),
    reporter: Flags.string({ description: 'output format', options: ['spec', 'tap', 'junit', 'json'], default: 'spec' }),
    bail: Flags.boolean({ description: 'stop at the first failing case' }),
    update: Flags.boolean({ char: 'u', description: 'write the actual path and output of failing cases into their test files (shown as a diff)' }),
    watch: Flags.boolean({ description: 'run again whenever a test file, definition or handler changes' }),
    'from-execution': Flags.string({ description: 'write a replay test case of this recorded execution (ARN) instead of running tests' }),
    out: Flags.string({ description: 'with --from-execution: the test file to add the case to (default tests/<machine>.test.yaml)', dependsOn: ['from-execution'] }),
    ...targetFlags,
  };

  async run() {
    const { flags } = await this.parse(Test);
    if (flags['from-execution']) return this.record(flags['from-execution'], flags);
    if (!flags.watch) return this.once();
    const { watchProject } = await import('../testing/watch.js');
    const { loadProject } = await import('../project/config.js');
    await watchProject(loadProject(), async () => {
      await this.once().catch((error: Error) => this.note(error.message));
      this.note('watching tests/, statemachines/, functions/ and deliv.yaml (Ctrl-C to stop)');
    });
    return undefined;
  }

  private async record(executionArn: string, flags: { out?: string; target?: string; region?: string; profile?: string }) {
    const { loadProject } = await import('../project/config.js');
    const { connect } = await import('../local/connect.js');
    const { recordReplay } = await import('../testing/index.js');
    const { paint } = await import('../ui/colors.js');
    const project = loadProject();
    const { sfn } = await connect(project, flags, (text) => this.note(text));
    const result = await recordReplay(project, sfn, executionArn, { out: flags.out });
    this.say(`${paint.success('✓')} ${result.replaced ? 'replaced' : 'added'} case "${result.case}" in ${result.file}${result.created ? ' (new file)' : ''}`);
    this.say(paint.muted(`  expects ${result.status}; mocks ${result.mocked.length ? result.mocked.join(', ') : 'no Task'} as recorded`));
    this.say(paint.muted(`  run it offline: deliv test ${result.file} --case "${result.case}"; after a fix, --update makes it the regression test`));
    return result;
  }

  private async once() {
    const { argv, flags } = await this.parse(Test);
    const { loadProject } = await import('../project/config.js');
    const { testProject, renderReport, TestFileError } = await import('../testing/index.js');
    const { UsageError } = await import('../ui/errors.js');
    const project = loadProject();
    let outcome;
    try {
      outcome = await testProject(project, {
        selectors: argv as string[],
        caseFilter: flags.case,
        bail: flags.bail,
        coverage: flags.coverage,
        update: flags.update,
        target: flags.target,
        note: (text) => this.note(text),
      });
    } catch (error) {
      if (error instanceof TestFileError) {
        for (const line of error.message.split('\n')) this.note(line);
        throw new UsageError(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the test files`, { hint: 'fix them at the file:line:col shown (schema: schemas/deliv-test.schema.json)' });
      }
      throw error;
    }
    if (this.jsonEnabled()) {
      if (outcome.exitCode === 0) return outcome.report;
      this.logJson(outcome.report);
    } else {
      this.log(renderReport(outcome.report, flags.reporter as 'spec' | 'tap' | 'junit' | 'json'));
      // The diff goes with people's output; machine formats keep stdout to themselves.
      const write = flags.reporter === 'spec' ? (line: string) => this.log(line) : (line: string) => this.note(line);
      for (const update of outcome.updates) {
        write('');
        write(`updated ${update.file}: ${update.cases.join(', ')}`);
        for (const line of update.diff) write(line);
      }
    }
    if (outcome.exitCode !== 0 && !flags.watch) this.exit(outcome.exitCode);
    return outcome.report;
  }
}
