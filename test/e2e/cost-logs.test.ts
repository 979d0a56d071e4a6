/**
 * `deliv cost` prices the CloudWatch Logs of the Express template on an AWS
 * target that logs: offline the line is there, marked not priced with what
 * to do; through a Pricing API endpoint (fake, on 127.0.0.1, real SDK, the
 * fixture's TEST prices: $0.10 / $0.05 / $0.02 / $0.01 per GB in tiers at 10,
 * 30 and 50 GB, $0.02 per GB-month) it is priced, tiers and free tier applied.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/cost/decimal.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { awsFixture } from '../helpers/corpus.js';
import { startFakePricing, type FakePricing } from '../helpers/fake-pricing.js';

interface Item {
  service: string;
  item: string;
  usage: string;
  freeTier: string;
  cost: string | null;
  notPriced?: string;
}

let work: ReturnType<typeof tempDir>;
let shop: string;
let fake: FakePricing;

beforeAll(async () => {
  work = tempDir('deliv-cost-logs-');
  shop = path.join(work.dir, 'shop');
  const init = await runCli(['init', shop, '--template', 'parcel-routing', '--yes'], { cwd: work.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // The prod target logs every event with its data and keeps it 365 days (12 months of 730 hours).
  const yaml = readFileSync(path.join(shop, 'deliv.yaml'), 'utf8');
  expect(yaml).toContain('  prod:\n    kind: aws\n');
  writeFileSync(path.join(shop, 'deliv.yaml'), yaml.replace('  prod:\n    kind: aws\n', '  prod:\n    kind: aws\n    logging: { level: ALL, includeExecutionData: true, retentionInDays: 365 }\n'));
  const fixture = (name: string) => awsFixture<{ PriceList: string[] }>(name).PriceList;
  fake = await startFakePricing({
    products: {
      AmazonStates: fixture('pricing-getproducts-stepfunctions.json'),
      AWSLambda: fixture('pricing-getproducts-lambda.json'),
      AmazonCloudWatch: fixture('pricing-getproducts-cloudwatch-test.json'),
    },
  });
}, 120_000); // init installs nothing but copies and renders a template: slow on a loaded machine.

afterAll(async () => {
  await fake?.close();
  work?.cleanup();
});

const logLines = (report: { estimate: { scenarios: Array<{ items: Item[] }> } }) => report.estimate.scenarios[0].items.filter((item) => item.service === 'CloudWatch Logs');

describe('deliv cost prices the logging of the Express template (built CLI)', () => {
  it('offline: the CloudWatch Logs lines are there, not priced, with the reason and what to do; the rest of the report stands', async () => {
    const text = await runCli(['cost', '--target', 'prod', '--offline'], { cwd: shop, env: { DELIV_CACHE_DIR: path.join(work.dir, 'offline-cache') } });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^CloudWatch Logs · parcel-routing\n {2}Ingestion \(vended logs\) +[\d.,]+ GB +— +— +not priced\n {2}Storage +[\d.,]+ GB-month +— +— +not priced$/m);
    expect(text.stdout).toMatch(/not priced: Ingestion \(vended logs\) · parcel-routing, Storage · parcel-routing — no price for CloudWatch Logs in us-east-1 .*the bundled snapshot holds no AmazonCloudWatch rows.*run without --offline, with AWS credentials.*node scripts\/update-price-snapshot\.mjs.*; not included in the total/);
    expect(text.stdout).toMatch(/^Total +\$[\d.,]+$/m);
    expect(text.stdout).toMatch(/^ {2}CloudWatch Logs: none in the bundled price snapshot of \d{4}-\d{2}-\d{2}/m);

    const json = await runCli(['cost', '--target', 'prod', '--offline', '--json'], { cwd: shop, env: { DELIV_CACHE_DIR: path.join(work.dir, 'offline-cache') } });
    const report = JSON.parse(json.stdout);
    const lines = logLines(report);
    expect(lines.map((item) => [item.item, item.cost])).toEqual([
      ['Ingestion (vended logs) · parcel-routing', null],
      ['Storage · parcel-routing', null],
    ]);
    expect(lines[0].notPriced).toContain('update-price-snapshot.mjs');
    expect(report.machines[0].logs).toMatchObject({ level: 'ALL', includeExecutionData: true, retentionInDays: 365, source: 'estimated' });
    expect(report.machines[0].logs.bytesPerExecution).toBeGreaterThan(0);
    expect(Number(lines[0].usage)).toBeGreaterThan(0);
    expect(report.assumptions.find((text: string) => text.startsWith('parcel-routing: logs to /aws/vendedlogs/states/parcel-routing-Logs at level ALL'))).toMatch(/with execution data: [\d.,]+ log events, [\d,]+ bytes per execution \(estimated from the definition's expected path.*kept 365 days/);
    // Everything else is priced as before: the total is the Step Functions and Lambda lines.
    const priced = report.estimate.scenarios[0].items.filter((item: Item) => item.cost !== null);
    expect(priced.reduce((total: Decimal, item: Item) => total.add(Decimal.parse(item.cost!)), Decimal.ZERO).toString()).toBe(Decimal.parse(report.estimate.scenarios[0].total).toString());
  }, 120_000); // two CLI processes in sequence on a loaded machine

  it('through the Pricing API: ingestion in tiers after the free 5 GB, storage for 12 months', async () => {
    const env = { AWS_ENDPOINT_URL_PRICING: fake.endpoint, AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS', AWS_SECRET_ACCESS_KEY: 'fake', DELIV_CACHE_DIR: path.join(work.dir, 'api-cache') };
    const result = await runCli(['cost', '--target', 'prod', '--executions', '10000000', '--json'], { cwd: shop, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.prices.find((source: { service: string }) => source.service === 'AmazonCloudWatch')).toMatchObject({ kind: 'api', description: 'AWS Price List Query API (GetProducts)' });
    expect(fake.requests.filter((request) => request.body.ServiceCode === 'AmazonCloudWatch')).toHaveLength(2);
    const [ingestion, storage] = logLines(report);
    const D = Decimal.parse;
    const gb = D(ingestion.usage);
    // 10M executions of the template's ~9 KB: far past 50 GB, so every tier is crossed.
    expect(gb.gt('55')).toBe(true);
    const billed = gb.sub('5');
    const ingested = D('10').mul('0.10').add(D('20').mul('0.05')).add(D('20').mul('0.02')).add(billed.sub('50').mul('0.01'));
    expect(ingestion.freeTier).toBe('5');
    expect(D(ingestion.cost!).toString()).toBe(ingested.toString());
    // Storage: no free tier left; usage = compressed GB × 365 × 24 / 730 = 12 months.
    expect(storage.freeTier).toBe('0');
    expect(D(storage.cost!).toString()).toBe(D(storage.usage).mul('0.02').toString());
    const total = report.estimate.scenarios[0].items.reduce((sum: Decimal, item: Item) => (item.cost === null ? sum : sum.add(D(item.cost))), Decimal.ZERO);
    expect(D(report.estimate.scenarios[0].total).toString()).toBe(total.toString());
  }, 120_000);
});
