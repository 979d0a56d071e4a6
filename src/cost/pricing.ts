/**
 * Applying prices to usage: tiers one by one, and the always-free allowances
 * once per account per month, shared by every line item that draws on them.
 */
import { Decimal } from './decimal.js';
import type { Rate, RateKey } from './prices/types.js';

/** USD per billed thing (per transition, per request, per GB-second, per token). */
export function pricePerThing(usd: string, rate: Rate): Decimal {
  return Decimal.parse(usd).mul(Decimal.ratio(1, rate.unitSize));
}

/** The cost of usage from `from` to `to` (in billed things) on a tiered rate. */
export function tieredCost(rate: Rate, from: Decimal, to: Decimal): Decimal {
  let cost = Decimal.ZERO;
  const size = Decimal.of(rate.unitSize);
  for (const tier of rate.tiers) {
    const begin = Decimal.parse(tier.begin).mul(size);
    const end = tier.end === null ? undefined : Decimal.parse(tier.end).mul(size);
    const low = Decimal.max(from, begin);
    const high = end === undefined ? to : Decimal.min(to, end);
    if (high.gt(low)) cost = cost.add(high.sub(low).mul(pricePerThing(tier.usd, rate)));
  }
  return cost;
}

/**
 * Always-free monthly allowances (they do not expire with the 12-month free
 * tier). CloudWatch's is one allowance for Logs: "5 GB Data (ingestion,
 * archive storage, and data scanned by Logs Insights queries)" (the
 * CloudWatch pricing page), so ingestion and storage draw on the same 5 GB.
 */
export const FREE_TIER = {
  'sfn.transitions': Decimal.of(4_000),
  'lambda.requests': Decimal.of(1_000_000),
  'lambda.gbSeconds': Decimal.of(400_000),
  'logs.data': Decimal.of(5),
} as const;

export type FreeTierPool = keyof typeof FREE_TIER;

export function freeTierPool(key: RateKey): FreeTierPool | undefined {
  if (key === 'sfn.transition') return 'sfn.transitions';
  if (key.startsWith('lambda.request.')) return 'lambda.requests';
  if (key.startsWith('lambda.gbSecond.')) return 'lambda.gbSeconds';
  if (key === 'logs.vended.ingestion' || key === 'logs.storage') return 'logs.data';
  return undefined;
}

export interface Charge {
  usage: Decimal;
  /** Usage covered by the free tier. */
  free: Decimal;
  /** What the free part would have cost. */
  freeValue: Decimal;
  cost: Decimal;
  /** Tier prices the billed part fell in (USD per unit as published). */
  tierPrices: string[];
}

/**
 * One account's month: free allowances drawn down in the order charges come,
 * and each rate's tiers continuing from where earlier line items left off.
 */
export class Meter {
  private readonly freeLeft = new Map<FreeTierPool, Decimal>();
  private readonly billed = new Map<RateKey, Decimal>();

  constructor(readonly freeTier: boolean) {
    if (freeTier) for (const [pool, amount] of Object.entries(FREE_TIER)) this.freeLeft.set(pool as FreeTierPool, amount);
  }

  charge(rate: Rate, usage: Decimal): Charge {
    const pool = freeTierPool(rate.key);
    let free = Decimal.ZERO;
    if (pool && this.freeLeft.has(pool)) {
      free = Decimal.min(usage, this.freeLeft.get(pool)!);
      this.freeLeft.set(pool, this.freeLeft.get(pool)!.sub(free));
    }
    const billable = usage.sub(free);
    const from = this.billed.get(rate.key) ?? Decimal.ZERO;
    const to = from.add(billable);
    this.billed.set(rate.key, to);
    const cost = tieredCost(rate, from, to);
    const freeValue = free.isZero() ? Decimal.ZERO : free.mul(pricePerThing(rate.tiers[0].usd, rate));
    const size = Decimal.of(rate.unitSize);
    const tierPrices = rate.tiers
      .filter((tier) => {
        const begin = Decimal.parse(tier.begin).mul(size);
        const end = tier.end === null ? undefined : Decimal.parse(tier.end).mul(size);
        return to.gt(begin) && (end === undefined || from.lt(end));
      })
      .map((tier) => tier.usd);
    return { usage, free, freeValue, cost, tierPrices: tierPrices.length > 0 ? tierPrices : [rate.tiers[0].usd] };
  }
}
