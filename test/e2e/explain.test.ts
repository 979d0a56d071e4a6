import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBedrock, type FakeBedrock } from '../helpers/fake-bedrock.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';
import { HistoryBuilder } from '../explain/history.js';
import { startFakeSfn, type FakeSfn } from '../helpers/fake-sfn.js';

const MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:orders';
const OLD_RUN = 'arn:aws:states:us-east-1:123456789012:execution:orders:run-1';
const LATEST_RUN = 'arn:aws:states:us-east-1:123456789012:execution:orders:run-2';

/** Personal data seeded in the failing execution's input: none of it may reach Bedrock. */
const PERSONAL = ['Lovelace', 'ada.lovelace@example.com', '7946 0958', '4111 1111 1111 1111', '12 Crescent Road', 'LS1 4AP', 'LX-2024-77'];
const INPUT = {
  orderId: 'ord-981',
  loyaltyId: 'LX-2024-77',
  customer: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.com', phone: '+44 20 7946 0958' },
  payment: { card: '4111 1111 1111 1111' },
  destination: { line1: '12 Crescent Road', city: 'Leeds', postcode: 'LS1 4AP' },
};
const CAUSE = JSON.stringify({
  errorType: 'AddressValidationError',
  errorMessage: "Postcode 'LS1 4AP' is not served for Ada Lovelace (ada.lovelace@example.com)",
  trace: ["AddressValidationError: Postcode 'LS1 4AP' is not served", '    at validate (/var/task/book-courier.mjs:21:11)'],
});
const DEFINITION = {
  StartAt: 'Normalize',
  States: {
    Normalize: { Type: 'Pass', Next: 'BookCourier' },
    BookCourier: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:book-courier', 'Payload.$': '$' }, End: true },
  },
};
const ANSWER = '## What happened\nBookCourier failed with AddressValidationError.\n## Root cause\n<POSTCODE_1> is not served.\n## Fix\nAdd a Catch.\n## How to confirm\nRun it again.';

