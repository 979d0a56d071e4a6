import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { MockFile } from '../../src/local/mocks.js';
import { mockedResponses } from '../../src/testing/emulator-target.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('deliv-emulator-target-')));
afterAll(() => cleanup());

describe('test cases as MockConfigFile test cases', () => {
  it('turns mocks per attempt and callback answers into responses by invocation', () => {
    const { responses, unsupported } = mockedResponses({
      Pay: { mock: [{ throw: { error: 'Busy', cause: 'later' } }, { return: { ok: true } }] },
      Ship: { mock: { return: { Payload: {} } }, callback: { heartbeats: 2, success: { carrier: 'DHL' } } },
      Quote: { handler: true },
    });
    expect(unsupported).toBeUndefined();
    expect(responses).toEqual({
      Pay: { 0: { Throw: { Error: 'Busy', Cause: 'later' } }, 1: { Return: { ok: true } } },
      // A callback task answers with the callback, as Step Functions Local's mocks do.
      Ship: { 0: { Return: { carrier: 'DHL' } } },
    });
  });

  it('says why a case cannot run on the emulator', () => {
    expect(mockedResponses({ Ship: { callback: 'none' } }).unsupported).toMatch(/Ship's callback never answers/);
    expect(mockedResponses({ Pay: { mock: [{ return: 1 }, { never: true }] } }).unsupported).toMatch(/Pay never answers on attempt 2/);
  });

  it('is read by the emulator beside the project’s own MockConfigFile', () => {
    mkdirSync(path.join(dir, '.deliv'), { recursive: true });
    const own = path.join(dir, 'mocks.json');
    const generated = path.join(dir, '.deliv', 'test-mocks.json');
    writeFileSync(own, JSON.stringify({ StateMachines: { shop: { TestCases: { Happy: { Pay: 'PayOk' } } } }, MockedResponses: { PayOk: { 0: { Return: 'own' } } } }));
    writeFileSync(generated, JSON.stringify({ StateMachines: { shop: { TestCases: { 'deliv-test-0': { Pay: 'x' } } } }, MockedResponses: { x: { 0: { Return: 'generated' } } } }));
    const mocks = new MockFile(own, [generated]);
    expect(mocks.lookup('shop', 'Happy', 'Pay', 0)).toEqual({ kind: 'return', value: 'own' });
    expect(mocks.lookup('shop', 'deliv-test-0', 'Pay', 0)).toEqual({ kind: 'return', value: 'generated' });
  });
});
