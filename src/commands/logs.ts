import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { jsonTerminalSafe, writeOut } from '../ui/output.js';
import { targetFlags } from '../ui/flags.js';

export default class Logs extends BaseCommand {
  static override summary = 'Show execution histories, or follow them as they happen';
  static override description = `For an execution ARN: its history. For a state machine (or, with no argument, every machine of deliv.yaml): its recent executions and their histories. With --follow, new executions and new events appear as they happen until Ctrl-C (or, for one execution, until it ends).

Each line: time, state, event type, the state's duration, and the input/output (trimmed unless --data) or the error and cause. --json prints one AWS-shaped event per line.`;

  static override examples = [
    { description: 'Recent executions of a machine', command: '<%= config.bin %> <%= command.id %> order-fulfillment' },
    { description: 'Follow every new execution', command: '<%= config.bin %> <%= command.id %> order-fulfillment --follow' },
    { description: 'Failures of the last hour on prod, as JSON lines', command: '<%= config.bin %> <%= command.id %> order-fulfillment --target prod --since 1h --status FAILED --json' },
    { description: 'Follow executions and explain each one that fails', command: '<%= config.bin %> <%= command.id %> order-fulfillment --follow --explain' },
  ];

  static override args = {
    execution: Args.string({ description: 'execution ARN, or state machine name or ARN' }),
  };

  static override flags = {
    ...targetFlags,
    follow: Flags.boolean({ char: 'f', description: 'keep following new executions and events (Ctrl-C stops)' }),
    since: Flags.string({ description: 'only executions started within this time (30m, 1h, 2d) or after this date' }),
    status: Flags.string({ description: 'only executions with this status', options: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] }),
    limit: Flags.integer({ char: 'n', description: 'at most this many recent executions', default: 10, min: 1 }),
    data: Flags.boolean({ description: 'show whole inputs and outputs instead of trimming them' }),
    utc: Flags.boolean({ description: 'times in UTC instead of the local zone' }),
    explain: Flags.boolean({ description: 'explain each failed execution shown (as `deliv explain` does)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { tryLoadProject } = await import('../project/config.js');
    const { UsageError } = await import('../ui/errors.js');
    const { declaredBy, findStateMachineArn, followExecution } = await import('../aws/sfn.js');
    const { connect } = await import('../local/connect.js');
    const { isExecutionArn, parseSince, tailMachines } = await import('../logs/tail.js');
    const { eventJson, formatHistory } = await import('../logs/format.js');
    const { paint, paintStatus } = await import('../ui/colors.js');
    type ExecutionStatusFilter = import('../aws/sfn.js').ExecutionStatusFilter;

    const json = this.jsonEnabled();
    const since = flags.since ? parseSince(flags.since) : undefined;
    const project = tryLoadProject();
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    // Explanations run one after another, after the history lines that show the failure.
    let explaining: Promise<unknown> = Promise.resolve();
    const explainIfFailed = (executionArn: string | undefined, fresh: readonly { type?: string }[]) => {
      if (!flags.explain || !executionArn || !fresh.some((event) => FAILED_ENDS.has(event.type ?? ''))) return;
      explaining = explaining.then(async () => {
        const { explainAfterFailure } = await import('../explain/render.js');
        const result = await explainAfterFailure({
          executionArn,
          sfn,
          target,
          project,
          json,
          interactive: Boolean(process.stdout.isTTY),
          write: writeOut,
          onNote: (text) => this.note(paint.warning(text)),
        });
        if (json && result) write(JSON.stringify({ type: 'Explanation', executionArn, source: result.source, model: result.model, text: result.text, usage: result.usage, costUsd: result.costUsd }));
      });
    };
    const { EXIT_CODES, interruption } = await import('../ui/interrupt.js');
    const interrupt = interruption();
    // JSON lines keep their data exact; human lines lose what a terminal would act on.
    const write = (line: string) => {
      if (json) process.stdout.write(`${jsonTerminalSafe(line)}\n`);
      else writeOut(`${line}\n`);
    };
    const { fitVisible, terminalColumns } = await import('../ui/width.js');
    const columns = terminalColumns();
    const options = { data: flags.data, utc: flags.utc, columns };

    try {
      if (args.execution && isExecutionArn(args.execution)) {
        const executionArn = args.execution;
        await followExecution(
          sfn,
          executionArn,
          (fresh, all) => {
            if (json) for (const event of fresh) write(eventJson(event, executionArn));
            else for (const line of formatHistory(all, { ...options, from: all.length - fresh.length, executionArn })) write(line);
          },
          { signal: flags.follow ? interrupt.signal : AbortSignal.abort() },
        ).then((events) => explainIfFailed(executionArn, events));
        await explaining;
        return;
      }

      let machines: string[];
      if (args.execution) machines = [await findStateMachineArn(sfn, args.execution, declaredBy(project))];
      else {
        const names = Object.keys(project?.config.stateMachines ?? {});
        if (names.length === 0) throw new UsageError('name an execution ARN or a state machine', { hint: 'deliv logs <machine> [--follow]' });
        const { listStateMachines } = await import('../aws/sfn.js');
        const deployed = await listStateMachines(sfn);
        machines = deployed.filter((machine) => names.includes(machine.name ?? '')).map((machine) => machine.stateMachineArn!);
        if (machines.length === 0) throw new UsageError(`none of ${names.join(', ')} is deployed on this target`, { hint: 'run `deliv deploy` first' });
      }
      const { loggingNotes } = await import('../aws/logs.js');
      for (const note of await loggingNotes(sfn, machines)) this.note(note);
      let printed = 0;
      await tailMachines(
        sfn,
        machines,
        (execution, fresh, all) => {
          printed++;
          if (json) {
            for (const event of fresh) write(eventJson(event, execution.executionArn));
            return;
          }
          const label = flags.follow ? shortName(execution.name ?? '') : undefined;
          if (fresh.length === all.length) {
            const machine = execution.stateMachineArn?.split(':')[6] ?? '';
            const header = `${paint.strong(`▸ ${execution.name}`)}  ${machine}  ${paintStatus(execution.status ?? '')}  ${paint.muted(execution.executionArn ?? '')}`;
            write(columns === undefined || flags.data ? header : fitVisible(header, columns));
          }
          for (const line of formatHistory(all, { ...options, from: all.length - fresh.length, executionArn: execution.executionArn, label })) write(line);
          if (!flags.follow) write('');
          explainIfFailed(execution.executionArn, fresh);
        },
        { statusFilter: flags.status as ExecutionStatusFilter | undefined, limit: flags.limit, since, follow: flags.follow, signal: interrupt.signal },
      );
      await explaining;
      if (printed === 0 && !flags.follow && !json) this.note('No executions found (deliv start <machine> starts one).');
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ExecutionDoesNotExist' || name === 'InvalidArn') {
        throw new UsageError(`no execution ${args.execution} on target ${target.name}`, {
          hint: 'check the ARN and --target; `deliv logs <machine>` lists the recent executions',
        });
      }
      throw error;
    } finally {
      // Ctrl-C is how a user ends --follow, and says so in the exit code.
      if (interrupt.done()) process.exitCode = EXIT_CODES.interrupted;
    }
  }
}

const FAILED_ENDS = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

/** Execution names are UUIDs unless given: their first block is enough to tell them apart on screen. */
function shortName(name: string): string {
  return name.length <= 20 ? name : `${name.slice(0, 8)}…`;
}
