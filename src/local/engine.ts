/**
 * The emulator's access to the engine: compile once per definition text and
 * keep the compiled machine, since many executions share a definition.
 */
import { createRequire } from 'node:module';
import type { CompileResult, CompiledMachine, CompileProblem } from '../engine/types.js';
import { ApiError } from './api-error.js';

type AslValidator = (definition: unknown) => { isValid: boolean; errors: { 'Error code': string; Message: string }[] };
let aslValidator: AslValidator | undefined;

/** asl-validator reports schema and graph problems with the same codes AWS uses (SCHEMA_VALIDATION_FAILED, ...). */
function validateSchema(definition: unknown): CompileProblem[] {
  if (!aslValidator) {
    const module = createRequire(import.meta.url)('asl-validator') as AslValidator | { default: AslValidator };
    aslValidator = typeof module === 'function' ? module : module.default;
  }
  const result = aslValidator(definition);
  if (result.isValid) return [];
  return result.errors.map((error) => ({ path: '', message: `${error['Error code']}: ${error.Message}` }));
}

type Compile = (definition: unknown) => CompileResult;

let compilePromise: Promise<Compile> | undefined;

/** The engine is loaded on first use: `deliv --help` must not pay for it. */
export function loadCompile(): Promise<Compile> {
  // The module path is a variable while the engine is being written in parallel.
  const enginePath = '../engine/index.js';
  compilePromise ??= (import(enginePath) as Promise<{ compile: Compile }>).then((module) => module.compile);
  return compilePromise;
}

export class MachineCache {
  private readonly machines = new Map<string, CompiledMachine>();

  constructor(private readonly compile: Compile) {}

  static async create(): Promise<MachineCache> {
    try {
      return new MachineCache(await loadCompile());
    } catch (error) {
      // Without the engine the API still manages machines; executions fail to start.
      const reason = (error as Error).message;
      return new MachineCache(() => ({
        ok: true,
        warnings: [],
        machine: {
          start() {
            throw new ApiError('InternalServerError', `the engine could not be loaded: ${reason}`, 500);
          },
        },
      }));
    }
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
    const schemaProblems = validateSchema(parsed);
    if (schemaProblems.length > 0) return { ok: false, problems: schemaProblems };
    return this.compile(parsed);
  }
}

export function describeProblem(problem: CompileProblem): string {
  const where = problem.path ? ` at /${problem.path.replace(/\./g, '/')}${problem.field ? `/${problem.field}` : ''}` : '';
  return `${problem.message}${where}`;
}

export function invalidDefinition(problems: CompileProblem[]): ApiError {
  return new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map(describeProblem).join(', ')}'`);
}
