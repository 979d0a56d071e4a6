/**
 * What one explanation cost, from the cost module's Bedrock prices: its cache
 * of the Pricing API when there is one, else the snapshot bundled with deliv.
 * Never calls the Pricing API itself: showing a fraction of a cent is not worth
 * a network round trip.
 */
import { bedrockModelKey } from '../cost/estimate.js';
import { defaultCacheDir, loadPrices } from '../cost/prices/index.js';
import type { Rate } from '../cost/prices/types.js';

export interface CallCost {
  usd: number;
  /** Where the prices came from (the snapshot or the cached API answer) and their date. */
  source: string;
}

export async function callCost(
  modelId: string,
  usage: { inputTokens: number; outputTokens: number },
  options: { region: string; projectRoot?: string },
): Promise<CallCost | undefined> {
  const key = bedrockModelKey(modelId.split('/').at(-1) ?? modelId);
  if (!key) return undefined;
  try {
    const book = await loadPrices({
      region: options.region,
      services: [key === 'claude-3-haiku' ? 'AmazonBedrock' : 'AmazonBedrockFoundationModels'],
      offline: true,
      cacheDir: defaultCacheDir(options.projectRoot),
    });
    const input = book.rates[`bedrock.${key}.input`];
    const output = book.rates[`bedrock.${key}.output`];
    if (!input || !output) return undefined;
    const source = book.sources[0];
    return {
      usd: usage.inputTokens * perToken(input) + usage.outputTokens * perToken(output),
      source: source ? `${source.description} (${source.date.slice(0, 10)})` : 'deliv price snapshot',
    };
  } catch {
    // A region the snapshot does not cover: the tokens are still shown.
    return undefined;
  }
}

/** Bedrock token prices have a single tier. */
function perToken(rate: Rate): number {
  return Number(rate.tiers[0]?.usd ?? 0) / rate.unitSize;
}
