import { Args } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { paint } from '../ui/colors.js';
import { targetFlags } from '../ui/flags.js';

export default class Policy extends BaseCommand {
  static override summary = 'Print the least-privilege IAM policy a state machine\'s role needs';
  static override description = `Reads the definition as rendered for the target and grants each Task exactly what it calls: lambda:InvokeFunction on the functions it invokes, sns:Publish on its topics, sqs:SendMessage on its queues, bedrock:InvokeModel on its model or inference profile, states:StartExecution (and, for .sync, DescribeExecution, StopExecution and the EventBridge rule Step Functions manages) on its child machines; CloudWatch Logs delivery when logging is on, X-Ray when tracing is on. This is the policy \`deliv deploy\` puts on the role it creates.

The policy document goes to stdout; what could not be scoped exactly goes to stderr. Without an account ID for the target (targets.<name>.accountId), ARNs keep \${AWS::AccountId}.`;

  static override examples = [
    { description: 'The policy of the prod role, ready for `aws iam put-role-policy --policy-document file://policy.json`', command: '<%= config.bin %> <%= command.id %> order-fulfillment --target prod > policy.json' },
    { description: 'Which state needs which permission, for a script', command: '<%= config.bin %> <%= command.id %> support-triage --target prod --json' },
  ];

  static override args = {
    machine: Args.string({ description: 'state machine (deliv.yaml key)', required: true }),
  };

  static override flags = { ...targetFlags };

  async run() {
    const { args, flags } = await this.parse(Policy);
    const { loadProject } = await import('../project/config.js');
    const { resolveTarget } = await import('../aws/target.js');
    const { projectMachinePolicy } = await import('../deploy/resources.js');
    const project = loadProject();
    const target = resolveTarget(project, { target: flags.target ?? ((project.config.defaultTarget ?? 'local') === 'local' ? firstAwsTarget(project.config.targets) : undefined), region: flags.region, profile: flags.profile });
    const result = projectMachinePolicy(project, args.machine, target);
    this.say(JSON.stringify(result.document, null, 2));
    for (const warning of result.warnings) this.note(paint.warning(`warning: ${warning}`));
    return result;
  }
}

/** The local emulator checks no permission: without --target, the policy is for the first AWS target. */
function firstAwsTarget(targets: Record<string, { kind?: string }>): string | undefined {
  return Object.entries(targets).find(([, target]) => target.kind === 'aws')?.[0];
}
