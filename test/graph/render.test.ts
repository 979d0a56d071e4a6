import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { summarizeExecution } from '../../src/graph/execution.js';
import { buildGraphModel } from '../../src/graph/model.js';
import { OUTCOME_COLORS } from '../../src/graph/palette.js';
import { renderGraph } from '../../src/graph/render.js';
import { stripAnsi } from '../../src/ui/colors.js';
import { visibleWidth } from '../../src/ui/width.js';
import { shorten } from '../../src/graph/choice-label.js';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { loadDefinitionFile } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { findAll, parseXml, type XmlElement } from '../helpers/xml.js';
import { definitionFiles, expectedStructure, generatedMachine } from './structure.js';

const DISPATCH = path.join(REPO_ROOT, 'test/fixtures/graph/delivery-dispatch.asl.yaml');
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:delivery-dispatch:7f3c2a91';
const failedExecution = () =>
  summarizeExecution((JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/graph/history-failed.json'), 'utf8')) as { events: HistoryEvent[] }).events, {
    executionArn: EXECUTION_ARN,
  });

const statesIn = (svg: XmlElement) => findAll(svg, (element) => element.name === 'g' && (element.attributes.class ?? '').split(' ').includes('state'));
const titleOf = (element: XmlElement) => element.children.find((child) => child.name === 'title')?.text ?? '';

