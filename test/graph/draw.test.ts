/**
 * `deliv graph` as a library call on a bare definition file: which format,
 * where the picture goes, and what it warns about.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawGraph } from '../../src/graph/draw.js';
import { tempDir } from '../helpers/cli.js';

const temp = tempDir('deliv-draw-');
const file = path.join(temp.dir, 'parcels.asl.json');

beforeAll(() => {
  const definition = {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'Refuse' }], Default: 'Route' },
      Route: { Type: 'Task', Resource: '${RouteFunctionArn}', End: true },
      Refuse: { Type: 'Fail', Error: 'Parcel.Refused' },
    },
  };
  writeFileSync(file, JSON.stringify(definition));
});
afterAll(() => temp.cleanup());

async function draw(request: Parameters<typeof drawGraph>[0]) {
  const notes: string[] = [];
  const result = await drawGraph(request, (text) => notes.push(text));
  return { result, notes };
}

describe('drawGraph', () => {
  it('draws ASCII for stdout by default, and warns about a placeholder left as written', async () => {
    const { result, notes } = await draw({ machine: file });
    expect(result).toMatchObject({ machine: 'parcels', format: 'ascii', out: undefined });
    expect(result.output).toContain('Route');
    expect(result.graph.nodes.filter((node) => node.kind === 'state').map((node) => node.name)).toEqual(['Check', 'Route', 'Refuse']);
    expect(notes).toEqual(['warning: no value for ${RouteFunctionArn}: drawn as written; fill with --sub RouteFunctionArn=value']);
  });

  it('fills placeholders from --sub', async () => {
    const { notes } = await draw({ machine: file, substitutions: { RouteFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:route' } });
    expect(notes).toEqual([]);
  });

  it('picks the format from --out, writes the file, and says what it wrote', async () => {
    const out = path.join(temp.dir, 'parcels.mmd');
    const { result, notes } = await draw({ machine: file, out, substitutions: { RouteFunctionArn: 'x' } });
    expect(result).toMatchObject({ format: 'mermaid', out, output: undefined });
    expect(readFileSync(out, 'utf8')).toMatch(/^(%%.*\n)*(flowchart|graph) /m);
    expect(notes).toEqual([`wrote ${out} (mermaid, 3 states)`]);
  });

  it('fits a terminal drawing to the columns asked for, and says when it cannot', async () => {
    const { notes } = await draw({ machine: file, substitutions: { RouteFunctionArn: 'x' }, width: 20 });
    expect(notes).toEqual([expect.stringMatching(/^note: the drawing is \d+ columns wide, more than 20; try --format html/)]);
  });
});
