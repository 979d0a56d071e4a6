import { BaseCommand } from '../ui/base-command.js';
import { paint } from '../ui/colors.js';

export default class Templates extends BaseCommand {
  static override summary = 'List the bundled state machine templates';
  static override description = 'Each template is a state machine with its handlers, sample events and mocks; `deliv init --template NAME` starts a project from it.';
  static override examples = ['<%= config.bin %> templates', '<%= config.bin %> templates --json'];

  async run() {
    await this.parse(Templates);
    const { listTemplates } = await import('../project/templates.js');
    const { renderTable } = await import('../ui/table.js');
    const templates = listTemplates().map((template) => ({
      name: template.name,
      types: template.types,
      queryLanguage: template.language,
      description: template.description,
      features: template.features,
      functions: Object.keys(template.functions),
      parameters: template.parameters.map((parameter) => ({
        name: parameter.name,
        description: parameter.description,
        default: parameter.function ? `arn:aws:lambda:{region}:{account}:function:${parameter.function}` : parameter.default,
      })),
    }));
    for (const template of templates) {
      this.say(`${paint.strong(template.name)}  ${paint.muted(`${template.types.join(' | ')}, ${template.queryLanguage}`)}`);
      this.say(`  ${template.description}`);
      this.say(`  ${paint.muted('uses:')} ${template.features.join(', ')}`);
      const table = renderTable(template.parameters, [
        { header: 'parameter', value: (parameter) => paint.code(parameter.name) },
        { header: 'default', value: (parameter) => parameter.default ?? '' },
        { header: 'description', value: (parameter) => parameter.description },
      ]);
      this.say(table.split('\n').map((line) => `  ${line}`).join('\n'));
      this.say('');
    }
    this.say(paint.muted('Start a project: deliv init my-project --template <name>'));
    return { templates };
  }
}
