/**
 * The SNS topics and SQS queues a project's machines publish and send to.
 * deliv.yaml names them (a substitution such as `${CustomerMessagesTopicArn}`);
 * with `deploy --create-missing` the ones absent from the target's account and
 * Region are created, tagged `deliv:project`, before any machine that uses them.
 * Without the flag they are listed in the plan and not looked up, so a deploy
 * makes no SNS or SQS call the user did not ask for. `deliv destroy` deletes
 * the ones tagged with the project's name.
 *
 * The resources come from the same reading of the definition as the machine's
 * role (the policy's grants), so what deploy creates is what the role may use.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StateMachineDefinition } from '../asl/types.js';
import { parseArn, type ArnScope } from '../aws/arn.js';
import { PROJECT_TAG } from '../project/names.js';
import { machinePolicy } from './policy.js';

export type MessagingKind = 'topic' | 'queue';

/**
 * `create`: absent, deploy creates it; `exists`; `unchecked`: not looked up
 * (no --create-missing); `elsewhere`: in another account or Region than the
 * target's, so deliv leaves it alone.
 */
export type MessagingChange = 'create' | 'exists' | 'unchecked' | 'elsewhere';

export interface MessagingPlan {
  kind: MessagingKind;
  name: string;
  /** The topic's ARN, or the queue's. */
  arn: string;
  /** A FIFO topic or queue (its name ends in `.fifo`): created as one. */
  fifo: boolean;
  /** `machine.State` of every Task that uses it. */
  usedBy: string[];
  change: MessagingChange;
  /** The write calls applying the plan makes. */
  calls: string[];
  /** The queue's URL, once it is known to exist. */
  url?: string;
  /** Why it is left alone (`elsewhere`). */
  reason?: string;
}

const KINDS: Record<string, MessagingKind> = { sns: 'topic', sqs: 'queue' };

/** SNS's and SQS's own naming rules: letters, digits, `-` and `_`, `.fifo` on a FIFO one (an SNS endpoint ARN is not a topic). */
const NAME = /^[\w-]{1,256}(\.fifo)?$/;

/** `${AWS::AccountId}` and its kind: a template's account and Region, not a value to be filled. */
const PSEUDO_PARAMETER = /\$\{AWS::[A-Za-z]+\}/g;

/**
 * Every topic and queue the definitions name exactly (a resource chosen at run
 * time, `TopicArn.$`, cannot be created ahead), once each, with who uses it:
 * read from the grants of the machine's policy, so the optimized integrations
 * (`sns:publish`, `sqs:sendMessage`, with `.waitForTaskToken`) and the aws-sdk
 * ones (`aws-sdk:sqs:getQueueAttributes`) count alike. `scope` is where deliv
 * may create them: the target's account and Region, or a template's
 * pseudo-parameters (`${AWS::AccountId}` is in scope for any account).
 */
export function referencedMessaging(machines: Array<{ machine: string; definition: StateMachineDefinition }>, scope: ArnScope): MessagingPlan[] {
  const found = new Map<string, MessagingPlan>();
  const inScope = (value: string, own: string) => value === own || value.startsWith('${AWS::');
  for (const { machine, definition } of machines) {
    for (const grant of machinePolicy(definition, { ...scope, machineName: machine }).grants) {
      // A machine that deletes a topic or queue is no reason to create it.
      if (grant.actions.every((action) => /^(sns|sqs):Delete/.test(action))) continue;
      for (const resource of grant.resources) {
        const arn = parseArn(resource);
        const kind = arn ? KINDS[arn.service] : undefined;
        if (!arn || !kind || !grant.actions.some((action) => action.startsWith(`${arn.service}:`))) continue;
        if (/[*${}]/.test(resource.replace(PSEUDO_PARAMETER, '')) || !NAME.test(arn.resource)) continue;
        const entry = found.get(resource) ?? { kind, name: arn.resource, arn: resource, fifo: arn.resource.endsWith('.fifo'), usedBy: [], change: 'unchecked', calls: [] };
        if (!entry.usedBy.includes(`${machine}.${grant.source}`)) entry.usedBy.push(`${machine}.${grant.source}`);
        if (!inScope(arn.account, scope.account) || !inScope(arn.region, scope.region)) {
          entry.change = 'elsewhere';
          entry.reason = `it is in account ${arn.account}, ${arn.region}; deliv creates ${kind}s only in the target's (${scope.account}, ${scope.region})`;
        }
        found.set(resource, entry);
      }
    }
  }
  return [...found.values()];
}

