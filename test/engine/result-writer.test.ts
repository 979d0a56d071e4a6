/**
 * ResultWriter in the engine alone (as `deliv test` runs a machine, with no
 * Map Run host): the runner gets the result files formatted as AWS documents
 * them and the Map's output is `{ MapRunArn, ResultWriterDetails }`.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import type { ResultWriteRequest } from '../../src/engine/index.js';
import { compile, TaskFailure, virtualClock } from '../../src/engine/index.js';
import { resultKey } from '../../src/engine/result-writer.js';

function machine(writer: Record<string, unknown>): StateMachineDefinition {
  return {
    QueryLanguage: 'JSONata',
    StartAt: 'Scores',
    States: {
      Scores: {
        Type: 'Map',
        Items: '{% $states.input.players %}',
        ToleratedFailurePercentage: 50,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'Check',
          States: {
            Check: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.score >= 0 %}', Next: 'Keep' }], Default: 'Bad' },
            Keep: { Type: 'Pass', Output: '{% [$states.input.name, $states.input.score] %}', End: true },
            Bad: { Type: 'Fail', Error: 'Score.Negative', Cause: 'below zero' },
          },
        },
        ResultWriter: writer,
        End: true,
      },
    },
  } as unknown as StateMachineDefinition;
}

async function run(writer: Record<string, unknown>) {
  const compiled = compile(machine(writer));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const requests: ResultWriteRequest[] = [];
  const result = await compiled.machine.start({
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:league:week-1',
    name: 'week-1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:league',
    stateMachineName: 'league',
    roleArn: 'arn:aws:iam::123456789012:role/league',
    input: { players: [{ name: 'ada', score: 3 }, { name: 'bob', score: -1 }, { name: 'cy', score: 5 }], bucket: 'league-results' },
    clock: virtualClock(),
    runner: {
      run: () => Promise.reject(new TaskFailure('NoRunner', 'no task expected')),
      writeResults: (request) => {
        requests.push(request);
        return Promise.resolve({ Bucket: request.bucket, Key: resultKey(request.prefix, request.mapRunArn, 'manifest.json') });
      },
    },
  }).result;
  return { result, requests };
}

describe('ResultWriter without a Map Run host', () => {
  it('hands the runner the files by status (COMPACT outputs, a failure whole) from Arguments, and returns where they went', async () => {
    const { result, requests } = await run({
      Resource: 'arn:aws:states:::s3:putObject',
      Arguments: { Bucket: '{% $states.input.bucket %}', Prefix: 'weekly/' },
      WriterConfig: { Transformation: 'COMPACT', OutputType: 'JSON' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ resource: 'arn:aws:states:::s3:putObject', bucket: 'league-results', prefix: 'weekly/', outputType: 'JSON' });
    expect(request.mapRunArn).toMatch(/^arn:aws:states:us-east-1:123456789012:mapRun:league\/Scores:/);
    expect(request.files.SUCCEEDED).toEqual([['ada', 3], ['cy', 5]]);
    expect(request.files.FAILED).toEqual([{ Cause: 'below zero', Error: 'Score.Negative', Input: '{"name":"bob","score":-1}', InputDetails: { Included: true }, OutputDetails: { Included: true }, Status: 'FAILED' }]);
    expect(request.files.PENDING).toEqual([]);
    const id = request.mapRunArn.slice(request.mapRunArn.lastIndexOf(':') + 1);
    // A Prefix ending in '/' gets no second one.
    expect(result.output).toEqual({ MapRunArn: request.mapRunArn, ResultWriterDetails: { Bucket: 'league-results', Key: `weekly/${id}/manifest.json` } });
  });

  it('fails with States.ResultWriterFailed when the Parameters name no Bucket', async () => {
    const { result, requests } = await run({ Resource: 'arn:aws:states:::s3:putObject', Arguments: { Prefix: 'weekly' } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.ResultWriterFailed' });
    expect(requests).toEqual([]);
  });
});
