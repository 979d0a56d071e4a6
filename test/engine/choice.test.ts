import { describe, expect, it } from 'vitest';
import type { ChoiceRule, JsonValue } from '../../src/asl/types.js';
import { checkChoiceRule, ChoiceRuleError, compileChoiceRule, compileStringMatches } from '../../src/engine/choice.js';
import { StatesError } from '../../src/engine/errors.js';
import type { EvalScope } from '../../src/engine/scope.js';
import { compareTimestamps, parseTimestamp } from '../../src/engine/timestamp.js';

function scope(input: JsonValue, variables: Record<string, JsonValue> = {}): EvalScope {
  return { input, context: { Execution: { Input: input } }, variables };
}

function holds(rule: ChoiceRule, input: JsonValue, variables: Record<string, JsonValue> = {}): boolean | Promise<boolean> {
  return compileChoiceRule(rule, 'JSONPath')(scope(input, variables));
}

describe('JSONPath comparison operators', () => {
  it('compares strings, numbers and booleans against literals', () => {
    expect(holds({ Variable: '$.s', StringEquals: 'a' }, { s: 'a' })).toBe(true);
    expect(holds({ Variable: '$.s', StringLessThan: 'b' }, { s: 'a' })).toBe(true);
    expect(holds({ Variable: '$.s', StringGreaterThanEquals: '' }, { s: '' })).toBe(true);
    expect(holds({ Variable: '$.s', StringLessThan: '' }, { s: '' })).toBe(false);
    expect(holds({ Variable: '$.n', NumericEquals: 42 }, { n: 42 })).toBe(true);
    expect(holds({ Variable: '$.n', NumericGreaterThan: 0 }, { n: 0 })).toBe(false);
    expect(holds({ Variable: '$.n', NumericLessThanEquals: 0 }, { n: -0.5 })).toBe(true);
    expect(holds({ Variable: '$.b', BooleanEquals: false }, { b: false })).toBe(true);
  });

  it('is false, not an error, when the value has another type', () => {
    expect(holds({ Variable: '$.v', StringEquals: 'HelloWorld' }, { v: 1.1 })).toBe(false);
    expect(holds({ Variable: '$.v', NumericEquals: 1 }, { v: '1' })).toBe(false);
    expect(holds({ Variable: '$.v', BooleanEquals: false }, { v: 1.1 })).toBe(false);
    expect(holds({ Variable: '$.v', TimestampEquals: '2012-10-09T19:00:55Z' }, { v: 1.1 })).toBe(false);
  });

  it('compares with a second value through the …Path forms', () => {
    expect(holds({ Variable: '$.a', NumericGreaterThanEqualsPath: '$.b' }, { a: 0, b: 0 })).toBe(true);
    expect(holds({ Variable: '$.a', StringEqualsPath: '$.b' }, { a: ' ', b: '     ' })).toBe(false);
    expect(holds({ Variable: '$.a', TimestampLessThanPath: '$.b' }, { a: '2012-10-09T19:00:55Z', b: '2012-10-09T19:00:56Z' })).toBe(true);
    expect(holds({ Variable: '$.a', BooleanEqualsPath: '$limit' }, { a: true }, { limit: true })).toBe(true);
  });

  it('orders timestamps by instant, offsets and nanoseconds included', () => {
    expect(holds({ Variable: '$.t', TimestampEquals: '2012-10-09T19:00:55Z' }, { t: '2012-10-09T21:00:55+02:00' })).toBe(true);
    expect(holds({ Variable: '$.t', TimestampGreaterThan: '2016-03-05T21:29:29.243167252Z' }, { t: '2016-03-05T21:29:29.243167253Z' })).toBe(true);
    expect(holds({ Variable: '$.t', TimestampLessThanEquals: '2012-10-09T19:00:55Z' }, { t: 'not a time' })).toBe(false);
  });

  it('matches wildcards, with \\* as a literal star', () => {
    expect(holds({ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-2024.txt' })).toBe(true);
    expect(holds({ Variable: '$.f', StringMatches: '*.txt' }, { f: 'a.csv' })).toBe(false);
    expect(compileStringMatches('a\\*b')('a*b')).toBe(true);
    expect(compileStringMatches('a\\*b')('axb')).toBe(false);
    expect(compileStringMatches('a\\\\*')('a\\anything')).toBe(true);
    expect(compileStringMatches('(x)+[y]')('(x)+[y]')).toBe(true);
  });
});

describe('type tests', () => {
  const input = { n: 1.1, s: 'x', b: false, z: null, t: '2024-01-31T10:00:00.5-05:00' };

  it('test the type of the value, and IsPresent its existence', () => {
    expect(holds({ Variable: '$.n', IsNumeric: true }, input)).toBe(true);
    expect(holds({ Variable: '$.n', IsString: false }, input)).toBe(true);
    expect(holds({ Variable: '$.b', IsBoolean: true }, input)).toBe(true);
    expect(holds({ Variable: '$.z', IsNull: true }, input)).toBe(true);
    expect(holds({ Variable: '$.n', IsNull: false }, input)).toBe(true);
    expect(holds({ Variable: '$.t', IsTimestamp: true }, input)).toBe(true);
    expect(holds({ Variable: '$.s', IsTimestamp: true }, input)).toBe(false);
    expect(holds({ Variable: '$.n', IsPresent: false }, input)).toBe(false);
    expect(holds({ Variable: '$.missing', IsPresent: false }, input)).toBe(true);
  });

  it('other than IsPresent, fail on a missing value as comparisons do', () => {
    expect(() => holds({ Variable: '$.missing', IsNull: false }, input)).toThrow("Invalid path '$.missing': The choice state's condition path references an invalid value.");
  });
});

describe('And, Or, Not', () => {
  it('combine rules, however deep', () => {
    const rule: ChoiceRule = {
      And: [
        { Variable: '$.value', NumericGreaterThanEquals: 20 },
        { Or: [{ Variable: '$.value', NumericLessThan: 30 }, { Not: { Variable: '$.type', StringEquals: 'Private' } }] },
      ],
    };
    expect(holds(rule, { type: 'Private', value: 22 })).toBe(true);
    expect(holds(rule, { type: 'Private', value: 35 })).toBe(false);
    expect(holds(rule, { type: 'Public', value: 35 })).toBe(true);
  });

  it('read the context object and variables', () => {
    expect(holds({ Variable: '$$.Execution.Input.input-value', NumericLessThanEquals: 0 }, { 'input-value': 0 })).toBe(true);
    expect(holds({ Variable: '$limits.max', NumericGreaterThan: 5 }, {}, { limits: { max: 9 } })).toBe(true);
  });
});

describe('errors', () => {
  it("fails with AWS's States.Runtime cause when Variable selects nothing", () => {
    try {
      holds({ Variable: '$.processing_type', StringEquals: 'x' }, {});
      expect.unreachable();
    } catch (error) {
      expect((error as StatesError).error).toBe('States.Runtime');
      expect((error as StatesError).cause).toBe("Invalid path '$.processing_type': The choice state's condition path references an invalid value.");
    }
  });

  it('reports malformed rules at compile time with the field that is wrong', () => {
    expect(checkChoiceRule({ Variable: '$.a', NumericEquals: 'one' }, 'JSONPath', 'Choices[0]')).toEqual([
      { field: 'Choices[0]/NumericEquals', message: 'NumericEquals must be a number' },
    ]);
    expect(checkChoiceRule({ Variable: '$.a', TimestampEquals: '2024-13-01T00:00:00Z' }, 'JSONPath')[0].message).toMatch(/RFC3339/);
    expect(checkChoiceRule({ Variable: '$.a', StringEquals: 'x', NumericEquals: 1 }, 'JSONPath')[0].message).toMatch(/more than one/);
    expect(checkChoiceRule({ Variable: '$.a', Bogus: 1 }, 'JSONPath')[0].message).toMatch(/unknown comparison operator Bogus/);
    expect(checkChoiceRule({ And: [] }, 'JSONPath')[0].message).toMatch(/non-empty/);
    expect(() => compileChoiceRule({ Variable: 'a', IsNull: true }, 'JSONPath')).toThrow(ChoiceRuleError);
  });
});

describe('JSONata conditions', () => {
  it('evaluate Condition against $states.input and variables', async () => {
    const rule = { Condition: "{% $states.input.value >= 20 and $states.input.type = 'Private' and $limit = 3 %}", Next: 'X' };
    const predicate = compileChoiceRule(rule, 'JSONata', 'Choices[0]');
    expect(await predicate({ ...scope({ type: 'Private', value: 22 }, { limit: 3 }), states: { input: { type: 'Private', value: 22 } } })).toBe(true);
    expect(await compileChoiceRule({ Condition: true }, 'JSONata')(scope({}))).toBe(true);
  });

  it('must produce a boolean', async () => {
    const predicate = compileChoiceRule({ Condition: '{% $states.input.name %}' }, 'JSONata', 'Choices[1]');
    await expect(Promise.resolve().then(() => predicate(scope({ name: 'x' })))).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      cause: "The JSONata expression '$states.input.name' specified for the field 'Choices[1]/Condition' returned an unexpected result type. Expected 'boolean', but was 'string' for value: \"x\"",
    });
  });
});

describe('ISO-8601 offset timestamps', () => {
  it('parse with offsets and fractions, and refuse impossible dates', () => {
    expect(parseTimestamp('2016-03-14T01:59:00Z')).toEqual({ seconds: 1457920740, nanos: 0 });
    expect(compareTimestamps(parseTimestamp('2016-03-14T01:59:00Z')!, parseTimestamp('2016-03-14T02:59:00+01:00')!)).toBe(0);
    expect(parseTimestamp('2016-13-05T21:29:29Z')).toBeUndefined();
    expect(parseTimestamp('2016-02-30T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('05-12-2016T21:29:29Z')).toBeUndefined();
    expect(parseTimestamp('2016-03-14T01:59:00')).toBeUndefined();
    expect(parseTimestamp('2016-03-14t01:59z')).toEqual({ seconds: 1457920740, nanos: 0 });
    expect(parseTimestamp('2023-02-24')).toBeUndefined();
  });
});
