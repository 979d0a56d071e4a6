/** Prices as deliv uses them: one rate per billing dimension, with its tiers, per region. */

export type PricingService = 'AmazonStates' | 'AWSLambda' | 'AmazonBedrock' | 'AmazonBedrockFoundationModels' | 'AmazonCloudWatch';

export const PRICING_SERVICES: readonly PricingService[] = ['AmazonStates', 'AWSLambda', 'AmazonBedrock', 'AmazonBedrockFoundationModels', 'AmazonCloudWatch'];

/**
 * The billing dimensions deliv prices. Bedrock keys name the model family and,
 * for models sold both ways, whether the call goes through a global
 * cross-Region inference profile or stays in its geography/Region.
 */
export type RateKey =
  | 'sfn.transition'
  | 'sfn.express.request'
  | 'sfn.express.gbSecond'
  | 'lambda.request.x86_64'
  | 'lambda.request.arm64'
  | 'lambda.gbSecond.x86_64'
  | 'lambda.gbSecond.arm64'
  | `bedrock.${BedrockModelKey}.${'input' | 'output'}`
  /** CloudWatch Logs: what Step Functions delivers to a log group is billed at the vended-logs rate (`<prefix>-VendedLog-Bytes`, tiered, per GB)... */
  | 'logs.vended.ingestion'
  /** ...and kept there as archived (compressed) data (`<prefix>-TimedStorage-ByteHrs`, per GB-month). */
  | 'logs.storage';

export type BedrockModelKey = 'claude-3-haiku' | 'claude-3-5-haiku' | 'claude-haiku-4-5' | 'claude-haiku-4-5-global';

export interface PriceTier {
  /** Start of the tier in the rate's unit, as the API writes it ("0", "6000000000"). */
  begin: string;
  /** End of the tier; null for "Inf". */
  end: string | null;
  /** USD per unit, exactly as published ("0.0000166667"). */
  usd: string;
}

export interface Rate {
  key: RateKey;
  /** The unit the API uses: "StateTransitions", "Requests", "GB-Seconds", "1M tokens", ... */
  unit: string;
  /** How many of the billed things one unit is: 1, or 1000 / 1000000 for "1K tokens" / "1M tokens". */
  unitSize: number;
  usagetype: string;
  description?: string;
  effectiveDate?: string;
  tiers: PriceTier[];
  /**
   * Snapshot only: the region whose rate this is, when the snapshot holds no
   * rate published for this region (the report says so; the API never sets it).
   */
  copiedFrom?: string;
}

export type Rates = Partial<Record<RateKey, Rate>>;

export type PriceSourceKind = 'api' | 'cache' | 'snapshot';

/** Where one service's prices came from, for the report. */
export interface PriceSource {
  service: PricingService;
  region: string;
  kind: PriceSourceKind;
  /** What the prices are: "AWS Price List Query API (GetProducts)", or the snapshot's own source line. */
  description: string;
  /** When the prices were read from the API, or the snapshot's date (ISO 8601). */
  date: string;
  /** Why a fallback was used (the API error), when it was. */
  fallbackReason?: string;
  /** Snapshot rates of this service that are another region's, by that region. */
  copiedFrom?: Record<string, RateKey[]>;
  /** The source holds no rate of this service for the region (the snapshot has no CloudWatch rows): its lines are not priced. */
  empty?: boolean;
  /** The snapshot holds no figures at all for this region (Step Functions runs there; AWS's were not at hand): every line is not priced. */
  regionMissing?: boolean;
}

export interface PriceBook {
  region: string;
  rates: Rates;
  sources: PriceSource[];
}

/** data/prices/snapshot.json */
export interface PriceSnapshot {
  date: string;
  source: string;
  currency: 'USD';
  notes?: string[];
  regions: Record<string, Partial<Record<PricingService, Rates>>>;
}
