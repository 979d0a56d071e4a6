import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';

export default class TaskHeartbeat extends BaseCommand {
  static override summary = 'Report that a waiting task is still alive (SendTaskHeartbeat)';
  static override description = 'Resets the task\'s HeartbeatSeconds timer.';
  static override examples = ['<%= config.bin %> task heartbeat AAAAKgAAAAIAAAAA...'];

  static override args = { token: Args.string({ description: 'the task token', required: true }) };
  static override flags = {
    endpoint: Flags.string({ description: 'emulator or Step Functions endpoint (default: this project\'s emulator)' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskHeartbeat);
    const { answerTask, taskEndpoint } = await import('../../local/commands.js');
    await answerTask(taskEndpoint(flags), { kind: 'heartbeat', token: args.token });
    this.say('heartbeat sent');
    return { taskToken: args.token, answered: 'heartbeat' };
  }
}
