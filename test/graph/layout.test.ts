import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { characterMetrics, layoutGraph, PIXEL_METRICS, type GraphLayout } from '../../src/graph/layout.js';
import { buildGraphModel } from '../../src/graph/model.js';
import { loadDefinitionFile } from '../../src/project/definition.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const kitchenSink = buildGraphModel(loadDefinitionFile(path.join(REPO_ROOT, 'test/fixtures/graph/kitchen-sink.asl.json')).definition);
const box = (layout: GraphLayout, name: string) => layout.nodes.find((node) => node.node.name === name)!;
const inside = (inner: { x: number; y: number; width: number; height: number }, outer: typeof inner) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

describe.each([
  ['pixels', PIXEL_METRICS],
  ['terminal cells', characterMetrics()],
])('ELK layout in %s', (_unit, metrics) => {
  it('reads top-down from the start, with only the loop back pointing up', async () => {
    const layout = await layoutGraph(kitchenSink, metrics);
    expect(box(layout, 'Start').y).toBeLessThan(box(layout, 'CheckStock').y);
    expect(box(layout, 'CheckStock').y).toBeLessThan(box(layout, 'WaitForRestock').y);
    expect(box(layout, 'CheckStock').y).toBeLessThan(box(layout, 'FanOut').y);
    expect(box(layout, 'FanOut').y).toBeLessThan(box(layout, 'NotifyCouriers').y);
    expect(box(layout, 'Done').y).toBeLessThan(box(layout, 'End').y);
    const loop = layout.edges.find((route) => route.edge.from === box(layout, 'WaitForRestock').node.id)!;
    // The route runs from the Wait state up to the Choice: it starts below where it ends.
    expect(loop.points[0].y).toBeGreaterThan(loop.points[loop.points.length - 1].y);
  });

  it('puts Parallel branches side by side inside their state, and Map processors inside theirs', async () => {
    const layout = await layoutGraph(kitchenSink, metrics);
    const branches = layout.groups.filter((group) => group.group.owner === box(layout, 'FanOut').node.id);
    expect(branches).toHaveLength(2);
    expect(branches[0].y).toBe(branches[1].y);
    expect(branches[0].x + branches[0].width).toBeLessThanOrEqual(branches[1].x);
    for (const branch of branches) expect(inside(branch, box(layout, 'FanOut'))).toBe(true);
    expect(inside(box(layout, 'ChargeCard'), branches[0])).toBe(true);
    expect(inside(box(layout, 'PickItem'), box(layout, 'PackItems'))).toBe(true);
    expect(inside(box(layout, 'PackItems'), branches[1])).toBe(true);
    expect(inside(box(layout, 'NotifyCourier'), box(layout, 'NotifyCouriers'))).toBe(true);
  });

  it('routes every edge from its source to its target with right angles', async () => {
    const layout = await layoutGraph(kitchenSink, metrics);
    expect(layout.edges).toHaveLength(kitchenSink.edges.length);
    for (const route of layout.edges) {
      expect(route.points.length).toBeGreaterThanOrEqual(2);
      for (let index = 1; index < route.points.length; index++) {
        const [a, b] = [route.points[index - 1], route.points[index]];
        expect(Math.abs(a.x - b.x) < 0.01 || Math.abs(a.y - b.y) < 0.01).toBe(true);
      }
    }
    expect(layout.edges.filter((route) => route.label).map((route) => route.label!.text)).toContain('$.stock > 0');
  });
});

describe('layouts kept between runs', () => {
  const scratch = tempDir('deliv-layout-cache-');
  afterAll(() => scratch.cleanup());

  it('lays a graph out once: the same graph again is read back, not laid out', async () => {
    const cacheDir = path.join(scratch.dir, 'once');
    const fresh = await layoutGraph(kitchenSink, PIXEL_METRICS, undefined, { cacheDir });
    const [file] = readdirSync(cacheDir);
    expect(file).toMatch(/^layout-[0-9a-f]{32}\.json$/);
    // The same layout from the kept file as from ELK.
    expect(await layoutGraph(kitchenSink, PIXEL_METRICS, undefined, { cacheDir })).toEqual(fresh);
    // And it is the file that answers: an edited one shows through.
    const kept = JSON.parse(readFileSync(path.join(cacheDir, file), 'utf8')) as { width: number };
    writeFileSync(path.join(cacheDir, file), JSON.stringify({ ...kept, width: 12345 }));
    expect((await layoutGraph(kitchenSink, PIXEL_METRICS, undefined, { cacheDir })).width).toBe(12345);
  });

  it('lays out afresh what differs in any size, and over a damaged file', async () => {
    const cacheDir = path.join(scratch.dir, 'differs');
    const pixels = await layoutGraph(kitchenSink, PIXEL_METRICS, undefined, { cacheDir });
    const cells = await layoutGraph(kitchenSink, characterMetrics(), undefined, { cacheDir });
    expect(cells.width).not.toBe(pixels.width);
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(2);
    for (const file of files) writeFileSync(path.join(cacheDir, file), '{"width": 1');
    expect(await layoutGraph(kitchenSink, PIXEL_METRICS, undefined, { cacheDir })).toEqual(pixels);
  });
});
