import { Args } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { subFlag, substitutions as substitutionsOf, targetFlag } from '../ui/flags.js';
import { paint } from '../ui/colors.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check state machine definitions (schema, spec rules, semantics)';
  static override description = `In a project, renders every state machine for each target (or only --target) and checks it; with FILE arguments, checks those files, which may live outside any project (.asl.json, .asl.yaml, .asl.yml).
Problems name the file, line and column, and the state. Exit code 2 when there is an error; warnings alone exit 0.`;

  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate --target prod',
    '<%= config.bin %> validate exported.asl.json --sub PaymentFunctionArn=arn:aws:lambda:eu-west-1:111122223333:function:pay',
  ];

  static override strict = false;
  static override args = {
    file: Args.string({ description: 'definition file(s) to check instead of the project' }),
  };

  static override flags = {
    sub: subFlag({ description: 'fill a ${Name} placeholder of a bare file: Name=value (repeatable)' }),
    target: targetFlag,
  };

  async run() {
    const { argv, flags } = await this.parse(Validate);
    const { tryLoadProject, loadProject } = await import('../project/config.js');
    const { checkFiles, checkProject } = await import('../project/check.js');
    const { formatProblem } = await import('../asl/validate.js');
    const { withProgress } = await import('../ui/progress.js');
    const files = argv as string[];
    const substitutions = substitutionsOf(flags.sub);
    const report = await withProgress('Validating', async () =>
      files.length > 0 ? checkFiles(files, substitutions, tryLoadProject()) : checkProject(loadProject(), { target: flags.target }));

    for (const definition of report.definitions) {
      for (const problem of definition.problems) {
        const line = formatProblem(problem);
        this.say(problem.severity === 'error' ? paint.failure(line) : paint.warning(line));
      }
      const errors = definition.problems.filter((problem) => problem.severity === 'error').length;
      const label = definition.machine ?? definition.file;
      if (errors === 0) this.say(`${paint.success('✓')} ${label}${definition.problems.length ? paint.muted(` (${definition.problems.length} warning${definition.problems.length === 1 ? '' : 's'})`) : ''}`);
      else this.say(`${paint.failure('✗')} ${label}: ${errors} error${errors === 1 ? '' : 's'}`);
    }
    const result = { valid: report.errors === 0, ...report };
    if (report.errors > 0) {
      if (this.jsonEnabled()) {
        this.logJson(result);
        this.exit(2);
      }
      const { UsageError } = await import('../ui/errors.js');
      throw new UsageError(`${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`, {
        code: 'INVALID_DEFINITION',
        hint: 'fix the errors listed above (file:line:col)',
      });
    }
    return result;
  }
}
