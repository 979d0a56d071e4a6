import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDot } from '../../src/graph/dot.js';
import { renderMermaid } from '../../src/graph/mermaid.js';
import { buildGraphModel } from '../../src/graph/model.js';
import { loadDefinitionFile } from '../../src/project/definition.js';
import { definitionFiles, expectedStructure, type ExpectedEdge } from './structure.js';

interface DrawnEdge {
  from: string;
  to: string;
  kind: ExpectedEdge['kind'];
  label: string;
}

/** Mermaid text → node labels by id and edges by state name. */
function readMermaid(text: string): { names: Map<string, string>; edges: DrawnEdge[] } {
  const decode = (label: string) => label.replace(/#quot;/g, '"').replace(/#lt;/g, '<').replace(/#gt;/g, '>').replace(/#35;/g, '#');
  const names = new Map<string, string>();
  for (const match of text.matchAll(/^\s*(?:subgraph\s+)?(\w+)(?:\(\(|\(\[|\[|\{)"([^"]*)"/gm)) {
    // Branch boxes (`s3g1`) are not states.
    if (!/g\d+$/.test(match[1])) names.set(match[1], decode(match[2].split('<br/>')[0]));
  }
  const edges: DrawnEdge[] = [];
  for (const match of text.matchAll(/^\s*(\w+) (-->|-\.->|==>)(?:\|"([^"]*)"\|)? (\w+)$/gm)) {
    const [, from, arrow, label = '', to] = match;
    edges.push({ from: names.get(from)!, to: names.get(to)!, kind: kindOf(arrow === '-.->', decode(label), names.get(from)!, names.get(to)!), label: decode(label) });
  }
  return { names, edges };
}

/** DOT text → the same, ignoring the invisible edges that only order ranks. */
function readDot(text: string): { names: Map<string, string>; edges: DrawnEdge[] } {
  const attributes = (list: string) => {
    const result: Record<string, string> = {};
    for (const match of list.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"|(\w+)=(\w+)/g)) {
      if (match[1]) result[match[1]] = match[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      else result[match[3]] = match[4];
    }
    return result;
  };
  const names = new Map<string, string>();
  for (const match of text.matchAll(/^\s*"(\w+)" \[(.*)\];$/gm)) names.set(match[1], attributes(match[2]).label.split('\n')[0]);
  const edges: DrawnEdge[] = [];
  for (const match of text.matchAll(/^\s*"(\w+)" -> "(\w+)"(?: \[(.*)\])?;$/gm)) {
    const attrs = attributes(match[3] ?? '');
    if (attrs.style === 'invis') continue;
    const from = names.get(match[1])!;
    const to = names.get(match[2])!;
    edges.push({ from, to, kind: kindOf(attrs.style === 'dashed', attrs.label ?? '', from, to), label: attrs.label ?? '' });
  }
  return { names, edges };
}

function kindOf(dashed: boolean, label: string, from: string, to: string): ExpectedEdge['kind'] {
  if (dashed) return 'catch';
  if (from === 'Start') return 'start';
  if (to === 'End') return 'end';
  if (label === 'default') return 'default';
  return label ? 'choice' : 'next';
}

const key = (edge: { from: string; to: string; kind: string }) => `${edge.from} -${edge.kind}-> ${edge.to}`;

describe.each(definitionFiles().map((file) => [path.relative(process.cwd(), file), file]))('Mermaid and DOT of %s', (_name, file) => {
  const { definition } = loadDefinitionFile(file);
  const expected = expectedStructure(definition);
  const model = buildGraphModel(definition);

  for (const [format, read] of [
    ['mermaid', () => readMermaid(renderMermaid(model))],
    ['dot', () => readDot(renderDot(model))],
  ] as const) {
    it(`${format}: draws every state once, plus start and end`, () => {
      const drawn = [...read().names.values()];
      expect(drawn.filter((name) => name !== 'Start' && name !== 'End').sort()).toEqual([...expected.states].sort());
      expect(drawn).toContain('Start');
      expect(drawn).toContain('End');
    });

    it(`${format}: draws every transition, of the right kind, and nothing else`, () => {
      expect(read().edges.map(key).sort()).toEqual(expected.edges.map(key).sort());
    });

    it(`${format}: labels Choice edges with their rule, Default edges as default, Catch edges with the errors`, () => {
      const edges = read().edges;
      for (const wanted of expected.edges.filter((edge) => edge.mentions.length > 0)) {
        const candidates = edges.filter((edge) => key(edge) === key(wanted));
        expect(candidates.some((edge) => wanted.mentions.every((mention) => edge.label.includes(mention))), key(wanted)).toBe(true);
      }
    });
  }
});

describe('labels in the kitchen-sink definition', () => {
  const { definition } = loadDefinitionFile(path.join(process.cwd(), 'test/fixtures/graph/kitchen-sink.asl.json'));
  const mermaid = readMermaid(renderMermaid(buildGraphModel(definition)));
  const dot = readDot(renderDot(buildGraphModel(definition)));

  it.each([
    ['CheckStock', 'FanOut', '$.stock > 0'],
    ['CheckStock', 'WaitForRestock', '$.backorder present && $.tier == "gold"'],
    ['CheckStock', 'Rejected', '!$.region ~ "eu-*"'],
    ['IsUrgent', 'Done', "$states.input.priority = 'urgent'"],
    ['FanOut', 'PaymentDeclined', 'catch Payments.Declined'],
  ])('%s → %s reads %s', (from, to, label) => {
    for (const drawing of [mermaid, dot]) {
      expect(drawing.edges.filter((edge) => edge.from === from && edge.to === to).map((edge) => edge.label)).toContain(label);
    }
  });

  it('puts Parallel branches and Map processors inside their state', () => {
    const text = renderMermaid(buildGraphModel(definition));
    const fanOut = text.slice(text.indexOf('subgraph s3['), text.indexOf('subgraph s8['));
    for (const inner of ['ChargeCard', 'PackItems', 'PickItem', 'LabelItem', 'Branch 1', 'Branch 2']) expect(fanOut).toContain(inner);
    const dotText = renderDot(buildGraphModel(definition));
    expect(dotText).toMatch(/subgraph "cluster_s8" \{[^}]*"s9" \[label="NotifyCourier/);
  });

  it('writes retry policies on the state', () => {
    expect(renderMermaid(buildGraphModel(definition))).toContain('ChargeCard<br/>Task · λ charge-card<br/>↻ 5× Payments.Throttled<br/>↻ 3× States.ALL');
  });
});
