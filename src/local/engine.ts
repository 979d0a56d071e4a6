/**
 * The emulator's access to the engine: compile once per definition text and
 * keep the compiled machine, since many executions share a definition.
 */
import { createRequire } from 'node:module';
import type { StateMachineDefinition } from '../asl/types.js';
import { compile } from '../engine/index.js';
import type { CompileResult, CompiledMachine, CompileProblem } from '../engine/types.js';
import { ApiError } from './api-error.js';

type AslValidator = (definition: unknown) => { isValid: boolean; errors: { 'Error code': string; Message: string }[] };
let aslValidator: AslValidator | undefined;

/** asl-validator words schema and graph problems with the codes AWS uses (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...). */
function validateSchema(definition: unknown): CompileProblem[] {
  if (!aslValidator) {
    const module = createRequire(import.meta.url)('asl-validator') as AslValidator | { default: AslValidator };
    aslValidator = typeof module === 'function' ? module : module.default;
  }
  const result = aslValidator(definition);
  if (result.isValid) return [];
  return result.errors.map((error) => ({ path: '', message: `${error['Error code']}: ${error.Message}` }));
}

type Compile = (definition: StateMachineDefinition) => CompileResult;

export class MachineCache {
  private readonly machines = new Map<string, CompiledMachine>();

  constructor(private readonly compileDefinition: Compile) {}

  static create(): MachineCache {
    return new MachineCache(compile);
  }

  /** The compiled machine for a definition text; InvalidDefinition as AWS words it when it does not compile. */
  get(definition: string): CompiledMachine {
    let machine = this.machines.get(definition);
    if (!machine) {
      const result = this.check(definition);
      if (!result.ok) throw invalidDefinition(result.problems);
      machine = result.machine;
      if (this.machines.size > 500) this.machines.clear();
      this.machines.set(definition, machine);
    }
    return machine;
  }

  check(definition: string): CompileResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      return { ok: false, problems: [{ path: '', message: `INVALID_JSON_DESCRIPTION: ${(error as Error).message}` }] };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, problems: [{ path: '', message: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object' }] };
    }
    // The engine decides (asl-validator's schema lags behind AWS, e.g. JSONata and newer fields);
    // when both reject, asl-validator's messages carry the diagnostic codes AWS uses.
    const compiled = this.compileDefinition(parsed as StateMachineDefinition);
    if (compiled.ok) return compiled;
    const coded = validateSchema(parsed);
    return { ok: false, problems: coded.length > 0 ? coded : compiled.problems };
  }
}

export function describeProblem(problem: CompileProblem): string {
  const where = problem.path ? ` at /${problem.path.replace(/\./g, '/')}${problem.field ? `/${problem.field}` : ''}` : '';
  return `${problem.message}${where}`;
}

export function invalidDefinition(problems: CompileProblem[]): ApiError {
  return new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map(describeProblem).join(', ')}'`);
}
