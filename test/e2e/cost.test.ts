import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { priceListEntries, startFakePricing, type FakePricing } from '../helpers/fake-pricing.js';
import { awsFixture } from '../helpers/corpus.js';

const DEFINITION = {
  Comment: 'Parcel routing: quote, choose a carrier, label, notify',
  StartAt: 'Quote',
  States: {
    Quote: { Type: 'Task', Resource: '${QuoteFunctionArn}', Next: 'Express?' },
    'Express?': { Type: 'Choice', Choices: [{ Variable: '$.express', BooleanEquals: true, Next: 'Label' }], Default: 'Label' },
    Label: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${LabelFunctionArn}', 'Payload.$': '$' }, Next: 'Notify' },
    Notify: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', 'MessageBody.$': '$' }, End: true },
  },
};

let work: ReturnType<typeof tempDir>;
let bareFile: string;
let projectDir: string;

beforeAll(() => {
  work = tempDir('deliv-cost-e2e-');
  bareFile = path.join(work.dir, 'routing.asl.json');
  writeFileSync(bareFile, JSON.stringify(DEFINITION, null, 2));
  projectDir = path.join(work.dir, 'shop');
  mkdirSync(path.join(projectDir, 'statemachines'), { recursive: true });
  mkdirSync(path.join(projectDir, 'events/routing'), { recursive: true });
  writeFileSync(path.join(projectDir, 'statemachines/routing.asl.json'), JSON.stringify(DEFINITION, null, 2));
  writeFileSync(path.join(projectDir, 'events/routing/parcel.json'), JSON.stringify({ express: true }));
  writeFileSync(
    path.join(projectDir, 'deliv.yaml'),
    [
      'name: shop',
      'stateMachines:',
      '  routing:',
      '    definition: statemachines/routing.asl.json',
      '    type: EXPRESS',
      '    events: events/routing',
      'functions:',
      '  quote: { handler: functions/quote.ts, memoryMB: 256, durationMs: 200 }',
      '  label: { handler: functions/label.ts, memoryMB: 512, durationMs: 1000, architecture: arm64 }',
      'targets:',
      '  local:',
      '    kind: local',
      '    substitutions:',
      '      QuoteFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:quote',
      '      LabelFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:label',
      'cost:',
      '  executionsPerMonth: 2000000',
      '',
    ].join('\n'),
  );
});

afterAll(() => work.cleanup());

