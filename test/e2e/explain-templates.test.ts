/**
 * A failing sample of every template, run on the embedded emulator and
 * explained as a user would: offline with the failure's specifics, and through
 * a fake Bedrock Runtime with the personal data of the sample redacted.
 */
import { readFileSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBedrock, type FakeBedrock } from '../helpers/fake-bedrock.js';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const ANSWER = '## What happened\nfake answer\n## Root cause\nx\n## Fix\ny\n## How to confirm\nz';

interface Case {
  machine: string;
  event: string;
  /** What the offline explanation must say about this failure. */
  offline: string[];
}

const CASES: Case[] = [
  {
    machine: 'order-fulfillment',
    event: 'order-fail-card-declined',
    offline: ['`ChargePayment` (in `ChargeAndReserve`) failed with `PaymentDeclined`: "the card issuer declined the charge"', 'The Catch on `ChargeAndReserve` sent the execution to `RefundPayment` → `ReleaseStock`'],
  },
  {
    machine: 'courier-dispatch',
    event: 'dispatch-fail-no-order-id',
    offline: ['`PrepareOffers`', '`$.orderId`'],
  },
  {
    machine: 'support-triage',
    event: 'complaint-fail-unknown-order',
    offline: ['the `open-refund-case` handler threw `InvalidRefundRequest`: "cannot open a refund case without a valid orderId (got "unknown")"', '`OpenRefundCase` has no Catch'],
  },
];

let workspace: { dir: string; cleanup: () => void };
let project: string;
let bedrock: FakeBedrock;
let env: Record<string, string>;
const deliv = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: project, env: { ...env, ...extra } });

beforeAll(async () => {
  workspace = tempDir('deliv-explain-templates-');
  project = path.join(workspace.dir, 'shop');
  const templates = ['order-fulfillment', 'courier-dispatch', 'support-triage', 'parcel-routing'].flatMap((name) => ['--template', name]);
  const init = await runCli(['init', project, '--yes', ...templates], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // The handlers import the AWS SDK: `npm install` in a real project; deliv's own copy here, offline.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  bedrock = await startFakeBedrock({ text: ANSWER });
  env = {
    HOME: workspace.dir,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
  expect(started.exitCode, started.stderr).toBe(0);
  const deployed = await deliv(['deploy']);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
});

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  await bedrock?.close();
  workspace?.cleanup();
});

/** The personal values of a sample event: its strings under personal-looking keys, and every email. */
function personalValues(event: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key = '') => {
    if (typeof value === 'string' && /name|email|street|postcode|card|phone/i.test(key)) found.push(value);
    else if (value && typeof value === 'object') for (const [child, item] of Object.entries(value)) walk(item, child);
  };
  walk(event);
  return found;
}

describe.each(CASES)('a failing $machine sample on the emulator', ({ machine, event, offline }) => {
  let executionArn: string;
  const eventFile = `events/${machine}/${event}.json`;

  it('start --wait --explain explains it through Bedrock with nothing personal sent', async () => {
    bedrock.requests.length = 0;
    const result = await deliv(['start', machine, '--input', eventFile, '--wait', '--explain']);
    expect(result.exitCode).toBe(1);
    executionArn = result.stdout.match(/Started (arn:\S+)/)![1];
    expect(result.stdout).toContain(`Explanation by global.anthropic.claude-haiku-4-5-20251001-v1:0`);
    expect(result.stdout).toContain(ANSWER);
    expect(bedrock.requests).toHaveLength(1);
    const sent = bedrock.requests[0].raw;
    const personal = personalValues(JSON.parse(readFileSync(path.join(project, eventFile), 'utf8')));
    if (machine === 'order-fulfillment') expect(personal.length).toBeGreaterThanOrEqual(5);
    for (const value of personal) expect(sent).not.toContain(value);
    // Paths go as the project's own (functions/…), never as where it sits on this machine.
    for (const root of new Set([workspace.dir, realpathSync(workspace.dir)])) expect(sent).not.toContain(root);
    if (machine === 'order-fulfillment') expect(sent).toMatch(/functions\/charge-payment\.ts:\d+/);
  });

  it('explain --offline gives its specifics', async () => {
    const result = await deliv(['explain', executionArn, '--offline']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Offline explanation (rule-based, nothing sent to Bedrock)');
    for (const text of offline) expect(result.stdout).toContain(text);
  });
});

describe('the Express parcel-routing template', () => {
  it('start --explain explains a synchronous run that exceeded its tolerated failures', async () => {
    const result = await deliv(['start', 'parcel-routing', '--input', 'events/parcel-routing/parcels-fail-too-many-unroutable.json', '--explain'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_CONFIG_FILE: path.join(workspace.dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(workspace.dir, 'none'),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no AWS credentials found for Bedrock; answered offline instead');
    expect(result.stdout).toContain('The Map state `RouteParcels`: more Map items failed than allowed by ToleratedFailurePercentage');
  });
});

describe('logs --explain', () => {
  it('explains the failed executions it shows', async () => {
    const result = await deliv(['logs', 'support-triage', '--status', 'FAILED', '-n', '1', '--explain']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('OpenRefundCase');
    expect(result.stdout).toMatch(/(Cached explanation|Explanation) by global\.anthropic\.claude-haiku-4-5/);
  });
});
