/**
 * How long `deliv graph` takes to lay out machines of growing size: the ELK
 * layout plus drawing (terminal and SVG), against building the graph model and
 * writing Mermaid (no layout) for the same machine, medians of a few runs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderGraph, type GraphFormat } from '../src/graph/render.js';
import { loadDefinitionFile } from '../src/project/definition.js';
import type { StateMachineDefinition } from '../src/asl/types.js';
import { generatedMachine } from '../test/graph/structure.js';

const RUNS = 3;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function time(definition: StateMachineDefinition, format: GraphFormat): Promise<number> {
  const started = process.hrtime.bigint();
  await renderGraph(definition, { format, title: 'bench', width: 120 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const machines: Array<[string, StateMachineDefinition]> = [
  ['order-fulfillment template', loadDefinitionFile(path.join(root, 'templates/order-fulfillment/statemachine.asl.yaml')).definition],
  ['generated, 50 states', generatedMachine(50)],
  ['generated, 100 states', generatedMachine(100)],
  ['generated, 200 states', generatedMachine(200)],
];

await time(machines[0][1], 'svg'); // warm up elkjs
console.log(`runs: ${RUNS} each; baseline = model + Mermaid (no layout)`);
for (const [name, definition] of machines) {
  const samples: Record<string, number[]> = { mermaid: [], svg: [], ascii: [] };
  for (let run = 0; run < RUNS; run += 1) {
    for (const format of ['mermaid', 'svg', 'ascii'] as const) samples[format].push(await time(definition, format));
  }
  const baseline = median(samples.mermaid);
  const line = (format: string) => `${format} ${median(samples[format]).toFixed(0).padStart(6)} ms (${(median(samples[format]) / baseline).toFixed(0)}×)`;
  console.log(`${name.padEnd(28)} mermaid ${baseline.toFixed(1).padStart(6)} ms   ${line('svg')}   ${line('ascii')}`);
}
