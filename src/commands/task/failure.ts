import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';
import { taskTargetFlags } from '../../ui/flags.js';

export default class TaskFailure extends BaseCommand {
  static override summary = 'Fail a task waiting for its token (SendTaskFailure)';
  static override description = 'Fails a `.waitForTaskToken` task with an error name and cause, which its Retry and Catch then see.';
  static override examples = [
    '<%= config.bin %> task failure AAAAKgAAAAIAAAAA... --error Rejected --cause "card declined"',
  ];

  static override args = { token: Args.string({ description: 'the task token', required: true }) };
  static override flags = {
    error: Flags.string({ description: 'error name (what Catch ErrorEquals matches)' }),
    cause: Flags.string({ description: 'a human-readable cause' }),
    ...taskTargetFlags,
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskFailure);
    const { answerTask } = await import('../../local/commands.js');
    const answered = await answerTask(flags, { kind: 'failure', token: args.token, error: flags.error, cause: flags.cause }, (text) => this.note(text));
    this.say('task failed');
    return answered;
  }
}
