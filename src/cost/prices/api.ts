/**
 * Reading prices from the AWS Price List Query API (`GetProducts`). The client
 * comes from the one factory (us-east-1 endpoint whatever region is priced;
 * AWS_ENDPOINT_URL_PRICING honoured by the SDK).
 */
import type { Filter, PricingClient } from '@aws-sdk/client-pricing';
import { createPricingClient } from '../../aws/clients.js';
import { parsePriceList, ratesFromPriceList } from './parse.js';
import type { PricingService, Rates } from './types.js';

export const API_SOURCE = 'AWS Price List Query API (GetProducts)';

/**
 * The filters that narrow each service's catalogue to what deliv prices, one
 * GetProducts query per set. CloudWatch's catalogue is large and its usage
 * types carry a region prefix that differs by region (`EU-`, `USE1-`, ...),
 * so its two meters are asked for by the end of their usage type
 * (CONTAINS), and the parser keeps only the exact meters.
 */
export function filterSetsFor(service: PricingService, region: string): Filter[][] {
  const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  const contains = (Field: string, Value: string): Filter => ({ Type: 'CONTAINS', Field, Value });
  switch (service) {
    case 'AmazonStates':
      return [[term('regionCode', region)]];
    case 'AWSLambda':
      return [[term('regionCode', region), term('productFamily', 'Serverless')]];
    case 'AmazonBedrock':
      return [[term('regionCode', region), term('model', 'Claude 3 Haiku')]];
    case 'AmazonBedrockFoundationModels':
      return [[term('regionCode', region)]];
    case 'AmazonCloudWatch':
      return [
        [term('regionCode', region), contains('usagetype', 'VendedLog-Bytes')],
        [term('regionCode', region), contains('usagetype', 'TimedStorage-ByteHrs')],
      ];
  }
}

/** Every page of GetProducts for one service and region, as deliv rates. */
export async function fetchServiceRates(service: PricingService, region: string, client?: PricingClient): Promise<Rates> {
  const { GetProductsCommand } = await import('@aws-sdk/client-pricing');
  const pricing = client ?? (await createPricingClient({ name: 'pricing', region: 'us-east-1' }));
  const entries: unknown[] = [];
  for (const filters of filterSetsFor(service, region)) {
    let nextToken: string | undefined;
    do {
      const page = await pricing.send(
        new GetProductsCommand({
          ServiceCode: service,
          Filters: filters,
          FormatVersion: 'aws_v1',
          MaxResults: 100,
          NextToken: nextToken,
        }),
      );
      const list: unknown = page.PriceList ?? [];
      entries.push(...(Array.isArray(list) ? list : (JSON.parse(String(list)) as unknown[])));
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return ratesFromPriceList(service, region, parsePriceList(entries));
}
