import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseProjectConfig } from '../../src/project/config.js';
import { resolveInitOptions } from '../../src/project/init-answers.js';
import { insideRoot, planProject, projectNameProblem, writeProject } from '../../src/project/scaffold.js';
import { listTemplates, TEMPLATES_DIR } from '../../src/project/templates.js';
import { tempDir } from '../helpers/cli.js';
// @ts-expect-error -- a plain .mjs build script without types
import { emitJavaScript } from '../../scripts/emit-js-handlers.mjs';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
function freshDir(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

describe('templates', () => {
  it('are the four delivery workflows, each with metadata', () => {
    expect(listTemplates().map((template) => template.name)).toEqual(['courier-dispatch', 'order-fulfillment', 'parcel-routing', 'support-triage']);
    for (const template of listTemplates()) {
      expect(template.description.length).toBeGreaterThan(20);
      expect(template.types.length).toBeGreaterThan(0);
    }
  });

  it('declare every placeholder their definition uses, and use every one they declare', () => {
    for (const template of listTemplates()) {
      const used = [...readFileSync(template.definitionFile, 'utf8').matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]);
      expect(new Set(used), template.name).toEqual(new Set(template.parameters.map((parameter) => parameter.name)));
    }
  });

  it('ship sample events that succeed and fail (failing ones say so in their name)', () => {
    for (const template of listTemplates()) {
      const events = readdirSync(path.join(template.dir, 'events'));
      expect(events.some((file) => file.includes('fail')), template.name).toBe(true);
      expect(events.some((file) => !file.includes('fail')), template.name).toBe(true);
    }
  });

  it('have JavaScript handlers generated from the TypeScript ones (run scripts/emit-js-handlers.mjs after editing)', () => {
    for (const template of listTemplates()) {
      for (const fn of Object.values(template.functions)) {
        const source = readFileSync(path.join(TEMPLATES_DIR, template.name, 'functions', fn.source), 'utf8');
        const javascript = readFileSync(path.join(TEMPLATES_DIR, template.name, 'functions', fn.source.replace(/\.ts$/, '.js')), 'utf8');
        expect(javascript).toBe(emitJavaScript(source));
      }
    }
  });
});

