/**
 * SNS and SQS on one port of 127.0.0.1, each in the wire format the current
 * SDK speaks, so that `deploy --create-missing` runs through the real
 * @aws-sdk/client-sns and @aws-sdk/client-sqs (point AWS_ENDPOINT_URL_SNS and
 * AWS_ENDPOINT_URL_SQS at `url`):
 *
 * - SNS: the AWS Query protocol (form-encoded `Action=…&Version=2010-03-31`),
 *   XML answers in the `http://sns.amazonaws.com/doc/2010-03-31/` namespace,
 *   errors as `<ErrorResponse><Error><Code>NotFound</Code>…` with SNS's status
 *   (NotFound 404, AuthorizationError 403, Throttled 429).
 * - SQS: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`), errors as
 *   `{"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message"}` with the
 *   `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender` header
 *   SQS sends for query-compatible clients.
 *
 * `deliv destroy` reads the tags (SNS ListTagsForResource, SQS ListQueueTags)
 * and deletes (DeleteTopic, idempotent as SNS documents it; DeleteQueue).
 *
 * `intercept` answers any call with an error instead (AccessDenied, throttling).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { serveFake } from './fake-server.js';

export interface FakeMessagingCall {
  service: 'sns' | 'sqs';
  action: string;
  /** SNS: the form fields; SQS: the JSON body. */
  body: Record<string, any>;
}

/**
 * `code`: SNS's error code (`AuthorizationError`), or SQS's error type (`QueueDoesNotExist`,
 * or a whole `com.amazon.coral.service#AccessDeniedException`); `queryError` the SQS header's code.
 */
export type FakeMessagingError = { status: number; code: string; message: string; queryError?: string };
export type FakeMessagingInterceptor = (call: FakeMessagingCall, count: number) => FakeMessagingError | undefined;

