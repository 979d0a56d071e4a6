import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';

export default class Test extends BaseCommand {
  static override summary = 'Run the path tests of the state machines (tests/*.test.yaml) on the engine, with coverage';
  static override description = `Every case of tests/<machine>.test.yaml runs in-process on the ASL engine with a virtual clock: Task states answer as the case mocks them (per attempt), Waits and retries cost nothing, no emulator or AWS account is needed. A failing case shows where its path diverged, the event there, and a diff of the outputs.
Exit code 0 when every case passed (and coverage meets test.coverage of deliv.yaml), 1 when a case failed or coverage is short, 2 for a test file that is not valid (file:line:col).
The test file format is published as JSON Schema in schemas/deliv-test.schema.json.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> order-fulfillment --coverage',
    '<%= config.bin %> <%= command.id %> tests/order-fulfillment.test.yaml --case "card declined"',
    '<%= config.bin %> <%= command.id %> --reporter junit > junit.xml',
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
  };

  async run() {
    const { argv, flags } = await this.parse(Test);
    const { loadProject } = await import('../project/config.js');
    const { testProject, renderReport, TestFileError } = await import('../testing/index.js');
    const { UsageError } = await import('../ui/errors.js');
    const project = loadProject();
    let outcome;
    try {
      outcome = await testProject(project, { selectors: argv as string[], caseFilter: flags.case, bail: flags.bail, coverage: flags.coverage });
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
    }
    if (outcome.exitCode !== 0) this.exit(outcome.exitCode);
    return outcome.report;
  }
}
