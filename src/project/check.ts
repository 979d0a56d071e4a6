import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireKitWith } from '../asl/schema-check.js';
import { dedupe, placeholderProblems, validateDefinition, type Problem } from '../asl/validate.js';
import type { StateMachineDefinition } from '../asl/types.js';
import { DelivError, UsageError } from '../ui/errors.js';
import type { Project } from './config.js';
import { PathOutsideProject, projectOutput } from './confine.js';
import { DEFINITION_EXTENSIONS, loadDefinitionFile, renderStateMachine, type LoadedDefinition } from './definition.js';
import { requireWithCodeCache } from '../code-cache.js';

// asl-validator and its compiled schema check come as one file (src/asl/schema-check.ts); where the CLI checks
// definitions, it is loaded from its V8 code cache rather than compiled again on every run.
requireKitWith(requireWithCodeCache);

export interface CheckedDefinition {
  /** The state machine's key in deliv.yaml; undefined for a bare file. */
  machine?: string;
  file: string;
  problems: Problem[];
}

export interface CheckReport {
  definitions: CheckedDefinition[];
  errors: number;
  warnings: number;
}

/**
 * Validates the project's state machines. Without a target every target is checked,
 * so a substitution missing only for `prod` is found before anyone deploys there.
 */
export function checkProject(project: Project, options: { target?: string; machines?: string[] } = {}): CheckReport {
  const first = project.config.defaultTarget ?? 'local';
  const targets = options.target ? [options.target] : [first, ...Object.keys(project.config.targets).filter((name) => name !== first)];
  const machines = options.machines?.length ? options.machines : Object.keys(project.config.stateMachines);
  const definitions = machines.map((machine): CheckedDefinition => {
    const file = path.resolve(project.root, project.config.stateMachines[machine]?.definition ?? machine);
    const problems: Problem[] = [];
    // The schema check is slow (asl-validator compiles its schemas on every call) and
    // substitutions only change values, so further targets get the placeholder check alone.
    for (const [index, target] of targets.entries()) {
      const loaded = loadOrProblem(() => renderStateMachine(project, machine, target), file);
      if ('problem' in loaded) {
        problems.push(loaded.problem);
        break;
      }
      const workflowType = project.config.stateMachines[machine]?.type;
      problems.push(...(index === 0 ? validateDefinition(loaded, { bare: false, target, workflowType }) : placeholderProblems(loaded, { bare: false, target })));
    }
    return { machine, file: relative(file), problems: withRelativeFiles(dedupe(problems)) };
  });
  return summarise(definitions);
}

/** Validates files outside a project (or not listed in it): placeholders are warnings, `--sub` fills them. */
export function checkFiles(files: string[], substitutions: Record<string, string>, project?: Project): CheckReport {
  const definitions = files.map((given): CheckedDefinition => {
    const file = path.resolve(given);
    if (!DEFINITION_EXTENSIONS.some((extension) => file.endsWith(extension))) {
      throw new UsageError(`${given} is not a state machine definition`, { code: 'INVALID_DEFINITION', hint: `use a file ending in ${DEFINITION_EXTENSIONS.join(', ')}` });
    }
    const machine = project ? Object.entries(project.config.stateMachines).find(([, entry]) => path.resolve(project.root, entry.definition) === file)?.[0] : undefined;
    if (project && machine) return checkProject(project, { machines: [machine] }).definitions[0];
    const loaded = loadOrProblem(() => loadDefinitionFile(file, substitutions), file);
    const problems = 'problem' in loaded ? [loaded.problem] : validateDefinition(loaded, { bare: true });
    return { file: relative(file), problems: withRelativeFiles(problems) };
  });
  return summarise(definitions);
}

export interface BuiltMachine {
  machine: string;
  output: string;
  definition: StateMachineDefinition;
}

/**
 * Renders every state machine with the target's substitutions into
 * `.deliv/build/<name>.asl.json`, refusing when validation finds errors.
 */
export function buildProject(project: Project, target: string): { built: BuiltMachine[]; report: CheckReport } {
  const report = checkProject(project, { target });
  if (report.errors > 0) return { built: [], report };
  const outputDir = path.join(project.root, '.deliv', 'build');
  const outputs = Object.keys(project.config.stateMachines).map((machine) => confinedOutput(project.root, path.join(outputDir, `${machine}.asl.json`)));
  mkdirSync(outputDir, { recursive: true });
  const built = Object.keys(project.config.stateMachines).map((machine, index) => {
    const { definition } = renderStateMachine(project, machine, target);
    const output = outputs[index];
    writeFileSync(output, `${JSON.stringify(definition, null, 2)}\n`);
    return { machine, output: relative(output), definition };
  });
  return { built, report };
}

/** Where build writes, refused (before anything is written) when a link would carry it out of the project. */
export function confinedOutput(root: string, target: string): string {
  try {
    return projectOutput(root, target);
  } catch (error) {
    if (!(error instanceof PathOutsideProject)) throw error;
    throw new UsageError(`refusing to write ${path.relative(root, target)}: ${error.why}`, { hint: 'deliv writes its output only inside the project; remove the link (deliv recreates .deliv/ itself)' });
  }
}

function loadOrProblem(load: () => LoadedDefinition, file: string): LoadedDefinition | { problem: Problem } {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof DelivError)) throw error;
    // Syntax errors arrive as `file:line:col: message`; they become problems so that every file is reported.
    const match = /^(.*):(\d+):(\d+): (.*)$/.exec(error.message);
    if (!match) throw error;
    return {
      // AWS's codes: a .json file that is not JSON, or JSON that is no object, reads as CreateStateMachine would answer.
      problem: { severity: 'error', code: match[4].startsWith('a state machine definition must be') ? 'SCHEMA_VALIDATION_FAILED' : file.endsWith('.json') ? 'INVALID_JSON_DESCRIPTION' : 'SYNTAX_ERROR', message: match[4], file, line: Number(match[2]), col: Number(match[3]), pointer: '/', state: '' },
    };
  }
}

function summarise(definitions: CheckedDefinition[]): CheckReport {
  const all = definitions.flatMap((definition) => definition.problems);
  return {
    definitions,
    errors: all.filter((problem) => problem.severity === 'error').length,
    warnings: all.filter((problem) => problem.severity === 'warning').length,
  };
}

function relative(file: string): string {
  const shown = path.relative(process.cwd(), file);
  return shown.startsWith('..') ? file : shown;
}

function withRelativeFiles(problems: Problem[]): Problem[] {
  return problems.map((problem) => ({ ...problem, file: relative(problem.file) }));
}
