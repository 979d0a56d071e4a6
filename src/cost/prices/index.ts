/**
 * Where prices come from, in order: the on-disk cache (fresh), the Pricing API,
 * then — offline, without credentials or network — any cached copy, then the
 * snapshot bundled in the package. Every service's source and date is kept so
 * the report can say what it used.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { DelivError, errorMessage } from '../../ui/errors.js';
import { AwsError } from '../../aws/errors.js';
import { API_SOURCE, fetchServiceRates } from './api.js';
import type { PriceBook, PriceSnapshot, PriceSource, PricingService, RateKey, Rates } from './types.js';

/** Cached prices older than this are reread when the API can be reached. */
export const CACHE_MAX_AGE_DAYS = 30;

export interface LoadPricesOptions {
  region: string;
  services: readonly PricingService[];
  /** Never call the API: cache, then snapshot. */
  offline?: boolean;
  /** Reread from the API even when the cache is fresh. */
  refresh?: boolean;
  cacheDir: string;
  client?: PricingClient;
  now?: () => Date;
}

interface CacheEntry {
  service: PricingService;
  region: string;
  fetchedAt: string;
  source: string;
  rates: Rates;
}

/** The project's `.deliv/cache/prices`, else the user's cache folder; DELIV_CACHE_DIR overrides both. */
export function defaultCacheDir(projectRoot?: string): string {
  if (process.env.DELIV_CACHE_DIR) return path.join(process.env.DELIV_CACHE_DIR, 'prices');
  if (projectRoot) return path.join(projectRoot, '.deliv', 'cache', 'prices');
  const base =
    process.platform === 'win32'
      ? (process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? path.join(os.homedir(), 'Library', 'Caches')
        : (process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'));
  return path.join(base, 'deliv', 'prices');
}

export const SNAPSHOT_URL = new URL('../../../data/prices/snapshot.json', import.meta.url);

let snapshotCache: PriceSnapshot | undefined;
export function loadSnapshot(): PriceSnapshot {
  snapshotCache ??= JSON.parse(readFileSync(SNAPSHOT_URL, 'utf8')) as PriceSnapshot;
  return snapshotCache;
}

function cacheFile(cacheDir: string, service: PricingService, region: string): string {
  return path.join(cacheDir, `${service}-${region}.json`);
}

function readCache(cacheDir: string, service: PricingService, region: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile(cacheDir, service, region), 'utf8')) as CacheEntry;
    return entry.service === service && entry.region === region && entry.rates ? entry : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(cacheDir: string, entry: CacheEntry): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const file = cacheFile(cacheDir, entry.service, entry.region);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(entry, null, 2)}\n`);
    renameSync(temporary, file);
  } catch {
    // A read-only cache folder costs a reread next time, nothing more.
  }
}

/**
 * The commercial regions where Step Functions is offered (AWS's regional endpoint list). One the snapshot lacks is
 * priced line by line as *not priced*; a code outside this list is a typo, refused.
 */
export const STEP_FUNCTIONS_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-east-1', 'ap-southeast-1',
  'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'me-south-1', 'me-central-1', 'il-central-1', 'af-south-1',
]);

/** The API gave an answer, but it holds no price for this region: that is the user's error to see, not a fallback. */
export class RegionNotPricedError extends DelivError {
  constructor(service: PricingService, region: string, where: string, hint?: string) {
    super(`no ${service} prices for region \`${region}\` in ${where}`, {
      exitCode: 2,
      hint: hint ?? 'check the region code (e.g. eu-west-1), or pass --region',
    });
  }
}

