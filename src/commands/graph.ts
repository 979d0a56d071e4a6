import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { writeOut } from '../ui/output.js';
import { FORMAT_BY_EXTENSION, GRAPH_FORMATS, type GraphFormat } from '../graph/formats.js';
import { subFlag, substitutions as substitutionsOf, targetFlags } from '../ui/flags.js';

export default class Graph extends BaseCommand {
  static override summary = 'Draw a state machine, or one of its executions, as a picture';

  static override description = `Draws the state machine as a layered graph: a Unicode drawing in the terminal, Mermaid, Graphviz DOT, a self-contained SVG, or an HTML page where clicking a state shows its definition.

Parallel branches and Map item processors are nested boxes; Choice edges carry their rule, Default edges say "default", Catch edges are dashed and name the errors they catch, and Retry policies are written on the state.

With --coverage, the machine's tests run first (as \`deliv test\`) and every state, transition, Choice rule and catcher they never reach is drawn dashed in orange, with the figures underneath.

With --execution, each state is coloured by what happened in that execution (succeeded, retried, caught, failed, not reached) with its duration and attempts, and the failed state points to \`deliv explain\`.

NAME is a state machine of deliv.yaml; FILE is any .asl.json/.asl.yaml, inside a project or not (\${Name} placeholders stay as written unless --sub fills them).`;

  static override examples = [
    { description: 'Draw the only state machine of the project in the terminal', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Colour the states by what happened in the latest execution, as an HTML page', command: '<%= config.bin %> <%= command.id %> order-fulfillment --execution latest --out order.html' },
    { description: 'A definition file outside any project, as Mermaid for a README', command: '<%= config.bin %> <%= command.id %> exported.asl.json --format mermaid --sub TableName=orders' },
    { description: 'Mark the states and transitions the tests never reach', command: '<%= config.bin %> <%= command.id %> order-fulfillment --coverage' },
    { description: 'SVG of a machine as deployed on an AWS target', command: '<%= config.bin %> <%= command.id %> order-fulfillment --target prod --format svg --out order.svg' },
  ];

  static override args = {
    machine: Args.string({ description: 'state machine name in deliv.yaml, or a definition file (.asl.json / .asl.yaml)', required: false }),
  };

  static override flags = {
    format: Flags.string({ char: 'f', description: 'picture format (default: ascii, or the --out file extension)', options: [...GRAPH_FORMATS] }),
    execution: Flags.string({ char: 'e', description: 'colour the states by an execution: its ARN, or `latest`', exclusive: ['coverage'] }),
    coverage: Flags.boolean({ description: 'run the machine\'s tests (tests/<machine>.test.yaml) and draw what they leave uncovered dashed', exclusive: ['execution'] }),
    out: Flags.string({ char: 'o', description: 'write to this file instead of stdout (.svg, .html, .dot, .mmd pick the format)' }),
    ...targetFlags,
    sub: subFlag(),
    width: Flags.integer({ char: 'w', description: 'columns for the terminal drawing (default: the terminal width)', min: 20 }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Graph);
    const path = await import('node:path');
    const { writeFileSync } = await import('node:fs');
    const { resolveGraphSource, loadExecution, sourceFromExecution, checkExecutionFlag } = await import('../graph/source.js');
    const { renderGraph } = await import('../graph/render.js');
    const { withProgress } = await import('../ui/progress.js');
    const { colors } = await import('../ui/colors.js');
    const { tryLoadProject } = await import('../project/config.js');

    const substitutions = substitutionsOf(flags.sub);
    const format: GraphFormat = (flags.format as GraphFormat | undefined) ?? (flags.out ? FORMAT_BY_EXTENSION[path.extname(flags.out).toLowerCase()] : undefined) ?? 'ascii';
    const target = { target: flags.target, region: flags.region, profile: flags.profile };

    const note = (text: string) => this.note(text);
    if (flags.execution) checkExecutionFlag(flags.execution);
    // `deliv graph --execution ARN` with nothing else at hand draws the definition the execution ran.
    const fromService = !args.machine && flags.execution?.startsWith('arn:') && !tryLoadProject();
    const source = fromService
      ? await sourceFromExecution({ ...target, execution: flags.execution!, note })
      : resolveGraphSource(args.machine, { ...target, substitutions });
    if (source.unresolved.length > 0) {
      const names = source.unresolved.map((name) => `\${${name}}`).join(', ');
      this.note(`warning: no value for ${names}: drawn as written; fill with --sub ${source.unresolved[0]}=value`);
    }

    const execution = flags.execution
      ? await withProgress('Reading the execution history', () => loadExecution(source, { ...target, execution: flags.execution!, note }))
      : undefined;

    const covered = flags.coverage
      ? await withProgress('Running the tests for coverage', async () => (await import('../testing/index.js')).graphCoverage(source.project ?? tryLoadProject(), source.machineName))
      : undefined;

    const toTerminal = format === 'ascii' && !flags.out && Boolean(process.stdout.isTTY);
    const width = flags.width ?? (toTerminal ? process.stdout.columns || Number(process.env.COLUMNS) || 100 : undefined);
    const rendered = await withProgress('Laying out the graph', () =>
      renderGraph(source.definition, { format, title: source.title, source: source.source, execution, coverage: covered?.overlay, width, colors: toTerminal ? colors : undefined }),
    );
    for (const warning of rendered.model.warnings) this.note(`warning: ${warning}`);
    if (rendered.fits === false && width !== undefined) {
      this.note(`note: the drawing is ${rendered.columns} columns wide, more than ${width}; try --format html or --format svg for big machines`);
    }

    if (flags.out) {
      writeFileSync(flags.out, rendered.text);
      const states = rendered.model.nodes.filter((node) => node.kind === 'state').length;
      this.note(`wrote ${flags.out} (${format}, ${states} states${execution ? `, execution ${execution.status}` : ''})`);
    } else if (!this.jsonEnabled()) {
      writeOut(rendered.text);
    }

    return {
      machine: source.title,
      source: source.source,
      format,
      out: flags.out,
      graph: {
        nodes: rendered.model.nodes.map((node) => ({ id: node.id, kind: node.kind, name: node.name, type: node.type, group: node.group, retry: node.retry })),
        groups: rendered.model.groups.map(({ id, kind, label, owner, nodes, startAt }) => ({ id, kind, label, owner, nodes, startAt })),
        edges: rendered.model.edges,
        warnings: rendered.model.warnings,
      },
      execution,
      coverage: covered?.coverage,
      output: flags.out ? undefined : rendered.text,
    };
  }
}
