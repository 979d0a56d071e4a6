/**
 * The emulator's access to the engine: compile once per definition text and
 * keep the compiled machine, since many executions share a definition.
 */
import { duplicateKeys } from '../asl/duplicate-keys.js';
import { validateDefinition, type Problem } from '../asl/validate.js';
import type { StateMachineDefinition, WorkflowType } from '../asl/types.js';
import { compile } from '../engine/index.js';
import type { CompileResult, CompiledMachine, CompileProblem } from '../engine/types.js';
import { ApiError } from './api-error.js';

type Compile = (definition: StateMachineDefinition) => CompileResult;

export class MachineCache {
  private readonly machines = new Map<string, CompiledMachine>();

  constructor(private readonly compileDefinition: Compile) {}

  static create(): MachineCache {
    return new MachineCache(compile);
  }

  /** The compiled machine for a definition text; InvalidDefinition as AWS words it when it does not compile. */
  get(definition: string, type?: WorkflowType): CompiledMachine {
    let machine = this.machines.get(definition);
    if (!machine || type === 'EXPRESS') {
      const result = this.check(definition, type);
      if (!result.ok) throw invalidDefinition(result.problems);
      machine = result.machine;
      if (this.machines.size > 500) this.machines.clear();
      this.machines.set(definition, machine);
    }
    return machine;
  }

  /**
   * The create-time checks: `deliv validate`'s rules (src/asl/validate.ts, one set for both), then
   * whatever the engine cannot run. Errors reject the definition; warnings come back with it.
   */
  check(definition: string, type?: WorkflowType): CompileResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      return { ok: false, problems: [{ path: '', message: `INVALID_JSON_DESCRIPTION: ${(error as Error).message}` }] };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, problems: [{ path: '', message: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object' }] };
    }
    const found = validateDefinition(
      { file: '', definition: parsed as StateMachineDefinition, unresolved: [], locate: () => ({ line: 0, col: 0 }), duplicates: duplicateKeys(definition) },
      { bare: true, workflowType: type },
    );
    const errors = found.filter((problem) => problem.severity === 'error').map(asCompileProblem);
    const warnings = found.filter((problem) => problem.severity === 'warning').map(asCompileProblem);
    if (errors.length > 0) return { ok: false, problems: errors, warnings };
    const compiled = this.compileDefinition(parsed as StateMachineDefinition);
    if (!compiled.ok) return { ...compiled, warnings };
    return { ...compiled, warnings: [...warnings, ...compiled.warnings] };
  }
}

/** A validation problem in the engine's shape: its code leads the message, its pointer is the path. */
function asCompileProblem(problem: Problem): CompileProblem {
  return { path: problem.pointer.split('/').filter(Boolean).join('.'), message: `${problem.code}: ${problem.message}`, pointer: problem.pointer };
}

export function describeProblem(problem: CompileProblem): string {
  const pointer = problem.pointer ?? (problem.path ? `/${problem.path.replace(/\./g, '/')}${problem.field ? `/${problem.field}` : ''}` : '');
  const where = pointer ? ` at ${pointer}` : '';
  return `${problem.message}${where}`;
}

export function invalidDefinition(problems: CompileProblem[]): ApiError {
  return new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map(describeProblem).join(', ')}'`);
}
