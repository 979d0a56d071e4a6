#!/usr/bin/env node
/**
 * Regenerates data/prices/snapshot.json (the prices `deliv cost` uses offline)
 * from the AWS Price List Query API. Needs AWS credentials (any account: the
 * Pricing API is free and read-only) and a build: `npm run build` first.
 *
 *   node scripts/update-price-snapshot.mjs [--regions us-east-1,eu-west-1] [--out data/prices/snapshot.json]
 *
 * AWS_ENDPOINT_URL_PRICING is honoured, like everywhere in deliv.
 *
 * AmazonCloudWatch is read too (the vended-logs ingestion tiers and the log
 * storage rate that price Step Functions' execution logs): the snapshot of
 * 2026 holds none, since no AWS source for them was at hand offline, so
 * `deliv cost --offline` marks the CloudWatch Logs line not priced until this
 * script is run with credentials.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist/cost/prices/api.js');
if (!existsSync(dist)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const { fetchServiceRates, API_SOURCE } = await import(dist);

const defaultOut = path.join(root, 'data/prices/snapshot.json');
const { values } = parseArgs({
  options: {
    regions: { type: 'string' },
    out: { type: 'string', default: defaultOut },
  },
});
const previous = existsSync(values.out) ? JSON.parse(readFileSync(values.out, 'utf8')) : undefined;
const regions = values.regions ? values.regions.split(',').map((region) => region.trim()).filter(Boolean) : Object.keys(previous?.regions ?? { 'us-east-1': {} });
const { PRICING_SERVICES: services } = await import(path.join(root, 'dist/cost/prices/types.js'));

const snapshot = {
  date: new Date().toISOString().slice(0, 10),
  source: API_SOURCE,
  currency: 'USD',
  notes: ['Regenerate with: npm run build && node scripts/update-price-snapshot.mjs'],
  regions: {},
};
for (const region of regions) {
  snapshot.regions[region] = {};
  for (const service of services) {
    const rates = await fetchServiceRates(service, region);
    if (Object.keys(rates).length > 0) snapshot.regions[region][service] = rates;
    console.error(`${region} ${service}: ${Object.keys(rates).length} rates`);
  }
  if (!snapshot.regions[region].AmazonStates) {
    console.error(`${region}: no Step Functions prices; is the region code right?`);
    process.exit(2);
  }
}
writeFileSync(values.out, `${JSON.stringify(snapshot, null, 2)}\n`);
console.error(`wrote ${path.relative(process.cwd(), values.out)} (${regions.length} regions, ${snapshot.date})`);