/** Looks each resource of the target's account and Region up; the absent ones are to be created. Reads only. */
export async function checkMessaging(resources: MessagingPlan[], clients: { sns: () => Promise<SNSClient>; sqs: () => Promise<SQSClient> }): Promise<void> {
  for (const resource of resources.filter((candidate) => candidate.change === 'unchecked')) {
    if (resource.kind === 'topic') {
      const { GetTopicAttributesCommand } = await import('@aws-sdk/client-sns');
      const exists = await (await clients.sns()).send(new GetTopicAttributesCommand({ TopicArn: resource.arn })).then(() => true, absentWhen('NotFoundException'));
      Object.assign(resource, exists ? { change: 'exists' } : { change: 'create', calls: ['sns:CreateTopic'] });
    } else {
      const { GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
      const account = parseArn(resource.arn)!.account;
      const url = await (await clients.sqs()).send(new GetQueueUrlCommand({ QueueName: resource.name, QueueOwnerAWSAccountId: account })).then((found) => found.QueueUrl ?? '', absentWhen('QueueDoesNotExist'));
      Object.assign(resource, url !== false ? { change: 'exists', url } : { change: 'create', calls: ['sqs:CreateQueue'] });
    }
  }
}

/** `false` for the errors that mean "no such resource"; any other error goes on. */
function absentWhen(...names: string[]) {
  return (error: unknown): false => {
    if (names.includes((error as { name?: string }).name ?? '')) return false;
    throw error;
  };
}

/** A topic or queue `deliv destroy` deletes: one of the project's, tagged `deliv:project` with its name. */
export interface OwnedMessaging {
  kind: MessagingKind;
  name: string;
  arn: string;
  /** The queue's URL (DeleteQueue takes it). */
  url?: string;
}

/**
 * Which of these topics and queues deliv created for `project`: those of the
 * target's account and Region that exist and carry its `deliv:project` tag
 * (SNS ListTagsForResource, SQS GetQueueUrl then ListQueueTags). Reads only; a
 * topic or queue of the same name that someone else made is not the project's.
 */
export async function ownedMessaging(resources: MessagingPlan[], project: string, clients: { sns: () => Promise<SNSClient>; sqs: () => Promise<SQSClient> }): Promise<OwnedMessaging[]> {
  const owned: OwnedMessaging[] = [];
  for (const resource of resources.filter((candidate) => candidate.change !== 'elsewhere')) {
    if (resource.kind === 'topic') {
      const { ListTagsForResourceCommand } = await import('@aws-sdk/client-sns');
      // SNS answers ResourceNotFound (404) for a topic that does not exist.
      const tags = await (await clients.sns()).send(new ListTagsForResourceCommand({ ResourceArn: resource.arn })).then((found) => found.Tags ?? [], absentWhen('ResourceNotFoundException', 'NotFoundException'));
      if (tags && tags.some((tag) => tag.Key === PROJECT_TAG && tag.Value === project)) owned.push({ kind: 'topic', name: resource.name, arn: resource.arn });
    } else {
      const { GetQueueUrlCommand, ListQueueTagsCommand } = await import('@aws-sdk/client-sqs');
      const sqs = await clients.sqs();
      const url = await sqs.send(new GetQueueUrlCommand({ QueueName: resource.name, QueueOwnerAWSAccountId: parseArn(resource.arn)!.account })).then((found) => found.QueueUrl, absentWhen('QueueDoesNotExist'));
      if (!url) continue;
      const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
      if (Tags?.[PROJECT_TAG] === project) owned.push({ kind: 'queue', name: resource.name, arn: resource.arn, url });
    }
  }
  return owned;
}

/** DeleteTopic (with its subscriptions) or DeleteQueue (with its messages); one already gone is no error, as SNS and SQS treat it. */
export async function deleteMessaging(resource: OwnedMessaging, clients: { sns: () => Promise<SNSClient>; sqs: () => Promise<SQSClient> }): Promise<void> {
  if (resource.kind === 'topic') {
    const { DeleteTopicCommand } = await import('@aws-sdk/client-sns');
    await (await clients.sns()).send(new DeleteTopicCommand({ TopicArn: resource.arn }));
  } else {
    const { DeleteQueueCommand } = await import('@aws-sdk/client-sqs');
    await (await clients.sqs()).send(new DeleteQueueCommand({ QueueUrl: resource.url })).catch(absentWhen('QueueDoesNotExist'));
  }
}

/** Creates one absent topic or queue, tagged for `deliv destroy`; a FIFO name gets a FIFO resource. */
export async function createMessaging(resource: MessagingPlan, project: string, clients: { sns: () => Promise<SNSClient>; sqs: () => Promise<SQSClient> }): Promise<void> {
  if (resource.kind === 'topic') {
    const { CreateTopicCommand } = await import('@aws-sdk/client-sns');
    const created = await (await clients.sns()).send(new CreateTopicCommand({
      Name: resource.name,
      Attributes: resource.fifo ? { FifoTopic: 'true' } : undefined,
      Tags: [{ Key: PROJECT_TAG, Value: project }],
    }));
    if (created.TopicArn) resource.arn = created.TopicArn;
  } else {
    const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
    const created = await (await clients.sqs()).send(new CreateQueueCommand({
      QueueName: resource.name,
      Attributes: resource.fifo ? { FifoQueue: 'true' } : undefined,
      tags: { [PROJECT_TAG]: project },
    }));
    resource.url = created.QueueUrl;
  }
}
