import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';
import { taskTargetFlags } from '../../ui/flags.js';
import { UsageError } from '../../ui/errors.js';

export default class TaskSuccess extends BaseCommand {
  static override summary = 'Complete a task waiting for its token (SendTaskSuccess)';
  static override description = 'Resumes a `.waitForTaskToken` task with the given output, as a worker calling SendTaskSuccess would.';
  static override examples = [
    '<%= config.bin %> task success AAAAKgAAAAIAAAAA... --output \'{"approved":true}\'',
    '<%= config.bin %> task list --json | jq -r ".[0].taskToken" | xargs -I{} <%= config.bin %> task success {}',
  ];

  static override args = { token: Args.string({ description: 'the task token', required: true }) };
  static override flags = {
    output: Flags.string({ description: 'the task\'s output, as JSON', default: '{}' }),
    ...taskTargetFlags,
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskSuccess);
    try {
      JSON.parse(flags.output);
    } catch (error) {
      throw new UsageError(`--output is not JSON: ${(error as Error).message}`, { hint: 'quote it for your shell: --output \'{"ok":true}\'', code: 'INVALID_INPUT' });
    }
    const { answerTask } = await import('../../local/commands.js');
    const answered = await answerTask(flags, { kind: 'success', token: args.token, output: flags.output }, (text) => this.note(text));
    this.say('task succeeded');
    return answered;
  }
}
