import { BaseCommand } from '../ui/base-command.js';
import { targetFlags } from '../ui/flags.js';

export default class Ls extends BaseCommand {
  static override summary = 'List state machines on a target with their latest execution';
  static override examples = [
    { description: 'Machines on the local emulator', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Machines on the prod target, as JSON', command: '<%= config.bin %> <%= command.id %> --target prod --json' },
  ];

  static override flags = { ...targetFlags };

  async run() {
    const { flags } = await this.parse(Ls);
    const { tryLoadProject } = await import('../project/config.js');
    const { connect } = await import('../local/connect.js');
    const { machineSummaries, timeAgo } = await import('../logs/machines.js');
    const { renderTable } = await import('../ui/table.js');
    const { paint, paintStatus } = await import('../ui/colors.js');

    const project = tryLoadProject();
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    const machines = await machineSummaries(sfn, project?.config.stateMachines);
    if (machines.length === 0) {
      this.say(`No state machines on ${target.name}.`);
    } else {
      this.say(
        renderTable(machines, [
          { header: 'NAME', value: (machine) => machine.name },
          { header: 'TYPE', value: (machine) => machine.type ?? '' },
          { header: 'LATEST EXECUTION', value: (machine) => (machine.deployed ? (machine.latestExecution ? paintStatus(machine.latestExecution.status ?? '') : machine.unreadable ? paint.warning('not logged') : paint.muted('none yet')) : paint.warning('not deployed')) },
          { header: 'STARTED', value: (machine) => (machine.latestExecution?.startDate ? timeAgo(machine.latestExecution.startDate) : '') },
          { header: 'EXECUTION', value: (machine) => paint.muted(machine.latestExecution?.name ?? '') },
        ]),
      );
    }
    for (const machine of machines) if (machine.unreadable) this.note(`${machine.unreadable.message}${machine.unreadable.hint ? `; ${machine.unreadable.hint}` : ''}`);
    return { target: target.name, stateMachines: machines };
  }
}
