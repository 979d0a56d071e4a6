import type { ChalkInstance } from 'chalk';
import type { StateMachineDefinition } from '../asl/types.js';
import type { ExecutionSummary } from './execution.js';
import type { GraphFormat } from './formats.js';
import { buildGraphModel, type GraphModel } from './model.js';

export { FORMAT_BY_EXTENSION, GRAPH_FORMATS, type GraphFormat } from './formats.js';

export interface RenderOptions {
  format: GraphFormat;
  title: string;
  source?: string;
  execution?: ExecutionSummary;
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
  switch (options.format) {
    case 'mermaid': {
      const { renderMermaid } = await import('./mermaid.js');
      return { model, text: renderMermaid(model, options.execution) };
    }
    case 'dot': {
      const { renderDot } = await import('./dot.js');
      return { model, text: renderDot(model, options.execution, options.title) };
    }
    case 'svg': {
      const { renderSvg } = await import('./svg.js');
      return { model, text: await renderSvg(model, { title: options.title, execution: options.execution }) };
    }
    case 'html': {
      const { renderHtml } = await import('./html.js');
      return { model, text: await renderHtml(model, { title: options.title, execution: options.execution, source: options.source }) };
    }
    case 'ascii': {
      const { renderAscii } = await import('./ascii.js');
      const { executionFooter } = await import('./layout.js');
      const drawing = await renderAscii(model, { width: options.width, execution: options.execution, colors: options.colors });
      const footer = options.execution ? `\n\n${executionFooter(options.execution).join('\n')}` : '';
      return { model, text: `${drawing.text}${footer}\n`, fits: drawing.fits, columns: drawing.width };
    }
  }
}
