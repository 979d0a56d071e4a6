import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { KEYS, runCliOnPty } from '../helpers/pty.js';

const TEMPLATES = ['order-fulfillment', 'parcel-routing', 'courier-dispatch', 'support-triage'];

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('deliv-e2e-init-'));
});
afterAll(() => cleanup());

/** Runs `check` while `file` holds an edited copy of itself, then puts the original back. */
async function withEdited(file: string, edit: (text: string) => string, check: () => Promise<void>): Promise<void> {
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, edit(original));
  try {
    await check();
  } finally {
    writeFileSync(file, original);
  }
}

/** A fresh folder under this file's temp root. */
function folder(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe.each(TEMPLATES)('deliv init --template %s', (template) => {
  it('scaffolds a project that validates and builds', async () => {
    const cwd = folder(template);
    const init = await runCli(['init', 'demo', '--yes', '--template', template], { cwd });
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain('Next steps:');
    const project = path.join(cwd, 'demo');
    expect(readdirSync(project).sort()).toEqual(['.gitignore', 'README.md', 'deliv.yaml', 'events', 'functions', 'mocks', 'package.json', 'statemachines', 'tests']);
    const events = readdirSync(path.join(project, 'events', template));
    expect(events.filter((file) => file.includes('fail')).length).toBeGreaterThan(0);
    expect(events.filter((file) => !file.includes('fail')).length).toBeGreaterThan(0);

    const validate = await runCli(['validate'], { cwd: project });
    expect(validate.exitCode, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stdout).toContain(`✓ ${template}`);

    const build = await runCli(['build', '--target', 'prod'], { cwd: project });
    expect(build.exitCode, build.stderr).toBe(0);
    const built = readFileSync(path.join(project, '.deliv/build', `${template}.asl.json`), 'utf8');
    // Function ARNs follow from the functions deploy creates; only the account, unknown offline, stays a pseudo-parameter.
    expect(built.replaceAll('${AWS::AccountId}', '')).not.toContain('${');
    expect(built).toContain(':${AWS::AccountId}:function:demo-');
    expect(build.stderr).toContain('${AWS::AccountId} left as written');
    expect(JSON.parse(built).StartAt).toBeTypeOf('string');
  });
});

describe('deliv init: the next steps it prints', () => {
  it('run as printed, one after the other, each one ending on its own', async () => {
    const cwd = folder('next-steps');
    const init = await runCli(['init', 'shop', '--yes', '--template', 'order-fulfillment'], { cwd });
    expect(init.exitCode, init.stderr).toBe(0);
    const steps = init.stdout.split('Next steps:\n')[1].split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean);
    expect(steps[0]).toBe('cd shop');
    expect(steps).not.toContain('deliv local start');
    let dir = cwd;
    try {
      for (const step of steps) {
        const [program, ...args] = step.split(/\s+/);
        if (program === 'cd') {
          dir = path.join(dir, args[0]);
          continue;
        }
        if (step === 'npm install') {
          // Offline here: deliv's own node_modules holds the same packages.
          symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
          continue;
        }
        expect(program).toBe('deliv');
        const result = await runCli(args, { cwd: dir, timeoutMs: 60_000 });
        expect(result.exitCode, `${step}\n${result.stdout}${result.stderr}`).toBe(0);
      }
      expect(steps.at(-1)).toBe('deliv local stop');
    } finally {
      await runCli(['local', 'stop'], { cwd: dir });
    }
  }, 180_000);
});

describe('deliv init: flags in any order', () => {
  it('reads DIR after -t as the folder, not as a second template', async () => {
    const cwd = folder('order');
    const result = await runCli(['init', '-t', 'parcel-routing', 'after', '-y'], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual(['after']);
    expect(parse(readFileSync(path.join(cwd, 'after/deliv.yaml'), 'utf8')).stateMachines).toHaveProperty('parcel-routing');
  });

  it('--yes without --template starts from order-fulfillment, the main template', async () => {
    const cwd = folder('yes-only');
    const result = await runCli(['init', 'plain', '--yes', '--json'], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ templates: ['order-fulfillment'], stateMachines: ['order-fulfillment'] });
  });
});

