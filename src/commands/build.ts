import { Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlag } from '../ui/flags.js';
import { paint } from '../ui/colors.js';

export default class Build extends BaseCommand {
  static override summary = 'Render the state machines to ASL JSON, or export the project as a SAM or CloudFormation template';
  static override description = `Substitutes the target's \${Name} placeholders, validates, and writes .deliv/build/<name>.asl.json for each state machine.

--format sam writes .deliv/build/sam/template.yaml (AWS::Serverless::StateMachine with DefinitionUri and DefinitionSubstitutions, AWS::Serverless::Function per function with its bundled code, the generated least-privilege policies inline, log groups) for \`sam deploy\`; --format cloudformation writes plain AWS::StepFunctions::StateMachine, AWS::Lambda::Function and AWS::IAM::Role resources under .deliv/build/cloudformation/ for \`aws cloudformation package\` and \`deploy\`. Both declare the SNS topics and SQS queues the machines use in the target's account and Region (AWS::SNS::Topic, AWS::SQS::Queue; FIFO for a .fifo name), referenced by the substitutions and policies.`;
  static override examples = [
    '<%= config.bin %> build',
    '<%= config.bin %> build --target prod',
    { description: 'A SAM template of the whole project, then deploy it with SAM', command: '<%= config.bin %> build --target prod --format sam && sam deploy --template-file .deliv/build/sam/template.yaml --guided' },
    '<%= config.bin %> build --json',
  ];

  static override flags = {
    target: targetFlag,
    format: Flags.string({ description: 'what to write: the rendered ASL, or a template of the whole project', options: ['asl', 'sam', 'cloudformation'], default: 'asl' }),
  };

  async run() {
    const { flags } = await this.parse(Build);
    const { loadProject } = await import('../project/config.js');
    const { buildProject } = await import('../project/check.js');
    const { formatProblem } = await import('../asl/validate.js');
    const { UsageError } = await import('../ui/errors.js');
    const { notKnownError } = await import('../ui/suggest.js');
    const project = loadProject();
    const target = flags.target ?? project.config.defaultTarget ?? 'local';
    if (!project.config.targets[target]) {
      throw notKnownError('target', target, Object.keys(project.config.targets), 'deliv.yaml');
    }
    const { built, report } = buildProject(project, target);
    for (const problem of report.definitions.flatMap((definition) => definition.problems)) {
      const line = formatProblem(problem);
      this.note(problem.severity === 'error' ? paint.failure(line) : paint.warning(line));
    }
    if (report.errors > 0) {
      throw new UsageError(`not built: ${report.errors} error${report.errors === 1 ? '' : 's'} in the definitions`, { hint: 'run `deliv validate` and fix them', code: 'INVALID_DEFINITION' });
    }
    if (flags.format === 'sam' || flags.format === 'cloudformation') {
      const { resolveTarget } = await import('../aws/target.js');
      const { exportProject } = await import('../deploy/export.js');
      const exported = await exportProject(project, resolveTarget(project, { target }), flags.format);
      for (const warning of exported.warnings) this.note(paint.warning(`warning: ${warning}`));
      this.say(`${paint.success('exported')} ${Object.keys(exported.resources).length} resources → ${exported.template}`);
      return { target, ...exported };
    }
    for (const machine of built) this.say(`${paint.success('built')} ${machine.machine} → ${machine.output}`);
    const pseudo = [...new Set(built.flatMap((machine) => JSON.stringify(machine.definition).match(/\$\{AWS::[A-Za-z]+\}/g) ?? []))];
    if (pseudo.length > 0) {
      this.note(paint.warning(`${pseudo.join(', ')} left as written: targets.${target} in ${project.file} names no ${pseudo.some((name) => name.includes('Region')) ? 'region or ' : ''}accountId (deliv deploy fills them from your credentials)`));
    }
    return { target, built: built.map(({ machine, output }) => ({ machine, output })) };
  }
}
