/**
 * The README is the first thing a new user follows: what it promises about
 * getting started and about exit codes must stay true of the code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/ui/errors.js';
import { EXIT_CODES } from '../../src/ui/interrupt.js';
import { REPO_ROOT } from '../helpers/cli.js';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Lines of the README's ```sh blocks, in order. */
function shellLines(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((match) => match[1].split('\n')).map((line) => line.trim()).filter(Boolean);
}

describe('the README quick start', () => {
  const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('\n## ', README.indexOf('## Quick start') + 1));

  it('runs the demo on the embedded defaults and the tests, with scripts that exist, and says the second npm ci can be skipped', () => {
    const lines = shellLines(quickStart);
    expect(lines[0]).toMatch(/^npm ci && npm run demo\b/);
    expect(lines[1]).toMatch(/^npm ci && npm test\b.*skip this `npm ci`/);
    expect(scripts.demo).toBeDefined();
    expect(scripts.test).toBeDefined();
  });

  it('says how to get the deliv command before the first example that uses it', () => {
    const lines = shellLines(README);
    const firstUse = lines.findIndex((line) => /^deliv\b/.test(line));
    const link = lines.findIndex((line) => /^npm link\b/.test(line));
    expect(link).toBeGreaterThanOrEqual(0);
    expect(link).toBeLessThan(firstUse);
    expect(lines).toContainEqual(expect.stringMatching(/^npx deliv\b/));
  });
});

describe('the README exit codes', () => {
  it('lists exactly the codes the commands use', () => {
    const section = README.slice(README.indexOf('### Exit codes'));
    const table = [...section.slice(0, section.indexOf('\n\n', section.indexOf('| code |'))).matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
    expect(table).toEqual(Object.values(EXIT_CODES));
  });
});

describe('the README error codes', () => {
  it('lists every code a --json error can carry, and no other', () => {
    const listed = [...README.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(listed).toEqual(Object.keys(ERROR_CODES));
  });
});
