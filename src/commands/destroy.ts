import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlags } from '../ui/flags.js';

export default class Destroy extends BaseCommand {
  static override summary = 'Delete deployed state machines (with their versions and aliases)';
  static override description = 'Deletes the named state machines (all of deliv.yaml when none is named) from the target. Asks first on a terminal; elsewhere --yes is required.';
  static override examples = [
    { description: 'Delete one machine from the local emulator, asking first', command: '<%= config.bin %> <%= command.id %> order-fulfillment' },
    { description: 'Delete every machine of the project from prod, in CI', command: '<%= config.bin %> <%= command.id %> --target prod --yes' },
  ];

  static override strict = false;
  static override args = {
    name: Args.string({ description: 'state machines to delete (deliv.yaml keys); all of the project when omitted' }),
  };

  static override flags = {
    ...targetFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }),
  };

  async run() {
    const { argv, flags } = await this.parse(Destroy);
    const { tryLoadProject } = await import('../project/config.js');
    const { UsageError } = await import('../ui/errors.js');
    const { connect } = await import('../aws/sfn.js');
    const { destroyMachines, findDeployed } = await import('../deploy/destroy.js');

    const project = tryLoadProject();
    const names = (argv as string[]).length > 0 ? (argv as string[]) : Object.keys(project?.config.stateMachines ?? {});
    if (names.length === 0) throw new UsageError('name the state machines to delete', { hint: 'deliv destroy <name> [--yes]' });
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    const found = await findDeployed(sfn, names);
    const doomed = found.filter((machine) => machine.stateMachineArn);
    for (const machine of found) if (!machine.stateMachineArn) this.note(`${machine.name} is not deployed on ${target.name}`);
    if (doomed.length === 0) return { target: target.name, stateMachines: found };

    if (!flags.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new UsageError(`refusing to delete ${doomed.map((machine) => machine.name).join(', ')} from ${target.name} without confirmation`, { hint: 'pass --yes to confirm' });
      }
      const { confirm } = await import('@inquirer/prompts');
      const ok = await confirm({ message: `Delete ${doomed.map((machine) => machine.name).join(', ')} from ${target.name}, with their versions, aliases and execution history?`, default: false });
      if (!ok) {
        this.note('Nothing deleted.');
        return { target: target.name, stateMachines: found };
      }
    }
    await destroyMachines(sfn, doomed);
    for (const machine of doomed) this.say(`Deleted ${machine.name}  ${machine.stateMachineArn}`);
    return { target: target.name, stateMachines: found };
  }
}
