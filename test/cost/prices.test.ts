import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/cost/decimal.js';
import { Meter, tieredCost } from '../../src/cost/pricing.js';
import { fetchServiceRates } from '../../src/cost/prices/api.js';
import { loadPrices, loadSnapshot } from '../../src/cost/prices/index.js';
import { parsePriceList, ratesFromPriceList } from '../../src/cost/prices/parse.js';
import type { PricingService, Rate } from '../../src/cost/prices/types.js';
import { tempDir } from '../helpers/cli.js';
import { startFakePricing, type FakePricing } from '../helpers/fake-pricing.js';
import { awsFixture } from '../helpers/corpus.js';

const fixture = (name: string) => awsFixture<{ PriceList: string[] }>(name);

function fixtureProducts(): Record<PricingService, string[]> {
  return {
    AmazonStates: fixture('pricing-getproducts-stepfunctions.json').PriceList,
    AWSLambda: fixture('pricing-getproducts-lambda.json').PriceList,
    AmazonBedrock: fixture('pricing-getproducts-bedrock-claude3haiku-legacy.json').PriceList,
    AmazonBedrockFoundationModels: fixture('pricing-getproducts-bedrock-haiku.json').PriceList,
    AmazonCloudWatch: fixture('pricing-getproducts-cloudwatch-test.json').PriceList,
  };
}

