/**
 * `deliv graph`: what to draw (a machine of deliv.yaml, a definition file, or
 * the definition an execution ran), with what overlay (an execution's
 * outcome, the tests' coverage), in which format, and where to. The command
 * parses flags, calls `drawGraph`, prints `text` when it is for stdout, and
 * returns the `GraphResult` as its --json document.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TargetFlags } from '../aws/target.js';
import type { MachineCoverage } from '../testing/coverage.js';
import { tryLoadProject } from '../project/config.js';
import { colors } from '../ui/colors.js';
import { withProgress } from '../ui/progress.js';
import type { ExecutionSummary } from './execution.js';
import { FORMAT_BY_EXTENSION, type GraphFormat } from './formats.js';
import type { GraphModel } from './model.js';
import { renderGraph } from './render.js';
import { checkExecutionFlag, loadExecution, resolveGraphSource, sourceFromExecution } from './source.js';

export interface DrawRequest extends TargetFlags {
  /** A machine of deliv.yaml or a definition file; none: the project's only machine (or, with an execution ARN outside a project, what it ran). */
  machine?: string;
  format?: GraphFormat;
  /** An execution ARN, or `latest`. */
  execution?: string;
  coverage?: boolean;
  /** A file to write instead of stdout; its extension picks the format when none is given. */
  out?: string;
  substitutions?: Record<string, string>;
  /** Columns of the terminal drawing (default: the terminal's, when stdout is one). */
  width?: number;
  /** stdout is a terminal this many columns wide: an ASCII drawing there is coloured and fitted. */
  terminal?: { columns: number };
}

/** The --json document of `deliv graph`. */
export interface GraphResult {
  machine: string;
  source: string;
  format: GraphFormat;
  out?: string;
  graph: {
    nodes: Pick<GraphModel['nodes'][number], 'id' | 'kind' | 'name' | 'type' | 'group' | 'retry'>[];
    groups: Pick<GraphModel['groups'][number], 'id' | 'kind' | 'label' | 'owner' | 'nodes' | 'startAt'>[];
    edges: GraphModel['edges'];
    warnings: string[];
  };
  execution?: ExecutionSummary;
  coverage?: MachineCoverage;
  /** The picture, when it was not written to `out`. */
  output?: string;
}

export async function drawGraph(request: DrawRequest, note: (text: string) => void): Promise<GraphResult> {
  const format: GraphFormat = request.format ?? (request.out ? FORMAT_BY_EXTENSION[path.extname(request.out).toLowerCase()] : undefined) ?? 'ascii';
  const target = { target: request.target, region: request.region, profile: request.profile };
  if (request.execution) checkExecutionFlag(request.execution);
  // `deliv graph --execution ARN` with nothing else at hand draws the definition the execution ran.
  const fromService = !request.machine && request.execution?.startsWith('arn:') && !tryLoadProject();
  const source = fromService
    ? await sourceFromExecution({ ...target, execution: request.execution!, note })
    : resolveGraphSource(request.machine, { ...target, substitutions: request.substitutions });
  if (source.unresolved.length > 0) {
    const names = source.unresolved.map((name) => `\${${name}}`).join(', ');
    note(`warning: no value for ${names}: drawn as written; fill with --sub ${source.unresolved[0]}=value`);
  }

  const execution = request.execution
    ? await withProgress('Reading the execution history', () => loadExecution(source, { ...target, execution: request.execution!, note }))
    : undefined;
  const covered = request.coverage
    ? await withProgress('Running the tests for coverage', async () => (await import('../testing/index.js')).graphCoverage(source.project ?? tryLoadProject(), source.machineName))
    : undefined;

  const toTerminal = format === 'ascii' && !request.out && request.terminal !== undefined;
  const width = request.width ?? (toTerminal ? request.terminal!.columns : undefined);
  const rendered = await withProgress('Laying out the graph', () =>
    renderGraph(source.definition, { format, title: source.title, source: source.source, execution, coverage: covered?.overlay, width, colors: toTerminal ? colors : undefined }),
  );
  for (const warning of rendered.model.warnings) note(`warning: ${warning}`);
  if (rendered.fits === false && width !== undefined) {
    note(`note: the drawing is ${rendered.columns} columns wide, more than ${width}; try --format html or --format svg for big machines`);
  }
  if (request.out) {
    writeFileSync(request.out, rendered.text);
    const states = rendered.model.nodes.filter((node) => node.kind === 'state').length;
    note(`wrote ${request.out} (${format}, ${states} states${execution ? `, execution ${execution.status}` : ''})`);
  }

  return {
    machine: source.title,
    source: source.source,
    format,
    out: request.out,
    graph: {
      nodes: rendered.model.nodes.map((node) => ({ id: node.id, kind: node.kind, name: node.name, type: node.type, group: node.group, retry: node.retry })),
      groups: rendered.model.groups.map(({ id, kind, label, owner, nodes, startAt }) => ({ id, kind, label, owner, nodes, startAt })),
      edges: rendered.model.edges,
      warnings: rendered.model.warnings,
    },
    execution,
    coverage: covered?.coverage,
    output: request.out ? undefined : rendered.text,
  };
}
