import type { StateOutcome } from './execution.js';

/** One set of colours for every picture format, so a failed state looks the same in DOT, Mermaid, SVG and HTML. */
export const OUTCOME_COLORS: Record<StateOutcome, { fill: string; stroke: string; text: string }> = {
  succeeded: { fill: '#e6f4ea', stroke: '#1e8e3e', text: '#0d652d' },
  retried: { fill: '#fef7e0', stroke: '#e37400', text: '#8a4b00' },
  caught: { fill: '#f3e8fd', stroke: '#9334e6', text: '#681da8' },
  failed: { fill: '#fce8e6', stroke: '#d93025', text: '#a50e0e' },
  running: { fill: '#e8f0fe', stroke: '#1a73e8', text: '#174ea6' },
  cancelled: { fill: '#f1f3f4', stroke: '#80868b', text: '#5f6368' },
  'not-reached': { fill: '#ffffff', stroke: '#bdc1c6', text: '#80868b' },
};

export const PLAIN_COLORS = { fill: '#ffffff', stroke: '#5f6368', text: '#202124' };
export const CATCH_COLOR = '#c5221f';
export const EDGE_COLOR = '#5f6368';

/** `graph --coverage`: what no test reached, drawn dashed in this colour in every format. */
export const UNCOVERED_COLORS = { fill: '#fff4e5', stroke: '#e8710a', text: '#b05a00' };