export async function loadPrices(options: LoadPricesOptions): Promise<PriceBook> {
  const now = options.now ?? (() => new Date());
  const { region, cacheDir } = options;
  let client = options.client;
  const clientFor = async () => {
    if (!client) {
      const { createPricingClient } = await import('../../aws/clients.js');
      client = await createPricingClient({ name: 'pricing', region: 'us-east-1' });
    }
    return client;
  };

  const loadOne = async (service: PricingService): Promise<{ rates: Rates; source: PriceSource }> => {
    const cached = readCache(cacheDir, service, region);
    const fresh = cached && now().getTime() - Date.parse(cached.fetchedAt) < CACHE_MAX_AGE_DAYS * 86_400_000;
    const fromCache = (entry: CacheEntry, fallbackReason?: string) => ({
      rates: entry.rates,
      source: { service, region, kind: 'cache' as const, description: `${entry.source}, cached`, date: entry.fetchedAt, fallbackReason },
    });
    if (cached && fresh && !options.refresh) return fromCache(cached);
    let fallbackReason = 'offline';
    if (!options.offline) {
      try {
        const rates = await fetchServiceRates(service, region, await clientFor());
        if (Object.keys(rates).length === 0) {
          if (service === 'AmazonStates' || service === 'AWSLambda') {
            throw new RegionNotPricedError(service, region, 'the Pricing API');
          }
        }
        const entry: CacheEntry = { service, region, fetchedAt: now().toISOString(), source: API_SOURCE, rates };
        writeCache(cacheDir, entry);
        return { rates, source: { service, region, kind: 'api', description: API_SOURCE, date: entry.fetchedAt } };
      } catch (error) {
        if (error instanceof RegionNotPricedError) throw error;
        fallbackReason = describeApiFailure(error);
      }
    }
    if (cached) return fromCache(cached, fallbackReason);
    const snapshot = loadSnapshot();
    const regional = snapshot.regions[region];
    if (!regional && STEP_FUNCTIONS_REGIONS.has(region)) {
      // Only prices copied from AWS go in the snapshot: a region whose figures were not at hand is left out, never
      // estimated. Step Functions runs there, so the bill is still drawn, each line marked not priced with this reason.
      return { rates: {}, source: { service, region, kind: 'snapshot', description: snapshot.source, date: snapshot.date, fallbackReason, empty: true, regionMissing: true } };
    }
    if (!regional) {
      const priced = Object.keys(snapshot.regions).sort();
      throw new RegionNotPricedError(service, region, `the bundled price snapshot (${snapshot.date})`, `the snapshot prices ${priced.length} regions: ${priced.join(', ')}; run without --offline, with AWS credentials, to price ${region} from the Pricing API`);
    }
    const rates = regional[service] ?? {};
    const copiedFrom: Record<string, RateKey[]> = {};
    for (const rate of Object.values(rates)) if (rate?.copiedFrom) (copiedFrom[rate.copiedFrom] ??= []).push(rate.key);
    return {
      rates,
      source: {
        service,
        region,
        kind: 'snapshot',
        description: snapshot.source,
        date: snapshot.date,
        fallbackReason,
        ...(Object.keys(copiedFrom).length > 0 ? { copiedFrom } : {}),
        ...(Object.keys(rates).length === 0 ? { empty: true } : {}),
      },
    };
  };

  const loaded = await Promise.all(options.services.map(loadOne));
  const rates: Rates = {};
  for (const { rates: serviceRates } of loaded) Object.assign(rates, serviceRates);
  return { region, rates, sources: loaded.map(({ source }) => source) };
}

/** One line on why the API was not used, never with credentials in it. */
function describeApiFailure(error: unknown): string {
  if (error instanceof AwsError) return error.problem === 'credentials' ? 'no AWS credentials' : firstLine(error.message);
  const name = (error as { name?: string }).name ?? '';
  const code = (error as { code?: string }).code ?? '';
  if (name === 'CredentialsProviderError' || /credential/i.test(errorMessage(error))) return 'no AWS credentials';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'ENETUNREACH'].includes(code)) return `network unreachable (${code})`;
  if (name === 'TimeoutError') return 'network timeout';
  return `${name || 'error'}: ${errorMessage(error).split('\n')[0]}`.slice(0, 200);
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200);
}