/** util-linux `script` gives the CLI a terminal, which is when deliv streams. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

function runInTerminal(args: string[], env: Record<string, string>, cwd: string): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part}'`).join(' ');
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, env: { ...cleanEnv, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(output.replace(/\r\n/g, '\n')));
  });
}

function failedRun(): ReturnType<HistoryBuilder['failed']> {
  return new HistoryBuilder(INPUT)
    .enter('Normalize', 'Pass', INPUT).exit('Normalize', 'Pass', INPUT)
    .enter('BookCourier', 'Task', INPUT)
    .scheduled('invoke', { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:book-courier', Payload: INPUT }, { timeoutInSeconds: 30 })
    .taskFailed('AddressValidationError', CAUSE)
    .failed('AddressValidationError', CAUSE);
}

describe('deliv explain (built CLI, fake Step Functions and Bedrock endpoints)', () => {
  let bedrock: FakeBedrock;
  let sfn: FakeSfn;
  let home: ReturnType<typeof tempDir>;
  let project: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    bedrock = await startFakeBedrock({ text: ANSWER, inputTokens: 1500, outputTokens: 300 });
    sfn = await startFakeSfn({ region: 'us-east-1' });
    sfn.seedMachine({ arn: MACHINE_ARN, type: 'STANDARD', definition: DEFINITION });
    sfn.seedExecution({ arn: OLD_RUN, machineArn: MACHINE_ARN, status: 'FAILED', startDate: 1767600000, events: new HistoryBuilder({}).enter('Normalize', 'Pass', {}).failed('States.Runtime', "An error occurred while executing the state 'Normalize' (entered at the event id #2). Invalid path '$.x' : No results for path: $['x']") });
    sfn.seedExecution({ arn: LATEST_RUN, machineArn: MACHINE_ARN, status: 'FAILED', startDate: 1767603600, events: failedRun() });
    home = tempDir('deliv-explain-e2e-');
    project = path.join(home.dir, 'demo');
    mkdirSync(project);
    writeFileSync(path.join(project, 'orders.asl.json'), JSON.stringify(DEFINITION));
    writeFileSync(
      path.join(project, 'deliv.yaml'),
      ['name: demo', 'defaultTarget: prod', 'stateMachines:', '  orders:', '    definition: orders.asl.json', '    type: STANDARD', 'targets:', '  prod:', '    kind: aws', '    region: us-east-1', 'explain:', '  redactKeys: [loyaltyId]', ''].join('\n'),
    );
    env = {
      HOME: home.dir,
      XDG_CACHE_HOME: path.join(home.dir, 'cache'),
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '2',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  });
  afterAll(async () => {
    await bedrock.close();
    await sfn.close();
    home.cleanup();
  });
  beforeEach(() => {
    bedrock.requests.length = 0;
    bedrock.reply({ text: ANSWER, inputTokens: 1500, outputTokens: 300 });
  });

  it('with no argument in a project, explains its latest failure through Bedrock with nothing personal sent', async () => {
    const result = await runCli(['explain', '--no-cache'], { cwd: project, env });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Explanation by global.anthropic.claude-haiku-4-5-20251001-v1:0 — BookCourier: AddressValidationError`);
    expect(result.stdout).toContain(ANSWER);
    expect(result.stdout).toMatch(/1,500 input \+ 300 output tokens · \$0\.0030 · \d+ value\(s\) redacted before sending/);
    expect(bedrock.requests).toHaveLength(1);
    const sent = bedrock.requests[0];
    expect(sent.operation).toBe('converse');
    for (const value of PERSONAL) expect(sent.raw).not.toContain(value);
    expect(sent.raw).not.toMatch(/\bAda\b/);
    const prompt = sent.body.messages?.[0].content[0].text ?? '';
    expect(prompt).toContain('Failing state: BookCourier (Task)');
    expect(prompt).toContain('<EMAIL_1>');
    expect(prompt).toContain('<REDACTED_1>');
    expect(prompt).toContain('"postcode": "<POSTCODE_1>"');
    expect(prompt).toContain("Postcode '<POSTCODE_1>' is not served for <NAME_1> <NAME_2> (<EMAIL_1>)");
  });

  it.skipIf(!HAS_SCRIPT)('on a terminal, streams the answer with ConverseStream and prints it whole', async () => {
    bedrock.reply({ text: ANSWER, chunks: 9 });
    const output = await runInTerminal(['explain', LATEST_RUN, '--target', 'aws', '--no-cache'], env, home.dir);
    expect(bedrock.requests.map((request) => request.operation)).toEqual(['converse-stream']);
    expect(output).toContain('Explanation by global.anthropic.claude-haiku-4-5-20251001-v1:0 — BookCourier: AddressValidationError');
    expect(output).toContain(ANSWER);
    expect(output).toMatch(/1,843 input \+ 187 output tokens/);
  });

  it('answers a repeated failure from the cache', async () => {
    // A model no other test uses, so that no earlier answer is cached for it.
    const args = ['explain', 'orders', '--json', '--model', 'us.anthropic.claude-haiku-4-5-20251001-v1:0'];
    const first = await runCli(args, { cwd: project, env });
    const second = await runCli(args, { cwd: project, env });
    expect(JSON.parse(first.stdout)).toMatchObject({ source: 'bedrock', sent: true, executionArn: LATEST_RUN, costUsd: (1500 * 1.1 + 300 * 5.5) / 1e6 });
    expect(JSON.parse(second.stdout)).toMatchObject({ source: 'cache', sent: false, text: ANSWER });
    expect(bedrock.requests).toHaveLength(1);
    expect(readdirSync(path.join(project, '.deliv/cache/explain')).length).toBeGreaterThanOrEqual(1);
  });

  it('--show-prompt prints the redacted request and sends nothing', async () => {
    const result = await runCli(['explain', LATEST_RUN, '--target', 'aws', '--show-prompt'], { cwd: home.dir, env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('# Nothing was sent.');
    expect(result.stdout).toContain('--- system ---');
    expect(result.stdout).toContain('## What happened');
    expect(result.stdout).toContain('"email": "<EMAIL_1>"');
    for (const value of PERSONAL.filter((v) => v !== 'LX-2024-77')) expect(result.stdout).not.toContain(value);
    expect(bedrock.requests).toHaveLength(0);
  });

  it('--offline explains a machine\'s latest failure with its specifics, labelled offline, sending nothing', async () => {
    const result = await runCli(['explain', 'orders', '--target', 'aws', '--offline'], { cwd: home.dir, env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Offline explanation (rule-based, nothing sent to Bedrock) — BookCourier: AddressValidationError');
    expect(result.stdout).toContain('the `book-courier` handler threw `AddressValidationError`');
    expect(result.stdout).toContain('at validate (/var/task/book-courier.mjs:21:11)');
    expect(result.stdout).toContain('`BookCourier` has no Catch');
    expect(bedrock.requests).toHaveLength(0);
  });

  it('--offline on an older execution explains its States.Runtime invalid path', async () => {
    const result = await runCli(['explain', OLD_RUN, '--target', 'aws', '--offline', '--json'], { cwd: home.dir, env });
    const json = JSON.parse(result.stdout) as { source: string; error: string; sections: { rootCause: string } };
    expect(json).toMatchObject({ source: 'offline', error: 'States.Runtime' });
    expect(json.sections.rootCause).toContain('The path `$.x` in `Normalize` matches nothing');
  });

  it('refuses --no-redact without a terminal unless --yes', async () => {
    const refused = await runCli(['explain', LATEST_RUN, '--target', 'aws', '--no-redact'], { cwd: home.dir, env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--no-redact would send personal data to Bedrock');
    expect(refused.stderr).toContain('add --yes');
    expect(bedrock.requests).toHaveLength(0);

    const confirmed = await runCli(['explain', LATEST_RUN, '--target', 'aws', '--no-redact', '--yes', '--no-cache'], { cwd: home.dir, env });
    expect(confirmed.exitCode).toBe(0);
    expect(confirmed.stdout).toContain('sent WITHOUT redaction');
    expect(bedrock.requests[0].raw).toContain('Lovelace');
  });

  it('model access not enabled: one line with where to enable it', async () => {
    bedrock.reply({ error: 'AccessDeniedException' });
    const result = await runCli(['explain', LATEST_RUN, '--target', 'aws', '--no-cache'], { cwd: home.dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Bedrock denied access to global.anthropic.claude-haiku-4-5-20251001-v1:0 in us-east-1');
    expect(result.stderr).toContain('https://console.aws.amazon.com/bedrock/home?region=us-east-1#/modelaccess');
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('a model id that needs an inference profile: says which one', async () => {
    bedrock.reply({ error: 'ValidationException' });
    const result = await runCli(['explain', LATEST_RUN, '--target', 'aws', '--no-cache', '--model', 'anthropic.claude-haiku-4-5-20251001-v1:0'], { cwd: home.dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('anthropic.claude-haiku-4-5-20251001-v1:0 cannot be called on demand in us-east-1: it needs an inference profile');
    expect(result.stderr).toContain('use --model global.anthropic.claude-haiku-4-5-20251001-v1:0 (or us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(bedrock.requests[0].modelId).toBe('anthropic.claude-haiku-4-5-20251001-v1:0');
  });

  it('throttling: retried, then said', async () => {
    bedrock.reply({ error: 'ThrottlingException' });
    const result = await runCli(['explain', LATEST_RUN, '--target', 'aws', '--no-cache'], { cwd: home.dir, env });
    expect(result.exitCode).toBe(1);
    expect(bedrock.requests.length).toBe(2);
    expect(result.stderr).toContain('Bedrock throttled the request (tried 2 times)');
  });

  it('without credentials, falls back to the offline explainer and says so', async () => {
    // The local target needs no credentials for Step Functions; Bedrock has none to use.
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noCredentials } = env;
    const result = await runCli(['explain', LATEST_RUN, '--target', 'local', '--no-cache'], {
      cwd: home.dir,
      env: { ...noCredentials, DELIV_LOCAL_ENDPOINT: sfn.url, AWS_CONFIG_FILE: path.join(home.dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home.dir, 'none') },
    });
    expect(existsSync(path.join(home.dir, 'none'))).toBe(false);
    expect(result.stderr).toContain('no AWS credentials found for Bedrock; answered offline instead');
    expect(result.stdout).toContain('Offline explanation (rule-based, nothing sent to Bedrock)');
    expect(bedrock.requests).toHaveLength(0);
  });
});
