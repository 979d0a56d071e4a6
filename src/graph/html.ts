import { explainCommand, type ExecutionSummary } from './execution.js';
import { describeRun, layoutGraph, PIXEL_METRICS } from './layout.js';
import type { GraphModel } from './model.js';
import { OUTCOME_COLORS } from './palette.js';
import { svgFromLayout, text } from './svg.js';

/**
 * One self-contained HTML page: the SVG inline, the data as inline JSON, and
 * a small script (no network, no CDN) that opens a panel with a state's
 * definition and, with an execution, its input, output and error.
 */

export interface HtmlOptions {
  title: string;
  execution?: ExecutionSummary;
  /** Where the definition came from, shown in the header. */
  source?: string;
  /** More lines under the drawing (the coverage figures). */
  footer?: string[];
}

export interface PageState {
  id: string;
  name: string;
  type?: string;
  path: string;
  definition?: Record<string, unknown>;
  run?: ExecutionSummary['states'][string] & { summary: string };
  explain?: string;
}

export async function renderHtml(model: GraphModel, options: HtmlOptions): Promise<string> {
  const execution = options.execution;
  const layout = await layoutGraph(model, PIXEL_METRICS, execution);
  const svg = svgFromLayout(layout, { title: options.title, execution, footer: options.footer });
  const states: Record<string, PageState> = {};
  for (const node of model.nodes) {
    if (node.kind !== 'state') continue;
    const run = execution?.states[node.name];
    states[node.id] = {
      id: node.id,
      name: node.name,
      type: node.type,
      path: formatPath(node.path),
      definition: node.definition,
      run: execution ? { ...(run ?? { name: node.name, entries: 0, attempts: 0, outcome: 'succeeded' }), summary: describeRun(run) } : undefined,
      explain: execution && execution.failedState === node.name ? explainCommand(execution) : undefined,
    };
  }
  const data = {
    title: options.title,
    source: options.source,
    execution: execution
      ? { arn: execution.executionArn, status: execution.status, error: execution.error, cause: execution.cause, failedState: execution.failedState, durationMs: execution.durationMs }
      : undefined,
    states,
  };
  const status = execution
    ? `<span class="status status-${execution.status.toLowerCase()}">${text(execution.status)}</span>${execution.executionArn ? ` <code>${text(execution.executionArn)}</code>` : ''}`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${text(options.title)} · deliv graph</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>${text(options.title)}</h1>
  ${options.source ? `<span class="source">${text(options.source)}</span>` : ''}
  ${status}
  <span class="spacer"></span>
  <input id="search" type="search" placeholder="Find a state…" aria-label="Find a state by name">
  <button id="zoom-out" title="Zoom out">−</button><button id="zoom-fit" title="Fit to window">fit</button><button id="zoom-in" title="Zoom in">+</button>
</header>
<main>
  <div id="canvas">${svg}</div>
  <aside id="panel" hidden>
    <button id="panel-close" title="Close" aria-label="Close">×</button>
    <h2 id="panel-name"></h2>
    <div id="panel-meta"></div>
    <div id="panel-run"></div>
    <h3>Definition</h3>
    <pre id="panel-definition"></pre>
  </aside>
</main>
<script type="application/json" id="graph-data">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** `States.Fan.Branches[0].States.Pay`. */
function formatPath(path: ReadonlyArray<string | number>): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** JSON safe inside a `<script>` element: no `</script>` or HTML comment can close it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const outcomeCss = Object.entries(OUTCOME_COLORS)
  .map(([outcome, colors]) => `.badge-${outcome} { background: ${colors.fill}; color: ${colors.text}; border-color: ${colors.stroke}; }`)
  .join('\n');

const PAGE_STYLE = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #202124; }
body { display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 12px; padding: 8px 16px; border-bottom: 1px solid #dadce0; background: #f8f9fa; white-space: nowrap; }
header h1 { font-size: 18px; margin: 0; }
header .source { color: #5f6368; font-size: 13px; }
header code { font-size: 12px; color: #5f6368; overflow: hidden; text-overflow: ellipsis; min-width: 0; flex: 0 1 auto; }
header .spacer { flex: 1 0 8px; }
header input { padding: 4px 8px; border: 1px solid #dadce0; border-radius: 4px; min-width: 180px; }
header button { border: 1px solid #dadce0; background: #fff; border-radius: 4px; padding: 3px 9px; cursor: pointer; }
.status { padding: 2px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.status-succeeded { background: ${OUTCOME_COLORS.succeeded.fill}; color: ${OUTCOME_COLORS.succeeded.text}; }
.status-failed, .status-timed_out, .status-aborted { background: ${OUTCOME_COLORS.failed.fill}; color: ${OUTCOME_COLORS.failed.text}; }
.status-running { background: ${OUTCOME_COLORS.running.fill}; color: ${OUTCOME_COLORS.running.text}; }
main { flex: 1; display: flex; min-height: 0; }
#canvas { flex: 1; overflow: auto; padding: 8px; }
#canvas svg { display: block; }
#panel { width: 420px; max-width: 45vw; border-left: 1px solid #dadce0; padding: 12px 16px; overflow: auto; position: relative; background: #fff; }
#panel h2 { margin: 0 24px 4px 0; font-size: 16px; word-break: break-all; }
#panel h3 { font-size: 13px; margin: 14px 0 4px; color: #5f6368; text-transform: uppercase; letter-spacing: .04em; }
#panel pre { background: #f8f9fa; border: 1px solid #e8eaed; border-radius: 4px; padding: 8px; font-size: 12px; overflow: auto; max-height: 40vh; white-space: pre-wrap; word-break: break-word; }
#panel-close { position: absolute; right: 8px; top: 8px; border: 0; background: none; font-size: 20px; cursor: pointer; }
#panel-meta { color: #5f6368; font-size: 13px; }
.badge { display: inline-block; padding: 2px 8px; border-radius: 10px; border: 1px solid; font-size: 12px; font-weight: 600; margin: 6px 0; }
.explain { margin: 8px 0; padding: 8px; border-left: 3px solid ${OUTCOME_COLORS.failed.stroke}; background: ${OUTCOME_COLORS.failed.fill}; font-size: 13px; }
.explain code { font-weight: 600; }
${outcomeCss}
`;

const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var svg = document.querySelector('#canvas svg');
  var panel = document.getElementById('panel');
  var baseWidth = Number(svg.getAttribute('width'));
  var baseHeight = Number(svg.getAttribute('height'));
  var scale = 1;
  function setScale(next) {
    scale = Math.max(0.1, Math.min(4, next));
    svg.setAttribute('width', String(baseWidth * scale));
    svg.setAttribute('height', String(baseHeight * scale));
  }
  document.getElementById('zoom-in').onclick = function () { setScale(scale * 1.25); };
  document.getElementById('zoom-out').onclick = function () { setScale(scale / 1.25); };
  document.getElementById('zoom-fit').onclick = function () {
    var canvas = document.getElementById('canvas');
    setScale(Math.min((canvas.clientWidth - 16) / baseWidth, (canvas.clientHeight - 16) / baseHeight, 1));
  };
  function pretty(value) {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') { try { return JSON.stringify(JSON.parse(value), null, 2); } catch (e) { return value; } }
    return JSON.stringify(value, null, 2);
  }
  function lambdaError(cause) {
    if (typeof cause !== 'string') return undefined;
    try {
      var parsed = JSON.parse(cause);
      if (parsed && typeof parsed.errorMessage === 'string' && Array.isArray(parsed.trace) && parsed.trace.every(function (line) { return typeof line === 'string'; })) return parsed;
    } catch (e) {}
    return undefined;
  }
  function element(tag, className, textContent) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (textContent !== undefined) node.textContent = textContent;
    return node;
  }
  function section(parent, title, body) {
    if (!body) return;
    parent.appendChild(element('h3', '', title));
    parent.appendChild(element('pre', '', body));
  }
  function select(id) {
    var state = data.states[id];
    if (!state) return;
    document.querySelectorAll('.state.selected').forEach(function (node) { node.classList.remove('selected'); });
    var node = document.querySelector('.state[data-node="' + id + '"]');
    if (node) node.classList.add('selected');
    document.getElementById('panel-name').textContent = state.name;
    document.getElementById('panel-meta').textContent = (state.type || '') + ' · ' + state.path;
    var run = document.getElementById('panel-run');
    run.textContent = '';
    if (state.run) {
      var outcome = node ? node.getAttribute('data-outcome') : '';
      run.appendChild(element('span', 'badge badge-' + outcome, state.run.summary));
      if (state.run.error) {
        var lambda = lambdaError(state.run.cause);
        if (lambda) {
          // A Lambda error: its message, then its stack trace as lines (the function's own frames, source-mapped).
          section(run, 'Error', state.run.error + ': ' + lambda.errorMessage);
          section(run, 'Trace', lambda.trace.join('\\n'));
        } else {
          section(run, 'Error', state.run.error + (state.run.cause ? '\\n' + pretty(state.run.cause) : ''));
        }
      }
      if (state.explain) {
        var box = element('div', 'explain', 'The execution failed here. Why, and how to fix it: ');
        box.appendChild(element('code', '', state.explain));
        run.appendChild(box);
      }
      section(run, 'Input', pretty(state.run.input));
      section(run, 'Output', pretty(state.run.output));
    }
    document.getElementById('panel-definition').textContent = pretty(state.definition);
    panel.hidden = false;
  }
  document.querySelectorAll('.state[data-node]').forEach(function (node) {
    node.addEventListener('click', function (event) { event.stopPropagation(); select(node.getAttribute('data-node')); });
    node.addEventListener('keydown', function (event) { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); select(node.getAttribute('data-node')); } });
  });
  document.getElementById('panel-close').onclick = function () {
    panel.hidden = true;
    document.querySelectorAll('.state.selected').forEach(function (node) { node.classList.remove('selected'); });
  };
  document.getElementById('search').addEventListener('input', function (event) {
    var query = event.target.value.trim().toLowerCase();
    var first = null;
    document.querySelectorAll('.state[data-state]').forEach(function (node) {
      var hit = query !== '' && node.getAttribute('data-state').toLowerCase().indexOf(query) >= 0;
      node.classList.toggle('match', hit);
      if (hit && !first) first = node;
    });
    if (first && first.scrollIntoView) first.scrollIntoView({ block: 'center', inline: 'center' });
  });
  if (data.execution && data.execution.failedState) {
    var failed = document.querySelector('.state[data-outcome="failed"][data-state="' + CSS.escape(data.execution.failedState) + '"]');
    if (failed) { select(failed.getAttribute('data-node')); if (failed.scrollIntoView) failed.scrollIntoView({ block: 'center', inline: 'center' }); }
  }
})();
`;
