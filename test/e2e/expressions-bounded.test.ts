/**
 * No expression can hold the event loop: each case runs on the built engine in
 * a child process with a deadline, so a regression (a backtracking regex, an
 * unbounded JSONata loop) fails the test instead of hanging the suite.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const ENGINE = path.join(REPO_ROOT, 'dist/engine/index.js');
const JSONATA = path.join(REPO_ROOT, 'dist/engine/jsonata.js');

interface Outcome {
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** Runs `definition` on `input` in a fresh node, killed after `deadlineMs`; undefined when it had to be killed. */
function runBounded(definition: object, input: unknown, options: { deadlineMs?: number; jsonataTimeoutMs?: number } = {}): Outcome | undefined {
  const script = `
    import { compile, execute } from ${JSON.stringify(ENGINE)};
    import { JSONATA_LIMITS } from ${JSON.stringify(JSONATA)};
    ${options.jsonataTimeoutMs ? `JSONATA_LIMITS.timeoutMs = ${options.jsonataTimeoutMs};` : ''}
    const compiled = compile(${JSON.stringify(definition)});
    if (!compiled.ok) { console.log(JSON.stringify({ status: 'INVALID', cause: JSON.stringify(compiled.problems) })); process.exit(0); }
    const result = await execute(compiled.machine, {
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:e', name: 'e',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', stateMachineName: 'm', roleArn: 'arn:aws:iam::123456789012:role/r',
      input: ${JSON.stringify(input)}, runner: { run: async () => null },
    });
    console.log(JSON.stringify(result));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: options.deadlineMs ?? 15_000 });
  if (child.status !== 0) {
    if (child.signal) return undefined;
    throw new Error(child.stderr);
  }
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Outcome;
}

const evil = 'a'.repeat(5_000) + '!';

describe('regular expressions in definitions run in linear time', () => {
  it('a JSONPath filter with a catastrophic pattern answers at once', () => {
    const definition = { StartAt: 'Pick', States: { Pick: { Type: 'Pass', Parameters: { 'hits.$': '$.items[?(@.name =~ /^(a+)+$/)]' }, End: true } } };
    const outcome = runBounded(definition, { items: [{ name: evil }, { name: 'aaa' }] });
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { hits: [{ name: 'aaa' }] } });
  });

  it("JSONata's $match, $contains and $replace with a catastrophic pattern answer at once", () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Check',
      States: { Check: { Type: 'Pass', Output: '{% { "contains": $contains($states.input.s, /^(a|aa)+$/), "match": $count($match($states.input.s, /(a+)+b/)), "replace": $length($replace($states.input.s, /(a*)*!/, "")) } %}', End: true } },
    };
    const outcome = runBounded(definition, { s: evil });
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { contains: false, match: 0, replace: 0 } });
  });

  it('a Choice StringMatches with many stars answers at once', () => {
    const definition = {
      StartAt: 'Route',
      States: {
        Route: { Type: 'Choice', Choices: [{ Variable: '$.s', StringMatches: '*a*a*a*a*a*a*a*a*a*a*b', Next: 'Yes' }], Default: 'No' },
        Yes: { Type: 'Succeed' },
        No: { Type: 'Pass', Result: 'no match', End: true },
      },
    };
    expect(runBounded(definition, { s: evil })).toMatchObject({ status: 'SUCCEEDED', output: 'no match' });
  });
});

describe('JSONata evaluation is bounded in time and depth', () => {
  it('unbounded recursion fails the state with States.QueryEvaluationError', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'Loop', States: { Loop: { Type: 'Pass', Output: '{% ($f := function($n) { $f($n + 1) + 1 }; $f(0)) %}', End: true } } };
    const outcome = runBounded(definition, {});
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(outcome?.cause).toContain('D1011');
  });

  it('a long-running evaluation is stopped at the time limit with States.QueryEvaluationError', () => {
    const definition = { QueryLanguage: 'JSONata', StartAt: 'Spin', States: { Spin: { Type: 'Pass', Output: '{% $sum($map($range(1, 1000000, 1), function($v) { $v * 2 })) %}', End: true } } };
    const outcome = runBounded(definition, {}, { jsonataTimeoutMs: 100 });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(outcome?.cause).toContain('D1012');
  });

  it('can be caught like any other error', () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Loop',
      States: {
        Loop: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Arguments: { FunctionName: 'f', Payload: '{% ($f := function($n) { $f($n + 1) + 1 }; $f(0)) %}' },
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Next: 'Recovered' }],
          End: true,
        },
        Recovered: { Type: 'Pass', Output: '{% "recovered from " & $states.input.Error %}', End: true },
      },
    };
    expect(runBounded(definition, {})).toMatchObject({ status: 'SUCCEEDED', output: 'recovered from States.QueryEvaluationError' });
  });
});

describe('a regular expression RE2 cannot run', () => {
  it('is refused when the definition is compiled, saying why', () => {
    const definition = { StartAt: 'Pick', States: { Pick: { Type: 'Pass', Parameters: { 'hits.$': '$.items[?(@.name =~ /(a)\\1/)]' }, End: true } } };
    const outcome = runBounded(definition, { items: [] });
    expect(outcome?.status).toBe('INVALID');
    expect(outcome?.cause).toContain('linear-time engine');
  });
});