export interface FakeTopic {
  arn: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface FakeQueue {
  name: string;
  url: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface FakeMessaging {
  url: string;
  calls: FakeMessagingCall[];
  /** By ARN. */
  topics: Map<string, FakeTopic>;
  /** By name. */
  queues: Map<string, FakeQueue>;
  intercept(interceptor: FakeMessagingInterceptor | undefined): void;
  /** Write calls only, as `service:Action`. */
  writes(): string[];
  close(): Promise<void>;
}

const READ = /^(Get|List)/;
const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

export async function startFakeMessaging(options: { account?: string; region?: string } = {}): Promise<FakeMessaging> {
  const account = options.account ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const calls: FakeMessagingCall[] = [];
  const counts = new Map<string, number>();
  const topics = new Map<string, FakeTopic>();
  const queues = new Map<string, FakeQueue>();
  let interceptor: FakeMessagingInterceptor | undefined;

  const intercepted = (call: FakeMessagingCall): FakeMessagingError | undefined => {
    calls.push(call);
    const key = `${call.service}:${call.action}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    return interceptor?.(call, count);
  };

  // ---------------------------------------------------------------- SNS (Query protocol, XML)
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const xml = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(`<?xml version="1.0"?>\n${body}`);
  };
  const snsError = (response: ServerResponse, error: FakeMessagingError) =>
    xml(response, error.status, `<ErrorResponse xmlns="${SNS_NAMESPACE}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${escape(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
  const snsOk = (response: ServerResponse, action: string, result: string) =>
    xml(response, 200, `<${action}Response xmlns="${SNS_NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
  /** `Prefix.N.key`/`Prefix.N.value` (or `Key`/`Value`) pairs of a Query request. */
  const entries = (fields: Record<string, string>, prefix: string, key: string, value: string) => {
    const found: Record<string, string> = {};
    for (let index = 1; fields[`${prefix}.${index}.${key}`] !== undefined; index++) found[fields[`${prefix}.${index}.${key}`]] = fields[`${prefix}.${index}.${value}`];
    return found;
  };

  function sns(response: ServerResponse, fields: Record<string, string>): void {
    const action = fields.Action;
    const failure = intercepted({ service: 'sns', action, body: fields });
    if (failure) return snsError(response, failure);
    const notFound: FakeMessagingError = { status: 404, code: 'NotFound', message: 'Topic does not exist' };
    switch (action) {
      case 'GetTopicAttributes': {
        const topic = topics.get(fields.TopicArn);
        if (!topic) return snsError(response, notFound);
        const attributes = { TopicArn: topic.arn, Owner: account, DisplayName: '', SubscriptionsConfirmed: '0', ...topic.attributes };
        return snsOk(response, action, `<Attributes>${Object.entries(attributes).map(([key, value]) => `<entry><key>${escape(key)}</key><value>${escape(value)}</value></entry>`).join('')}</Attributes>`);
      }
      case 'CreateTopic': {
        const name = fields.Name ?? '';
        const attributes = entries(fields, 'Attributes.entry', 'key', 'value');
        const fifo = attributes.FifoTopic === 'true';
        // SNS's own rules: 1-256 letters, digits, `-` and `_`; a FIFO topic's name ends in `.fifo`, only its.
        if (!/^[\w-]{1,256}$/.test(name.replace(/\.fifo$/, '')) || name.endsWith('.fifo') !== fifo) {
          return snsError(response, { status: 400, code: 'InvalidParameter', message: 'Invalid parameter: Topic Name' });
        }
        const arn = `arn:aws:sns:${region}:${account}:${name}`;
        const existing = topics.get(arn);
        const tags = entries(fields, 'Tags.member', 'Key', 'Value');
        if (existing) {
          // CreateTopic is idempotent, unless the tags differ.
          if (JSON.stringify(existing.tags) !== JSON.stringify(tags)) return snsError(response, { status: 400, code: 'InvalidParameter', message: 'Invalid parameter: Tags Reason: Topic already exists with different tags' });
        } else topics.set(arn, { arn, attributes, tags });
        return snsOk(response, action, `<TopicArn>${arn}</TopicArn>`);
      }
      case 'ListTagsForResource': {
        const topic = topics.get(fields.ResourceArn);
        if (!topic) return snsError(response, { status: 404, code: 'ResourceNotFound', message: 'Resource does not exist' });
        return snsOk(response, action, `<Tags>${Object.entries(topic.tags).map(([key, value]) => `<member><Key>${escape(key)}</Key><Value>${escape(value)}</Value></member>`).join('')}</Tags>`);
      }
      case 'DeleteTopic':
        topics.delete(fields.TopicArn);
        return snsOk(response, action, '');
      default:
        return snsError(response, { status: 400, code: 'InvalidAction', message: `Could not find operation ${action}` });
    }
  }

  // ---------------------------------------------------------------- SQS (JSON 1.0)
  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
    response.end(JSON.stringify(body));
  };
  const sqsError = (response: ServerResponse, error: FakeMessagingError) =>
    json(response, error.status, { __type: error.code.includes('#') ? error.code : `com.amazonaws.sqs#${error.code}`, message: error.message }, { 'x-amzn-query-error': `${error.queryError ?? error.code.split('#').at(-1)};Sender` });
  const nonExistent: FakeMessagingError = { status: 400, code: 'QueueDoesNotExist', message: 'The specified queue does not exist.', queryError: 'AWS.SimpleQueueService.NonExistentQueue' };
  const queueOf = (url: string | undefined) => [...queues.values()].find((queue) => queue.url === url);

  function sqs(response: ServerResponse, action: string, body: Record<string, any>): void {
    const failure = intercepted({ service: 'sqs', action, body });
    if (failure) return sqsError(response, failure);
    switch (action) {
      case 'GetQueueUrl': {
        const queue = queues.get(body.QueueName);
        if (!queue || (body.QueueOwnerAWSAccountId && body.QueueOwnerAWSAccountId !== account)) return sqsError(response, nonExistent);
        return json(response, 200, { QueueUrl: queue.url });
      }
      case 'CreateQueue': {
        const name = String(body.QueueName ?? '');
        const attributes: Record<string, string> = body.Attributes ?? {};
        const fifo = attributes.FifoQueue === 'true';
        // SQS's own rules: 1-80 letters, digits, `-` and `_`, `.fifo` exactly on FIFO queues.
        if (!/^[\w-]{1,75}$/.test(name.replace(/\.fifo$/, '')) || name.endsWith('.fifo') !== fifo) {
          return sqsError(response, { status: 400, code: 'InvalidParameterValue', message: `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`, queryError: 'InvalidParameterValue' });
        }
        const existing = queues.get(name);
        if (existing) {
          if (JSON.stringify(existing.attributes) !== JSON.stringify(attributes)) return sqsError(response, { status: 400, code: 'QueueNameExists', message: 'A queue already exists with the same name and a different value for attribute FifoQueue', queryError: 'QueueAlreadyExists' });
          return json(response, 200, { QueueUrl: existing.url });
        }
        const created = { name, url: `https://sqs.${region}.amazonaws.com/${account}/${name}`, attributes, tags: body.tags ?? {} };
        queues.set(name, created);
        return json(response, 200, { QueueUrl: created.url });
      }
      case 'ListQueueTags': {
        const queue = queueOf(body.QueueUrl);
        if (!queue) return sqsError(response, nonExistent);
        return json(response, 200, { Tags: queue.tags });
      }
      case 'DeleteQueue': {
        const queue = queueOf(body.QueueUrl);
        if (!queue) return sqsError(response, nonExistent);
        queues.delete(queue.name);
        return json(response, 200, {});
      }
      default:
        return sqsError(response, { status: 400, code: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown operation ${action}`, queryError: 'UnknownOperation' });
    }
  }

  const server = await serveFake((request, response, text) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target.startsWith('AmazonSQS.')) {
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) throw new Error(`SQS wants application/x-amz-json-1.0, got ${request.headers['content-type']}`);
      return sqs(response, target.slice('AmazonSQS.'.length), text ? JSON.parse(text) : {});
    }
    const fields = Object.fromEntries(new URLSearchParams(text).entries());
    if (fields.Version !== '2010-03-31') throw new Error(`not an SNS Query request: ${text.slice(0, 80)}`);
    sns(response, fields);
  });
  return {
    url: server.url,
    calls,
    topics,
    queues,
    intercept: (next) => {
      interceptor = next;
      counts.clear();
    },
    writes: () => calls.filter((call) => !READ.test(call.action)).map((call) => `${call.service}:${call.action}`),
    close: server.close,
  };
}
