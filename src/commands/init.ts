import { Args, Flags } from '@oclif/core';
import path from 'node:path';
import { BaseCommand } from '../ui/base-command.js';
import { paint } from '../ui/colors.js';

export default class Init extends BaseCommand {
  static override summary = 'Scaffold a delivery workflow project from templates';
  static override description = `Creates DIR (or fills it when empty) with deliv.yaml, the state machines of the chosen templates, working local handlers, sample events and mocks.
On a terminal it asks for what the flags leave open; elsewhere it never waits for input: a missing answer is an error that names its flag, and --yes takes the defaults.`;

  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init demo --yes --template order-fulfillment',
    '<%= config.bin %> init shop --template parcel-routing --template support-triage --type EXPRESS --region eu-west-1 --language js --yes',
  ];

  static override args = {
    dir: Args.string({ description: 'folder to create (default: the project name)' }),
  };

  static override flags = {
    // Non-greedy: `-t T DIR` reads DIR as the folder, not as a second template; repeat -t for more.
    template: Flags.string({ char: 't', description: 'template to start from (repeatable; see `deliv templates`; --yes alone: order-fulfillment)', multiple: true, multipleNonGreedy: true }),
    name: Flags.string({ char: 'n', description: 'project name (default: the folder name)' }),
    type: Flags.string({ description: 'workflow type for templates that allow both: STANDARD or EXPRESS' }),
    region: Flags.string({ description: 'AWS region of the example AWS target (default: us-east-1)' }),
    language: Flags.string({ char: 'l', description: 'handler language: ts or js (default: ts)' }),
    yes: Flags.boolean({ char: 'y', description: 'accept the defaults, ask nothing' }),
    force: Flags.boolean({ description: 'write into a non-empty folder, replacing files of the same name' }),
  };

  async run() {
    const { args, flags } = await this.parse(Init);
    const { resolveInitOptions } = await import('../project/init-answers.js');
    const { formatNextSteps, scaffoldProject } = await import('../project/scaffold.js');
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !this.jsonEnabled();
    const options = await resolveInitOptions({ ...flags, dir: args.dir }, interactive);
    const result = scaffoldProject(options);

    const shown = path.relative(process.cwd(), result.dir) || '.';
    this.say(`${paint.success('Created')} ${paint.strong(options.name)} in ${shown}/ (${result.files.length} files)`);
    this.say(`  state machines: ${result.stateMachines.join(', ')}`);
    this.say(`  functions:      ${result.functions.join(', ')}`);
    this.say('');
    this.say(paint.strong('Next steps:'));
    for (const line of formatNextSteps(result.nextSteps, '  ')) this.say(line);
    return { ...result, name: options.name, templates: options.templates, types: options.types, region: options.region, language: options.language };
  }
}
