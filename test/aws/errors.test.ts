import { describe, expect, it } from 'vitest';
import { checkRegion, describeAwsError, parseDenial, type CallContext } from '../../src/aws/errors.js';

const aws: CallContext = { targetName: 'prod', local: false, service: 'states', region: 'eu-west-1', commandName: 'CreateStateMachineCommand' };
const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400, attempts: 1 }, ...extra });

describe('describeAwsError', () => {
  it('says which action on which resource was denied, and to whom to grant it', () => {
    const error = describeAwsError(
      sdkError('AccessDeniedException', 'User: arn:aws:iam::111122223333:user/dev is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/sfn because no identity-based policy allows the iam:PassRole action'),
      aws,
    );
    expect(error).toMatchObject({ problem: 'denied', message: 'access denied: iam:PassRole on arn:aws:iam::111122223333:role/sfn', exitCode: 1 });
    expect(error?.hint).toContain('arn:aws:iam::111122223333:user/dev');
  });

  it('falls back to the called action when AWS does not say', () => {
    expect(describeAwsError(sdkError('AccessDeniedException', 'Access denied'), aws)?.message).toBe('access denied: states:CreateStateMachine');
  });

  it('tells how to configure missing credentials, and how to refresh expired ones', () => {
    const missing = describeAwsError(sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), aws);
    expect(missing).toMatchObject({ problem: 'credentials', message: 'no AWS credentials found' });
    expect(missing?.hint).toMatch(/aws configure/);
    const expired = describeAwsError(sdkError('ExpiredTokenException', 'The security token included in the request is expired'), { ...aws, profile: 'dev' });
    expect(expired).toMatchObject({ problem: 'expired' });
    expect(expired?.hint).toContain('aws sso login --profile dev');
  });

  it('says throttling persisted after the retries', () => {
    const error = describeAwsError(sdkError('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 4 } }), { ...aws, commandName: 'StartExecutionCommand' });
    expect(error?.message).toBe('AWS (target `prod`, eu-west-1) kept throttling states:StartExecution (ThrottlingException) after 4 attempts');
  });

  it('tells how to start the emulator when it refuses connections', () => {
    const error = describeAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8083'), { code: 'ECONNREFUSED' }), { ...aws, local: true, endpoint: 'http://127.0.0.1:8083' });
    expect(error).toMatchObject({ problem: 'emulator-down', message: 'the local emulator is not running at http://127.0.0.1:8083' });
    expect(error?.hint).toContain('deliv local start');
  });

  const dnsFailure = (host: string, code = 'ENOTFOUND') => Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, hostname: host });

  it('recognises an unknown region by the host name that does not resolve while AWS names do', () => {
    const error = describeAwsError(dnsFailure('states.eu-westt-1.amazonaws.com'), { ...aws, region: 'eu-westt-1', awsResolves: true });
    expect(error).toMatchObject({ problem: 'region', exitCode: 2 });
    expect(error?.message).toContain('`eu-westt-1` is not a region');
  });

  it('offline, says the host could not be reached and why, never that the region is unknown', () => {
    const error = describeAwsError(dnsFailure('states.eu-west-1.amazonaws.com'), { ...aws, awsResolves: false });
    expect(error).toMatchObject({ problem: 'unreachable', exitCode: 1 });
    expect(error?.message).toBe('AWS (target `prod`, eu-west-1) could not be reached: states.eu-west-1.amazonaws.com did not resolve (ENOTFOUND), nor does any AWS name: this machine is offline or its DNS is not working');
    expect(error?.message).not.toContain('not a region');
    expect(error?.hint).toMatch(/network connection, VPN, proxy/);
  });

  it('a DNS server that does not answer is a network problem whatever the host', () => {
    const error = describeAwsError(dnsFailure('states.eu-westt-1.amazonaws.com', 'EAI_AGAIN'), { ...aws, region: 'eu-westt-1', awsResolves: true });
    expect(error).toMatchObject({ problem: 'unreachable' });
    expect(error?.message).toContain('the DNS server did not answer for states.eu-westt-1.amazonaws.com (EAI_AGAIN, a temporary failure)');
  });

  it.each([
    ['ECONNREFUSED', 'the connection was refused'],
    ['EHOSTUNREACH', 'there is no route to the host'],
    ['ENETUNREACH', 'the network is unreachable'],
  ])('an AWS host that refuses or cannot be routed to (%s) says so', (code, reason) => {
    const error = describeAwsError(Object.assign(new Error(`connect ${code} 52.94.0.1:443`), { code, address: '52.94.0.1', port: 443 }), aws);
    expect(error).toMatchObject({ problem: 'unreachable', awsCode: code, code: 'AWS_UNREACHABLE' });
    expect(error?.message).toContain(`AWS (target \`prod\`, eu-west-1) could not be reached: 52.94.0.1:443: ${reason}`);
  });

  it('an HTTP answer with no AWS error in it is something else answering', () => {
    const error = describeAwsError(sdkError('UnknownError', 'UnknownError', { $metadata: { httpStatusCode: 404 } }), { ...aws, endpoint: 'http://10.0.0.1' });
    expect(error?.message).toBe('AWS (target `prod`, eu-west-1) did not answer: 10.0.0.1 returned HTTP 404 with no AWS error in it');
  });

  it('reports a dropped connection and a missing region', () => {
    expect(describeAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 4 } }), { ...aws, endpoint: 'http://127.0.0.1:9' })?.message).toBe('the connection to http://127.0.0.1:9 was dropped (4 attempts)');
    expect(describeAwsError(new Error('Region is missing'), aws)).toMatchObject({ problem: 'region', exitCode: 2 });
  });

  it('leaves errors the caller handles alone', () => {
    expect(describeAwsError(sdkError('StateMachineDoesNotExist', 'State Machine Does Not Exist'), aws)).toBeUndefined();
    expect(describeAwsError(sdkError('InvalidDefinition', 'Invalid State Machine Definition'), aws)).toBeUndefined();
  });
});

describe('parseDenial', () => {
  it('notices explicit denies', () => {
    expect(parseDenial('User: arn:aws:sts::1:assumed-role/x/y is not authorized to perform: states:StartExecution on resource: arn:aws:states:eu-west-1:1:stateMachine:a with an explicit deny in an identity-based policy')).toEqual({
      principal: 'arn:aws:sts::1:assumed-role/x/y',
      action: 'states:StartExecution',
      resource: 'arn:aws:states:eu-west-1:1:stateMachine:a',
      explicit: true,
    });
  });
});

describe('checkRegion', () => {
  it('rejects names that cannot be regions and lets well-formed ones through', () => {
    expect(() => checkRegion('moon-1', 'prod')).toThrow(/`moon-1` is not an AWS region/);
    expect(() => checkRegion('eu-west-1', 'prod')).not.toThrow();
    expect(() => checkRegion('cn-north-1', 'prod')).not.toThrow();
    expect(() => checkRegion(undefined, 'prod')).not.toThrow();
  });
});
