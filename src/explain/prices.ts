/**
 * On-demand token prices of the Claude Haiku models, for showing what one
 * explanation cost. A stand-in until the cost module's price lookup can be
 * asked instead (then this table goes).
 *
 * Source: AWS Price List API, service codes `AmazonBedrockFoundationModels`
 * (Claude Haiku 4.5, Claude 3.5 Haiku; usage types `*_input_tokens_global_standard`
 * for the global profile, `InputTokenCount` in-Region/geo) and `AmazonBedrock`
 * (Claude 3 Haiku), us-east-1, effective 2025-10-01; the same figures as
 * https://aws.amazon.com/bedrock/pricing/ on that date. USD per million tokens.
 */
export interface TokenPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  source: string;
}

const SOURCE = 'AWS Price List (Bedrock, us-east-1, 2025-10-01)';

const PRICES: Array<{ match: RegExp; global?: TokenPrice; regional: TokenPrice }> = [
  {
    match: /claude-haiku-4-5/,
    global: { inputPerMillion: 1.0, outputPerMillion: 5.0, source: SOURCE },
    regional: { inputPerMillion: 1.1, outputPerMillion: 5.5, source: SOURCE },
  },
  { match: /claude-3-5-haiku/, regional: { inputPerMillion: 0.8, outputPerMillion: 4.0, source: SOURCE } },
  { match: /claude-3-haiku/, regional: { inputPerMillion: 0.25, outputPerMillion: 1.25, source: SOURCE } },
];

/** The price of a model id, inference profile id or ARN; undefined for models not in the table. */
export function tokenPrice(modelId: string): TokenPrice | undefined {
  const id = modelId.split('/').at(-1) ?? modelId;
  const entry = PRICES.find((price) => price.match.test(id));
  if (!entry) return undefined;
  return id.startsWith('global.') && entry.global ? entry.global : entry.regional;
}

export function callCost(modelId: string, usage: { inputTokens?: number; outputTokens?: number }): number | undefined {
  const price = tokenPrice(modelId);
  if (!price) return undefined;
  return ((usage.inputTokens ?? 0) * price.inputPerMillion + (usage.outputTokens ?? 0) * price.outputPerMillion) / 1_000_000;
}
