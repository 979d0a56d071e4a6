import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlags } from '../ui/flags.js';

export default class Destroy extends BaseCommand {
  static override summary = 'Delete deployed state machines (with their versions and aliases), and on AWS what deliv created for them';
  static override description = 'Deletes the named state machines (all of deliv.yaml when none is named) from the target. On an AWS target with none named, also deletes the functions and IAM roles deliv created for the project: only those tagged deliv:project with its name. Asks first on a terminal; elsewhere --yes is required.';
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
    const { connect } = await import('../local/connect.js');
    const { destroyMachines, destroyProjectResources, findDeployed, findProjectResources } = await import('../deploy/destroy.js');

    const project = tryLoadProject();
    const names = (argv as string[]).length > 0 ? (argv as string[]) : Object.keys(project?.config.stateMachines ?? {});
    if (names.length === 0) throw new UsageError('name the state machines to delete', { hint: 'deliv destroy <name> [--yes]' });
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    const found = await findDeployed(sfn, names);
    const doomed = found.filter((machine) => machine.stateMachineArn);
    for (const machine of found) if (!machine.stateMachineArn) this.note(`${machine.name} is not deployed on ${target.name}`);
    // The whole project on AWS: also the functions and roles deliv created for it (tagged deliv:project).
    const { awsDeployClients } = await import('../aws/clients.js');
    const clients = !target.local && project && (argv as string[]).length === 0 ? await awsDeployClients(target) : undefined;
    const owned = clients && project ? await findProjectResources(project, target, clients) : { functions: [], roles: [] };
    const extra = [...owned.functions.map((fn) => `function ${fn}`), ...owned.roles.map((role) => `role ${role}`)];
    if (doomed.length === 0 && extra.length === 0) return { target: target.name, stateMachines: found, functions: [], roles: [] };

    if (!flags.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new UsageError(`refusing to delete ${[...doomed.map((machine) => machine.name), ...extra].join(', ')} from ${target.name} without confirmation`, { hint: 'pass --yes to confirm', code: 'CONFIRMATION_REQUIRED' });
      }
      const { confirm } = await import('@inquirer/prompts');
      const ok = await confirm({ message: `Delete ${[...doomed.map((machine) => machine.name), ...extra].join(', ')} from ${target.name}, with their versions, aliases and execution history?`, default: false });
      if (!ok) {
        this.note('Nothing deleted.');
        return { target: target.name, stateMachines: found, functions: [], roles: [] };
      }
    }
    await destroyMachines(sfn, doomed);
    for (const machine of doomed) this.say(`Deleted ${machine.name}  ${machine.stateMachineArn}`);
    // Roles go after the machines that ran as them.
    const deleted = clients && project ? await destroyProjectResources(project, owned, clients) : { functions: [], roles: [] };
    for (const fn of deleted.functions) this.say(`Deleted function ${fn}`);
    for (const role of deleted.roles) this.say(`Deleted role ${role}`);
    return { target: target.name, stateMachines: found, ...deleted };
  }
}
