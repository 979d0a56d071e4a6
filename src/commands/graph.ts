import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../ui/base-command.js';
import { writeOut } from '../ui/output.js';
import { GRAPH_FORMATS } from '../graph/formats.js';
import type { GraphResult } from '../graph/draw.js';
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
    format: Flags.option({ char: 'f', description: 'picture format (default: ascii, or the --out file extension)', options: GRAPH_FORMATS })(),
    execution: Flags.string({ char: 'e', description: 'colour the states by an execution: its ARN, or `latest`', exclusive: ['coverage'] }),
    coverage: Flags.boolean({ description: 'run the machine\'s tests (tests/<machine>.test.yaml) and draw what they leave uncovered dashed', exclusive: ['execution'] }),
    out: Flags.string({ char: 'o', description: 'write to this file instead of stdout (.svg, .html, .dot, .mmd pick the format)' }),
    ...targetFlags,
    sub: subFlag(),
    width: Flags.integer({ char: 'w', description: 'columns for the terminal drawing (default: the terminal width)', min: 20 }),
  };

  async run(): Promise<GraphResult> {
    const { args, flags } = await this.parse(Graph);
    const { drawGraph } = await import('../graph/draw.js');
    const tty = Boolean(process.stdout.isTTY);
    const terminal = tty ? { columns: process.stdout.columns || Number(process.env.COLUMNS) || 100 } : undefined;
    const request = { ...flags, machine: args.machine, substitutions: substitutionsOf(flags.sub), terminal };
    const result = await drawGraph(request, (text) => this.note(text));
    if (result.output !== undefined && !this.jsonEnabled()) writeOut(result.output);
    return result;
  }
}
