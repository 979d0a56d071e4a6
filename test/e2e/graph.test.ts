import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/ui/colors.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { renderScreen, runCliOnPty } from '../helpers/pty.js';
import { parseXml } from '../helpers/xml.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/graph');
const MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:delivery-dispatch';
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:delivery-dispatch:7f3c2a91';

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('deliv-e2e-graph-'));
});
afterAll(() => cleanup());

/** A bare definition file in a folder with no deliv.yaml anywhere above it. */
function bareFile(name: string): string {
  const dir = path.join(root, 'bare');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  copyFileSync(path.join(FIXTURES, name), file);
  return file;
}

describe('deliv graph on a bare definition file', () => {
  it('draws Mermaid with placeholders left as written, and says which ones', async () => {
    const file = bareFile('delivery-dispatch.asl.yaml');
    const result = await runCli(['graph', file, '--format', 'mermaid'], { cwd: path.dirname(file) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.startsWith('flowchart TD\n')).toBe(true);
    expect(result.stdout).toContain('QuoteCarrier<br/>Task · λ ${QuoteCarrierFunctionArn}');
    expect(result.stderr).toContain('warning: no value for ${QuoteCarrierFunctionArn}, ${QuoteFallbackCarrierFunctionArn}');
  });

  it('fills placeholders from --sub', async () => {
    const file = bareFile('delivery-dispatch.asl.yaml');
    const result = await runCli(
      ['graph', file, '--format', 'dot', '--sub', 'QuoteCarrierFunctionArn=arn:aws:lambda:eu-west-1:111122223333:function:quote-carrier'],
      { cwd: path.dirname(file) },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('label="QuoteCarrier\\nTask · λ quote-carrier');
    expect(result.stderr).not.toContain('${QuoteCarrierFunctionArn}');
  });

  it('writes a self-contained SVG when --out ends in .svg', async () => {
    const file = bareFile('kitchen-sink.asl.json');
    const out = path.join(path.dirname(file), 'kitchen.svg');
    const result = await runCli(['graph', file, '--out', out], { cwd: path.dirname(file) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote ${out} (svg, 13 states)`);
    expect(result.stdout).toBe('');
    const svg = parseXml(readFileSync(out, 'utf8'));
    expect(svg.name).toBe('svg');
  });

  it('returns the graph as data with --json', async () => {
    const file = bareFile('kitchen-sink.asl.json');
    const result = await runCli(['graph', file, '--format', 'mermaid', '--json'], { cwd: path.dirname(file) });
    expect(result.exitCode, result.stderr).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data).toMatchObject({ machine: 'kitchen-sink', format: 'mermaid' });
    expect(data.graph.nodes.filter((node: { kind: string }) => node.kind === 'state')).toHaveLength(13);
    expect(data.graph.edges.some((edge: { kind: string; label?: string }) => edge.kind === 'catch' && edge.label === 'Payments.Declined')).toBe(true);
    expect(data.output.startsWith('flowchart TD')).toBe(true);
  });

  it('draws a Unicode picture that fits the terminal by default on a TTY', async () => {
    const file = bareFile('kitchen-sink.asl.json');
    const result = await runCliOnPty(['graph', file], [], { cwd: path.dirname(file) });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('│ CheckStock');
    expect(result.output).toContain('╔');
    // Measured on the screen a terminal shows: the layout spinner redraws one line in place with carriage returns.
    const widest = Math.max(...renderScreen(result.output, Number.MAX_SAFE_INTEGER).map((line) => [...stripAnsi(line)].length));
    expect(widest).toBeLessThanOrEqual(120);
  });

  it.each([
    [['graph', 'missing.asl.json'], /cannot read .*missing\.asl\.json/],
    [['graph', 'x.asl.json', '--format', 'png'], /--format must be one of .*; got `png`/],
    [['graph', 'x.asl.json', '--sub', 'NoEquals'], /--sub NoEquals: expected Name=value/],
    [['graph'], /nothing to draw: no deliv\.yaml here/],
    [['graph', 'x.asl.json', '--execution', 'yesterday'], /--execution takes an execution ARN or `latest`/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const dir = path.join(root, 'bare');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(FIXTURES, 'delivery-dispatch.asl.yaml'), path.join(dir, 'x.asl.json'));
    const result = await runCli(args, { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

/** Just enough of the Step Functions API (AWS JSON 1.0) to read one failed execution. */
function fakeStepFunctions(): Promise<{ server: Server; endpoint: string; calls: string[] }> {
  const history = readFileSync(path.join(FIXTURES, 'history-failed.json'), 'utf8');
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      calls.push(action);
      const input = body ? JSON.parse(body) : {};
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (action === 'ListStateMachines') {
        reply(200, { stateMachines: [{ stateMachineArn: MACHINE_ARN, name: 'delivery-dispatch', type: 'STANDARD', creationDate: 1767612000 }] });
      } else if (action === 'DescribeStateMachine' && input.stateMachineArn === MACHINE_ARN) {
        // deliv asks a machine's type before reading its executions (Express ones are read from CloudWatch Logs).
        reply(200, { stateMachineArn: MACHINE_ARN, name: 'delivery-dispatch', type: 'STANDARD', status: 'ACTIVE', definition: '{}', roleArn: 'arn:aws:iam::123456789012:role/r', creationDate: 1767612000 });
      } else if (action === 'ListExecutions' && input.stateMachineArn === MACHINE_ARN) {
        reply(200, { executions: [{ executionArn: EXECUTION_ARN, stateMachineArn: MACHINE_ARN, name: '7f3c2a91', status: 'FAILED', startDate: 1767612600, stopDate: 1767612613.716 }] });
      } else if (action === 'GetExecutionHistory' && input.executionArn === EXECUTION_ARN) {
        reply(200, history);
      } else {
        reply(400, { __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist', message: `Execution Does Not Exist: '${input.executionArn}'` });
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls })),
  );
}

describe('deliv graph --execution', () => {
  let fake: Awaited<ReturnType<typeof fakeStepFunctions>>;
  let project: string;
  beforeAll(async () => {
    fake = await fakeStepFunctions();
    project = path.join(root, 'project');
    mkdirSync(path.join(project, 'statemachines'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'delivery-dispatch.asl.yaml'), path.join(project, 'statemachines/delivery-dispatch.asl.yaml'));
    writeFileSync(
      path.join(project, 'deliv.yaml'),
      [
        'name: dispatch',
        'stateMachines:',
        '  delivery-dispatch:',
        '    definition: statemachines/delivery-dispatch.asl.yaml',
        '    type: STANDARD',
        'targets:',
        '  local:',
        '    kind: local',
        '    substitutions:',
        '      QuoteCarrierFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:quote-carrier',
        '      QuoteFallbackCarrierFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:quote-fallback-carrier',
        '      BookShipmentFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:book-shipment',
        '      NotificationsTopicArn: arn:aws:sns:us-east-1:123456789012:notifications',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  it('colours the latest execution in the terminal and points at deliv explain', async () => {
    const result = await runCli(['graph', '--execution', 'latest', '--width', '100'], { cwd: project, env: { DELIV_LOCAL_ENDPOINT: fake.endpoint } });
    expect(result.exitCode, `${result.stderr} ${JSON.stringify(fake.calls)}`).toBe(0);
    expect(fake.calls).toEqual(['ListStateMachines', 'DescribeStateMachine', 'ListExecutions', 'GetExecutionHistory']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('✗ failed · 501ms');
    expect(result.stdout).toContain('⚠ caught · 12.3s · 2 attempts');
    expect(result.stdout).toContain('✗ BookShipment failed: AddressValidationError');
    expect(result.stdout).toContain(`deliv explain ${EXECUTION_ARN}`);
  });

  it('writes an HTML page of an execution given by ARN', async () => {
    const out = path.join(project, 'run.html');
    const result = await runCli(['graph', 'delivery-dispatch', '--execution', EXECUTION_ARN, '--out', out], {
      cwd: project,
      env: { DELIV_LOCAL_ENDPOINT: fake.endpoint },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('(html, 8 states, execution FAILED)');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/data-state="BookShipment" data-outcome="failed"/);
    expect(html).toContain('"failedState":"BookShipment"');
  });

  it('says so when the execution does not exist', async () => {
    const result = await runCli(['graph', '--execution', `${EXECUTION_ARN}-nope`], { cwd: project, env: { DELIV_LOCAL_ENDPOINT: fake.endpoint } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no such execution on target `local`');
  });
});
