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

/** TERM_MATCH filters that narrow each service's catalogue to what deliv prices. */
export function filtersFor(service: PricingService, region: string): Filter[] {
  const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
  switch (service) {
    case 'AmazonStates':
      return [term('regionCode', region)];
    case 'AWSLambda':
      return [term('regionCode', region), term('productFamily', 'Serverless')];
    case 'AmazonBedrock':
      return [term('regionCode', region), term('model', 'Claude 3 Haiku')];
    case 'AmazonBedrockFoundationModels':
      return [term('regionCode', region)];
  }
}

/** Every page of GetProducts for one service and region, as deliv rates. */
export async function fetchServiceRates(service: PricingService, region: string, client?: PricingClient): Promise<Rates> {
  const { GetProductsCommand } = await import('@aws-sdk/client-pricing');
  const pricing = client ?? (await createPricingClient({ name: 'pricing', region: 'us-east-1' }));
  const entries: unknown[] = [];
  let nextToken: string | undefined;
  do {
    const page = await pricing.send(
      new GetProductsCommand({
        ServiceCode: service,
        Filters: filtersFor(service, region),
        FormatVersion: 'aws_v1',
        MaxResults: 100,
        NextToken: nextToken,
      }),
    );
    const list: unknown = page.PriceList ?? [];
    entries.push(...(Array.isArray(list) ? list : (JSON.parse(String(list)) as unknown[])));
    nextToken = page.NextToken;
  } while (nextToken);
  return ratesFromPriceList(service, region, parsePriceList(entries));
}
