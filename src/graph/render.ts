import type { ChalkInstance } from 'chalk';
import type { StateMachineDefinition } from '../asl/types.js';
import { markUncovered, type CoverageOverlay } from './coverage.js';
import type { ExecutionSummary } from './execution.js';
import type { GraphFormat } from './formats.js';
import { buildGraphModel, type GraphModel } from './model.js';

export { FORMAT_BY_EXTENSION, GRAPH_FORMATS, type GraphFormat } from './formats.js';

export interface RenderOptions {
  format: GraphFormat;
  title: string;
  source?: string;
  execution?: ExecutionSummary;
  /** `--coverage`: what the tests left uncovered, drawn dashed in every format. */
  coverage?: CoverageOverlay;
  /** Terminal columns for `ascii`. */
  width?: number;
  colors?: ChalkInstance;
}

export interface RenderedGraph {
  model: GraphModel;
  text: string;
  /** `ascii` only: whether the drawing fits the width asked for. */
  fits?: boolean;
  columns?: number;
}

/** Draws a definition in one format; each renderer is imported only when asked for. */
export async function renderGraph(definition: StateMachineDefinition, options: RenderOptions): Promise<RenderedGraph> {
  const model = buildGraphModel(definition);
  if (options.coverage) markUncovered(model, options.coverage);
  const footer = options.coverage?.footer;
  switch (options.format) {
    case 'mermaid': {
      const { renderMermaid } = await import('./mermaid.js');
      const notes = (footer ?? []).map((line) => `%% ${line}`).join('\n');
      return { model, text: `${renderMermaid(model, options.execution)}${notes ? `${notes}\n` : ''}` };
    }
    case 'dot': {
      const { renderDot } = await import('./dot.js');
      const notes = (footer ?? []).map((line) => `// ${line}`).join('\n');
      return { model, text: `${renderDot(model, options.execution, options.title)}${notes ? `${notes}\n` : ''}` };
    }
    case 'svg': {
      const { renderSvg } = await import('./svg.js');
      return { model, text: await renderSvg(model, { title: options.title, execution: options.execution, footer }) };
    }
    case 'html': {
      const { renderHtml } = await import('./html.js');
      return { model, text: await renderHtml(model, { title: options.title, execution: options.execution, source: options.source, footer }) };
    }
    case 'ascii': {
      const { renderAscii } = await import('./ascii.js');
      const { executionFooter } = await import('./layout.js');
      const drawing = await renderAscii(model, { width: options.width, execution: options.execution, colors: options.colors });
      const lines = [...(options.execution ? executionFooter(options.execution) : []), ...(footer ?? [])];
      const under = lines.length > 0 ? `\n\n${lines.join('\n')}` : '';
      return { model, text: `${drawing.text}${under}\n`, fits: drawing.fits, columns: drawing.width };
    }
  }
}
