/** State machines the benches share, so their figures measure the same work. */

/** Five states of Pass and Choice: a small Standard workflow with no Task. */
export const FIVE_STATES = {
  StartAt: 'Receive',
  States: {
    Receive: { Type: 'Pass', ResultPath: '$.received', Result: true, Next: 'Price' },
    Price: { Type: 'Pass', Parameters: { 'order.$': '$.order', 'count.$': 'States.ArrayLength($.items)' }, Next: 'Route' },
    Route: { Type: 'Choice', Choices: [{ Variable: '$.count', NumericGreaterThan: 2, Next: 'Bulk' }], Default: 'Bulk' },
    Bulk: { Type: 'Pass', Result: 'bulk', ResultPath: '$.lane', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
