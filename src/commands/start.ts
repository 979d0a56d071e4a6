import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { writeOut } from '../ui/output.js';
import { targetFlags } from '../ui/flags.js';
import type { StartResult } from '../run/start.js';

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

  async run(): Promise<StartResult> {
    const { args, flags } = await this.parse(Start);
    const { startCommand, startExitCode } = await import('../run/start.js');
    const { tryLoadProject } = await import('../project/config.js');
    const { terminalColumns } = await import('../ui/width.js');
    const request = { ...flags, machine: args.name, testCase: flags['test-case'], json: this.jsonEnabled(), columns: terminalColumns(), project: tryLoadProject(), cwd: process.cwd() };
    const result = await startCommand(request, {
      line: (line) => this.say(line),
      write: writeOut,
      note: (text) => this.note(text),
      interactive: Boolean(process.stdout.isTTY),
    });
    process.exitCode = startExitCode(result);
    return result;
  }
}
