/**
 * Which SNS topics and SQS queues a project's machines use, as `deploy
 * --create-missing`, `deliv destroy` and the SAM/CloudFormation export read
 * them: from the grants of the machine's policy, whatever integration names them.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { PSEUDO_SCOPE } from '../../src/aws/arn.js';
import { referencedMessaging } from '../../src/deploy/messaging.js';

const SCOPE = { partition: 'aws', region: 'eu-west-1', account: '111122223333' };
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/escalations';

function machine(states: Record<string, Record<string, unknown>>): StateMachineDefinition {
  const names = Object.keys(states);
  return {
    StartAt: names[0],
    States: Object.fromEntries(names.map((name, index) => [name, { Type: 'Task', ...states[name], ...(index === names.length - 1 ? { End: true } : { Next: names[index + 1] }) }])),
  } as unknown as StateMachineDefinition;
}

const summary = (definition: StateMachineDefinition, scope = SCOPE) =>
  referencedMessaging([{ machine: 'desk', definition }], scope).map(({ kind, name, arn, fifo, usedBy, change }) => ({ kind, name, arn, fifo, usedBy, change }));

describe('the topics and queues a machine uses', () => {
  it('reads the aws-sdk integrations as the optimized ones, one entry per resource with every state using it', () => {
    const definition = machine({
      Publish: { Resource: 'arn:aws:states:::aws-sdk:sns:publish', Parameters: { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts.fifo', 'Message.$': '$', MessageGroupId: 'a' } },
      Send: { Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: QUEUE_URL, 'MessageBody.$': '$' } },
      Depth: { Resource: 'arn:aws:states:::aws-sdk:sqs:getQueueAttributes', Parameters: { QueueUrl: QUEUE_URL, AttributeNames: ['All'] } },
    });
    expect(summary(definition)).toEqual([
      { kind: 'topic', name: 'alerts.fifo', arn: 'arn:aws:sns:eu-west-1:111122223333:alerts.fifo', fifo: true, usedBy: ['desk.Publish'], change: 'unchecked' },
      { kind: 'queue', name: 'escalations', arn: 'arn:aws:sqs:eu-west-1:111122223333:escalations', fifo: false, usedBy: ['desk.Send', 'desk.Depth'], change: 'unchecked' },
    ]);
  });

  it('leaves out what is not a topic or queue to create: a mobile endpoint, one chosen at run time, one the machine only deletes', () => {
    const definition = machine({
      Push: { Resource: 'arn:aws:states:::sns:publish', Parameters: { TargetArn: 'arn:aws:sns:eu-west-1:111122223333:endpoint/GCM/app/5c9d0e0a-aaaa-bbbb-cccc-123456789012', 'Message.$': '$' } },
      Route: { Resource: 'arn:aws:states:::aws-sdk:sns:publish', Parameters: { 'TopicArn.$': '$.topic', 'Message.$': '$' } },
      Drop: { Resource: 'arn:aws:states:::aws-sdk:sqs:deleteQueue', Parameters: { QueueUrl: QUEUE_URL } },
    });
    expect(summary(definition)).toEqual([]);
  });

  it('counts a template\'s pseudo-parameters as the stack\'s own account and Region', () => {
    const definition = machine({ Publish: { Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'arn:aws:sns:eu-west-1:${AWS::AccountId}:orders', 'Message.$': '$' } } });
    expect(summary(definition, { ...PSEUDO_SCOPE, region: 'eu-west-1' })).toMatchObject([{ name: 'orders', arn: 'arn:aws:sns:eu-west-1:${AWS::AccountId}:orders', change: 'unchecked' }]);
    expect(summary(definition, { ...PSEUDO_SCOPE, region: 'us-east-2' })).toMatchObject([{ name: 'orders', change: 'elsewhere' }]);
  });
});
