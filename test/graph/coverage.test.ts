import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { renderGraph } from '../../src/graph/render.js';
import { graphCoverage } from '../../src/testing/index.js';
import { SHOP, writeProject } from '../testing/project.js';

const SHOP_DEFINITION = SHOP as unknown as StateMachineDefinition;

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('deliv-graph-coverage-')));
afterAll(() => cleanup());

/** Only the happy path of SHOP: Refund, Failed, the catcher and the IsBig → Done rules stay uncovered. */
const HAPPY_ONLY = `
cases:
  - name: a big order is shipped
    input: { amount: 150 }
    states:
      Pay: { mock: { return: { Payload: { amount: 150 } } } }
      Ship: { callback: { success: { carrier: DHL } } }
    expect: { status: SUCCEEDED }
`;

describe('deliv graph --coverage', () => {
  it('marks what the tests never reach, in every format', async () => {
    const project = writeProject(dir, 'shop', SHOP, HAPPY_ONLY);
    const { coverage, overlay } = await graphCoverage(project, 'shop');
    expect(coverage.metrics.states).toMatchObject({ covered: 4, total: 6 });
    expect(overlay.states.sort()).toEqual(['Failed', 'Refund']);
    expect(overlay.edges).toContainEqual({ from: 'Pay', to: 'Refund', kind: 'catch' });
    expect(overlay.footer[0]).toBe('coverage of shop by 1 test case (tests/shop.test.yaml): states 4/6, transitions 3/6, branches 1/3, catches 0/1, retries 0/1');

    const svg = (await renderGraph(SHOP_DEFINITION, { format: 'svg', title: 'shop', coverage: overlay })).text;
    expect(svg).toMatch(/<g class="state type-pass uncovered" data-node="\w+" data-state="Refund"/);
    expect(svg).toMatch(/<g class="edge edge-catch uncovered"/);
    expect(svg).toContain('not covered (dashed): ');

    const ascii = await renderGraph(SHOP_DEFINITION, { format: 'ascii', title: 'shop', coverage: overlay, width: 200 });
    // Without colours the dashed boxes and hollow arrowheads still say it.
    expect(ascii.text).toMatch(/[▽△▷◁]/);
    expect(ascii.text).toContain('coverage of shop by 1 test case');

    const mermaid = (await renderGraph(SHOP_DEFINITION, { format: 'mermaid', title: 'shop', coverage: overlay })).text;
    expect(mermaid).toMatch(/class [\w,]+ uncovered/);
    expect(mermaid).toMatch(/linkStyle [\d,]+ stroke:#e8710a/);

    const dot = (await renderGraph(SHOP_DEFINITION, { format: 'dot', title: 'shop', coverage: overlay })).text;
    expect(dot).toMatch(/label="Refund[^\]]*style="rounded,filled,dashed"/);
  });

  it('draws nothing dashed when the tests cover everything', async () => {
    const full = `${HAPPY_ONLY}
  - name: declined
    input: { amount: 5 }
    states: { Pay: { mock: [{ throw: { error: Busy } }, { throw: { error: Declined } }] } }
  - name: small
    input: { amount: 5 }
    states: { Pay: { mock: { return: { Payload: { amount: 5 } } } } }
  - name: empty
    input: { amount: 0 }
    states: { Pay: { mock: { return: { Payload: { amount: 0 } } } } }
`;
    const project = writeProject(`${dir}/full`, 'shop', SHOP, full);
    const { overlay } = await graphCoverage(project, 'shop');
    expect(overlay.states).toEqual([]);
    expect(overlay.edges).toEqual([]);
    const svg = (await renderGraph(SHOP_DEFINITION, { format: 'svg', title: 'shop', coverage: overlay })).text;
    expect(svg).not.toMatch(/class="[^"]*uncovered/);
    expect(overlay.footer).toContain('everything is covered');
  });

  it('needs a machine of deliv.yaml', async () => {
    await expect(graphCoverage(undefined, 'shop')).rejects.toThrow('--coverage draws a state machine of deliv.yaml');
  });
});
