/**
 * The emulator's Lambda runtime on its own, as a handler author meets it: the
 * AWS SDK v3 is there without `npm install` (the project's own copy wins), a
 * handler that could not load says why and is loaded again next time, and
 * nothing a handler does (exit, throw later, reject unhandled, spin) stops
 * the host: that invocation fails with Lambda's error shape.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskFailure } from '../../src/engine/types.js';
import { LambdaHost } from '../../src/local/lambda.js';
import type { FunctionConfig } from '../../src/project/config.js';
import { tempDir } from '../helpers/cli.js';

let root: string;
let cleanup: () => void;
let host: LambdaHost;

function handler(file: string, source: string): FunctionConfig {
  writeFileSync(path.join(root, 'functions', file), source);
  return { handler: `functions/${file}`, timeoutSeconds: 5 };
}

function invoke(name: string, config: FunctionConfig, payload: unknown = {}) {
  return host.invoke(name, config, payload, new AbortController().signal);
}

type LambdaError = { errorType: string; errorMessage: string; trace?: string[] };

/** The task failure an invocation ended with; a Lambda error's cause is its error JSON. */
async function failure(promise: Promise<unknown>): Promise<{ error: string; cause: LambdaError; text: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TaskFailure)) throw error;
    const text = error.cause ?? '';
    return { error: error.error, cause: (text.startsWith('{') ? JSON.parse(text) : {}) as LambdaError, text };
  }
  throw new Error('expected the invocation to fail');
}

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('deliv-lambda-'));
  mkdirSync(path.join(root, 'functions'));
  writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
  host = new LambdaHost(root, path.join(root, '.deliv/cache'), { region: 'us-east-1', account: '123456789012' });
});

afterAll(async () => {
  await host.close();
  cleanup();
});

describe('the AWS SDK for JavaScript v3, as Lambda provides it', () => {
  it('is there for a handler whose project never installed it (JavaScript and TypeScript)', async () => {
    const source = "import { SFNClient, ListStateMachinesCommand } from '@aws-sdk/client-sfn';\nexport const handler = async () => ({ client: typeof SFNClient, command: new ListStateMachinesCommand({}).constructor.name });\n";
    expect(await invoke('sdk-js', handler('sdk.mjs', source))).toEqual({ client: 'function', command: 'ListStateMachinesCommand' });
    expect(await invoke('sdk-ts', handler('sdk.ts', source))).toEqual({ client: 'function', command: 'ListStateMachinesCommand' });
  });

  it('is there for a CommonJS handler that requires it (.cjs, and .js in a CommonJS package)', async () => {
    const source = "const { SFNClient, ListStateMachinesCommand } = require('@aws-sdk/client-sfn');\nexports.handler = async () => ({ client: typeof SFNClient, command: new ListStateMachinesCommand({}).constructor.name });\n";
    expect(await invoke('sdk-cjs', handler('sdk.cjs', source))).toEqual({ client: 'function', command: 'ListStateMachinesCommand' });
    mkdirSync(path.join(root, 'functions/legacy'), { recursive: true });
    writeFileSync(path.join(root, 'functions/legacy/package.json'), '{"type":"commonjs"}');
    expect(await invoke('sdk-cjs-js', handler('legacy/sdk.js', source))).toEqual({ client: 'function', command: 'ListStateMachinesCommand' });
    expect(await invoke('sdk-cts', handler('sdk.cts', source.replace('async ()', 'async (): Promise<object>')))).toEqual({ client: 'function', command: 'ListStateMachinesCommand' });
  });

  it('gives deliv\'s copy to require() of @aws-sdk/* only, never its other dependencies', async () => {
    const config = handler('other.cjs', "exports.handler = () => { try { require('yaml'); return 'leaked'; } catch (error) { return error.code; } };\n");
    expect(await invoke('other-cjs', config)).toBe('MODULE_NOT_FOUND');
  });

  it("gives way to the project's own node_modules", async () => {
    const own = path.join(root, 'node_modules/@aws-sdk/client-sfn');
    mkdirSync(own, { recursive: true });
    writeFileSync(path.join(own, 'package.json'), '{"name":"@aws-sdk/client-sfn","version":"3.0.0-own","type":"module","main":"index.js"}');
    writeFileSync(path.join(own, 'index.js'), "export const SFNClient = 'the project copy';\n");
    writeFileSync(path.join(own, 'index.cjs'), "exports.SFNClient = 'the project copy, required';\n");
    writeFileSync(path.join(own, 'package.json'), '{"name":"@aws-sdk/client-sfn","version":"3.0.0-own","type":"module","exports":{"import":"./index.js","require":"./index.cjs"}}');
    const config = handler('own.mjs', "import { SFNClient } from '@aws-sdk/client-sfn';\nexport const handler = () => SFNClient;\n");
    const required = handler('own.cjs', "const { SFNClient } = require('@aws-sdk/client-sfn');\nexports.handler = () => SFNClient;\n");
    try {
      expect(await invoke('own', config)).toBe('the project copy');
      expect(await invoke('own-cjs', required)).toBe('the project copy, required');
    } finally {
      writeFileSync(path.join(own, 'index.js'), '');
    }
  });
});