/** Self-contained: nothing fetched from anywhere. */
function expectSelfContained(text: string) {
  expect(text).not.toMatch(/(?:href|src)\s*=\s*["'](?!#)/i);
  expect(text).not.toMatch(/url\((?!#)/i);
  expect(text).not.toMatch(/@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
}

describe.each(definitionFiles().map((file) => [path.relative(REPO_ROOT, file), file]))('SVG of %s', (_name, file) => {
  it('is well-formed XML with every state drawn, named in full, and every transition', async () => {
    const { definition } = loadDefinitionFile(file);
    const { text } = await renderGraph(definition, { format: 'svg', title: 'test' });
    const svg = parseXml(text);
    expect(svg.name).toBe('svg');
    expect(statesIn(svg).map((state) => state.attributes['data-state']).sort()).toEqual(expectedStructure(definition).states.sort());
    for (const state of statesIn(svg)) expect(titleOf(state).split('\n')[0]).toBe(state.attributes['data-state']);
    expect(findAll(svg, (element) => (element.attributes.class ?? '').startsWith('edge '))).toHaveLength(expectedStructure(definition).edges.length);
    expectSelfContained(text);
  });
});

describe('SVG', () => {
  it('draws Catch edges dashed and labelled with their errors', async () => {
    const { definition } = loadDefinitionFile(DISPATCH);
    const svg = parseXml((await renderGraph(definition, { format: 'svg', title: 'dispatch' })).text);
    const [catchEdge] = findAll(svg, (element) => element.attributes.class === 'edge edge-catch');
    expect(catchEdge.children.find((child) => child.name === 'path')!.attributes['stroke-dasharray']).toBe('6 4');
    expect(titleOf(catchEdge)).toBe('catch CarrierTimeoutError, States.Timeout');
  });

  it('colours each state by its outcome and points the failed one to deliv explain', async () => {
    const { definition } = loadDefinitionFile(DISPATCH);
    const svg = parseXml((await renderGraph(definition, { format: 'svg', title: 'dispatch', execution: failedExecution() })).text);
    const outcome = (name: string) => statesIn(svg).find((state) => state.attributes['data-state'] === name)!;
    expect(outcome('BookShipment').attributes['data-outcome']).toBe('failed');
    expect(outcome('BookShipment').children.find((child) => child.name === 'rect')!.attributes.stroke).toBe(OUTCOME_COLORS.failed.stroke);
    expect(titleOf(outcome('BookShipment'))).toContain(`deliv explain ${EXECUTION_ARN}`);
    expect(outcome('QuoteCarrier').attributes['data-outcome']).toBe('caught');
    expect(outcome('NormalizeOrder').attributes['data-outcome']).toBe('succeeded');
    expect(outcome('Dispatched').attributes['data-outcome']).toBe('not-reached');
    const footer = findAll(svg, (element) => element.name === 'text' && element.text.includes('deliv explain'));
    expect(footer.map((element) => element.text)).toEqual([`  why and how to fix it: deliv explain ${EXECUTION_ARN}`]);
  });

  it('keeps the full name of a shortened state, and stays readable at 200 states', async () => {
    const definition = generatedMachine(200);
    const { text } = await renderGraph(definition, { format: 'svg', title: 'big' });
    const svg = parseXml(text);
    const states = statesIn(svg);
    expect(states).toHaveLength(expectedStructure(definition).states.length);
    const long = states.find((state) => state.attributes['data-state'] === 'Step007WithAFairlyLongDescriptiveName')!;
    expect(titleOf(long).split('\n')[0]).toBe('Step007WithAFairlyLongDescriptiveName');
    expect(findAll(long, (element) => element.name === 'text')[0].text).toMatch(/^Step007WithAFairly.*…$/);
    // Readable: the boxes do not overlap each other.
    const boxes = states
      .filter((state) => !(state.attributes.class ?? '').includes('compound'))
      .map((state) => state.children.find((child) => child.name === 'rect')!.attributes)
      .map((rect) => ({ x: Number(rect.x), y: Number(rect.y), width: Number(rect.width), height: Number(rect.height) }));
    for (const [index, a] of boxes.entries()) {
      for (const b of boxes.slice(index + 1)) {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
  }, 60_000);
});

describe('terminal drawing', () => {
  it('draws every state of every definition and fits the width asked for', async () => {
    for (const file of definitionFiles()) {
      const { definition } = loadDefinitionFile(file);
      const { text, fits } = await renderGraph(definition, { format: 'ascii', title: 'test', width: 100 });
      expect(fits, file).toBe(true);
      for (const line of text.split('\n')) expect([...line].length, file).toBeLessThanOrEqual(100);
      for (const state of expectedStructure(definition).states) expect(text, `${file}: ${state}`).toContain(state.slice(0, 8));
    }
  });

  it('draws boxes, dashed Catch edges, rule labels and arrows', async () => {
    const { definition } = loadDefinitionFile(DISPATCH);
    const { text } = await renderGraph(definition, { format: 'ascii', title: 'dispatch', width: 120 });
    expect(text).toContain('( Start )');
    expect(text).toContain('(  End  )');
    expect(text).toMatch(/│ NormalizeOrder\s+│/);
    expect(text).toContain('┆');
    expect(text).toContain('catch CarrierTimeoutErr');
    expect(text).toContain('$.quote.etaHours <= 24');
    expect(text).toContain('default');
    expect(text).toContain('↻ 1× CarrierTimeoutError');
    expect(text).toContain('▼');
  });

  it('writes each state outcome and where the execution failed', async () => {
    const { definition } = loadDefinitionFile(DISPATCH);
    const colors = new Chalk({ level: 1 });
    const { text } = await renderGraph(definition, { format: 'ascii', title: 'dispatch', width: 120, execution: failedExecution(), colors });
    expect(text).toContain('\u001B[31m');
    const plain = stripAnsi(text);
    expect(plain).toContain('✗ failed · 501ms');
    expect(plain).toContain('⚠ caught · 12.3s · 2 attempts');
    expect(plain).toContain('· not reached');
    expect(plain).toContain('✗ BookShipment failed: AddressValidationError');
    expect(plain).toContain(`deliv explain ${EXECUTION_ARN}`);
  });

  it('gives wide characters (CJK, emoji) two columns, so boxes and lines stay aligned', async () => {
    const definition: StateMachineDefinition = {
      StartAt: '注文を確認する',
      States: {
        注文を確認する: { Type: 'Pass', Next: '📦 発送' },
        '📦 発送': { Type: 'Choice', Choices: [{ Variable: '$.status', StringEquals: '配達済み', Next: 'Done' }], Default: '注文を確認する' },
        Done: { Type: 'Succeed' },
      },
    };
    const { text } = await renderGraph(definition, { format: 'ascii', title: 'wide', width: 80 });
    const lines = text.split('\n');
    // The column a character is drawn in, as a terminal counts columns.
    const column = (line: string, index: number) => visibleWidth(line.slice(0, index));
    const boxRows = (name: string) => {
      const row = lines.findIndex((line) => line.includes(`│ ${name} `));
      expect(row, name).toBeGreaterThan(0);
      const top = lines[row - 1];
      return { top: column(top, top.search(/[┐╮]/)), inside: column(lines[row], lines[row].lastIndexOf('│')), left: [column(top, top.search(/[┌╭]/)), column(lines[row], lines[row].indexOf('│'))] };
    };
    for (const name of ['注文を確認する', '📦 発送']) {
      const box = boxRows(name);
      expect(box.inside, name).toBe(box.top);
      expect(box.left[1], name).toBe(box.left[0]);
    }
    // The rule's label sits beside its line: the line keeps the column of the line above.
    const labelled = lines.findIndex((line) => line.includes('$.status == "配達済み"'));
    expect(column(lines[labelled], lines[labelled].lastIndexOf('│'))).toBe(column(lines[labelled - 1], lines[labelled - 1].lastIndexOf('│')));
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
  });

  it('cuts a long wide-character name by its columns', () => {
    expect(shorten('配達状況を確認して顧客に通知する', 9)).toBe('配達状況…');
    expect(visibleWidth(shorten('配達状況を確認して顧客に通知する', 9))).toBeLessThanOrEqual(9);
  });

  it('fits a 200-state machine in 120 columns', async () => {
    const definition = generatedMachine(200);
    const { text, fits } = await renderGraph(definition, { format: 'ascii', title: 'big', width: 120 });
    expect(fits).toBe(true);
    expect(Math.max(...text.split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(120);
    expect(buildGraphModel(definition).nodes.filter((node) => node.kind === 'state').every((node) => text.includes(node.name.slice(0, 7)))).toBe(true);
  }, 60_000);
});

describe('Mermaid and DOT of an execution', () => {
  it('class the states by outcome and name the failed one with deliv explain', async () => {
    const { definition } = loadDefinitionFile(DISPATCH);
    const execution = failedExecution();
    const mermaid = (await renderGraph(definition, { format: 'mermaid', title: 'dispatch', execution })).text;
    const model = buildGraphModel(definition);
    const id = (name: string) => model.nodes.find((node) => node.name === name)!.id;
    expect(mermaid).toContain(`class ${id('BookShipment')} failed`);
    expect(mermaid).toMatch(new RegExp(`class [^\\n]*\\b${id('Dispatched')}\\b[^\\n]* not_reached`));
    expect(mermaid).toContain(`%% BookShipment failed; why and how to fix it: deliv explain ${EXECUTION_ARN}`);
    const dot = (await renderGraph(definition, { format: 'dot', title: 'dispatch', execution })).text;
    expect(dot).toMatch(new RegExp(`"${id('BookShipment')}" \\[label="BookShipment\\\\nTask · λ [^"]*\\\\n✗ failed · 501ms", tooltip="BookShipment: failed here; why: deliv explain ${EXECUTION_ARN}"`));
    expect(dot).toContain(`fillcolor="${OUTCOME_COLORS.failed.fill}", color="${OUTCOME_COLORS.failed.stroke}"`);
  });
});
