import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseProjectConfig, type Project } from '../../src/project/config.js';

/** A one-machine project in `dir`: deliv.yaml, the definition, and tests/<machine>.test.yaml when given. */
export function writeProject(dir: string, machine: string, definition: object, tests?: string, extra: object = {}): Project {
  mkdirSync(path.join(dir, 'statemachines'), { recursive: true });
  mkdirSync(path.join(dir, 'tests'), { recursive: true });
  writeFileSync(path.join(dir, 'statemachines', `${machine}.asl.json`), JSON.stringify(definition, null, 2));
  const config = { name: 'demo', stateMachines: { [machine]: { definition: `statemachines/${machine}.asl.json`, type: 'STANDARD' } }, targets: { local: { kind: 'local' } }, ...extra };
  const file = path.join(dir, 'deliv.yaml');
  writeFileSync(file, stringify(config));
  if (tests !== undefined) writeFileSync(path.join(dir, 'tests', `${machine}.test.yaml`), tests);
  return { root: dir, file, config: parseProjectConfig(stringify(config), file) };
}

/** Pay (retried, caught) → IsBig (Choice) → Ship (callback) | Done; Pay's failures go to Refund. */
export const SHOP = {
  StartAt: 'Pay',
  States: {
    Pay: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'pay', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 30, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['Declined'], ResultPath: '$.error', Next: 'Refund' }],
      Next: 'IsBig',
    },
    IsBig: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.amount', NumericGreaterThan: 100, Next: 'Ship' },
        { Variable: '$.amount', NumericEquals: 0, Next: 'Done' },
      ],
      Default: 'Done',
    },
    Ship: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } },
      HeartbeatSeconds: 60,
      ResultPath: '$.shipment',
      Assign: { 'carrier.$': '$.carrier' },
      Next: 'Done',
    },
    Refund: { Type: 'Pass', Result: 'refunded', ResultPath: '$.refund', Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'PaymentFailed', Cause: 'the payment failed' },
    Done: { Type: 'Succeed' },
  },
};