describe('a TypeScript handler is the module Node would make of it', () => {
  /** A folder of functions with its own package.json (what Node reads to decide a `.ts` file's module system). */
  function packageFolder(name: string, packageJson: object): void {
    mkdirSync(path.join(root, 'functions', name), { recursive: true });
    writeFileSync(path.join(root, 'functions', name, 'package.json'), JSON.stringify(packageJson));
  }

  it('is CommonJS in a package with no "type": require() works beside import, as AWS\'s bundlers build it', async () => {
    packageFolder('plain', { name: 'plain' });
    writeFileSync(path.join(root, 'functions/plain/rates.json'), '{"express":3}');
    const source = [
      "import { hostname } from 'node:os';",
      "const { basename } = require('node:path');",
      "const rates: Record<string, number> = require('./rates.json');",
      'export const handler = async (): Promise<object> => ({ host: typeof hostname(), file: basename(__filename), express: rates.express });',
      '',
    ].join('\n');
    expect(await invoke('plain-ts', handler('plain/rates.ts', source))).toEqual({ host: 'string', file: expect.stringMatching(/\.cjs$/), express: 3 });
  });

  it('is CommonJS in a "type": "commonjs" package', async () => {
    packageFolder('legacy-ts', { type: 'commonjs' });
    const source = "const { basename } = require('node:path');\nexport const handler = async (): Promise<string> => basename(__filename);\n";
    expect(await invoke('legacy-ts', handler('legacy-ts/name.ts', source))).toMatch(/\.cjs$/);
  });

  it('is an ES module with no "type" when it has what only an ES module can (top-level await, import.meta)', async () => {
    packageFolder('detect', { name: 'detect' });
    const awaited = handler('detect/awaited.ts', "const greeting: string = await Promise.resolve('hello');\nexport const handler = async () => greeting;\n");
    expect(await invoke('awaited-ts', awaited)).toBe('hello');
    const meta = handler('detect/meta.ts', "export const handler = async (): Promise<boolean> => import.meta.url.startsWith('file:');\n");
    expect(await invoke('meta-ts', meta)).toBe(true);
  });

  it('says why require() fails in an ES module and what to do', async () => {
    packageFolder('esm', { type: 'module' });
    const { cause } = await failure(invoke('esm-require-ts', handler('esm/required.ts', "const { sep } = require('node:path');\nexport const handler = async () => sep;\n")));
    expect(cause.errorMessage).toMatch(/^Dynamic require of "node:path" is not supported: the handler is an ES module .*"type": "module".*Import it instead \(import \.\.\. from 'node:path'\), or make the handler CommonJS \(name it \.cts/);
  });

  it('is an ES module under "type": "module", and follows its package.json when that changes', async () => {
    packageFolder('switch', { type: 'module' });
    // A CommonJS module has its own __filename (the bundle's); an ES module has none of its own.
    const config = handler('switch/kind.ts', "export const handler = async (): Promise<string> => (typeof __filename === 'string' && __filename.endsWith('.cjs') ? 'commonjs' : 'module');\n");
    expect(await invoke('switch-ts', config)).toBe('module');
    packageFolder('switch', { type: 'commonjs' });
    expect(await invoke('switch-ts', config)).toBe('commonjs');
  });
});

describe('a handler that cannot load', () => {
  it('says which package is missing and what to run, then loads again once it is installed', async () => {
    const config = handler('needs-pkg.mjs', "import { pad } from 'left-pad-deliv';\nexport const handler = () => pad('7');\n");
    const missing = await failure(invoke('needs-pkg', config));
    expect(missing.error).toBe('Runtime.ImportModuleError');
    expect(missing.cause.errorMessage).toMatch(/Cannot find package 'left-pad-deliv'/);
    expect(missing.cause.errorMessage).toMatch(/run `npm install` in the project folder/);
    expect(missing.cause.errorMessage).not.toContain(root);

    const installed = path.join(root, 'node_modules/left-pad-deliv');
    mkdirSync(installed, { recursive: true });
    writeFileSync(path.join(installed, 'package.json'), '{"name":"left-pad-deliv","type":"module","main":"index.js"}');
    writeFileSync(path.join(installed, 'index.js'), "export const pad = (text) => text.padStart(3, '0');\n");
    expect(await invoke('needs-pkg', config)).toBe('007');
  });

  it("names the project's own TypeScript file as the importer, never deliv's compiled copy of it", async () => {
    const missing = await failure(invoke('needs-pkg-ts', handler('needs-pkg.ts', "import { pad } from 'left-pad-deliv-ts';\nexport const handler = (): string => pad('7');\n")));
    expect(missing.error).toBe('Runtime.ImportModuleError');
    expect(missing.cause.errorMessage).toMatch(/^Error: Cannot find package 'left-pad-deliv-ts' imported from functions\/needs-pkg\.ts\. left-pad-deliv-ts is not installed: run `npm install`/);
    expect(missing.text).not.toMatch(/\.deliv|cache/);
  });

  it('says the same of a package that require() cannot find', async () => {
    const missing = await failure(invoke('needs-pkg-cjs', handler('needs-pkg.cjs', "const { pad } = require('right-pad-deliv');\nexports.handler = () => pad('7');\n")));
    expect(missing.error).toBe('Runtime.ImportModuleError');
    expect(missing.cause.errorMessage).toMatch(/^Error: Cannot find module 'right-pad-deliv'\. right-pad-deliv is not installed: run `npm install` in the project folder/);
    const path = await failure(invoke('needs-file-cjs', handler('needs-file.cjs', "require('./nowhere');\nexports.handler = () => 1;\n")));
    expect(path.cause.errorMessage).toMatch(/Cannot find module '\.\/nowhere'\. Fix the import path in functions\/needs-file\.cjs/);
  });

  it('points at the file and line of a syntax error, in JavaScript and in TypeScript', async () => {
    const js = await failure(invoke('bad-js', handler('bad.mjs', 'export const handler = () => {\n  return 1 +;\n};\n')));
    expect(js.error).toBe('Runtime.UserCodeSyntaxError');
    expect(js.cause.errorMessage).toMatch(/functions\/bad\.mjs:2/);
    const ts = await failure(invoke('bad-ts', handler('bad.ts', 'export const handler = (): number => {\n  const x: number = ;\n  return x;\n};\n')));
    expect(ts.error).toBe('Runtime.UserCodeSyntaxError');
    expect(ts.cause.errorMessage).toMatch(/functions\/bad\.ts:2:\d+/);
  });

  it('says the handler is not exported', async () => {
    const missing = await failure(invoke('no-export', handler('no-export.mjs', 'export const main = () => 1;\n')));
    expect(missing).toMatchObject({ error: 'Runtime.HandlerNotFound', cause: { errorMessage: expect.stringMatching(/functions\/no-export\.handler is undefined or not exported/) } });
  });
});

describe('traces', () => {
  it("show the function's own source lines (through the source map) and no frames of deliv or Node", async () => {
    const config = handler('boom.ts', "// line 1\ntype Order = { id: string };\n\nexport async function handler(event: Order) {\n  throw new RangeError(`order ${event.id} is out of range`);\n}\n");
    const { error, cause } = await failure(invoke('boom', config, { id: 'A1' }));
    expect(error).toBe('RangeError');
    expect(cause.trace![0]).toBe('RangeError: order A1 is out of range');
    expect(cause.trace!.some((line) => line.includes('functions/boom.ts:5:'))).toBe(true);
    const frames = cause.trace!.slice(1).join('\n');
    expect(frames).not.toMatch(/node:internal|lambda-worker|src\/local|\.deliv\/cache/);
    expect(JSON.stringify(cause)).not.toContain(root);
  });
});

describe('nothing a handler does stops the host', () => {
  it('fails an invocation that calls process.exit() with Runtime.ExitError, and the next one runs', async () => {
    const config = handler('exits.mjs', 'let calls = 0;\nexport const handler = (event) => { calls += 1; if (event.exit) process.exit(3); return calls; };\n');
    expect(await failure(invoke('exits', config, { exit: true }))).toMatchObject({
      error: 'Runtime.ExitError',
      cause: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: exit status 3$/) },
    });
    expect(await invoke('exits', config, {})).toBe(1);
    // A warm environment keeps its module state between invocations, as Lambda's does.
    expect(await invoke('exits', config, {})).toBe(2);
  });

  it('fails an invocation that leaves a rejection unhandled with Runtime.UnhandledPromiseRejection', async () => {
    const config = handler('rejects.mjs', "export const handler = () => { Promise.reject(new Error('yikes')); return new Promise(() => {}); };\n");
    const { error, cause } = await failure(invoke('rejects', config));
    expect(error).toBe('Runtime.UnhandledPromiseRejection');
    expect(cause).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: yikes' });
    expect(cause.trace![0]).toBe('Runtime.UnhandledPromiseRejection: Error: yikes');
  });

  it('fails an invocation whose handler throws outside it (a timer) with that error', async () => {
    const config = handler('throws-later.mjs', "export const handler = () => new Promise(() => setTimeout(() => { throw new TypeError('late'); }, 1));\n");
    expect(await failure(invoke('throws-later', config))).toMatchObject({ error: 'TypeError', cause: { errorMessage: 'late' } });
  });

  it('ends a busy loop at timeoutSeconds with States.Timeout while the host stays responsive', async () => {
    const config = { ...handler('spins.mjs', "export const handler = (event) => { if (event.spin) for (;;) {} return 'warm'; };\n"), timeoutSeconds: 1 };
    expect(await invoke('spins', config, { spin: false })).toBe('warm');
    const order: string[] = [];
    const spinning = failure(invoke('spins', config, { spin: true })).then((result) => {
      order.push('timed out');
      return result;
    });
    // The warm worker is spinning now; the host's own timers still fire.
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push('host timer fired');
    const timedOut = await spinning;
    expect(timedOut.error).toBe('States.Timeout');
    expect(timedOut.text).toMatch(/timed out after 1\.00 seconds/);
    expect(order).toEqual(['host timer fired', 'timed out']);
  });
});