const AWS_ENV = ['AWS_ENDPOINT_URL_PRICING', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED'];

describe('prices from the Pricing API (fake endpoint, real SDK)', () => {
  let fake: FakePricing | undefined;
  let cache: ReturnType<typeof tempDir>;
  const saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    for (const key of AWS_ENV) saved[key] = process.env[key];
    cache = tempDir('deliv-price-cache-');
  });

  afterEach(async () => {
    for (const key of AWS_ENV) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await fake?.close();
    fake = undefined;
    cache.cleanup();
  });

  async function serve(options: Omit<Parameters<typeof startFakePricing>[0], 'products'> & { products?: Record<string, string[]> } = {}) {
    fake = await startFakePricing({ products: fixtureProducts(), ...options });
    process.env.AWS_ENDPOINT_URL_PRICING = fake.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFAKEFORTESTS';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-tests';
    return fake;
  }

  it('follows NextToken through every page and keeps every Lambda rate', async () => {
    const server = await serve({ pageSize: 1 });
    const rates = await fetchServiceRates('AWSLambda', 'us-east-1');
    expect(Object.keys(rates).sort()).toEqual(['lambda.gbSecond.arm64', 'lambda.gbSecond.x86_64', 'lambda.request.arm64', 'lambda.request.x86_64']);
    expect(server.requests).toHaveLength(4);
    expect(server.requests.every((request) => request.target === 'AWSPriceListService.GetProducts')).toBe(true);
    expect(server.requests[0].body.Filters).toEqual([
      { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
      { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Serverless' },
    ]);
    expect(server.requests[1].body.NextToken).toBeTruthy();
    // The requests were signed (credentials from the environment), never sent bare.
    expect(server.requests[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEFORTESTS\/\d+\/us-east-1\/pricing\//);
  });

  it('reads the tiers of a rate in order, from beginRange/endRange', async () => {
    await serve();
    const rates = await fetchServiceRates('AWSLambda', 'us-east-1');
    expect(rates['lambda.gbSecond.x86_64']!.tiers).toEqual([
      { begin: '0', end: '6000000000', usd: '0.0000166667' },
      { begin: '6000000000', end: '15000000000', usd: '0.0000150000' },
      { begin: '15000000000', end: null, usd: '0.0000133334' },
    ]);
  });

  it('retries a throttled first call and then reads the prices', async () => {
    const server = await serve({ throttleFirst: 1 });
    const rates = await fetchServiceRates('AmazonStates', 'us-east-1');
    expect(rates['sfn.transition']!.tiers[0].usd).toBe('0.0000250000');
    expect(server.requests).toHaveLength(2);
  });

  it('uses the API, caches what it read with the date, and reads the cache next time', async () => {
    const server = await serve();
    const now = () => new Date('2026-11-25T04:00:00Z');
    const first = await loadPrices({ region: 'us-east-1', services: ['AmazonStates', 'AWSLambda'], cacheDir: cache.dir, now });
    expect(first.sources.map((source) => [source.service, source.kind, source.date])).toEqual([
      ['AmazonStates', 'api', '2026-11-25T04:00:00.000Z'],
      ['AWSLambda', 'api', '2026-11-25T04:00:00.000Z'],
    ]);
    const requestsAfterFirst = server.requests.length;
    const second = await loadPrices({ region: 'us-east-1', services: ['AmazonStates', 'AWSLambda'], cacheDir: cache.dir, now });
    expect(second.sources.map((source) => source.kind)).toEqual(['cache', 'cache']);
    expect(second.rates['sfn.transition']).toEqual(first.rates['sfn.transition']);
    expect(server.requests.length).toBe(requestsAfterFirst);
    const refreshed = await loadPrices({ region: 'us-east-1', services: ['AmazonStates'], cacheDir: cache.dir, now, refresh: true });
    expect(refreshed.sources[0].kind).toBe('api');
    expect(server.requests.length).toBe(requestsAfterFirst + 1);
  });

  it('prices Bedrock Claude models from both Bedrock service codes', async () => {
    await serve();
    const legacy = await fetchServiceRates('AmazonBedrock', 'us-east-1');
    expect(legacy['bedrock.claude-3-haiku.input']).toMatchObject({ unit: '1K tokens', unitSize: 1000, tiers: [{ usd: '0.0002500000' }] });
    const models = await fetchServiceRates('AmazonBedrockFoundationModels', 'us-east-1');
    expect(models['bedrock.claude-haiku-4-5-global.input']!.tiers[0].usd).toBe('1.0000000000');
    expect(models['bedrock.claude-haiku-4-5-global.output']!.tiers[0].usd).toBe('5.0000000000');
    expect(models['bedrock.claude-haiku-4-5.input']!.tiers[0].usd).toBe('1.1000000000');
    expect(models['bedrock.claude-3-5-haiku.output']!.tiers[0].usd).toBe('4.0000000000');
  });

  it('reads the CloudWatch Logs meters Step Functions logs are billed on, one query per meter, and no other log meter', async () => {
    const server = await serve();
    const rates = await fetchServiceRates('AmazonCloudWatch', 'us-east-1');
    // The region prefix of CloudWatch usage types differs by region, so each meter is asked for by what its usage type contains.
    expect(server.requests.map((request) => request.body.Filters)).toEqual([
      [
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
        { Type: 'CONTAINS', Field: 'usagetype', Value: 'VendedLog-Bytes' },
      ],
      [
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
        { Type: 'CONTAINS', Field: 'usagetype', Value: 'TimedStorage-ByteHrs' },
      ],
    ]);
    // The -CFLogs and Infrequent Access rows also contain "VendedLog" (they answer the first query): the parser keeps only the plain meter.
    expect(Object.keys(rates).sort()).toEqual(['logs.storage', 'logs.vended.ingestion']);
    expect(rates['logs.vended.ingestion']).toMatchObject({
      usagetype: 'USE1-VendedLog-Bytes',
      unit: 'GB',
      unitSize: 1,
      tiers: [
        { begin: '0', end: '10', usd: '0.1000000000' },
        { begin: '10', end: '30', usd: '0.0500000000' },
        { begin: '30', end: '50', usd: '0.0200000000' },
        { begin: '50', end: null, usd: '0.0100000000' },
      ],
    });
    expect(rates['logs.storage']).toMatchObject({ usagetype: 'USE1-TimedStorage-ByteHrs', unit: 'GB-Mo', tiers: [{ begin: '0', end: null, usd: '0.0200000000' }] });
    const ireland = await fetchServiceRates('AmazonCloudWatch', 'eu-west-1');
    expect(ireland['logs.vended.ingestion']!.usagetype).toBe('EU-VendedLog-Bytes');
  });

  it('offline, CloudWatch is a snapshot source with no rates (the snapshot holds none), not an error', async () => {
    const book = await loadPrices({ region: 'us-east-1', services: ['AmazonStates', 'AmazonCloudWatch'], offline: true, cacheDir: cache.dir });
    expect(book.sources.map((source) => [source.service, source.kind])).toEqual([
      ['AmazonStates', 'snapshot'],
      ['AmazonCloudWatch', 'snapshot'],
    ]);
    expect(book.sources[1].empty).toBe(true);
    expect(book.sources[0].empty).toBeUndefined();
    expect(book.rates['logs.vended.ingestion']).toBeUndefined();
    expect(book.rates['sfn.transition']).toBeDefined();
  });

  it('says which region has no price when the API lists none for it', async () => {
    await serve();
    await expect(loadPrices({ region: 'eu-north-9', services: ['AmazonStates'], cacheDir: cache.dir })).rejects.toThrow(/no AmazonStates prices for region `eu-north-9` in the Pricing API/);
  });

  it('rereads a cache older than 30 days, and falls back to it when the API cannot be reached', async () => {
    const server = await serve();
    const then = () => new Date('2026-09-01T00:00:00Z');
    await loadPrices({ region: 'us-east-1', services: ['AmazonStates'], cacheDir: cache.dir, now: then });
    const requests = server.requests.length;
    await server.close();
    fake = undefined;
    const book = await loadPrices({ region: 'us-east-1', services: ['AmazonStates'], cacheDir: cache.dir, now: () => new Date('2026-11-25T00:00:00Z') });
    expect(book.sources[0]).toMatchObject({ kind: 'cache', date: '2026-09-01T00:00:00.000Z' });
    expect(book.sources[0].fallbackReason).toMatch(/could not be reached: .*connection was refused/);
    expect(requests).toBe(1);
  }, 20_000);

  it('falls back to the bundled snapshot, naming why, when the endpoint cannot be reached', async () => {
    const server = await serve();
    await server.close();
    fake = undefined;
    const book = await loadPrices({ region: 'eu-west-1', services: ['AmazonStates'], cacheDir: cache.dir });
    expect(book.sources[0]).toMatchObject({ kind: 'snapshot', date: loadSnapshot().date });
    expect(book.sources[0].fallbackReason).toBeTruthy();
    expect(book.rates['sfn.transition']!.usagetype).toBe('EU-StateTransition');
  }, 20_000);
});

describe('parsing price lists', () => {
  const entry = (usagetype: string, region = 'eu-west-1') =>
    JSON.stringify({
      product: { productFamily: 'Serverless', attributes: { regionCode: region, usagetype } },
      terms: { OnDemand: { 'A.B': { priceDimensions: { 'A.B.C': { unit: 'Requests', beginRange: '0', endRange: 'Inf', pricePerUnit: { USD: '0.0000002000' } } } } } },
    });

  it('recognises regional usage types and ignores other regions and other products', () => {
    const items = parsePriceList([entry('EU-Request'), entry('EU-Request-ARM'), entry('EU-Lambda-Provisioned-GB-Second'), entry('USE1-Request', 'us-east-1')]);
    const rates = ratesFromPriceList('AWSLambda', 'eu-west-1', items);
    expect(Object.keys(rates).sort()).toEqual(['lambda.request.arm64', 'lambda.request.x86_64']);
    expect(rates['lambda.request.x86_64']!.tiers).toEqual([{ begin: '0', end: null, usd: '0.0000002000' }]);
  });
});

describe('the bundled snapshot', () => {
  const snapshot = loadSnapshot();

  it('is dated, names its source and covers the main regions with every Step Functions and Lambda rate', () => {
    expect(snapshot.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(snapshot.source).toMatch(/AWS/);
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1']) {
      expect(Object.keys(snapshot.regions[region].AmazonStates!).sort()).toEqual(['sfn.express.gbSecond', 'sfn.express.request', 'sfn.transition']);
      expect(Object.keys(snapshot.regions[region].AWSLambda!)).toHaveLength(4);
    }
  });

  it('keeps each region its own prices', () => {
    const transition = (region: string) => snapshot.regions[region].AmazonStates!['sfn.transition']!.tiers[0].usd;
    expect(transition('us-east-1')).toBe('0.0000250000');
    expect(transition('sa-east-1')).toBe('0.0000375000');
    expect(transition('eu-west-3')).toBe('0.0000297000');
    expect(snapshot.regions['eu-central-1'].AWSLambda!['lambda.request.x86_64']!.usagetype).toBe('EUC1-Request');
  });

  it('marks the rates it carries from another region, and loadPrices names them by region', async () => {
    const copied = Object.entries(snapshot.regions).filter(([, services]) => Object.values(services).some((rates) => Object.values(rates).some((rate) => rate?.copiedFrom)));
    expect(copied.map(([region]) => region).sort()).toEqual(['ap-northeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-north-1', 'eu-west-2', 'us-east-2']);
    // Standard transitions are published per region: those are never copied.
    for (const [, services] of copied) expect(services.AmazonStates!['sfn.transition']!.copiedFrom).toBeUndefined();
    const cache = tempDir();
    try {
      const book = await loadPrices({ region: 'ap-northeast-1', services: ['AmazonStates', 'AWSLambda'], offline: true, cacheDir: cache.dir });
      expect(book.sources.map((source) => source.copiedFrom)).toEqual([
        { 'us-east-1': ['sfn.express.request', 'sfn.express.gbSecond'] },
        { 'us-east-1': ['lambda.request.x86_64', 'lambda.request.arm64', 'lambda.gbSecond.x86_64', 'lambda.gbSecond.arm64'] },
      ]);
      const own = await loadPrices({ region: 'sa-east-1', services: ['AmazonStates', 'AWSLambda'], offline: true, cacheDir: cache.dir });
      expect(own.sources.map((source) => source.copiedFrom)).toEqual([undefined, undefined]);
    } finally {
      cache.cleanup();
    }
  });

  it('is what loadPrices uses offline, and a region it lacks is an error naming the region', async () => {
    const cache = tempDir();
    try {
      const book = await loadPrices({ region: 'sa-east-1', services: ['AmazonStates'], offline: true, cacheDir: cache.dir });
      expect(book.sources[0]).toMatchObject({ kind: 'snapshot', fallbackReason: 'offline', date: snapshot.date, description: snapshot.source });
      await expect(loadPrices({ region: 'xx-nowhere-1', services: ['AmazonStates'], offline: true, cacheDir: cache.dir })).rejects.toThrow(
        /no AmazonStates prices for region `xx-nowhere-1` in the bundled price snapshot/,
      );
    } finally {
      cache.cleanup();
    }
  });
});

describe('tiers and free tier', () => {
  const lambdaCompute: Rate = {
    key: 'lambda.gbSecond.x86_64',
    unit: 'Lambda-GB-Second',
    unitSize: 1,
    usagetype: 'Lambda-GB-Second',
    tiers: [
      { begin: '0', end: '6000000000', usd: '0.0000166667' },
      { begin: '6000000000', end: '15000000000', usd: '0.0000150000' },
      { begin: '15000000000', end: null, usd: '0.0000133334' },
    ],
  };

  it('applies each tier to the usage that falls in it', () => {
    // 20 billion GB-s: 6B at tier 1, 9B at tier 2, 5B at tier 3.
    const cost = tieredCost(lambdaCompute, Decimal.ZERO, Decimal.of(20_000_000_000));
    expect(cost.toString()).toBe(
      Decimal.of(6_000_000_000).mul('0.0000166667').add(Decimal.of(9_000_000_000).mul('0.000015')).add(Decimal.of(5_000_000_000).mul('0.0000133334')).toString(),
    );
    expect(cost.toString()).toBe('301667.2');
  });

  it('takes the free tier once for the account, then continues tiers across line items', () => {
    const meter = new Meter(true);
    const first = meter.charge(lambdaCompute, Decimal.of(300_000));
    expect(first.free.toString()).toBe('300000');
    expect(first.cost.toString()).toBe('0');
    const second = meter.charge(lambdaCompute, Decimal.of(6_000_200_000));
    // 100,000 GB-s of free tier left; the other 6,000,100,000 cross into tier 2 by 100,000.
    expect(second.free.toString()).toBe('100000');
    expect(second.cost.toString()).toBe(Decimal.of(6_000_000_000).mul('0.0000166667').add(Decimal.of(100_000).mul('0.000015')).toString());
    expect(second.tierPrices).toEqual(['0.0000166667', '0.0000150000']);
    const none = new Meter(false).charge(lambdaCompute, Decimal.of(300_000));
    expect(none.free.isZero()).toBe(true);
    expect(none.cost.toString()).toBe('5.00001');
  });
});
