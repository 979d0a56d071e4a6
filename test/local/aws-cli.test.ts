/**
 * The AWS CLI's own requests (botocore's JSON 1.0 serializer: `json.dumps`
 * spacing, SigV4 headers, its user agent), replayed byte for byte as
 * `aws stepfunctions ... --endpoint-url` sends them, since the CLI is not
 * installed here.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

function cliRequest(action: string, body: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> {
  const url = new URL(t.emulator.endpoint);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: {
          'X-Amz-Target': `AWSStepFunctions.${action}`,
          'Content-Type': 'application/x-amz-json-1.0',
          'User-Agent': 'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#stepfunctions.' + action,
          'X-Amz-Date': '20261125T040000Z',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261125/us-east-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('requests as the AWS CLI sends them', () => {
  it('aws stepfunctions create-state-machine / list-state-machines / describe-state-machine', async () => {
    // botocore writes the body with json.dumps defaults: ", " and ": " separators, non-ASCII escaped.
    const definition = '{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "caf\\u00e9", "End": true}}}';
    const created = await cliRequest(
      'CreateStateMachine',
      `{"name": "cli-machine", "definition": ${JSON.stringify(definition)}, "roleArn": "arn:aws:iam::123456789012:role/DelivLocalRole", "type": "STANDARD"}`,
    );
    expect(created.status).toBe(200);
    expect(created.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(created.body.stateMachineArn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:cli-machine');
    // Timestamps are epoch seconds, which the CLI prints as ISO dates.
    expect(typeof created.body.creationDate).toBe('number');
    expect(Math.abs((created.body.creationDate as number) - Date.now() / 1000)).toBeLessThan(60);

    const listed = await cliRequest('ListStateMachines', '{}');
    expect(listed.status).toBe(200);
    expect((listed.body.stateMachines as { name: string }[]).map((machine) => machine.name)).toContain('cli-machine');

    const described = await cliRequest('DescribeStateMachine', '{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:cli-machine"}');
    expect(described.body.definition).toBe(definition);
  });

  it('returns errors in the shape botocore parses (__type, message, x-amzn-ErrorType)', async () => {
    const missing = await cliRequest('DescribeStateMachine', '{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:absent"}');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ __type: 'StateMachineDoesNotExist', message: "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:absent'" });
    expect(missing.headers['x-amzn-errortype']).toBe('StateMachineDoesNotExist');

    const unknown = await cliRequest('DescribeActivityTypo', '{}');
    expect(unknown.body.__type).toBe('UnknownOperationException');
    const malformed = await cliRequest('ListStateMachines', '{"maxResults": ');
    expect(malformed.body.__type).toBe('SerializationException');
  });
});
