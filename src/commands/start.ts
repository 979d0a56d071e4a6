import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { writeOut } from '../ui/output.js';
import { targetFlags } from '../ui/flags.js';

export default class Start extends BaseCommand {
  static override summary = 'Start an execution of a deployed state machine';
  static override description = `Starts an execution (StartExecution; StartSyncExecution for Express machines, which return when done). With --wait, streams the execution's events as \`deliv logs --follow\` does and exits 0 when it succeeded, 1 otherwise.`;

  static override examples = [
    { description: 'Start with a sample event and follow it to the end', command: '<%= config.bin %> <%= command.id %> order-fulfillment --input events/order-fulfillment/order-ok.json --wait' },
    { description: 'Inline input, through the `live` alias', command: `<%= config.bin %> <%= command.id %> order-fulfillment --input '{"orderId":"o-42"}' --alias live` },
    { description: 'Input from stdin, on AWS', command: 'cat order.json | <%= config.bin %> <%= command.id %> order-fulfillment --input - --target prod' },
    { description: 'Run a failing sample and have the failure explained', command: '<%= config.bin %> <%= command.id %> order-fulfillment --input events/order-fulfillment/order-fail-card-declined.json --wait --explain' },
  ];

  static override args = {
    name: Args.string({ description: 'state machine (deliv.yaml name or ARN); optional when the project has one' }),
  };

  static override flags = {
    ...targetFlags,
    input: Flags.string({ char: 'i', description: 'execution input: a JSON file, inline JSON, or - for stdin (default {})' }),
    name: Flags.string({ char: 'n', description: 'execution name (default: generated)' }),
    alias: Flags.string({ description: 'start through this alias (e.g. live) instead of the latest revision' }),
    wait: Flags.boolean({ char: 'w', description: 'follow the execution to its end; exit 1 unless it succeeded' }),
    'test-case': Flags.string({ description: 'mock test case of the local emulator (MockConfigFile)' }),
    data: Flags.boolean({ description: 'with --wait: show whole inputs and outputs instead of trimming them' }),
    explain: Flags.boolean({ description: 'with --wait: when the execution fails, explain why (as `deliv explain` does)' }),
  };

