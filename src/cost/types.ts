/**
 * The shapes of a cost report (the `deliv cost --json` contract) and of its
 * `--diff`, in a module of their own so that the estimate, the diff and the
 * renderer share them without importing one another.
 */
import type { WorkflowType } from '../asl/types.js';
import type { Decimal } from './decimal.js';
import type { Chart, Estimate } from './estimate.js';
import type { PriceBook } from './prices/types.js';
import type { MachineModel } from './usage/model.js';

export interface PricedMachine {
  name: string;
  file: string;
  declaredType: WorkflowType;
  executionsPerMonth: number;
  transitionsPerExecution: MachineModel['transitions'];
  transitionsSource: 'static' | 'measured';
  measuredExecutions?: number;
  staticTransitions?: MachineModel['transitions'];
  expressMemoryMB: number;
  expressDurationMs: number;
  calls: Array<{ kind: string; name: string; states: string[]; perExecution: number }>;
  /** Set when the machine logs to CloudWatch Logs on AWS: its settings and what one execution writes there. */
  logs?: {
    level: 'ALL' | 'ERROR' | 'FATAL';
    includeExecutionData: boolean;
    retentionInDays?: number;
    events: number;
    bytesPerExecution: number;
    storedBytesPerExecution: number;
    source: 'measured' | 'estimated';
  };
}

export interface CostReport {
  region: string;
  currency: 'USD';
  freeTier: boolean;
  prices: PriceBook['sources'];
  machines: PricedMachine[];
  estimate: Estimate;
  chart?: Chart;
  assumptions: string[];
  warnings: string[];
  /** Set when a budget is given (--max-monthly or cost.maxMonthly). */
  budget?: BudgetVerdict;
  /** Set with --diff: the project at a git ref against the working tree. */
  diff?: CostDiff;
}

export interface BudgetVerdict {
  limit: Decimal;
  /** The as-declared total (the first scenario). */
  total: Decimal;
  over: boolean;
  source: '--max-monthly' | 'cost.maxMonthly';
  /** Line items of that scenario without a price (not in the total): a verdict on the rest only. */
  notPriced: number;
}

export interface MachineDiff {
  name: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  executionsPerMonth: number;
  transitionsBefore?: number;
  transitionsAfter?: number;
  /** Change in expected transitions per execution. */
  transitionsDelta: number;
  /** Step Functions charges of the machine (its share of the free tier), before and after. */
  monthlyBefore: Decimal;
  monthlyAfter: Decimal;
  monthlyDelta: Decimal;
  summary: string;
}

export interface ItemDiff {
  service: string;
  item: string;
  before: Decimal | null;
  after: Decimal | null;
  delta: Decimal;
}

export interface CostDiff {
  ref: string;
  machines: MachineDiff[];
  items: ItemDiff[];
  total: { before: Decimal; after: Decimal; delta: Decimal };
}
