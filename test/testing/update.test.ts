import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProject } from '../../src/testing/index.js';
import { watchProject } from '../../src/testing/watch.js';
import { tempDir } from '../helpers/cli.js';
import { SHOP, writeProject } from './project.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('deliv-testing-update-')));
afterAll(() => cleanup());

const TESTS = `# Shop tests: the comments and the layout survive --update.
cases:
  # the happy path
  - name: small order
    input: { amount: 5 }
    states:
      Pay: &paid { mock: { return: { Payload: { amount: 5 } } } }
    expect:
      status: SUCCEEDED # stays
      path: [Pay, Done]
      visits: [Ship]
  - name: untouched
    input: { amount: 5 }
    states:
      Pay: *paid
    expect: { path: [Pay, IsBig, Done] }
`;

describe('deliv test --update', () => {
  it('writes the actual path and output of failing cases, keeping comments, and the file passes after', async () => {
    const project = writeProject(path.join(dir, 'update'), 'shop', SHOP, TESTS);
    const file = path.join(project.root, 'tests', 'shop.test.yaml');
    const first = await testProject(project, { update: true });
    expect(first.run.failed).toBe(1);
    expect(first.exitCode).toBe(0);
    expect(first.report.updated).toEqual([{ file: first.run.files[0].file, case: 'small order' }]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Shop tests: the comments and the layout survive --update.');
    expect(text).toContain('  # the happy path');
    expect(text).toContain('status: SUCCEEDED # stays');
    expect(text).toContain('path: [ Pay, IsBig, Done ]');
    expect(text).not.toContain('visits');
    expect(text).toContain('Pay: &paid');
    expect(first.updates[0].diff.join('\n')).toContain('-      path: [Pay, Done]');
    const second = await testProject(project);
    expect([second.run.passed, second.run.failed, second.exitCode]).toEqual([2, 0, 0]);
  });
});

describe('deliv test --watch', () => {
  it('runs once, then again when a test file changes', async () => {
    const project = writeProject(path.join(dir, 'watch'), 'shop', SHOP, TESTS);
    const controller = new AbortController();
    let runs = 0;
    const watching = watchProject(
      project,
      async () => {
        runs += 1;
        if (runs === 1) writeFileSync(path.join(project.root, 'tests', 'shop.test.yaml'), `${TESTS}\n`);
        if (runs === 2) controller.abort();
      },
      controller.signal,
    );
    await watching;
    expect(runs).toBe(2);
  });
});
