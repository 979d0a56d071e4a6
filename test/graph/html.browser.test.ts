/// <reference lib="dom" />
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeExecution } from '../../src/graph/execution.js';
import { OUTCOME_COLORS } from '../../src/graph/palette.js';
import { renderGraph } from '../../src/graph/render.js';
import { loadDefinitionFile } from '../../src/project/definition.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { expectedStructure } from './structure.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
// In CI the browser is installed by .ci/run, so a missing one is a failure there, never a skip.
const skip = !available && !process.env.CI;
if (skip) console.warn(`skipping the HTML graph browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:delivery-dispatch:7f3c2a91';

describe.skipIf(skip)('the HTML graph page in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const external: string[] = [];
  const temp = tempDir('deliv-graph-html-');

  async function open(definitionFile: string, withExecution: boolean) {
    const { definition } = loadDefinitionFile(path.join(REPO_ROOT, 'test/fixtures/graph', definitionFile));
    const execution = withExecution
      ? summarizeExecution((JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/graph/history-failed.json'), 'utf8')) as { events: HistoryEvent[] }).events, {
          executionArn: EXECUTION_ARN,
        })
      : undefined;
    const { text } = await renderGraph(definition, { format: 'html', title: definitionFile, source: definitionFile, execution });
    const file = path.join(temp.dir, `${definitionFile}.html`);
    writeFileSync(file, text);
    await page.goto(pathToFileURL(file).href);
    return expectedStructure(definition);
  }

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      external.push(route.request().url());
      return route.abort();
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  it('draws every state with its full name, fetching nothing from the network', async () => {
    const expected = await open('kitchen-sink.asl.json', false);
    const drawn = await page.$$eval('.state[data-state]', (nodes) =>
      nodes.map((node) => {
        const box = (node as SVGGraphicsElement).getBBox();
        return { name: node.getAttribute('data-state'), visible: box.width > 0 && box.height > 0 };
      }),
    );
    expect(drawn.map((state) => state.name).sort()).toEqual(expected.states.sort());
    expect(drawn.every((state) => state.visible)).toBe(true);
    expect(external).toEqual([]);
  });

  it('opens a panel with the definition of a clicked state, nested ones included', async () => {
    await open('kitchen-sink.asl.json', false);
    expect(await page.isVisible('#panel')).toBe(false);
    await page.click('.state[data-state="PickItem"]');
    expect(await page.textContent('#panel-name')).toBe('PickItem');
    expect(await page.textContent('#panel-meta')).toBe('Task · States.FanOut.Branches[1].States.PackItems.ItemProcessor.States.PickItem');
    expect(JSON.parse((await page.textContent('#panel-definition'))!)).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke' });
    await page.click('#panel-close');
    expect(await page.isVisible('#panel')).toBe(false);
  });

  it('finds a state by name', async () => {
    await open('kitchen-sink.asl.json', false);
    await page.fill('#search', 'declined');
    expect(await page.$$eval('.state.match', (nodes) => nodes.map((node) => node.getAttribute('data-state')))).toEqual(['PaymentDeclined']);
  });

  it('draws the failed state of a failed execution as failed, and shows why with its input and output', async () => {
    await open('delivery-dispatch.asl.yaml', true);
    const outcomes = Object.fromEntries(
      await page.$$eval('.state[data-state]', (nodes) => nodes.map((node) => [node.getAttribute('data-state'), node.getAttribute('data-outcome')])),
    );
    expect(outcomes).toMatchObject({ BookShipment: 'failed', QuoteCarrier: 'caught', NormalizeOrder: 'succeeded', Dispatched: 'not-reached' });
    const stroke = await page.$eval('.state[data-state="BookShipment"] > rect', (rect) => getComputedStyle(rect).stroke);
    expect(stroke).toBe(rgb(OUTCOME_COLORS.failed.stroke));

    // The page opens on the failed state.
    expect(await page.textContent('#panel-name')).toBe('BookShipment');
    const run = (await page.textContent('#panel-run'))!;
    expect(run).toContain('✗ failed · 501ms');
    expect(run).toContain('AddressValidationError');
    expect(run).toContain(`deliv explain ${EXECUTION_ARN}`);
    // A Lambda error reads as Lambda shows it: the message, then the trace one frame a line (not a JSON array).
    const sections = await page.$$eval('#panel-run h3', (titles) => titles.map((title) => [title.textContent, title.nextElementSibling?.textContent ?? '']));
    expect(sections.find(([title]) => title === 'Error')?.[1]).toBe("AddressValidationError: Postcode 'SW1A 9ZZ' does not match city 'Leeds'");
    const trace = sections.find(([title]) => title === 'Trace')?.[1].split('\n') ?? [];
    expect(trace[0]).toBe("AddressValidationError: Postcode 'SW1A 9ZZ' does not match city 'Leeds'");
    expect(trace[1]).toBe('    at validateAddress (/var/task/index.mjs:112:11)');

    await page.click('.state[data-state="QuoteFallbackCarrier"]');
    const panel = (await page.textContent('#panel-run'))!;
    expect(panel).toContain('Input');
    expect(panel).toContain('Output');
    expect(panel).toContain('"carrier": "fallback-express"');
  });

  it('shows the failed state in red on screen', async () => {
    await open('delivery-dispatch.asl.yaml', true);
    await page.click('#panel-close');
    const shot = await page.locator('.state[data-state="BookShipment"]').screenshot();
    writeFileSync(path.join(temp.dir, 'failed-state.png'), shot);
    const page2 = await browser.newPage();
    // Count the pixels of the failed colours in the screenshot, decoded by the browser itself.
    const counts = await page2.evaluate(
      async ({ png, fill, stroke }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${png}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const pixels = context.getImageData(0, 0, image.width, image.height).data;
        const near = (index: number, [r, g, b]: number[]) => Math.abs(pixels[index] - r) + Math.abs(pixels[index + 1] - g) + Math.abs(pixels[index + 2] - b) < 40;
        let fillPixels = 0;
        let strokePixels = 0;
        for (let index = 0; index < pixels.length; index += 4) {
          if (near(index, fill)) fillPixels++;
          if (near(index, stroke)) strokePixels++;
        }
        return { fillPixels, strokePixels, total: pixels.length / 4 };
      },
      { png: shot.toString('base64'), fill: hex(OUTCOME_COLORS.failed.fill), stroke: hex(OUTCOME_COLORS.failed.stroke) },
    );
    await page2.close();
    expect(counts.fillPixels / counts.total).toBeGreaterThan(0.4);
    expect(counts.strokePixels).toBeGreaterThan(100);
  });
});

function hex(color: string): number[] {
  return [1, 3, 5].map((start) => parseInt(color.slice(start, start + 2), 16));
}

function rgb(color: string): string {
  return `rgb(${hex(color).join(', ')})`;
}