describe('deliv cost (built CLI)', () => {
  it('prices a bare definition file offline with its default assumptions stated', async () => {
    const result = await runCli(['cost', bareFile, '--offline', '--executions', '1000000'], { cwd: work.dir, env: { DELIV_CACHE_DIR: path.join(work.dir, 'cache') } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Step Functions, Lambda: bundled price snapshot of \d{4}-\d{2}-\d{2} — AWS public pricing pages/);
    expect(result.stdout).toMatch(/every Task a Lambda of 128 MB and 100 ms unless its resource says otherwise/);
    expect(result.stdout).toMatch(/^SQS · sqs:sendMessage\n {2}Notify\s+1,000,000 calls.*not estimated$/m);
    // Quote, Express?, Label, Notify = 4 transitions; 4M − 4,000 free at $0.025/1K = $99.90.
    expect(result.stdout).toMatch(/^Step Functions · State transitions \(Standard\)\n {2}routing\s+4,000,000 transitions\s+\$0\.025\/1K\s+-\$0\.10\s+\$99\.90$/m);
    expect(result.stdout).toMatch(/Standard vs Express/);
  });

  it('gives the same estimate as JSON', async () => {
    const result = await runCli(['cost', bareFile, '--offline', '--executions', '1000000', '--json'], { cwd: work.dir });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.region).toBe('us-east-1');
    expect(report.prices[0]).toMatchObject({ service: 'AmazonStates', kind: 'snapshot', fallbackReason: 'offline' });
    expect(report.machines[0].transitionsPerExecution).toEqual({ min: 4, expected: 4, max: 4 });
    const [scenario] = report.estimate.scenarios;
    // 99.90 transitions + 2M Lambda requests − 1M free = $0.20; 2M × 0.0125 GB-s = 25,000 GB-s, free.
    expect(scenario.total).toBe('100.1');
    expect(scenario.items.find((item: { service: string }) => item.service === 'SQS').cost).toBeNull();
  });

  it('prices a project offline from deliv.yaml: declared type, functions and workload', async () => {
    const result = await runCli(['cost', '--offline', '--json'], { cwd: projectDir });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.machines[0]).toMatchObject({ name: 'routing', declaredType: 'EXPRESS', executionsPerMonth: 2_000_000 });
    const items = report.estimate.scenarios[0].items as Array<{ item: string; usage: string; cost: string | null }>;
    expect(items.map((item) => item.item)).toEqual([
      'Requests (Express) · routing',
      'Duration (Express) · routing',
      'Requests (x86_64) · quote',
      'Compute (x86_64) · quote',
      'Requests (arm64) · label',
      'Compute (arm64) · label',
      'sqs:sendMessage · Notify',
    ]);
    // Express: 200 + 1000 + 50 ms = 1,250 ms → billed 1,300 ms at 64 MB: 2M × 0.0625 × 1.3 = 162,500 GB-s.
    expect(items[1].usage).toBe('162500');
    // label on arm64: 2M × 0.5 GB × 1 s = 1,000,000 GB-s, of which 400,000 − 100,000 (used by quote) are free.
    expect(items[5].usage).toBe('1000000');
    expect(existsSync(path.join(projectDir, '.deliv'))).toBe(false);
  });

  it('prices every template of a scaffolded project offline, fully itemised', async () => {
    const shop = path.join(work.dir, 'scaffolded');
    const templates = ['order-fulfillment', 'courier-dispatch', 'parcel-routing', 'support-triage'];
    const init = await runCli(['init', shop, '--yes', ...templates.flatMap((template) => ['--template', template])], { cwd: work.dir });
    expect(init.exitCode, init.stderr).toBe(0);
    const result = await runCli(['cost', '--offline', '--executions', '1000000'], { cwd: shop });
    expect(result.exitCode, result.stderr).toBe(0);
    for (const template of templates) expect(result.stdout).toContain(`  ${template} (`);
    expect(result.stdout).toMatch(/Step Functions, Lambda, Bedrock: bundled price snapshot of \d{4}-\d{2}-\d{2}/);
    const from = result.stdout.indexOf('\nLine item');
    const estimate = result.stdout.slice(from, result.stdout.indexOf('\n\n', from));
    expect(estimate).toMatch(/^Step Functions · State transitions \(Standard\)\n {2}order-fulfillment /m);
    expect(estimate).toMatch(/^ {2}parcel-routing +[\d,]+ (transitions|requests) /m);
    // Bedrock's line items are one model's input and output tokens: grouped under the model.
    expect(estimate).toMatch(/^Bedrock · global\.anthropic\.claude-haiku-4-5-20251001-v1:0\n {2}Input tokens +[\d,]+ tokens .*\n {2}Output tokens +[\d,]+ tokens /m);
    expect(estimate).toMatch(/^SNS · sns:publish$/m);
    expect(estimate).toMatch(/^SQS · sqs:sendMessage\n {2}EscalateToHuman /m);
    expect(estimate).toMatch(/^Total\s+\$[\d,]+\.\d\d$/m);
    // The tables fit 100 columns (a terminal, a review comment); the long lines are prose.
    const tables = result.stdout.split('\n\n').filter((block) => /^(Line item|Machine) /m.test(block));
    expect(tables).toHaveLength(2);
    for (const line of tables.flatMap((block) => block.split('\n')).filter((line) => !/^(As declared|Standard vs Express| {2}(not estimated|Whole project)| {2}\S+: )/.test(line))) {
      expect(line.length, line).toBeLessThanOrEqual(100);
    }
    expect(result.stdout).toMatch(/Whole project: Standard \$[\d,.]+, Express where possible \(order-fulfillment stay Standard\) \$[\d,.]+ a month/);
  });

  it('draws the chart and writes it as SVG: --out asks for the chart without --chart', async () => {
    const svg = path.join(work.dir, 'cost.svg');
    const result = await runCli(['cost', bareFile, '--offline', '--out', svg], { cwd: work.dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/● Standard\s+▲ Express/);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it("says which rates of a region are another region's, where the snapshot has none of its own", async () => {
    const copied = await runCli(['cost', '--offline', '--region', 'ap-northeast-1', '--json'], { cwd: projectDir });
    expect(copied.exitCode, copied.stderr).toBe(0);
    expect(JSON.parse(copied.stdout).assumptions).toContain(
      "ap-northeast-1: Step Functions Express, Lambda rates are us-east-1's (the bundled snapshot has no rate published for ap-northeast-1 there); the Pricing API gives the region's own (run without --offline, with AWS credentials)",
    );
    const own = await runCli(['cost', '--offline', '--region', 'eu-west-3', '--json'], { cwd: projectDir });
    expect((JSON.parse(own.stdout).assumptions as string[]).filter((text) => text.includes("us-east-1's"))).toEqual([]);
  });

  it('names the region it has no price for', async () => {
    const result = await runCli(['cost', bareFile, '--offline', '--region', 'xx-nowhere-1'], { cwd: work.dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/no AmazonStates prices for region `xx-nowhere-1`/);
  });

  it('draws the bill of a Step Functions region the snapshot lacks, every line not priced with the reason', async () => {
    // Step Functions runs in af-south-1, but the snapshot holds no AWS figures for it: one missing region is not exit 2.
    const result = await runCli(['cost', bareFile, '--offline', '--region', 'af-south-1'], { cwd: work.dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/State transitions \(Standard\)[\s\S]*not priced/);
    expect(result.stdout).toContain('the bundled snapshot holds no AWS figures for af-south-1');
    expect(result.stdout).toContain('run without --offline, with AWS credentials, to price af-south-1 from the Pricing API');
  });

  it('has no CloudWatch Logs line for a machine that logs only on the emulator (its logging is free)', async () => {
    const quiet = await runCli(['cost', '--offline', '--json'], { cwd: projectDir });
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    const report = JSON.parse(quiet.stdout);
    expect(report.estimate.scenarios[0].items.filter((item: { service: string }) => item.service === 'CloudWatch Logs')).toEqual([]);
    expect(report.prices.map((source: { service: string }) => source.service)).not.toContain('AmazonCloudWatch');
  });

  it('rejects a name that is neither a machine nor a file', async () => {
    const result = await runCli(['cost', 'nothing-here', '--offline'], { cwd: projectDir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/`nothing-here` is neither a state machine/);
  });
});

describe('deliv cost against a fake Pricing API', () => {
  let fake: FakePricing;

  beforeAll(async () => {
    const fixture = (name: string) => awsFixture<{ PriceList: string[] }>(name);
    // Region and price rewritten so the answer can only have come from the API.
    const toFrankfurt = (item: Record<string, any>) => {
      item.product.attributes.regionCode = 'eu-central-1';
      for (const term of Object.values(item.terms.OnDemand) as any[]) {
        for (const dimension of Object.values(term.priceDimensions) as any[]) {
          if (dimension.pricePerUnit.USD === '0.0000250000') dimension.pricePerUnit.USD = '0.0000300000';
        }
      }
    };
    fake = await startFakePricing({
      products: {
        AmazonStates: priceListEntries(fixture('pricing-getproducts-stepfunctions.json'), toFrankfurt),
        AWSLambda: priceListEntries(fixture('pricing-getproducts-lambda.json'), toFrankfurt),
      },
      pageSize: 2,
    });
  });

  afterAll(() => fake.close());

  it('uses the API prices of the region asked for, and says so', async () => {
    const cache = path.join(work.dir, 'api-cache');
    const env = { AWS_ENDPOINT_URL_PRICING: fake.endpoint, AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS', AWS_SECRET_ACCESS_KEY: 'fake', DELIV_CACHE_DIR: cache };
    const result = await runCli(['cost', bareFile, '--region', 'eu-central-1', '--executions', '1000000', '--json'], { cwd: work.dir, env });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.prices.map((source: { kind: string }) => source.kind)).toEqual(['api', 'api']);
    expect(report.prices[0].description).toBe('AWS Price List Query API (GetProducts)');
    const transitions = report.estimate.scenarios[0].items[0];
    // (4,000,000 − 4,000) × $0.00003
    expect(transitions.cost).toBe('119.88');
    expect(existsSync(path.join(cache, 'prices/AmazonStates-eu-central-1.json'))).toBe(true);
  });

  it('falls back to the snapshot without credentials, naming the source', async () => {
    const before = fake.requests.length;
    const home = path.join(work.dir, 'home-without-aws');
    mkdirSync(home, { recursive: true });
    const env = { AWS_ENDPOINT_URL_PRICING: fake.endpoint, HOME: home, USERPROFILE: home, AWS_EC2_METADATA_DISABLED: 'true', DELIV_CACHE_DIR: path.join(work.dir, 'empty-cache') };
    const result = await runCli(['cost', bareFile, '--region', 'eu-central-1'], { cwd: work.dir, env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/bundled price snapshot of \d{4}-\d{2}-\d{2} — AWS public pricing pages.*\(no AWS credentials\)/);
    expect(fake.requests.length).toBe(before);
  });
});

describe('scripts/update-price-snapshot.mjs', () => {
  it('regenerates the snapshot from the Pricing API, dated and sourced', async () => {
    const fixture = (name: string) => awsFixture<{ PriceList: string[] }>(name);
    const fake = await startFakePricing({
      products: {
        AmazonStates: fixture('pricing-getproducts-stepfunctions.json').PriceList,
        AWSLambda: fixture('pricing-getproducts-lambda.json').PriceList,
        AmazonBedrock: fixture('pricing-getproducts-bedrock-claude3haiku-legacy.json').PriceList,
        AmazonBedrockFoundationModels: fixture('pricing-getproducts-bedrock-haiku.json').PriceList,
        AmazonCloudWatch: fixture('pricing-getproducts-cloudwatch-test.json').PriceList,
      },
    });
    try {
      const out = path.join(work.dir, 'snapshot.json');
      // Asynchronous: the fake endpoint answers from this very process.
      const { execFile } = await import('node:child_process');
      const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [path.join(REPO_ROOT, 'scripts/update-price-snapshot.mjs'), '--regions', 'us-east-1', '--out', out],
          { env: { ...process.env, AWS_ENDPOINT_URL_PRICING: fake.endpoint, AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS', AWS_SECRET_ACCESS_KEY: 'fake' }, timeout: 30_000 },
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
        );
      });
      expect(run.code, run.stderr).toBe(0);
      const snapshot = JSON.parse(readFileSync(out, 'utf8'));
      expect(snapshot.source).toBe('AWS Price List Query API (GetProducts)');
      expect(snapshot.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Object.keys(snapshot.regions['us-east-1'])).toEqual(['AmazonStates', 'AWSLambda', 'AmazonBedrock', 'AmazonBedrockFoundationModels', 'AmazonCloudWatch']);
      expect(snapshot.regions['us-east-1'].AWSLambda['lambda.gbSecond.x86_64'].tiers).toHaveLength(3);
      // The next person with credentials gets the CloudWatch Logs rates into the snapshot too.
      expect(Object.keys(snapshot.regions['us-east-1'].AmazonCloudWatch).sort()).toEqual(['logs.storage', 'logs.vended.ingestion']);
    } finally {
      await fake.close();
    }
  });
});