describe('deliv init: bad input', () => {
  it('lists the real templates when one is unknown', async () => {
    const result = await runCli(['init', 'x', '--yes', '--template', 'pizza-delivery'], { cwd: folder('unknown') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown template `pizza-delivery`');
    expect(result.stderr).toContain('courier-dispatch, order-fulfillment, parcel-routing, support-triage');
    expect(readdirSync(path.join(root, 'unknown'))).toEqual([]);
  });

  it('refuses a non-empty folder without --force', async () => {
    const cwd = folder('nonempty');
    writeFileSync(path.join(cwd, 'keep.txt'), 'mine');
    const refused = await runCli(['init', '.', '--yes', '--template', 'courier-dispatch', '--name', 'keep'], { cwd });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/is not empty/);
    expect(refused.stderr).toContain('--force');
    expect(readdirSync(cwd)).toEqual(['keep.txt']);
    const forced = await runCli(['init', '.', '--yes', '--template', 'courier-dispatch', '--name', 'keep', '--force'], { cwd });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(readFileSync(path.join(cwd, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(cwd, 'deliv.yaml'))).toBe(true);
  });

  it.runIf(existsSync('/proc/self'))('fails at once, with the reason, where no folder can be created (/proc/x)', async () => {
    const result = await runCli(['init', '/proc/x', '--yes'], { cwd: folder('proc') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cannot create /proc/x: this file system does not allow new folders there');
  });

  it('rejects a project name with ../ and writes nothing', async () => {
    const cwd = folder('escape');
    const result = await runCli(['init', '--yes', '--template', 'courier-dispatch', '--name', '../outside'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('invalid project name `../outside`');
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(path.join(root, 'outside'))).toBe(false);
  });

  it('never waits for input without a terminal: the missing flag is named', async () => {
    const result = await runCli(['init', 'quiet', '--template', 'order-fulfillment'], { cwd: folder('no-tty') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('missing --region');
  });
});

describe('deliv validate and build: bad input', () => {
  let project: string;
  beforeAll(async () => {
    const cwd = folder('broken');
    await runCli(['init', 'shop', '--yes', '--template', 'order-fulfillment', '--template', 'support-triage'], { cwd });
    project = path.join(cwd, 'shop');
  });

  it('names a placeholder with no substitution, and the target', async () => {
    const dropModel = (text: string) => {
      const config = parse(text);
      delete config.targets.prod.substitutions.TriageModelId;
      return stringify(config);
    };
    await withEdited(path.join(project, 'deliv.yaml'), dropModel, async () => {
      const result = await runCli(['validate'], { cwd: project });
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toMatch(/statemachines\/support-triage\.asl\.yaml:\d+:\d+: error: placeholder \$\{TriageModelId\} has no substitution in target `prod`/);
      const build = await runCli(['build', '--target', 'prod'], { cwd: project });
      expect(build.exitCode).toBe(2);
      expect(build.stderr).toContain('TriageModelId');
      expect((await runCli(['validate', '--target', 'local'], { cwd: project })).exitCode).toBe(0);
    });
  });

  it('points at the line of malformed YAML', async () => {
    const file = path.join(project, 'statemachines/order-fulfillment.asl.yaml');
    const badLine = readFileSync(file, 'utf8').split('\n').indexOf('  CheckStock:') + 2;
    await withEdited(file, (text) => text.replace('  CheckStock:\n', '  CheckStock:\n    Type: [Task\n'), async () => {
      const result = await runCli(['validate'], { cwd: project });
      expect(result.exitCode).toBe(2);
      const reported = /statemachines\/order-fulfillment\.asl\.yaml:(\d+):\d+: error:/.exec(result.stdout);
      expect(Number(reported?.[1])).toBeGreaterThanOrEqual(badLine);
      expect(Number(reported?.[1])).toBeLessThanOrEqual(badLine + 1);
      expect(result.stdout).toContain('✓ support-triage');
    });
  });

  it('points at the line of a malformed deliv.yaml', async () => {
    await withEdited(path.join(project, 'deliv.yaml'), (text) => text.replace('stateMachines:\n', 'stateMachines:\n  - oops: [\n'), async () => {
      const result = await runCli(['validate'], { cwd: project });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/deliv\.yaml:\d+:\d+:/);
    });
  });

  it('reports problems as JSON with --json', async () => {
    const file = path.join(project, 'statemachines/support-triage.asl.yaml');
    await withEdited(file, (text) => text.replace('Next: ClassifyComplaint', 'Next: ClassifyComplain'), async () => {
      const result = await runCli(['validate', '--json'], { cwd: project });
      expect(result.exitCode).toBe(2);
      const report = JSON.parse(result.stdout);
      expect(report.valid).toBe(false);
      const problems = report.definitions.flatMap((definition: { problems: unknown[] }) => definition.problems);
      expect(problems).toContainEqual(expect.objectContaining({ code: 'MISSING_TRANSITION_TARGET', state: 'CheckComplaint', message: expect.stringContaining('did you mean ClassifyComplaint?') }));
    });
  });
});

describe('deliv validate FILE outside a project', () => {
  it('warns about placeholders, fills them with --sub, and exits 2 only on errors', async () => {
    const cwd = folder('bare');
    const file = path.join(cwd, 'pay.asl.json');
    writeFileSync(file, JSON.stringify({ StartAt: 'Pay', States: { Pay: { Type: 'Task', Resource: '${PayArn}', End: true } } }, null, 2));
    const warned = await runCli(['validate', 'pay.asl.json'], { cwd });
    expect(warned.exitCode).toBe(0);
    expect(warned.stdout).toMatch(/pay\.asl\.json:6:7: warning: placeholder \$\{PayArn\} has no substitution; pass --sub PayArn=VALUE/);
    const filled = await runCli(['validate', 'pay.asl.json', '--sub', 'PayArn=arn:aws:lambda:us-east-1:123456789012:function:pay'], { cwd });
    expect(filled.exitCode).toBe(0);
    expect(filled.stdout).not.toContain('warning');
    writeFileSync(file, JSON.stringify({ StartAt: 'Pay', States: { Pay: { Type: 'Pass', Next: 'Nowhere' } } }, null, 2));
    const broken = await runCli(['validate', 'pay.asl.json'], { cwd });
    expect(broken.exitCode).toBe(2);
    expect(broken.stdout).toContain('pay.asl.json:6:7: error: Next names a state that does not exist here: Nowhere');
  });

  it('reports a state name written twice in a YAML definition with AWS\'s code at the later one, as in JSON', async () => {
    const cwd = folder('bare-yaml');
    writeFileSync(path.join(cwd, 'pack.asl.yaml'), 'StartAt: Pack\nStates:\n  Pack:\n    Type: Pass\n    Next: Ship\n  Ship:\n    Type: Succeed\n  Pack:\n    Type: Pass\n    End: true\n');
    const result = await runCli(['validate', 'pack.asl.yaml'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stdout.split('\n').filter((line) => line.includes(': error: '))).toEqual([expect.stringMatching(/^pack\.asl\.yaml:8:3: error: state name Pack is used twice: .* \(DUPLICATE_STATE_NAME at \/States\/Pack\)$/)]);
  });
});

describe('deliv templates', () => {
  it('lists the templates with their parameters as JSON', async () => {
    const result = await runCli(['templates', '--json']);
    expect(result.exitCode).toBe(0);
    const { templates } = JSON.parse(result.stdout);
    expect(templates.map((template: { name: string }) => template.name)).toEqual(['courier-dispatch', 'order-fulfillment', 'parcel-routing', 'support-triage']);
    const triage = templates.find((template: { name: string }) => template.name === 'support-triage');
    expect(triage.types).toEqual(['STANDARD', 'EXPRESS']);
    expect(triage.parameters).toContainEqual(expect.objectContaining({ name: 'TriageModelId', default: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' }));
  });
});

describe('deliv init on a terminal', () => {
  it('asks for templates, name, workflow type, region and language', async () => {
    const cwd = folder('interactive');
    const result = await runCliOnPty(['init'], [
      { expect: 'Templates', send: KEYS.down + KEYS.space + KEYS.down + KEYS.down + KEYS.space + KEYS.enter },
      { expect: 'Project name', send: `my-shop${KEYS.enter}` },
      { expect: 'Workflow type for support-triage', send: KEYS.down + KEYS.enter },
      { expect: 'AWS region', send: `eu-central-1${KEYS.enter}` },
      { expect: 'Handler language', send: KEYS.down + KEYS.enter },
    ], { cwd });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('Next steps:');
    const config = parse(readFileSync(path.join(cwd, 'my-shop/deliv.yaml'), 'utf8'));
    expect(config.name).toBe('my-shop');
    expect(Object.keys(config.stateMachines)).toEqual(['order-fulfillment', 'support-triage']);
    expect(config.stateMachines['support-triage'].type).toBe('EXPRESS');
    expect(config.targets.prod.region).toBe('eu-central-1');
    expect(config.functions['validate-order'].handler).toBe('functions/validate-order.js');
  });

  it('leaves nothing behind when a prompt is cancelled with Ctrl-C', async () => {
    const cwd = folder('cancelled');
    const result = await runCliOnPty(['init', 'half', '--template', 'order-fulfillment'], [
      { expect: 'Project name', send: `half-done${KEYS.enter}` },
      { expect: 'AWS region', send: KEYS.ctrlC },
    ], { cwd });
    expect(result.exitCode).toBe(130);
    expect(result.output).toContain('cancelled');
    expect(result.output).not.toMatch(/\n\s+at /);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('npm pack', () => {
  it('installs into an empty prefix and runs deliv --help', async () => {
    const work = folder('pack');
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const tarball = path.join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0].filename);
    const prefix = path.join(work, 'prefix');
    // Install scripts are skipped: native modules (better-sqlite3) are not needed for --help.
    execFileSync('npm', ['install', '--prefix', prefix, '--global', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', tarball], { encoding: 'utf8', stdio: 'pipe' });
    const help = execFileSync(path.join(prefix, 'bin/deliv'), ['--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(help).toContain('USAGE');
    expect(help).toContain('init');
    const templates = execFileSync(path.join(prefix, 'bin/deliv'), ['templates', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(templates).templates).toHaveLength(4);
  }, 300_000);
});
