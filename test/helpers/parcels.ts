/** A small machine the SFN-reading tests run: `{ ok: false }` fails in Refuse with Parcel.Refused, else Route adds `hub: 'LHR'`. */
export const PARCELS_DEFINITION = {
  StartAt: 'Check',
  States: {
    Check: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'Refuse' }], Default: 'Route' },
    Route: { Type: 'Pass', Result: 'LHR', ResultPath: '$.hub', End: true },
    Refuse: { Type: 'Fail', Error: 'Parcel.Refused', Cause: 'no route' },
  },
};
