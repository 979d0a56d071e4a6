import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { WorkflowType } from '../asl/types.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws/clients.js';
import { UsageError } from '../ui/errors.js';
import { insideProject, nearestExisting, PathOutsideProject } from './confine.js';
import { PROJECT_FILE, type FunctionConfig, type ProjectConfig, type StateMachineConfig, type TargetConfig } from './config.js';
import { getTemplate, parameterValue, type Template } from './templates.js';

export type HandlerLanguage = 'ts' | 'js';

export interface ScaffoldOptions {
  /** The folder to create or fill. */
  dir: string;
  /** Project name (deliv.yaml `name`); must be a valid state machine name. */
  name: string;
  templates: string[];
  /** Workflow type per template; a template's first allowed type when absent. */
  types?: Record<string, WorkflowType>;
  /** Region of the example AWS target. */
  region: string;
  language: HandlerLanguage;
  /** Write into a non-empty folder, replacing files of the same name. */
  force?: boolean;
}

export interface ScaffoldResult {
  dir: string;
  files: string[];
  stateMachines: string[];
  functions: string[];
  /** A sample input of the first state machine that succeeds. */
  sampleEvent: string;
  /** What to run next, in order (see nextSteps). */
  nextSteps: NextStep[];
}

/** One command of the "next steps" init prints and the project README repeats. */
export interface NextStep {
  command: string;
  why: string;
}

/**
 * What to run after `deliv init`, in order, each one finishing on its own:
 * deploy and start start the emulator in the background when it is not
 * running, so a foreground `deliv local start` (which would hold the terminal)
 * is never one of them.
 */
export function nextSteps(options: { dir?: string; stateMachine: string; sampleEvent: string; install?: string }): NextStep[] {
  return [
    ...(options.dir && options.dir !== '.' ? [{ command: `cd ${options.dir}`, why: '' }] : []),
    ...(options.install ? [{ command: 'npm install', why: options.install }] : []),
    { command: 'deliv validate', why: 'check every state machine' },
    { command: 'deliv deploy', why: 'create them on the embedded emulator (started in the background)' },
    { command: `deliv start ${options.stateMachine} --input ${options.sampleEvent} --wait`, why: 'run one to the end' },
    { command: 'deliv test', why: 'every path in tests/, in-process, no emulator needed' },
    { command: 'deliv local stop', why: 'stop the emulator when you are done' },
  ];
}

/** Steps as shell lines, comments aligned; a command too long for that has its comment on the line above. */
export function formatNextSteps(steps: readonly NextStep[], indent = ''): string[] {
  const short = 24;
  const width = Math.max(0, ...steps.filter((step) => step.why && step.command.length <= short).map((step) => step.command.length));
  return steps.flatMap((step) => {
    if (!step.why) return [`${indent}${step.command}`];
    if (step.command.length > short) return [`${indent}# ${step.why}`, `${indent}${step.command}`];
    return [`${indent}${step.command.padEnd(width)}  # ${step.why}`];
  });
}

/** The account of the example AWS target: AWS's documentation account, obviously not the user's. */
export const EXAMPLE_ACCOUNT = '111122223333';
export const EXAMPLE_TARGET = 'prod';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_EXPLAIN_MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
export const DEFAULT_EXECUTIONS_PER_MONTH = 100_000;

// AWS: 1-80 characters, none of whitespace, < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / or control characters.
// eslint-disable-next-line no-control-regex -- control characters are what AWS forbids
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** Why `name` cannot name a project or state machine, or undefined when it can. */
export function projectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > 80) return `the name is ${name.length} characters long; AWS allows at most 80`;
  if (name.includes('..')) return 'the name must not contain `..`';
  const bad = FORBIDDEN_NAME_CHARACTERS.exec(name);
  if (bad) return `the name contains ${JSON.stringify(bad[0])}, which AWS does not allow in a state machine name`;
  return undefined;
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function regionProblem(region: string): string | undefined {
  return REGION_PATTERN.test(region) ? undefined : `\`${region}\` is not an AWS region name (like eu-west-1)`;
}

/** The workflow type a template gets: the requested one if the template allows it. */
export function workflowTypeFor(template: Template, requested: WorkflowType | undefined): WorkflowType {
  if (!requested) return template.types[0];
  const type = requested.toUpperCase() as WorkflowType;
  if (!template.types.includes(type)) {
    throw new UsageError(`template \`${template.name}\` cannot run as ${type}`, {
      hint: `it allows ${template.types.join(' or ')}`,
    });
  }
  return type;
}

/** A folder is free to scaffold into when it is missing or holds nothing but a .git folder. */
export function isFolderEmpty(dir: string): boolean {
  if (!existsSync(dir)) return true;
  if (!statSync(dir).isDirectory()) return false;
  return readdirSync(dir).every((entry) => entry === '.git');
}

