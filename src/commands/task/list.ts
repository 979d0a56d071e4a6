import { BaseCommand } from '../../ui/base-command.js';
import { taskTargetFlags } from '../../ui/flags.js';

export default class TaskList extends BaseCommand {
  static override summary = 'List the tasks waiting for a token on the emulator';
  static override description = 'Every `.waitForTaskToken` task the local emulator holds: its token, execution and state.';
  static override examples = ['<%= config.bin %> task list', '<%= config.bin %> task list --json'];

  static override flags = {
    ...taskTargetFlags,
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(TaskList);
    const { listWaitingTasks } = await import('../../local/commands.js');
    const tasks = await listWaitingTasks(flags, (text) => this.note(text));
    if (tasks.length === 0) {
      this.say('no task is waiting for a token');
      return tasks;
    }
    const { renderTable } = await import('../../ui/table.js');
    this.say(
      renderTable(tasks, [
        { header: 'STATE', value: (task) => task.stateName },
        { header: 'EXECUTION', value: (task) => task.executionArn.split(':').slice(-1)[0] },
        { header: 'WAITING SINCE', value: (task) => task.waitingSince },
        { header: 'TOKEN', value: (task) => task.taskToken },
      ]),
    );
    return tasks;
  }
}
