import { Args } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';
import { taskTargetFlags } from '../../ui/flags.js';

export default class TaskHeartbeat extends BaseCommand {
  static override summary = 'Report that a waiting task is still alive (SendTaskHeartbeat)';
  static override description = 'Resets the task\'s HeartbeatSeconds timer.';
  static override examples = ['<%= config.bin %> task heartbeat AAAAKgAAAAIAAAAA...'];

  static override args = { token: Args.string({ description: 'the task token', required: true }) };
  static override flags = {
    ...taskTargetFlags,
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskHeartbeat);
    const { answerTask } = await import('../../local/commands.js');
    const answered = await answerTask(flags, { kind: 'heartbeat', token: args.token }, (text) => this.note(text));
    this.say('heartbeat sent');
    return answered;
  }
}