/** Why a folder cannot be created (or written) at `at`, in words; the code when there are none. */
function folderErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    // /proc, /sys and similar answer ENOENT for a folder that cannot exist there.
    case 'ENOENT':
      return 'this file system does not allow new folders there';
    default:
      return code ?? String(error);
  }
}

/**
 * Why deliv could not write a project into `dir`, or undefined when it can:
 * checked before any question is asked, so that `deliv init /proc/x` (or a
 * read-only or foreign folder) fails at once. A missing folder is tried by
 * creating its first missing part and removing it again; an existing one by
 * creating a hidden entry in it.
 */
export function folderWriteProblem(dir: string): string | undefined {
  const target = path.resolve(dir);
  const { existing, missing } = nearestExisting(target);
  if (!statSync(existing).isDirectory()) return `${existing} is a file, not a folder`;
  const probe = missing.length > 0 ? path.join(existing, missing[0]) : path.join(target, `.deliv-init-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (error) {
    return `cannot create ${missing.length > 0 ? probe : `files in ${target}`}: ${folderErrorReason(error)}`;
  }
  return undefined;
}

/**
 * `mkdir -p`, one part at a time: Node's own recursive mkdir never returns
 * where a file system answers ENOENT for a parent that exists (/proc).
 */
function makeFolders(dir: string): void {
  const { existing, missing } = nearestExisting(dir);
  let folder = existing;
  for (const name of missing) {
    folder = path.join(folder, name);
    mkdirSync(folder);
  }
}

/** Every file of the new project, relative path → content. Nothing touches the disk. */
export function planProject(options: ScaffoldOptions): Map<string, string> {
  const nameProblem = projectNameProblem(options.name);
  if (nameProblem) throw new UsageError(`invalid project name \`${options.name}\`: ${nameProblem}`, { hint: 'use letters, digits, - and _' });
  const regionIssue = regionProblem(options.region);
  if (regionIssue) throw new UsageError(regionIssue, { hint: 'pass --region with a region such as eu-west-1' });
  if (options.templates.length === 0) throw new UsageError('no template chosen', { hint: 'pass --template (see `deliv templates`)' });

  const templates = [...new Set(options.templates)].map((name) => getTemplate(name));
  const files = new Map<string, string>();
  const stateMachines: Record<string, StateMachineConfig> = {};
  const functions: Record<string, FunctionConfig> = {};
  const localSubstitutions: Record<string, string> = {};
  const awsSubstitutions: Record<string, string> = {};
  const mockMachines: Record<string, unknown> = {};
  const mockedResponses: Record<string, unknown> = {};
  const extension = options.language === 'ts' ? '.ts' : '.js';
  let needsSfnClient = false;

  for (const template of templates) {
    const machine = template.name;
    const definition = `statemachines/${machine}.asl.yaml`;
    stateMachines[machine] = {
      definition,
      type: workflowTypeFor(template, options.types?.[machine]),
      template: template.name,
      events: `events/${machine}`,
    };
    files.set(definition, readFileSync(template.definitionFile, 'utf8'));

    for (const [functionName, fn] of Object.entries(template.functions)) {
      if (functions[functionName]) throw new Error(`templates share the function name ${functionName}`);
      const sourceFile = path.join(template.dir, 'functions', options.language === 'ts' ? fn.source : fn.source.replace(/\.ts$/, '.js'));
      const source = readFileSync(sourceFile, 'utf8');
      needsSfnClient ||= source.includes('@aws-sdk/client-sfn');
      const handler = `functions/${functionName}${extension}`;
      files.set(handler, source);
      functions[functionName] = { handler, timeoutSeconds: fn.timeoutSeconds, memoryMB: fn.memoryMB, durationMs: fn.durationMs, ...(fn.permissions ? { permissions: fn.permissions } : {}) };
    }

    for (const parameter of template.parameters) {
      localSubstitutions[parameter.name] = parameterValue(parameter, { region: LOCAL_REGION, account: LOCAL_ACCOUNT });
      // On AWS, `deliv deploy` fills the functions' ARNs from what it deploys; other resources are named per account.
      if (!parameter.function) awsSubstitutions[parameter.name] = parameterValue(parameter, { region: options.region, account: '${AWS::AccountId}' });
    }

    const eventsDir = path.join(template.dir, 'events');
    for (const event of readdirSync(eventsDir).filter((file) => file.endsWith('.json')).sort()) {
      files.set(`events/${machine}/${event}`, readFileSync(path.join(eventsDir, event), 'utf8'));
    }

    // Path tests of every branch of the template: a fresh project's `deliv test --coverage` is at 100 %.
    const testsDir = path.join(template.dir, 'tests');
    if (existsSync(testsDir)) {
      for (const test of readdirSync(testsDir).filter((file) => /\.test\.(ya?ml|json)$/.test(file)).sort()) {
        files.set(`tests/${test}`, readFileSync(path.join(testsDir, test), 'utf8'));
      }
    }

    const mocks = JSON.parse(readFileSync(path.join(template.dir, 'mocks.json'), 'utf8')) as {
      TestCases: Record<string, unknown>;
      MockedResponses: Record<string, unknown>;
    };
    if (Object.keys(mocks.TestCases).length > 0) mockMachines[machine] = { TestCases: mocks.TestCases };
    for (const [responseName, response] of Object.entries(mocks.MockedResponses)) {
      if (mockedResponses[responseName]) throw new Error(`templates share the mocked response name ${responseName}`);
      mockedResponses[responseName] = response;
    }
  }

  const targets: Record<string, TargetConfig> = {
    local: { kind: 'local', substitutions: localSubstitutions },
    [EXAMPLE_TARGET]: {
      kind: 'aws',
      region: options.region,
      substitutions: awsSubstitutions,
    },
  };
  const config: ProjectConfig = {
    name: options.name,
    defaultTarget: 'local',
    stateMachines,
    functions,
    mocks: 'mocks/MockConfigFile.json',
    targets,
    cost: { executionsPerMonth: DEFAULT_EXECUTIONS_PER_MONTH },
    explain: { model: DEFAULT_EXPLAIN_MODEL },
  };
  files.set(PROJECT_FILE, projectFileText(config));
  files.set('mocks/MockConfigFile.json', `${JSON.stringify({ StateMachines: mockMachines, MockedResponses: mockedResponses }, null, 2)}\n`);
  files.set('.gitignore', 'node_modules/\n.deliv/\n*.log\n');
  files.set('package.json', packageJsonText(options.name, needsSfnClient));
  const sample = succeedingSample(files, templates[0].name);
  files.set('README.md', projectReadme(options.name, config, { needsSfnClient, sample }));
  return files;
}

