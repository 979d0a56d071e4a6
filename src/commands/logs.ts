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
    status: Flags.option({ description: 'only executions with this status', options: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const })(),
    limit: Flags.integer({ char: 'n', description: 'at most this many recent executions', default: 10, min: 1 }),
    data: Flags.boolean({ description: 'show whole inputs and outputs instead of trimming them' }),
    utc: Flags.boolean({ description: 'times in UTC instead of the local zone' }),
    explain: Flags.boolean({ description: 'explain each failed execution shown (as `deliv explain` does)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { showLogs } = await import('../logs/show.js');
    const { tryLoadProject } = await import('../project/config.js');
    const { terminalColumns } = await import('../ui/width.js');
    const { EXIT_CODES, interruption } = await import('../ui/interrupt.js');
    const json = this.jsonEnabled();
    const interrupt = interruption();
    try {
      const request = { ...flags, subject: args.execution, json, columns: terminalColumns(), project: tryLoadProject() };
      await showLogs(request, {
        // JSON lines keep their data exact; human lines lose what a terminal would act on.
        line: (line) => (json ? process.stdout.write(`${jsonTerminalSafe(line)}\n`) : writeOut(`${line}\n`)),
        write: writeOut,
        note: (text) => this.note(text),
        signal: interrupt.signal,
        interactive: Boolean(process.stdout.isTTY),
      });
    } finally {
      // Ctrl-C is how a user ends --follow, and says so in the exit code.
      if (interrupt.done()) process.exitCode = EXIT_CODES.interrupted;
    }
  }
}
