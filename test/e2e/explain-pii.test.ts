/**
 * The PII corpus through the built CLI: `deliv explain` against a fake Step
 * Functions and a fake Bedrock on 127.0.0.1, reached by the real SDK. Nothing
 * seeded reaches Bedrock, and `--show-prompt` prints byte for byte the user
 * message that is then sent.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBedrock, type FakeBedrock } from '../helpers/fake-bedrock.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startFakeSfn, type FakeSfn } from '../helpers/fake-sfn.js';
import { HistoryBuilder } from '../explain/history.js';
import { CORPUS_INPUT, corpusCause, ERROR_NAME, EXECUTION_NAME, leaks, STATE_NAME } from '../explain/pii-corpus.js';

const MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:entregas';
const RUN = `arn:aws:states:us-east-1:123456789012:execution:entregas:${EXECUTION_NAME}`;
const DEFINITION = { StartAt: STATE_NAME, States: { [STATE_NAME]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'Payload.$': '$' }, End: true } } };
const ANSWER = '## What happened\nx\n## Root cause\ny\n## Fix\nz\n## How to confirm\nw';

let bedrock: FakeBedrock;
let sfn: FakeSfn;
let home: ReturnType<typeof tempDir>;
let project: string;
let env: Record<string, string>;

beforeAll(async () => {
  home = tempDir('deliv-pii-');
  const homeDir = realpathSync(home.dir);
  project = path.join(homeDir, 'entregas');
  mkdirSync(project);
  writeFileSync(path.join(project, 'entregas.asl.json'), JSON.stringify(DEFINITION));
  writeFileSync(
    path.join(project, 'deliv.yaml'),
    ['name: entregas', 'defaultTarget: prod', 'stateMachines:', '  entregas:', '    definition: entregas.asl.json', '    type: STANDARD', 'targets:', '  prod:', '    kind: aws', '    region: us-east-1', ''].join('\n'),
  );
  const cause = corpusCause(project, homeDir);
  const events = new HistoryBuilder(CORPUS_INPUT)
    .enter(STATE_NAME, 'Task', CORPUS_INPUT)
    .scheduled('invoke', { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:reservar', Payload: CORPUS_INPUT }, { timeoutInSeconds: 30 })
    .taskFailed(ERROR_NAME, cause)
    .failed(ERROR_NAME, cause);
  bedrock = await startFakeBedrock({ text: ANSWER, inputTokens: 10, outputTokens: 10 });
  sfn = await startFakeSfn({ region: 'us-east-1' });
  sfn.seedMachine({ arn: MACHINE_ARN, type: 'STANDARD', definition: DEFINITION });
  sfn.seedExecution({ arn: RUN, machineArn: MACHINE_ARN, status: 'FAILED', startDate: 1767603600, events });
  env = {
    HOME: homeDir,
    XDG_CACHE_HOME: path.join(homeDir, 'cache'),
    AWS_ENDPOINT_URL_SFN: sfn.url,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  };
});
afterAll(async () => {
  await bedrock?.close();
  await sfn?.close();
  home?.cleanup();
});

describe('deliv explain with the PII corpus', () => {
  it('sends none of the seeded values, and --show-prompt prints exactly the user message sent', async () => {
    const shown = await runCli(['explain', RUN, '--show-prompt'], { cwd: project, env });
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(bedrock.requests).toHaveLength(0);
    const marker = '--- user ---\n';
    const printed = shown.stdout.slice(shown.stdout.indexOf(marker) + marker.length).replace(/\n$/, '');

    const asked = await runCli(['explain', RUN, '--no-cache'], { cwd: project, env });
    expect(asked.exitCode, asked.stderr).toBe(0);
    expect(bedrock.requests).toHaveLength(1);
    const sent = bedrock.requests[0];
    expect(leaks(sent.raw)).toEqual([]);
    expect(sent.raw).not.toContain(env.HOME);
    const userMessage = sent.body.messages?.[0].content[0].text ?? '';
    expect(Buffer.from(printed).equals(Buffer.from(userMessage))).toBe(true);
    expect(userMessage).toContain('functions/reservar-entregador.ts:21:11');
  });
});
