import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { writeOut } from '../ui/output.js';
import { targetFlags } from '../ui/flags.js';
import { paint } from '../ui/colors.js';
import { UsageError } from '../ui/errors.js';
import { withProgress } from '../ui/progress.js';
import type { ExplainResult } from '../explain/index.js';

export default class Explain extends BaseCommand {
  static override summary = 'Explain why an execution failed, and how to fix it';

  static override description = `Reads the failed execution's history and definition, redacts personal data and secrets, and asks Claude Haiku on Amazon Bedrock for the cause and the fix. With --offline, or when Bedrock cannot be reached, a rule-based explainer that knows the Step Functions error names answers instead, and says so.

With no argument inside a project, explains the latest failed execution of any of its state machines; with a state machine name, its latest failed execution.`;

  static override examples = [
    { description: 'Explain the latest failure in this project', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'The latest failure of one state machine, without calling Bedrock', command: '<%= config.bin %> <%= command.id %> order-fulfillment --offline' },
    { description: 'See exactly what would be sent to Bedrock, and send nothing', command: '<%= config.bin %> <%= command.id %> arn:aws:states:eu-west-1:111122223333:execution:order-fulfillment:run-42 --target prod --show-prompt' },
  ];

  static override args = {
    execution: Args.string({ description: 'execution ARN, or a state machine name (its latest failed execution)', required: false }),
  };

  static override flags = {
    ...targetFlags,
    model: Flags.string({ description: 'Bedrock model id or inference profile id (default: explain.model in deliv.yaml, else global.anthropic.claude-haiku-4-5-20251001-v1:0)' }),
    offline: Flags.boolean({ description: 'use the rule-based explainer; nothing leaves this machine', default: false }),
    'show-prompt': Flags.boolean({ description: 'print exactly what would be sent to Bedrock, and send nothing', default: false }),
    redact: Flags.boolean({ description: 'redact personal data and secrets before sending (--no-redact sends them as they are)', default: true, allowNo: true }),
    yes: Flags.boolean({ char: 'y', description: 'confirm --no-redact without a prompt', default: false }),
    cache: Flags.boolean({ description: 'reuse an earlier answer to the same failure (--no-cache asks again)', default: true, allowNo: true }),
  };

  async run(): Promise<ExplainResult> {
    const { args, flags } = await this.parse(Explain);
    const { tryLoadProject } = await import('../project/config.js');
    const { connect } = await import('../local/connect.js');
    const { explainToTerminal } = await import('../explain/render.js');

    const project = tryLoadProject();
    if (!flags.redact && !flags.offline && !flags['show-prompt']) await this.confirmUnredacted(flags.yes);
    const { sfn, target } = await connect(project, flags, (text) => this.note(text));
    try {
      return await explainToTerminal({
        execution: args.execution,
        sfn,
        target,
        project,
        model: flags.model,
        offline: flags.offline,
        redact: flags.redact,
        showPrompt: flags['show-prompt'],
        cache: flags.cache,
        json: this.jsonEnabled(),
        interactive: Boolean(process.stdout.isTTY),
        write: writeOut,
        onNote: (text) => this.note(paint.warning(text)),
        progress: withProgress,
      });
    } finally {
      sfn.destroy();
    }
  }

  private async confirmUnredacted(yes: boolean): Promise<void> {
    if (yes) return;
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('--no-redact would send personal data to Bedrock, and there is no terminal to confirm it', {
        code: 'CONFIRMATION_REQUIRED',
        hint: 'add --yes to confirm, or drop --no-redact (use --show-prompt to see what redaction keeps)',
      });
    }
    const { confirm } = await import('@inquirer/prompts');
    const ok = await confirm({ message: 'Send the execution data to Bedrock WITHOUT redacting names, emails, addresses and secrets?', default: false });
    if (!ok) throw new UsageError('cancelled: nothing was sent', { hint: 'run without --no-redact to send a redacted prompt' });
  }
}