function succeedingSample(files: Map<string, string>, machine: string): string {
  return [...files.keys()].find((file) => file.startsWith(`events/${machine}/`) && !file.includes('fail')) ?? `events/${machine}/<event>.json`;
}

function projectFileText(config: ProjectConfig): string {
  const header = [
    '# deliv project: state machines, local handlers and where they deploy.',
    `# Targets: \`local\` is the embedded emulator; \`${EXAMPLE_TARGET}\` is the AWS account your credentials reach.`,
    '# On AWS, `deliv deploy` creates the functions and least-privilege roles and fills `${<Name>FunctionArn}`;',
    '# substitutions fill the other `${Name}` (`${AWS::AccountId}` is your account); roleArn: uses a role of yours instead.',
    '',
  ].join('\n');
  return header + stringify(config, { lineWidth: 0 });
}

/** Why the project needs `npm install` before its first run, if it does. */
function installReason(needsSfnClient: boolean): string | undefined {
  return needsSfnClient ? 'a handler answers its task token with @aws-sdk/client-sfn' : undefined;
}

function packageJsonText(name: string, needsSfnClient: boolean): string {
  const pkg: Record<string, unknown> = {
    name: name.toLowerCase().replace(/[^a-z0-9-._~]/g, '-'),
    private: true,
    type: 'module',
    description: 'Delivery workflows on AWS Step Functions, scaffolded by deliv',
  };
  // Handlers that answer task tokens use the Step Functions client, as they would on AWS.
  if (needsSfnClient) pkg.dependencies = { '@aws-sdk/client-sfn': '^3.0.0' };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function projectReadme(name: string, config: ProjectConfig, { needsSfnClient, sample }: { needsSfnClient: boolean; sample: string }): string {
  const machines = Object.entries(config.stateMachines)
    .map(([machine, entry]) => `- \`${machine}\` (${entry.type}): \`${entry.definition}\`, sample inputs in \`${entry.events}/\``)
    .join('\n');
  const first = Object.entries(config.stateMachines)[0];
  return `# ${name}

Delivery workflows on AWS Step Functions, scaffolded by [deliv](https://www.npmjs.com/package/deliv).

## State machines

${machines}

Lambda handlers live in \`functions/\` (mapped by name in \`deliv.yaml\`); service
integrations (SNS, SQS, Bedrock) are answered locally by \`mocks/MockConfigFile.json\`
(the AWS Step Functions Local format; the \`Default\` test case is used unless the
execution ARN ends in \`#TestCaseName\`).

## Try it

\`\`\`sh
${formatNextSteps(nextSteps({ stateMachine: first[0], sampleEvent: sample, install: installReason(needsSfnClient) })).join('\n')}
\`\`\`

\`deliv deploy\` and \`deliv start\` start the emulator in the background (127.0.0.1:8083,
or a free port when that one is taken); \`deliv local start\` runs it in the foreground
instead, in a terminal of its own.

Files whose name contains \`fail\` in \`events/\` are meant to fail; the others succeed.

## Test every path

\`tests/<machine>.test.yaml\` holds a case for each path of each workflow (the happy path,
every failure and compensation, each Choice branch, retries): inputs, Task results mocked
attempt by attempt, and the expected path, status and output. \`deliv test\` runs them
in-process on the engine in milliseconds, no emulator needed; \`--coverage\` shows the
states, transitions, branches, Catch and Retry they exercise (the format's JSON Schema
is \`schemas/deliv-test.schema.json\` in the deliv package).

\`\`\`sh
deliv test --coverage
\`\`\`

## Deploy to AWS

With AWS credentials configured (\`aws configure\`, \`aws sso login\` or AWS_PROFILE):

\`\`\`sh
deliv deploy --target ${EXAMPLE_TARGET} --dry-run    # the plan: functions, roles, policies, state machines
deliv deploy --target ${EXAMPLE_TARGET}              # bundles and deploys the functions, creates the roles, then the machines
\`\`\`

deliv fills \`\${<Name>FunctionArn}\` from the functions it deploys and gives each state machine a role
with exactly the permissions its definition needs (\`deliv policy <machine>\` prints it). The SNS topics
and SQS queues in the \`${EXAMPLE_TARGET}\` substitutions must exist in your account. Everything deliv
creates is tagged \`deliv:project\`; \`deliv destroy --target ${EXAMPLE_TARGET}\` removes it.

\`deliv build --target ${EXAMPLE_TARGET}\` writes the rendered ASL to \`.deliv/build/\` for SAM,
CDK or CloudFormation.
`;
}

/** Resolves `relative` inside `root`, refusing anything that would land outside it. */
export function insideRoot(root: string, relative: string): string {
  const target = path.resolve(root, relative);
  const fromRoot = path.relative(root, target);
  if (fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    throw new UsageError(`refusing to write ${relative}: it is outside ${root}`);
  }
  return target;
}

function confinedTarget(root: string, relative: string): string {
  insideRoot(root, relative);
  try {
    return insideProject(root, relative);
  } catch (error) {
    if (!(error instanceof PathOutsideProject)) throw error;
    throw new UsageError(`refusing to write ${relative}: ${error.why}`, { hint: 'deliv init writes only inside DIR; remove the link or choose another folder' });
  }
}

/**
 * Writes the planned files into `dir`. They are written to a hidden staging folder
 * inside `dir` first and moved into place once all are written, so nothing is ever
 * written outside `dir`, and a failure removes what this call created.
 */
export function writeProject(dir: string, files: Map<string, string>, options: { force?: boolean } = {}): string[] {
  const root = path.resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new UsageError(`${dir} exists and is not a folder`, { hint: 'choose another folder' });
  }
  if (!options.force && !isFolderEmpty(root)) {
    throw new UsageError(`${dir} is not empty`, { hint: 'choose an empty or new folder, or pass --force to write into it anyway' });
  }
  const problem = folderWriteProblem(root);
  if (problem) throw new UsageError(problem, { hint: 'choose a folder you can write to' });
  // On the real paths: with --force, a folder of DIR that is a symbolic link out must not receive files.
  const targets = [...files.keys()].map((relative) => confinedTarget(root, relative));
  const created = !existsSync(root);
  makeFolders(root);
  const staging = mkdtempSync(path.join(root, '.deliv-init-'));
  try {
    for (const [relative, content] of files) {
      const staged = insideRoot(staging, relative);
      mkdirSync(path.dirname(staged), { recursive: true });
      writeFileSync(staged, content);
    }
    for (const [index, relative] of [...files.keys()].entries()) {
      mkdirSync(path.dirname(targets[index]), { recursive: true });
      renameSync(path.join(staging, relative), targets[index]);
    }
  } catch (error) {
    if (created) rmSync(root, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return [...files.keys()].sort();
}

/** Plans and writes a project: the library call behind `deliv init`. */
export function scaffoldProject(options: ScaffoldOptions): ScaffoldResult {
  const files = planProject(options);
  const written = writeProject(options.dir, files, { force: options.force });
  const sampleEvent = succeedingSample(files, options.templates[0]);
  const needsInstall = (JSON.parse(files.get('package.json') ?? '{}') as { dependencies?: object }).dependencies !== undefined;
  return {
    dir: path.resolve(options.dir),
    files: written,
    stateMachines: [...new Set(options.templates)],
    functions: written.filter((file) => file.startsWith('functions/')).map((file) => path.basename(file).replace(/\.(ts|js)$/, '')),
    sampleEvent,
    nextSteps: nextSteps({ dir: path.relative(process.cwd(), path.resolve(options.dir)) || '.', stateMachine: options.templates[0], sampleEvent, install: installReason(needsInstall) }),
  };
}