describe("a handler's initialisation", () => {
  it("is limited from the handler's own import on: a burst of cold starts that takes longer to set up than the limit still loads", async () => {
    // Limits far below what setting up workers takes (a worker thread, its loader, from sources through tsx),
    // far above what importing a one-line module takes: only the second may count against the function.
    const strict = new LambdaHost(root, path.join(root, '.deliv/cache'), { region: 'us-east-1', account: '123456789012' }, undefined, { initTimeoutMs: 300 });
    try {
      const config = { ...handler('quick.mjs', 'export const handler = (event) => event.n * 2;\n'), timeoutSeconds: 0.3 };
      const burst = await Promise.all([1, 2, 3, 4].map((n) => strict.invoke('quick', config, { n }, new AbortController().signal)));
      expect(burst).toEqual([2, 4, 6, 8]);
    } finally {
      await strict.close();
    }
  });

  it('fails with States.Timeout "while loading" when the module never finishes loading, and loads it again next time', async () => {
    const strict = new LambdaHost(root, path.join(root, '.deliv/cache'), { region: 'us-east-1', account: '123456789012' }, undefined, { initTimeoutMs: 500 });
    try {
      const config = { ...handler('hangs-at-load.mjs', "import { existsSync } from 'node:fs';\nif (!existsSync(new URL('./loaded.flag', import.meta.url))) for (;;) {}\nexport const handler = () => 'loaded';\n"), timeoutSeconds: 0.5 };
      const hung = await failure(strict.invoke('hangs-at-load', config, {}, new AbortController().signal));
      expect(hung.error).toBe('States.Timeout');
      expect(hung.text).toMatch(/^Task timed out after 0\.50 seconds while loading \(functions\/hangs-at-load\.mjs;/);
      writeFileSync(path.join(root, 'functions/loaded.flag'), '');
      expect(await strict.invoke('hangs-at-load', config, {}, new AbortController().signal)).toBe('loaded');
    } finally {
      await strict.close();
    }
  });
});
