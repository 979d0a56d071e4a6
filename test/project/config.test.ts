/** deliv.yaml problems are reported where they are (file:line:col) with what to do, as validate reports a definition's. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProjectConfig } from '../../src/project/config.js';
import { FileProblemError } from '../../src/ui/errors.js';
import { tempDir } from '../helpers/cli.js';

let workspace: { dir: string; cleanup: () => void };
let file: string;

beforeAll(() => {
  workspace = tempDir('deliv-config-');
  const root = path.join(workspace.dir, 'app');
  mkdirSync(path.join(root, 'statemachines'), { recursive: true });
  mkdirSync(path.join(workspace.dir, 'elsewhere'));
  writeFileSync(path.join(workspace.dir, 'elsewhere/stolen.asl.json'), '{}');
  symlinkSync(path.join(workspace.dir, 'elsewhere'), path.join(root, 'statemachines/shared'));
  file = path.join(root, 'deliv.yaml');
});
afterAll(() => workspace.cleanup());

/** The problem parseProjectConfig reports for `text`: where, what, and what to do. */
function problem(text: string): { at: string; message: string; hint?: string } {
  try {
    parseProjectConfig(text, file, 'deliv.yaml');
  } catch (error) {
    if (!(error instanceof FileProblemError)) throw error;
    return { at: `${error.file}:${error.line}:${error.column}`, message: error.problem, hint: error.hint };
  }
  throw new Error('expected deliv.yaml to be refused');
}

const machine = 'name: shop\nstateMachines:\n  orders:\n    definition: statemachines/orders.asl.yaml\n';

describe('deliv.yaml problems', () => {
  it('are at the line and column of the YAML syntax error', () => {
    expect(problem('name: shop\nstateMachines: {}\nfunctions:\n  f: { handler: functions/f.mjs\n')).toMatchObject({ at: 'deliv.yaml:5:1', hint: 'fix the YAML syntax at that line' });
  });

  it('point at the field that is wrong, not at the top of the file', () => {
    expect(problem(`${machine}    type: BATCH\n`)).toMatchObject({ at: 'deliv.yaml:5:11', message: 'state machine `orders` has type `BATCH`', hint: 'use STANDARD or EXPRESS' });
    expect(problem('name: shop\nstateMachines:\n  orders:\n    type: STANDARD\n')).toMatchObject({ at: 'deliv.yaml:4:5', message: 'state machine `orders` has no `definition` file' });
    expect(problem(`${machine}functions:\n  charge:\n    timeoutSeconds: 3\n`)).toMatchObject({ at: 'deliv.yaml:7:5', message: 'function `charge` has no `handler`' });
    expect(problem(`${machine}functions:\n  charge: { handler: functions/charge.mjs, timeoutSeconds: -1 }\n`)).toMatchObject({ at: 'deliv.yaml:6:60', message: 'timeoutSeconds of `charge` must be a positive number' });
    expect(problem(`${machine}functions:\n  charge: { handler: functions/charge.mjs, aws: prod }\n`)).toMatchObject({ at: 'deliv.yaml:6:49', message: 'aws of `charge` is `prod`' });
    expect(problem(`${machine}    logging: { includeExecutionData: true }\n`)).toMatchObject({ at: 'deliv.yaml:5:14', message: 'state machine `orders` has `logging` without a level' });
    expect(problem('stateMachines: {}\n')).toMatchObject({ at: 'deliv.yaml:1:1', message: 'missing the project `name`' });
  });

  it('refuse a definition, handler, events folder or mocks file outside the project (`..`, absolute, a symlink out)', () => {
    expect(problem('name: shop\nstateMachines:\n  orders:\n    definition: ../elsewhere/stolen.asl.json\n')).toMatchObject({ at: 'deliv.yaml:4:17', message: expect.stringMatching(/^the definition of `orders` \(\.\.\/elsewhere\/stolen\.asl\.json\) is outside the project: `\.\.` leads out/) });
    expect(problem('name: shop\nstateMachines:\n  orders:\n    definition: statemachines/shared/stolen.asl.json\n')).toMatchObject({ message: expect.stringContaining('symbolic link') });
    expect(problem(`${machine}functions:\n  f: { handler: /etc/passwd }\n`)).toMatchObject({ at: 'deliv.yaml:6:17', message: expect.stringContaining('absolute paths are not allowed') });
    expect(problem(`${machine}    events: ../../events\n`)).toMatchObject({ at: 'deliv.yaml:5:13', message: expect.stringContaining('the events folder of `orders`') });
    expect(problem(`${machine}mocks: ../mocks.json\n`)).toMatchObject({ at: 'deliv.yaml:5:8', message: expect.stringContaining('the mocks file') });
  });

  it('refuse a state machine or function name that could not be an AWS name (and would leave .deliv/build as a file name)', () => {
    expect(problem('name: shop\nstateMachines:\n  ../../evil:\n    definition: statemachines/orders.asl.yaml\n')).toMatchObject({ at: 'deliv.yaml:3:3', message: '`../../evil` is not a state machine name AWS accepts' });
    expect(problem(`${machine}functions:\n  ../up: { handler: functions/up.mjs }\n`)).toMatchObject({ at: 'deliv.yaml:6:3', message: '`../up` is not a Lambda function name' });
  });

  it('name a field deliv does not know, wherever it stands, with the field it likely meant', () => {
    expect(problem(`${machine}explain:\n  modle: anthropic.claude-3-5-haiku\n`)).toMatchObject({ at: 'deliv.yaml:6:3', message: 'unknown field `modle` under `explain`', hint: 'did you mean `model`?' });
    expect(problem(`${machine}    defintion: x\n`)).toMatchObject({ at: 'deliv.yaml:5:5', message: 'unknown field `defintion` of state machine `orders`', hint: 'did you mean `definition`?' });
    expect(problem(`${machine}functions:\n  charge: { handler: functions/charge.mjs, timeout: 3 }\n`)).toMatchObject({ message: 'unknown field `timeout` of function `charge`' });
    expect(problem(`${machine}targets:\n  prod: { regoin: eu-west-1 }\n`)).toMatchObject({ message: 'unknown field `regoin` of target `prod`', hint: 'did you mean `region`?' });
    expect(problem(`${machine}    logging: { level: ALL, includeData: true }\n`)).toMatchObject({ message: 'unknown field `includeData` under the `logging` of `orders`' });
    expect(problem(`${machine}stateMachine: {}\n`)).toMatchObject({ at: 'deliv.yaml:5:1', message: 'unknown field `stateMachine` at the top of deliv.yaml', hint: 'did you mean `stateMachines`?' });
    expect(problem(`${machine}test:\n  coverge: 80\n`)).toMatchObject({ message: 'unknown field `coverge` under `test`', hint: 'did you mean `coverage`?' });
  });

  it('accept what deliv init writes', () => {
    const config = parseProjectConfig(`${machine}    type: express\nfunctions:\n  charge: { handler: functions/charge.mjs, timeoutSeconds: 10, aws: real }\nmocks: mocks/MockConfigFile.json\n`, file);
    expect(config.stateMachines.orders.type).toBe('EXPRESS');
    expect(config.targets.local).toEqual({ kind: 'local' });
  });
});
