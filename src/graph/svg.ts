import { explainCommand, type ExecutionSummary } from './execution.js';
import { executionFooter, layoutGraph, PIXEL_METRICS, type EdgeRoute, type GraphLayout, type NodeBox, type Point } from './layout.js';
import type { GraphModel } from './model.js';
import { CATCH_COLOR, EDGE_COLOR, OUTCOME_COLORS, PLAIN_COLORS, UNCOVERED_COLORS } from './palette.js';

/**
 * A self-contained SVG of the ELK layout: inline styles, no fonts or scripts
 * fetched. Each state is a `<g class="state" data-state="Name">` with a
 * `<title>` holding its full name, so shortened labels can still be found.
 */

export interface SvgOptions {
  title?: string;
  execution?: ExecutionSummary;
  /** More lines under the drawing (the coverage figures). */
  footer?: string[];
}

const FONT = `ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace`;
const FONT_SIZE = 12;

export async function renderSvg(model: GraphModel, options: SvgOptions = {}): Promise<string> {
  const layout = await layoutGraph(model, PIXEL_METRICS, options.execution);
  return svgFromLayout(layout, options);
}

export function svgFromLayout(layout: GraphLayout, options: SvgOptions = {}): string {
  const execution = options.execution;
  const footer = [...(execution ? executionFooter(execution) : []), ...(options.footer ?? [])];
  const margin = 16;
  const footerHeight = footer.length > 0 ? footer.length * 18 + 12 : 0;
  const width = Math.ceil(Math.max(layout.width, ...footer.map((line) => [...line].length * 7.4))) + margin * 2;
  const height = Math.ceil(layout.height) + margin * 2 + footerHeight;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="deliv-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${attr(options.title ?? 'state machine')}">`,
  );
  if (options.title) out.push(`<title>${text(options.title)}</title>`);
  out.push(`<style>${STYLE}</style>`);
  out.push(
    '<defs>',
    `<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${EDGE_COLOR}"/></marker>`,
    `<marker id="arrow-catch" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${CATCH_COLOR}"/></marker>`,
    `<marker id="arrow-uncovered" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${UNCOVERED_COLORS.stroke}"/></marker>`,
    '</defs>',
  );
  out.push(`<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<g transform="translate(${margin} ${margin})">`);

  // Containers first (largest first), then edges, then the states on top.
  const containers = [
    ...layout.groups.map((group) => ({ area: group.width * group.height, draw: () => drawGroup(group) })),
    ...layout.nodes.filter((box) => box.compound).map((box) => ({ area: box.width * box.height, draw: () => drawState(box) })),
  ].sort((a, b) => b.area - a.area);
  for (const container of containers) container.draw();
  out.push('<g class="edges">');
  for (const route of layout.edges) drawEdge(route);
  out.push('</g>');
  for (const box of layout.nodes) {
    if (box.compound) continue;
    if (box.node.kind === 'state') drawState(box);
    else drawMarker(box);
  }
  out.push('</g>');

  if (footer.length > 0) {
    const top = margin + Math.ceil(layout.height) + 16;
    out.push(`<g class="footer">`);
    footer.forEach((line, index) => {
      const failedLine = line.startsWith('✗') || line.includes('deliv explain');
      out.push(`<text x="${margin}" y="${top + index * 18 + 12}"${failedLine ? ` fill="${OUTCOME_COLORS.failed.text}"` : ''}>${text(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;

  function drawGroup(group: GraphLayout['groups'][number]) {
    out.push(
      `<g class="group" data-group="${attr(group.group.id)}">`,
      `<rect x="${n(group.x)}" y="${n(group.y)}" width="${n(group.width)}" height="${n(group.height)}" rx="6" fill="#fafafa" stroke="#9aa0a6" stroke-dasharray="4 3"/>`,
      `<text x="${n(group.x + 8)}" y="${n(group.y + 16)}" class="group-label">${text(group.group.label)}</text>`,
      '</g>',
    );
  }

  function drawState(box: NodeBox) {
    const node = box.node;
    const outcome = execution ? (box.run?.outcome ?? 'not-reached') : undefined;
    const uncovered = node.uncovered === true;
    const colors = uncovered ? UNCOVERED_COLORS : outcome ? OUTCOME_COLORS[outcome] : PLAIN_COLORS;
    const classes = ['state', `type-${node.type?.toLowerCase()}`];
    if (uncovered) classes.push('uncovered');
    if (box.compound) classes.push('compound');
    if (outcome) classes.push(`outcome-${outcome}`);
    const tooltip = [node.name, ...box.lines.slice(1)];
    if (outcome === 'failed' && execution) tooltip.push(`why: ${explainCommand(execution)}`);
    if (uncovered) tooltip.push('not covered by any test case');
    const radius = node.type === 'Choice' ? 14 : node.type === 'Succeed' || node.type === 'Fail' ? Math.min(box.height / 2, 18) : 6;
    const strokeWidth = outcome === 'failed' ? 3 : outcome ? 2 : box.compound ? 1.5 : 1.2;
    out.push(
      `<g class="${classes.join(' ')}" data-node="${attr(node.id)}" data-state="${attr(node.name)}"${outcome ? ` data-outcome="${outcome}"` : ''} tabindex="0">`,
      `<title>${text(tooltip.join('\n'))}</title>`,
      `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="${n(radius)}" fill="${box.compound && !outcome ? '#f8f9fa' : colors.fill}" stroke="${colors.stroke}" stroke-width="${uncovered ? 2 : strokeWidth}"${uncovered ? ' stroke-dasharray="5 3"' : node.type === 'Fail' ? ' stroke-dasharray="0"' : ''}/>`,
    );
    box.lines.forEach((line, index) => {
      const y = box.y + PIXEL_METRICS.padY + (index + 1) * PIXEL_METRICS.lineHeight - 4;
      const cls = index === 0 ? 'name' : execution && index === box.lines.length - 1 ? 'run' : 'detail';
      const fill = cls === 'run' ? colors.text : cls === 'name' ? (outcome === 'not-reached' ? colors.text : PLAIN_COLORS.text) : '#5f6368';
      out.push(`<text x="${n(box.x + PIXEL_METRICS.padX)}" y="${n(y)}" class="${cls}" fill="${fill}">${text(line)}</text>`);
    });
    out.push('</g>');
  }

  function drawMarker(box: NodeBox) {
    out.push(
      `<g class="marker marker-${box.node.kind}" data-node="${attr(box.node.id)}">`,
      `<title>${box.node.kind === 'start' ? 'Start' : 'End'}</title>`,
      `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="${n(box.height / 2)}" fill="#202124"/>`,
      `<text x="${n(box.x + box.width / 2)}" y="${n(box.y + box.height / 2 + 4)}" text-anchor="middle" fill="#ffffff">${text(box.node.name)}</text>`,
      '</g>',
    );
  }

  function drawEdge(route: EdgeRoute) {
    const edge = route.edge;
    const catchEdge = edge.kind === 'catch';
    const uncovered = edge.uncovered === true;
    const color = uncovered ? UNCOVERED_COLORS.stroke : catchEdge ? CATCH_COLOR : EDGE_COLOR;
    const marker = uncovered ? 'arrow-uncovered' : catchEdge ? 'arrow-catch' : 'arrow';
    out.push(
      `<g class="edge edge-${edge.kind}${uncovered ? ' uncovered' : ''}" data-from="${attr(edge.from)}" data-to="${attr(edge.to)}">`,
      `<title>${text(edgeTitle(route))}${uncovered ? ' (not covered by any test case)' : ''}</title>`,
      `<path d="${pathData(route.points)}" fill="none" stroke="${color}" stroke-width="${uncovered || edge.kind === 'default' ? 2 : 1.3}"${uncovered ? ' stroke-dasharray="3 3"' : catchEdge ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#${marker})"/>`,
    );
    if (route.label) {
      const label = route.label;
      out.push(
        `<rect x="${n(label.x - 2)}" y="${n(label.y)}" width="${n(label.width + 4)}" height="${n(label.height)}" fill="#ffffff" opacity="0.9"/>`,
        `<text x="${n(label.x)}" y="${n(label.y + label.height - 4)}" class="edge-label" fill="${color}">${text(label.text)}</text>`,
      );
    }
    out.push('</g>');
  }
}

function edgeTitle(route: EdgeRoute): string {
  const edge = route.edge;
  if (edge.kind === 'catch') return `catch ${edge.label ?? ''}`;
  if (edge.kind === 'default') return 'default (no rule matched)';
  return edge.label ?? edge.kind;
}

function pathData(points: Point[]): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${n(point.x)},${n(point.y)}`).join(' ');
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}

const STYLE = [
  `.deliv-graph text { font-family: ${FONT}; font-size: ${FONT_SIZE}px; }`,
  '.deliv-graph .name { font-weight: 600; }',
  '.deliv-graph .edge-label { font-size: 11px; }',
  '.deliv-graph .group-label { fill: #5f6368; font-size: 11px; }',
  '.deliv-graph .state { cursor: pointer; }',
  '.deliv-graph .state:focus { outline: none; }',
  // Selection glows around the box, leaving its outcome colour readable.
  '.deliv-graph .state.selected > rect { filter: drop-shadow(0 0 3px #1a73e8) drop-shadow(0 0 2px #1a73e8); }',
  '.deliv-graph .state.match > rect { stroke: #f9ab00; stroke-width: 4; }',
].join('\n');
