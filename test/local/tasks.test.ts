/**
 * The emulator's task runner on its own: project handlers (TypeScript compiled
 * on load), Lambda error shapes, timeouts, mocks by test case and attempt,
 * callbacks through stored tokens, and ItemReader over local files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/asl/types.js';
import { TaskFailure, type TaskRequest } from '../../src/engine/types.js';
import { LambdaHost } from '../../src/local/lambda.js';
import { MockFile } from '../../src/local/mocks.js';
import { Store } from '../../src/local/store.js';
import { LocalTaskRunner } from '../../src/local/tasks.js';
import { taskTokenKey, TokenBroker } from '../../src/local/tokens.js';
import { taskTokenFor } from '../../src/engine/index.js';
import { parseCsv } from '../../src/local/items.js';
import { tempDir } from '../helpers/cli.js';

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:orders:run-1';
let root: string;
let cleanup: () => void;
let store: Store;
let runner: LocalTaskRunner;
let tokens: TokenBroker;
let testCase: string | undefined;

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('deliv-tasks-'));
  mkdirSync(path.join(root, 'functions'));
  writeFileSync(path.join(root, 'functions/lib.ts'), 'export const total = (items: { price: number }[]): number => items.reduce((sum, item) => sum + item.price, 0);\n');
  writeFileSync(
    path.join(root, 'functions/price.ts'),
    "import { total } from './lib';\nexport const handler = async (event: { items: { price: number }[] }, context: { functionName: string }) => ({ total: total(event.items), fn: context.functionName });\n",
  );
  writeFileSync(
    path.join(root, 'functions/reject.mjs'),
    "class CardDeclined extends Error { constructor(m) { super(m); this.name = 'CardDeclined'; } }\nexport const handler = async () => { throw new CardDeclined('card 4242 declined'); };\n",
  );
  writeFileSync(path.join(root, 'functions/slow.js'), 'export const handler = () => new Promise((resolve) => setTimeout(() => resolve("late"), 5000));\n');
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(
    path.join(root, 'mocks.json'),
    JSON.stringify({
      StateMachines: {
        orders: { TestCases: { Default: { Notify: 'NotifyOk' }, Flaky: { Charge: 'ChargeFlaky' } } },
      },
      MockedResponses: {
        NotifyOk: { '0': { Return: { MessageId: 'm-1' } } },
        ChargeFlaky: { '0-1': { Throw: { Error: 'Payment.Unavailable', Cause: 'try later' } }, '2': { Return: { charged: true } } },
      },
    }),
  );
  writeFileSync(path.join(root, 'items.csv'), 'id,name\n1,"Smith, Jo"\n2,"say ""hi"""\n');
  writeFileSync(path.join(root, 'items.jsonl'), '{"id":1}\n{"id":2}\n\n');
  store = new Store(path.join(root, '.deliv'));
  tokens = new TokenBroker(store);
  const mocks = new MockFile(path.join(root, 'mocks.json'));
  runner = new LocalTaskRunner({
    root,
    functions: () => ({
      price: { handler: 'functions/price.ts' },
      reject: { handler: 'functions/reject.mjs' },
      slow: { handler: 'functions/slow.js', timeoutSeconds: 0.2 },
    }),
    mocks,
    lambda: new LambdaHost(root, path.join(root, '.deliv/cache'), { region: 'us-east-1', account: '123456789012' }),
    tokens,
    nested: {
      start: () => {
        throw new Error('not used');
      },
      waitFor: () => Promise.reject(new Error('not used')),
      stop: () => {},
    },
    executionInfo: () => ({ machineName: 'orders', testCase: mocks.testCaseFor('orders', testCase) }),
  });
});

afterAll(() => {
  store.close();
  cleanup();
});

function request(resource: string, parameters: JsonValue, extra: Partial<TaskRequest> = {}): TaskRequest {
  const pattern = resource.endsWith('.waitForTaskToken') ? 'waitForTaskToken' : 'request-response';
  return {
    resource,
    baseResource: resource.replace(/\.(waitForTaskToken|sync(:2)?)$/, ''),
    pattern,
    parameters,
    stateName: 'Price',
    context: {},
    attempt: 0,
    executionArn: EXECUTION,
    signal: new AbortController().signal,
    heartbeat: () => {},
    submitted: () => {},
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<TaskFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TaskFailure) return error;
    throw error;
  }
  throw new Error('expected a TaskFailure');
}

describe('project Lambda handlers', () => {
  it('runs a TypeScript handler (with its imports) for a bare function ARN and returns the payload', async () => {
    const result = await runner.run(request('arn:aws:lambda:us-east-1:123456789012:function:price', { items: [{ price: 2 }, { price: 3 }] }));
    expect(result).toEqual({ total: 5, fn: 'price' });
  });

  it('wraps the payload in the lambda:invoke envelope', async () => {
    const result = (await runner.run(request('arn:aws:states:::lambda:invoke', { FunctionName: 'price:$LATEST', Payload: { items: [{ price: 1 }] } }))) as Record<string, unknown>;
    expect(result).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: { total: 1, fn: 'price' } });
    expect(result.SdkHttpMetadata).toMatchObject({ HttpStatusCode: 200 });
  });

  it("reports a thrown error as Lambda's function error: Error = its name, Cause = Lambda's error JSON", async () => {
    const error = await failure(runner.run(request('arn:aws:states:::lambda:invoke', { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:reject' })));
    expect(error.error).toBe('CardDeclined');
    const cause = JSON.parse(error.cause!) as { errorMessage: string; errorType: string; trace: string[] };
    expect(cause).toMatchObject({ errorMessage: 'card 4242 declined', errorType: 'CardDeclined' });
    expect(cause.trace[0]).toBe('CardDeclined: card 4242 declined');
  });

  it('times a handler out after its timeoutSeconds with States.Timeout', async () => {
    const error = await failure(runner.run(request('arn:aws:lambda:us-east-1:123456789012:function:slow', {})));
    expect(error.error).toBe('States.Timeout');
  });

  it('fails an unmapped function or service with a cause that says how to map it', async () => {
    const fn = await failure(runner.run(request('arn:aws:lambda:us-east-1:123456789012:function:ghost', {})));
    expect(fn.error).toBe('Lambda.ResourceNotFoundException');
    expect(fn.cause).toMatch(/functions\.ghost\.handler/);
    const sns = await failure(runner.run(request('arn:aws:states:::sns:publish', { Message: 'hi' }, { stateName: 'Publish' })));
    expect(sns.cause).toMatch(/does not serve sns:publish .*Mock it/);
  });
});

describe('mocks', () => {
  it('serves the Default test case when the execution names none', async () => {
    testCase = undefined;
    expect(await runner.run(request('arn:aws:states:::sns:publish', {}, { stateName: 'Notify' }))).toEqual({ MessageId: 'm-1' });
  });

  it('throws and returns by invocation ranges under a named test case', async () => {
    testCase = 'Flaky';
    const charge = () => runner.run(request('arn:aws:states:::dynamodb:putItem', {}, { stateName: 'Charge', executionArn: `${EXECUTION}-flaky` }));
    expect((await failure(charge())).error).toBe('Payment.Unavailable');
    expect((await failure(charge())).cause).toBe('try later');
    expect(await charge()).toEqual({ charged: true });
    testCase = undefined;
  });
});

describe('callbacks', () => {
  /** Tokens as the engine makes them (an HMAC under the data dir's key), one per name. */
  const tokenOf = (name: string) => taskTokenFor(Buffer.alloc(32, 1), `${EXECUTION}:${name}`, 2, 0);

  it('waits for SendTaskSuccess on the token, which works only once', async () => {
    const token = tokenOf('success');
    const unserved = tokenOf('unserved');
    const waiting = runner.run(request('arn:aws:states:::sqs:sendMessage.waitForTaskToken', {}, { stateName: 'Approve', taskToken: unserved }));
    // sqs is not served, so the callback task fails and its token stops waiting; a mocked or served one waits:
    await expect(waiting).rejects.toBeInstanceOf(TaskFailure);
    expect(tokens.waiting().map((row) => row.token)).not.toContain(unserved);
    expect(() => tokens.succeed(unserved, '{}')).toThrow(/Task Timed Out/);

    const served = tokens.wait(request('arn:aws:states:::sqs:sendMessage.waitForTaskToken', {}, { stateName: 'Approve', taskToken: token }));
    expect(tokens.waiting().map((row) => row.token)).toContain(token);
    tokens.succeed(token, '{"approved":true}');
    expect(await served).toEqual({ approved: true });
    expect(() => tokens.succeed(token, '{}')).toThrow(/Task Timed Out/);
    // A token never issued is InvalidToken, as on AWS, whether it is malformed or merely unknown.
    for (const forged of ['unknown', tokenOf('never-issued'), `${token}x`, token.slice(1), '']) {
      expect(() => tokens.succeed(forged, '{}'), forged).toThrow(expect.objectContaining({ type: 'InvalidToken', message: "Invalid Token: 'Invalid token'" }));
      expect(() => tokens.heartbeat(forged), forged).toThrow(/Invalid token/);
    }
  });

  it('keys task tokens by the data dir: the same after a restart, different in another store', () => {
    const first = new Store(path.join(root, '.deliv-keyed'));
    const key = taskTokenKey(first.pagingSecret);
    first.close();
    expect(key).toHaveLength(32);
    const reopened = new Store(path.join(root, '.deliv-keyed'));
    expect(Buffer.from(taskTokenKey(reopened.pagingSecret)).equals(Buffer.from(key))).toBe(true);
    // Not the secret itself, which signs page tokens too.
    expect(Buffer.from(key).equals(reopened.pagingSecret)).toBe(false);
    reopened.close();
    expect(Buffer.from(taskTokenKey(store.pagingSecret)).equals(Buffer.from(key))).toBe(false);
  });

  it('keeps an answer that arrives while no task waits (after a crash) for the resumed task', async () => {
    const first = request('arn:aws:states:::sqs:sendMessage.waitForTaskToken', {}, { stateName: 'Pay', taskToken: tokenOf('old'), executionArn: `${EXECUTION}-resume` });
    const controller = new AbortController();
    const abandoned = tokens.wait({ ...first, signal: controller.signal });
    // Simulate the process dying: the waiter is gone, the token row stays WAITING in SQLite.
    const restarted = new TokenBroker(store);
    restarted.fail(tokenOf('old'), 'Rejected', 'by a human');
    const resumed = restarted.wait({ ...first, taskToken: tokenOf('new') });
    await expect(resumed).rejects.toMatchObject({ error: 'Rejected', cause: 'by a human' });
    controller.abort(new Error('gone'));
    await expect(abandoned).rejects.toThrow('gone');
  });
});

describe('ItemReader over local files', () => {
  it('reads CSV with quoted fields, JSONL, and honours MaxItems', async () => {
    const csv = await runner.readItems({ resource: 'arn:aws:states:::s3:getObject', parameters: { Bucket: 'data', Key: 'items.csv' }, readerConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, signal: new AbortController().signal });
    expect(csv).toEqual([
      { id: '1', name: 'Smith, Jo' },
      { id: '2', name: 'say "hi"' },
    ]);
    const jsonl = await runner.readItems({ resource: 'arn:aws:states:::s3:getObject', parameters: { Bucket: 'b', Key: 'items.jsonl' }, readerConfig: { InputType: 'JSONL', MaxItems: 1 }, signal: new AbortController().signal });
    expect(jsonl).toEqual([{ id: 1 }]);
    expect(parseCsv('a;b\r\n1;2', ';')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
});
