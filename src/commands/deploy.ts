import { Args, Flags, type Interfaces } from '@oclif/core';
import type { ResolvedTarget } from '../aws/target.js';
import type { MachinePlan } from '../deploy/deploy.js';
import type { Project } from '../project/config.js';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlags } from '../ui/flags.js';

export default class Deploy extends BaseCommand {
  static override summary = 'Deploy the project: functions, roles and state machines; publish versions, move an alias';
  static override description = `Renders each state machine of deliv.yaml for the target, validates it, then creates or updates it under its deliv.yaml name. Every change publishes a version (described by the git commit) and points the alias at it; --canary sends only a share of the alias's traffic to the new version. A deploy without changes changes nothing and says so.

On an AWS target the whole project goes in one plan, in dependency order: the functions' execution role, every function of deliv.yaml (bundled with esbuild, created or updated, a version published; unchanged code makes no call), each state machine's least-privilege role (what \`deliv policy\` prints), then the machines with \`\${<Name>FunctionArn}\` filled from the deployed functions. The SNS topics and SQS queues the machines name are listed; --create-missing looks them up and creates, tagged deliv:project, those that do not exist in the target's account and Region. A roleArn in the target (or --role-arn) is used as it is instead of a generated role; functionRoleArn likewise for the functions. A failure stops the rest and says what was done; deploying again completes it. Everything deliv creates is tagged deliv:project for \`deliv destroy\`.

The local target is the embedded emulator (started if needed); its functions run from functions/ as they are.`;

  static override examples = [
    { description: 'Deploy every state machine to the local emulator', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Show what would change on the prod target, without changing it', command: '<%= config.bin %> <%= command.id %> order-fulfillment --target prod --dry-run' },
    { description: 'Send 10% of the `live` alias traffic to the new version', command: '<%= config.bin %> <%= command.id %> order-fulfillment --target prod --canary 10' },
    { description: 'Functions, roles and machines to AWS, without an ARN written by hand', command: '<%= config.bin %> <%= command.id %> --target prod' },
    { description: 'Also create the SNS topics and SQS queues the machines use, where they do not exist', command: '<%= config.bin %> <%= command.id %> --target prod --create-missing' },
  ];

  static override strict = false;
  static override args = {
    name: Args.string({ description: 'state machines to deploy (deliv.yaml keys); all when omitted' }),
  };

  static override flags = {
    ...targetFlags,
    'dry-run': Flags.boolean({ description: 'print the diff against what is deployed and change nothing' }),
    alias: Flags.string({ description: 'alias to point at the new version (default: the target\'s alias, else live)' }),
    canary: Flags.integer({ description: 'percentage of the alias\'s traffic for the new version (the rest stays on the previous one)', min: 0, max: 100 }),
    'role-arn': Flags.string({ description: 'IAM role the state machines run as (default: the target\'s roleArn)' }),
    'no-cost': Flags.boolean({ description: 'do not print the change in the monthly cost estimate' }),
    'create-missing': Flags.boolean({ description: 'on an AWS target, create the SNS topics and SQS queues the machines use that do not exist yet' }),
  };

  async run() {
    const { argv, flags } = await this.parse(Deploy);
    const { loadProject } = await import('../project/config.js');
    const { resolveTarget } = await import('../aws/target.js');
    const { deploy, renderForDeploy, requireRoleArn } = await import('../deploy/deploy.js');
    const { gitCommitDescription } = await import('../deploy/git.js');
    const { connect } = await import('../local/connect.js');
    const { withProgress } = await import('../ui/progress.js');
    const { renderDeployPlans } = await import('../deploy/report.js');

    const project = loadProject();
    const target = resolveTarget(project, flags);
    if (!target.local) return this.deployToAws(project, target, argv as string[], flags);
    if (flags['create-missing']) this.note('--create-missing has nothing to create on the local target: the emulator keeps no SNS topics or SQS queues (mocks answer their Tasks)');
    const roleArn = requireRoleArn(target, flags['role-arn'], project.file);
    const desired = await renderForDeploy(project, target, argv as string[], roleArn);
    const connection = await connect(project, flags, (text) => this.note(text));
    const versionDescription = await gitCommitDescription(project.root);
    const names = desired.map((machine) => machine.name).join(', ');
    const plans = await withProgress(
      `${flags['dry-run'] ? 'Planning' : 'Deploying'} ${names} to ${target.name}`,
      () =>
        deploy(connection.sfn, connection.target, desired, {
          names: argv as string[],
          dryRun: flags['dry-run'],
          alias: flags.alias ?? target.alias ?? 'live',
          canary: flags.canary,
          roleArn,
          versionDescription,
          logs: connection.logs,
          projectFile: project.file,
        }),
    );
    for (const line of renderDeployPlans(plans, { dryRun: flags['dry-run'], target: target.name, versionDescription })) this.say(line);
    const cost = await this.costLine(project, target.name, plans, flags['no-cost']);
    return { target: target.name, dryRun: flags['dry-run'], stateMachines: plans, cost };
  }

  /** An AWS target: the project plan (roles, functions, machines), one call of the library. */
  private async deployToAws(project: Project, target: ResolvedTarget, names: string[], flags: Interfaces.InferredFlags<typeof Deploy.flags>) {
    const { checkRoleArn } = await import('../deploy/deploy.js');
    const { deployProject } = await import('../deploy/project.js');
    const { awsDeployClients } = await import('../aws/clients.js');
    const { gitCommitDescription } = await import('../deploy/git.js');
    const { withProgress } = await import('../ui/progress.js');
    const { renderProjectDeploy } = await import('../deploy/report.js');
    const roleArn = flags['role-arn'] ?? target.roleArn;
    if (roleArn) checkRoleArn(roleArn);
    const clients = await awsDeployClients(target);
    const versionDescription = await gitCommitDescription(project.root);
    const result = await withProgress(
      `${flags['dry-run'] ? 'Planning' : 'Deploying'} ${project.config.name} to ${target.name}`,
      () => deployProject(project, target, clients, {
        names,
        dryRun: flags['dry-run'],
        alias: flags.alias ?? target.alias ?? 'live',
        canary: flags.canary,
        roleArn,
        versionDescription,
        createMissing: flags['create-missing'],
        onStep: (text) => this.note(text),
      }),
    );
    for (const line of renderProjectDeploy(result, { versionDescription })) this.say(line);
    const cost = await this.costLine(project, target.name, result.stateMachines, flags['no-cost']);
    return { ...result, cost };
  }

  private async costLine(project: Project, targetName: string, plans: MachinePlan[], skip: boolean) {
    const { sameDefinition } = await import('../deploy/diff.js');
    let cost: Awaited<ReturnType<typeof import('../cost/index.js').deployCostDelta>> | undefined;
    if (!skip && plans.some((plan) => plan.previousDefinition === undefined || !sameDefinition(plan.previousDefinition, plan.definition))) {
      const { deployCostDelta } = await import('../cost/index.js');
      try {
        cost = await deployCostDelta(project, targetName, plans.map((plan) => ({ name: plan.name, before: plan.previousDefinition, after: plan.definition })));
        this.say(cost.line);
      } catch (error) {
        // The estimate is advice: a deploy never fails for it.
        this.note(`cost estimate skipped: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return cost;
  }
}
