/** The picture formats of `deliv graph`: a module of its own, light enough for the command to import at start-up. */
export const GRAPH_FORMATS = ['ascii', 'mermaid', 'dot', 'svg', 'html'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** File extensions that name a format, so `--out graph.svg` needs no `--format`. */
export const FORMAT_BY_EXTENSION: Record<string, GraphFormat> = {
  '.txt': 'ascii',
  '.mmd': 'mermaid',
  '.mermaid': 'mermaid',
  '.dot': 'dot',
  '.gv': 'dot',
  '.svg': 'svg',
  '.html': 'html',
  '.htm': 'html',
};
