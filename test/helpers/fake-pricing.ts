/**
 * A fake AWS Price List Query API on 127.0.0.1 speaking the real wire format
 * (AWS JSON 1.1: `POST /`, `X-Amz-Target: AWSPriceListService.GetProducts`),
 * so the real @aws-sdk/client-pricing reaches it through AWS_ENDPOINT_URL_PRICING.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GetProductsRequest {
  ServiceCode?: string;
  Filters?: Array<{ Type: string; Field: string; Value: string }>;
  FormatVersion?: string;
  NextToken?: string;
  MaxResults?: number;
}

export interface FakePricingOptions {
  /** Price-list entries (JSON strings, as in GetProducts responses) per service code. */
  products: Record<string, string[]>;
  /** Entries per page; NextToken carries the offset. */
  pageSize?: number;
  /** How many first requests answer with a ThrottlingException. */
  throttleFirst?: number;
}

export interface FakePricing {
  endpoint: string;
  /** Every GetProducts request received (throttled ones included), with its signature header. */
  requests: Array<{ target: string; body: GetProductsRequest; authorization?: string }>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function matches(entry: string, filters: GetProductsRequest['Filters'] = []): boolean {
  const product = (JSON.parse(entry) as { product: { productFamily?: string; attributes: Record<string, string> } }).product;
  return filters.every((filter) => {
    const value = filter.Field === 'productFamily' ? product.productFamily : product.attributes[filter.Field];
    // The filter types GetProducts documents; ANY_OF/NONE_OF take a comma-separated list.
    switch (filter.Type) {
      case 'TERM_MATCH':
      case 'EQUALS':
        return value === filter.Value;
      case 'CONTAINS':
        return value !== undefined && value.includes(filter.Value);
      case 'ANY_OF':
        return value !== undefined && filter.Value.split(',').includes(value);
      case 'NONE_OF':
        return value === undefined || !filter.Value.split(',').includes(value);
      default:
        return false;
    }
  });
}

export async function startFakePricing(options: FakePricingOptions): Promise<FakePricing> {
  const requests: FakePricing['requests'] = [];
  let throttlesLeft = options.throttleFirst ?? 0;
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `fake-${requests.length}` });
      response.end(JSON.stringify(payload));
    };
    let parsed: GetProductsRequest;
    try {
      parsed = JSON.parse(body || '{}') as GetProductsRequest;
    } catch {
      send(400, { __type: 'SerializationException', message: 'body is not JSON' });
      return;
    }
    requests.push({ target, body: parsed, authorization: request.headers.authorization });
    if (request.method !== 'POST' || target !== 'AWSPriceListService.GetProducts') {
      send(400, { __type: 'UnknownOperationException', message: `unknown operation ${target}` });
      return;
    }
    if (throttlesLeft > 0) {
      throttlesLeft--;
      send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      return;
    }
    const all = (options.products[parsed.ServiceCode ?? ''] ?? []).filter((entry) => matches(entry, parsed.Filters));
    const pageSize = options.pageSize ?? parsed.MaxResults ?? 100;
    const offset = parsed.NextToken ? Number(Buffer.from(parsed.NextToken, 'base64').toString('utf8')) : 0;
    const page = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? Buffer.from(String(offset + pageSize)).toString('base64') : undefined;
    send(200, { FormatVersion: 'aws_v1', PriceList: page, ...(next ? { NextToken: next } : {}) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Price-list entries of a fixture file's `PriceList`, optionally rewritten (region, prices) for a test. */
export function priceListEntries(fixture: { PriceList: string[] }, rewrite?: (item: Record<string, any>) => void): string[] {
  return fixture.PriceList.map((entry) => {
    if (!rewrite) return entry;
    const item = JSON.parse(entry) as Record<string, any>;
    rewrite(item);
    return JSON.stringify(item);
  });
}
