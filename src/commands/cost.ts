import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { targetFlag } from '../ui/flags.js';
import type { CostReport } from '../cost/types.js';

export default class Cost extends BaseCommand {
  static override summary = 'Estimate the monthly AWS bill of your state machines';

  static override description = `Prices Step Functions (Standard and Express), the Lambda functions and Bedrock models the workflows call, from the AWS Pricing API (cached on disk) or, offline, from the price snapshot bundled with deliv. The report names the price source and date, lists every line item with the always-free allowances as their own column, compares Standard with Express (cheaper type and break-even volume) and states every assumption.

Transitions per execution are estimated from the definition (Choice weights, Map items, retries and loops from the usage file, else stated defaults), or measured from recent executions with --from-executions. Service integrations deliv does not price (SNS, SQS, DynamoDB, ...) are listed as not estimated. A machine that logs its executions on AWS (\`logging:\` in deliv.yaml) gets a CloudWatch Logs line: vended-log ingestion and compressed storage of its execution events, measured with --from-executions or estimated from the path (level and includeExecutionData applied); offline it is marked not priced (the bundled snapshot has no CloudWatch rows).

The workload comes from --executions, the \`cost:\` section of deliv.yaml and a --usage file (YAML or JSON, same schema):
  executionsPerMonth: 1000000
  region: eu-west-1
  maxMonthly: 250                         # USD; exit 1 above it (as --max-monthly)
  payloadKB: 4                            # input size, for the Express memory and log size estimates
  freeTier: always | none
  lambda: { memoryMB: 128, durationMs: 100, architecture: x86_64 }
  functions: { <function>: { memoryMB, durationMs, architecture } }
  bedrock: { inputTokens: 1000, outputTokens: 300, models: { <model id>: { inputTokens, outputTokens } } }
  express: { memoryMB: 64, durationMs: 900 }
  choices: { <Choice>: { <target state>: weight } }
  failureRates: { <Task>: 0.02 }          # or { rate: 0.02, error: Some.Error }
  mapItems: { <Map>: 3 }                  # or { min, expected, max }
  loops: { <Choice closing a loop>: 3 }   # or { expected, max }
  waitSeconds: { <Wait>: 600 }
  stateMachines: { <machine>: { executionsPerMonth, choices, ... } }`;

  static override examples = [
    { description: 'Every machine of the project at 1M executions a month', command: '<%= config.bin %> <%= command.id %> --executions 1000000' },
    { description: 'A definition file outside any project, offline, with the chart as SVG', command: '<%= config.bin %> <%= command.id %> statemachine.asl.json --offline --out cost.svg' },
    { description: 'One machine, measured from its recent local runs, priced for eu-west-1', command: '<%= config.bin %> <%= command.id %> order-fulfillment --from-executions --region eu-west-1' },
    { description: 'A workload file, Standard and Express itemised side by side, as JSON', command: '<%= config.bin %> <%= command.id %> --usage usage.yaml --type both --json' },
    { description: 'In a git repository: what the last commit changed in the bill', command: '<%= config.bin %> <%= command.id %> --diff HEAD~1' },
    { description: 'Fail CI when the estimate is over $250 a month', command: '<%= config.bin %> <%= command.id %> --executions 1000000 --max-monthly 250' },
  ];

  static override strict = false;

  static override args = {
    subjects: Args.string({ description: 'state machine names of deliv.yaml, or definition files (.asl.json/.asl.yaml); default: every machine of the project' }),
  };

  static override flags = {
    executions: Flags.integer({ char: 'n', description: 'executions per month of each machine', min: 0 }),
    type: Flags.option({ description: 'workflow type to itemise (default: as declared in deliv.yaml; STANDARD for bare files)', options: ['standard', 'express', 'both'] as const })(),
    region: Flags.string({ description: 'AWS region to price (default: cost.region, the target region, AWS_REGION, us-east-1)' }),
    usage: Flags.string({ char: 'u', description: 'usage file (YAML/JSON): workload, branch weights, failure rates, Map items, function sizes' }),
    'from-executions': Flags.boolean({ description: 'measure transitions from the histories of recent executions on the target' }),
    'free-tier': Flags.option({ description: 'apply the always-free allowances once for the account', options: ['always', 'none'] as const })(),
    offline: Flags.boolean({ description: 'do not call the Pricing API: use cached prices, then the bundled snapshot', exclusive: ['refresh'] }),
    refresh: Flags.boolean({ description: 'reread prices from the Pricing API even when cached', exclusive: ['offline'] }),
    chart: Flags.boolean({ description: 'draw monthly cost against volume (1k–100M executions) for Standard and Express' }),
    out: Flags.string({ description: 'write the chart as a self-contained SVG file (implies --chart)' }),
    target: targetFlag,
    diff: Flags.string({ description: 'also price the project at this git ref (default HEAD when given alone) and show the change per machine and line item', helpValue: 'REF' }),
    'max-monthly': Flags.string({ description: 'monthly budget in USD (default: cost.maxMonthly of deliv.yaml); exit 1 when the estimate is over it', helpValue: 'USD' }),
  };

  async run(): Promise<CostReport> {
    // `--diff` given alone means HEAD: the working tree against the last commit.
    const at = this.argv.indexOf('--diff');
    if (at !== -1 && (at + 1 >= this.argv.length || this.argv[at + 1].startsWith('-'))) this.argv.splice(at + 1, 0, 'HEAD');
    const { argv, flags } = await this.parse(Cost);
    const { estimateCost, costText } = await import('../cost/command.js');
    const { tryLoadProject } = await import('../project/config.js');
    const cwd = process.cwd();
    const request = {
      ...flags,
      subjects: argv as string[],
      project: tryLoadProject(cwd),
      cwd,
      usageFile: flags.usage,
      fromExecutions: flags['from-executions'],
      freeTier: flags['free-tier'],
      maxMonthly: flags['max-monthly'],
    };
    const report = await estimateCost(request, (text) => this.note(text));
    const { terminalColumns } = await import('../ui/width.js');
    this.say(await costText(report, terminalColumns()));
    // Over budget is a failed check (exit 1) with the full report still printed, for CI.
    if (report.budget?.over) process.exitCode = 1;
    return report;
  }
}
