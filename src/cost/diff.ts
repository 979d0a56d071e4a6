/** Placeholder replaced below. */
export interface CostDiff {
  ref: string;
}