  async run() {
    const { args, flags } = await this.parse(Start);
    const { tryLoadProject } = await import('../project/config.js');
    const { UsageError } = await import('../ui/errors.js');
    const { readExecutionInput } = await import('../deploy/input.js');
    const { startExecution } = await import('../deploy/start.js');
    const { declaredBy, followExecution } = await import('../aws/sfn.js');
    const { connect } = await import('../local/connect.js');
    const { executionOutcome, formatHistory, formatDuration } = await import('../logs/format.js');
    const { paint, paintStatus } = await import('../ui/colors.js');

    const project = tryLoadProject();
    let machine = args.name;
    if (!machine) {
      const names = Object.keys(project?.config.stateMachines ?? {});
      if (names.length !== 1) {
        throw new UsageError(project ? `which state machine? ${project.file} has ${names.length}: ${names.join(', ')}` : 'name the state machine to start (no deliv.yaml here)', {
          hint: 'deliv start <name> --input <file>',
        });
      }
      machine = names[0];
    }
    const input = await readExecutionInput(flags.input, process.cwd());
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    const explainFailure = async (executionArn: string, context?: import('../explain/context.js').FailureContext) => {
      const { explainAfterFailure } = await import('../explain/render.js');
      return explainAfterFailure({
        executionArn,
        context,
        sfn,
        target,
        project,
        json: this.jsonEnabled(),
        interactive: Boolean(process.stdout.isTTY),
        write: writeOut,
        onNote: (text) => this.note(paint.warning(text)),
      });
    };
    const started = await startExecution(sfn, { machine, input, name: flags.name, alias: flags.alias, testCase: flags['test-case'], declared: declaredBy(project) });

    if (started.sync) {
      const { status, output, error, cause } = started.sync;
      const took = started.sync.stopDate && started.startDate ? ` in ${formatDuration(started.sync.stopDate.getTime() - started.startDate.getTime())}` : '';
      this.say(`${started.executionArn}`);
      // The result is at hand; --wait also prints the events, which only the machine's log group holds.
      const logged = flags.wait ? await this.loggedEvents(sfn, started.executionArn, flags.data, started.stateNames) : [];
      this.say(`${paintStatus(status)}${took}`);
      if (status === 'SUCCEEDED') this.say(output ?? '');
      else this.say(paint.failure([error, cause].filter(Boolean).join(': ')));
      if (status !== 'SUCCEEDED') process.exitCode = 1;
      let explanation;
      if (status !== 'SUCCEEDED' && flags.explain && logged.some((event) => event.type === 'ExecutionFailed' || event.type === 'ExecutionTimedOut')) {
        // The logged history gives the same failure context as a Standard one.
        explanation = await explainFailure(started.executionArn);
      } else if (status !== 'SUCCEEDED' && flags.explain) {
        // Not logged (or not yet): explain from the result StartSyncExecution returned.
        const { syncFailureContext } = await import('../explain/index.js');
        const context = await syncFailureContext(sfn, { executionArn: started.executionArn, stateMachineArn: started.stateMachineArn, input, error, cause, status });
        explanation = await explainFailure(started.executionArn, context);
      }
      return { executionArn: started.executionArn, stateMachineArn: started.stateMachineArn, type: started.type, status, output, error, cause, explanation };
    }

    this.say(`Started ${started.executionArn}`);
    if (!flags.wait) return { executionArn: started.executionArn, stateMachineArn: started.stateMachineArn, type: started.type, startDate: started.startDate };

    const { EXIT_CODES, interruption } = await import('../ui/interrupt.js');
    const interrupt = interruption();
    const { terminalColumns } = await import('../ui/width.js');
    const columns = terminalColumns();
    const events = await followExecution(
      sfn,
      started.executionArn,
      (fresh, all) => {
        for (const line of formatHistory(all, { from: all.length - fresh.length, data: flags.data, columns, executionArn: started.executionArn, stateNames: started.stateNames })) this.say(line);
      },
      { signal: interrupt.signal },
    ).finally(() => interrupt.done());
    const outcome = executionOutcome(events);
    if (interrupt.signal.aborted && outcome.status === 'RUNNING') {
      this.note(`Stopped following; the execution goes on. Resume with: deliv logs ${started.executionArn} --follow`);
      process.exitCode = EXIT_CODES.interrupted;
    } else {
      this.say(`${paintStatus(outcome.status)}${outcome.durationMs === undefined ? '' : ` in ${formatDuration(outcome.durationMs)}`}`);
      if (outcome.status === 'SUCCEEDED' && outcome.output !== undefined) this.say(outcome.output);
      if (outcome.status !== 'SUCCEEDED') process.exitCode = 1;
    }
    const failed = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(outcome.status);
    const explanation = failed && flags.explain ? await explainFailure(started.executionArn) : undefined;
    return { executionArn: started.executionArn, stateMachineArn: started.stateMachineArn, type: started.type, ...outcome, explanation };
  }

  /**
   * An Express execution's events from its machine's log group, printed as a
   * history. CloudWatch Logs receives them shortly after the run: this waits
   * for the last one a little while. Logging off is said, not fatal: the
   * result was printed already.
   */
  private async loggedEvents(sfn: SFNClient, executionArn: string, data: boolean, stateNames: string[]): Promise<HistoryEvent[]> {
    const { followExecution } = await import('../aws/sfn.js');
    const { formatHistory } = await import('../logs/format.js');
    const { terminalColumns } = await import('../ui/width.js');
    const { DelivError } = await import('../ui/errors.js');
    try {
      const events = await followExecution(
        sfn,
        executionArn,
        (fresh, all) => {
          for (const line of formatHistory(all, { from: all.length - fresh.length, data, columns: terminalColumns(), executionArn, stateNames })) this.say(line);
        },
        { signal: AbortSignal.timeout(LOG_DELIVERY_WAIT_MS), pollMs: { min: 200, max: 1000 } },
      );
      if (!events.some((event) => /^Execution(Succeeded|Failed|TimedOut|Aborted)$/.test(event.type ?? ''))) {
        this.note(`the log group has not received every event yet: \`deliv logs ${executionArn}\` shows them once it has`);
      }
      return events;
    } catch (error) {
      if (!(error instanceof DelivError)) throw error;
      this.note(`${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      return [];
    }
  }

}

/** How long `start --wait` waits for an Express run's last event to reach its log group (AWS delivers within seconds). */
const LOG_DELIVERY_WAIT_MS = 15_000;
