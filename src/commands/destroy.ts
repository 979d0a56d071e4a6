import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlags } from '../ui/flags.js';

export default class Destroy extends BaseCommand {
  static override summary = 'Delete deployed state machines (with their versions and aliases), and on AWS what deliv created for the project';
  static override description = 'Deletes the named state machines (all of deliv.yaml when none is named) from the target. On an AWS target with none named, also deletes what deliv created for the project: the functions, the SNS topics and SQS queues of deploy --create-missing, and the IAM roles; only those tagged deliv:project with its name. --dry-run lists them and deletes nothing. Asks first on a terminal; elsewhere --yes is required.';
  static override examples = [
    { description: 'Delete one machine from the local emulator, asking first', command: '<%= config.bin %> <%= command.id %> order-fulfillment' },
    { description: 'List what deleting the project from prod would delete', command: '<%= config.bin %> <%= command.id %> --target prod --dry-run' },
    { description: 'Delete every machine of the project from prod, in CI', command: '<%= config.bin %> <%= command.id %> --target prod --yes' },
  ];

  static override strict = false;
  static override args = {
    name: Args.string({ description: 'state machines to delete (deliv.yaml keys); all of the project when omitted' }),
  };

  static override flags = {
    ...targetFlags,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }),
    'dry-run': Flags.boolean({ description: 'list what would be deleted and delete nothing' }),
  };

  async run() {
    const { argv, flags } = await this.parse(Destroy);
    const { tryLoadProject } = await import('../project/config.js');
    const { UsageError } = await import('../ui/errors.js');
    const { connect } = await import('../local/connect.js');
    const { applyDestroy, destroyDryRun, doomedNames, nothingDeleted, planDestroy } = await import('../deploy/destroy.js');
    const { awsDeployClients } = await import('../aws/clients.js');

    const project = tryLoadProject();
    const named = argv as string[];
    const names = named.length > 0 ? named : Object.keys(project?.config.stateMachines ?? {});
    if (names.length === 0) throw new UsageError('name the state machines to delete', { hint: 'deliv destroy <name> [--yes]' });
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    // The whole project on AWS: also what deliv created for it (tagged deliv:project).
    const clients = !target.local && project && named.length === 0 ? await awsDeployClients(target) : undefined;
    const plan = await planDestroy(sfn, names, target, project, clients);
    for (const machine of plan.stateMachines) if (!machine.stateMachineArn) this.note(`${machine.name} is not deployed on ${target.name}`);
    const doomed = doomedNames(plan);
    if (flags['dry-run'] || doomed.length === 0) {
      for (const name of doomed) this.say(`Would delete ${name}`);
      return flags['dry-run'] ? destroyDryRun(plan) : nothingDeleted(plan);
    }
    if (!flags.yes && !(await this.confirmed(doomed, target.name))) return nothingDeleted(plan);
    const outcome = await applyDestroy(sfn, plan, project, clients, (text) => this.say(text.charAt(0).toUpperCase() + text.slice(1)));
    if (outcome.queues.length > 0) this.note('SQS lets a queue of the same name be created again only 60 seconds after it is deleted');
    return outcome;
  }

  /** On a terminal, asks; elsewhere refuses without --yes. */
  private async confirmed(doomed: string[], target: string): Promise<boolean> {
    const { UsageError } = await import('../ui/errors.js');
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError(`refusing to delete ${doomed.join(', ')} from ${target} without confirmation`, { hint: 'pass --yes to confirm', code: 'CONFIRMATION_REQUIRED' });
    }
    const { confirm } = await import('@inquirer/prompts');
    const ok = await confirm({ message: `Delete ${doomed.join(', ')} from ${target}, with their versions, aliases and execution history?`, default: false });
    if (!ok) this.note('Nothing deleted.');
    return ok;
  }
}
