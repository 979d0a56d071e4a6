/**
 * Turns Pricing API `GetProducts` price-list entries into deliv's rates. Each
 * `PriceList` item is a JSON document in a string; its On-Demand term holds one
 * price dimension per tier (`beginRange`/`endRange`).
 */
import type { BedrockModelKey, PriceTier, PricingService, Rate, RateKey, Rates } from './types.js';

interface PriceDimension {
  unit?: string;
  beginRange?: string;
  endRange?: string;
  description?: string;
  pricePerUnit?: Record<string, string>;
}

interface PriceListItem {
  product?: { productFamily?: string; attributes?: Record<string, string>; sku?: string };
  serviceCode?: string;
  terms?: { OnDemand?: Record<string, { effectiveDate?: string; priceDimensions?: Record<string, PriceDimension> }> };
}

/** Accepts what the SDK returns: `PriceList` entries as JSON strings (or, defensively, already parsed). */
export function parsePriceList(entries: ReadonlyArray<unknown>): PriceListItem[] {
  return entries.map((entry) =>
    typeof entry === 'string' || entry instanceof String ? (JSON.parse(String(entry)) as PriceListItem) : (entry as PriceListItem),
  );
}

/** Usage types carry a region prefix outside us-east-1 ("EU-Request" in Ireland, "APS1-Lambda-GB-Second"). */
const REGION_PREFIX = '(?:[A-Z]{2,4}\\d?-)?';
const usage = (suffix: string) => new RegExp(`^${REGION_PREFIX}${suffix}$`);

const STATES_KEYS: Array<[RegExp, RateKey]> = [
  [usage('StateTransition'), 'sfn.transition'],
  [usage('StepFunctions-Request'), 'sfn.express.request'],
  [usage('StepFunctions-GB-Second'), 'sfn.express.gbSecond'],
];

const LAMBDA_KEYS: Array<[RegExp, RateKey]> = [
  [usage('Request'), 'lambda.request.x86_64'],
  [usage('Request-ARM'), 'lambda.request.arm64'],
  [usage('Lambda-GB-Second'), 'lambda.gbSecond.x86_64'],
  [usage('Lambda-GB-Second-ARM'), 'lambda.gbSecond.arm64'],
];

/**
 * CloudWatch Logs rows deliv prices: Step Functions' execution logs are vended
 * logs (the Step Functions guide: "billed at the vended logs rate"). Only the
 * plain meters: `-VendedLog-Bytes-CFLogs`, `-VendedLogIA-Bytes` and the like
 * are other services' or other log classes' rates.
 */
const CLOUDWATCH_KEYS: Array<[RegExp, RateKey]> = [
  [usage('VendedLog-Bytes'), 'logs.vended.ingestion'],
  [usage('TimedStorage-ByteHrs'), 'logs.storage'],
];

/** Models sold under `AmazonBedrockFoundationModels`, by their `servicename`. */
const FOUNDATION_MODELS: Array<[RegExp, 'claude-3-5-haiku' | 'claude-haiku-4-5']> = [
  [/^Claude 3\.5 Haiku\b/, 'claude-3-5-haiku'],
  [/^Claude Haiku 4\.5\b/, 'claude-haiku-4-5'],
];

function classify(service: PricingService, item: PriceListItem): RateKey | undefined {
  const attributes = item.product?.attributes ?? {};
  const usagetype = attributes.usagetype ?? '';
  switch (service) {
    case 'AmazonStates':
      return STATES_KEYS.find(([pattern]) => pattern.test(usagetype))?.[1];
    case 'AWSLambda':
      return LAMBDA_KEYS.find(([pattern]) => pattern.test(usagetype))?.[1];
    case 'AmazonCloudWatch':
      return CLOUDWATCH_KEYS.find(([pattern]) => pattern.test(usagetype))?.[1];
    case 'AmazonBedrock': {
      if (attributes.model !== 'Claude 3 Haiku') return undefined;
      if (attributes.feature && attributes.feature !== 'On-demand Inference') return undefined;
      if (/-input-tokens$/.test(usagetype)) return 'bedrock.claude-3-haiku.input';
      if (/-output-tokens$/.test(usagetype)) return 'bedrock.claude-3-haiku.output';
      return undefined;
    }
    case 'AmazonBedrockFoundationModels': {
      const family = FOUNDATION_MODELS.find(([pattern]) => pattern.test(attributes.servicename ?? ''))?.[1];
      if (!family) return undefined;
      const global = /_global_standard-Units$/.test(usagetype);
      const model: BedrockModelKey = global && family === 'claude-haiku-4-5' ? 'claude-haiku-4-5-global' : family;
      if (/(_InputTokenCount|_input_tokens_global_standard)-Units$/.test(usagetype)) return `bedrock.${model}.input`;
      if (/(_OutputTokenCount|_output_tokens_global_standard)-Units$/.test(usagetype)) return `bedrock.${model}.output`;
      return undefined;
    }
  }
}

function unitSize(unit: string): number {
  const match = /^1([KM]) tokens$/i.exec(unit.trim());
  if (!match) return 1;
  return match[1].toUpperCase() === 'K' ? 1_000 : 1_000_000;
}

/** The rates of one service in one region from a parsed price list; other regions and unknown rows are ignored. */
export function ratesFromPriceList(service: PricingService, region: string, items: readonly PriceListItem[]): Rates {
  const rates: Rates = {};
  for (const item of items) {
    const attributes = item.product?.attributes ?? {};
    if (attributes.regionCode && attributes.regionCode !== region) continue;
    const key = classify(service, item);
    if (!key) continue;
    for (const term of Object.values(item.terms?.OnDemand ?? {})) {
      const dimensions = Object.values(term.priceDimensions ?? {}).filter((dimension) => dimension.pricePerUnit?.USD !== undefined);
      if (dimensions.length === 0) continue;
      const tiers: PriceTier[] = dimensions
        .map((dimension) => ({
          begin: dimension.beginRange ?? '0',
          end: dimension.endRange === undefined || dimension.endRange === 'Inf' ? null : dimension.endRange,
          usd: dimension.pricePerUnit!.USD,
        }))
        .sort((a, b) => Number(a.begin) - Number(b.begin));
      const unit = dimensions[0].unit ?? '';
      const rate: Rate = {
        key,
        unit,
        unitSize: unitSize(unit),
        usagetype: attributes.usagetype ?? '',
        description: dimensions[0].description,
        effectiveDate: term.effectiveDate,
        tiers,
      };
      rates[key] = rate;
      break;
    }
  }
  return rates;
}
