import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';

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
    endpoint: Flags.string({ description: 'emulator or Step Functions endpoint (default: this project\'s emulator)' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskFailure);
    const { answerTask, taskEndpoint } = await import('../../local/commands.js');
    await answerTask(taskEndpoint(flags), { kind: 'failure', token: args.token, error: flags.error, cause: flags.cause });
    this.say('task failed');
    return { taskToken: args.token, answered: 'failure' };
  }
}