describe('planProject', () => {
  const base = { dir: 'demo', name: 'demo', region: 'eu-west-1', language: 'ts' as const };

  it('writes a deliv.yaml that the project loader reads back, with both targets filled', () => {
    const files = planProject({ ...base, templates: ['order-fulfillment', 'support-triage'] });
    const config = parseProjectConfig(files.get('deliv.yaml')!, 'deliv.yaml');
    expect(Object.keys(config.stateMachines)).toEqual(['order-fulfillment', 'support-triage']);
    expect(config.stateMachines['order-fulfillment']).toMatchObject({ type: 'STANDARD', definition: 'statemachines/order-fulfillment.asl.yaml', events: 'events/order-fulfillment' });
    expect(config.functions?.['validate-order']).toMatchObject({ handler: 'functions/validate-order.ts', timeoutSeconds: 10 });
    expect(config.targets.local.substitutions?.ValidateOrderFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:validate-order');
    // deploy creates the roles and the functions, and names the account: nothing to type by hand.
    expect(config.targets.prod).toEqual({ kind: 'aws', region: 'eu-west-1', substitutions: expect.any(Object) });
    expect(Object.keys(config.targets.prod.substitutions ?? {}).filter((name) => name.endsWith('FunctionArn'))).toEqual([]);
    expect(config.targets.prod.substitutions?.EscalationQueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/${AWS::AccountId}/support-escalations');
    expect(config.functions?.['assign-courier']?.permissions).toEqual([
      { Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:order-fulfillment' },
    ]);
    expect(config.cost).toEqual({ executionsPerMonth: 100000 });
    expect(config.explain?.model).toBe('global.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(files.get('.gitignore')).toContain('.deliv/');
  });

  it('merges the mocks of every template into one MockConfigFile', () => {
    const files = planProject({ ...base, templates: ['order-fulfillment', 'support-triage'] });
    const mocks = JSON.parse(files.get('mocks/MockConfigFile.json')!);
    expect(mocks.StateMachines['support-triage'].TestCases.Default.ClassifyComplaint).toBe('ClassifiedDamaged');
    expect(mocks.StateMachines['order-fulfillment'].TestCases.Default.NotifyCustomer).toBe('NotificationSent');
    expect(mocks.MockedResponses.ClassifiedDamaged['0'].Return.Body.content[0].text).toBe('DAMAGED');
  });

  it('emits JavaScript handlers when asked', () => {
    const files = planProject({ ...base, templates: ['courier-dispatch'], language: 'js' });
    expect(files.get('functions/offer-job.js')).toContain('export async function handler(event)');
    expect([...files.keys()].some((file) => file.endsWith('.ts'))).toBe(false);
    expect(parse(files.get('deliv.yaml')!).functions['offer-job'].handler).toBe('functions/offer-job.js');
  });

  it('refuses a workflow type the template does not allow', () => {
    expect(() => planProject({ ...base, templates: ['order-fulfillment'], types: { 'order-fulfillment': 'EXPRESS' } })).toThrow(/cannot run as EXPRESS/);
  });

  it('names the real templates when one is unknown', () => {
    expect(() => planProject({ ...base, templates: ['order-fulfilment'] })).toThrow(expect.objectContaining({
      message: 'unknown template `order-fulfilment`',
      hint: 'available templates: courier-dispatch, order-fulfillment, parcel-routing, support-triage',
    }));
  });
});

describe('project names', () => {
  it.each(['demo', 'Order_Flow-2', 'a'.repeat(80)])('accepts %s', (name) => expect(projectNameProblem(name)).toBeUndefined());
  it.each(['', 'a'.repeat(81), '../evil', 'has space', 'a/b', 'x$y', 'semi;colon', '..'])('rejects %j', (name) => expect(projectNameProblem(name)).toBeDefined());
});

describe('writeProject', () => {
  it('never writes outside the target folder', () => {
    const dir = freshDir();
    expect(() => insideRoot(dir, '../escape.txt')).toThrow(/outside/);
    expect(() => writeProject(path.join(dir, 'p'), new Map([['../../escape.txt', 'x']]))).toThrow(/outside/);
    expect(existsSync(path.join(dir, 'p'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a non-empty folder unless forced, and then keeps the other files', () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(() => writeProject(dir, new Map([['a.txt', 'a']]))).toThrow(/is not empty/);
    writeProject(dir, new Map([['a.txt', 'a'], ['sub/b.txt', 'b']]), { force: true });
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'notes.txt', 'sub']);
    expect(readFileSync(path.join(dir, 'sub/b.txt'), 'utf8')).toBe('b');
  });

  it('removes the folder it created when a write fails half-way', () => {
    const dir = freshDir();
    const clashing = new Map([['a', 'a file'], ['a/b.txt', 'a file inside a file']]);
    expect(() => writeProject(path.join(dir, 'p'), clashing)).toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with --force, writes nothing through a folder of DIR that is a symbolic link out of it', () => {
    const dir = freshDir();
    mkdirSync(path.join(dir, 'elsewhere'));
    mkdirSync(path.join(dir, 'project'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'project/statemachines'));
    const files = new Map([['deliv.yaml', 'name: p\n'], ['statemachines/orders.asl.yaml', 'StartAt: A\n']]);
    expect(() => writeProject(path.join(dir, 'project'), files, { force: true })).toThrow(/refusing to write statemachines\/orders\.asl\.yaml: it is a symbolic link to/);
    expect(readdirSync(path.join(dir, 'elsewhere'))).toEqual([]);
    expect(readdirSync(path.join(dir, 'project'))).toEqual(['statemachines']);
  });

  it.runIf(existsSync('/proc/self'))('fails at once for a folder that cannot be created (/proc/x), without hanging in mkdir', () => {
    expect(() => writeProject('/proc/deliv-init-test/x', new Map([['a.txt', 'a']]))).toThrow('cannot create /proc/deliv-init-test: this file system does not allow new folders there');
  });

  it('leaves no staging folder behind', () => {
    const dir = freshDir();
    writeProject(path.join(dir, 'p'), new Map([['x.txt', 'x']]));
    mkdirSync(path.join(dir, 'q'));
    writeProject(path.join(dir, 'q'), new Map([['y.txt', 'y']]));
    expect(readdirSync(dir).sort()).toEqual(['p', 'q']);
    expect(readdirSync(path.join(dir, 'p'))).toEqual(['x.txt']);
    expect(readdirSync(path.join(dir, 'q'))).toEqual(['y.txt']);
  });
});

describe('resolveInitOptions without a terminal', () => {
  it('takes defaults with --yes', async () => {
    const dir = path.join(freshDir(), 'shop');
    const options = await resolveInitOptions({ dir, template: ['parcel-routing'], yes: true }, false);
    expect(options).toMatchObject({ dir, name: 'shop', templates: ['parcel-routing'], types: { 'parcel-routing': 'EXPRESS' }, region: 'us-east-1', language: 'ts' });
  });

  it('takes the main template with --yes when none is named', async () => {
    const dir = path.join(freshDir(), 'shop');
    await expect(resolveInitOptions({ dir, yes: true }, false)).resolves.toMatchObject({ templates: ['order-fulfillment'] });
  });

  it('names the missing flag instead of waiting for an answer', async () => {
    const dir = path.join(freshDir(), 'shop');
    await expect(resolveInitOptions({ dir }, false)).rejects.toThrow(/missing --template/);
    await expect(resolveInitOptions({ dir, template: ['order-fulfillment'] }, false)).rejects.toThrow(/missing --region/);
    await expect(resolveInitOptions({ dir, template: ['support-triage'], region: 'eu-west-1' }, false)).rejects.toThrow(/missing --type/);
    await expect(resolveInitOptions({ dir, template: ['support-triage'], region: 'eu-west-1', type: 'express' }, false)).rejects.toThrow(/missing --language/);
    await expect(resolveInitOptions({ dir, template: ['support-triage'], region: 'eu-west-1', type: 'express', language: 'js' }, false)).resolves.toMatchObject({
      types: { 'support-triage': 'EXPRESS' },
      language: 'js',
    });
  });

  it.runIf(existsSync('/proc/self'))('refuses a folder it cannot write before the first question', async () => {
    // interactive: the check must come before any prompt (which would wait on a test's stdin).
    await expect(resolveInitOptions({ dir: '/proc/x' }, true)).rejects.toThrow(/^cannot create \/proc\/x: /);
    await expect(resolveInitOptions({ dir: '/proc/x', yes: true }, false)).rejects.toThrow(/^cannot create \/proc\/x: /);
  });

  it('rejects a bad region or name before anything else', async () => {
    await expect(resolveInitOptions({ template: ['order-fulfillment'], region: 'europe', yes: true }, false)).rejects.toThrow(/not an AWS region/);
    await expect(resolveInitOptions({ template: ['order-fulfillment'], name: '../up', yes: true }, false)).rejects.toThrow(/invalid project name/);
  });
});
