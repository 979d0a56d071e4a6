/**
 * asl-validator's JSON-schema check, compiled ahead of time, and asl-validator
 * itself as one file.
 *
 * asl-validator builds an Ajv and compiles its 15 schemas on every call, and
 * even compiled once that costs a CLI run about 0.7 s (loading Ajv, then code
 * generation): most of `deliv validate`'s time. So `npm run build` compiles
 * them once into standalone code (`scripts/build-asl-schemas.mjs` writes
 * dist/asl/asl-schemas.generated.cjs), and that module stands in for
 * asl-validator's own schema check (its `checks/json-schema-errors`, the one
 * module that touches Ajv), so a run loads neither Ajv nor its compiler.
 * asl-validator's other checks run as they are.
 *
 * The same script then bundles asl-validator, jsonpath-plus, the path and ARN
 * formats and that generated check into one CommonJS file (the "kit",
 * dist/asl/asl-kit.generated.cjs), which the CLI loads through the V8 code
 * cache (src/code-cache.ts, handed in with requireKitWith): some 40 files resolved, read and compiled on every run
 * cost about 190 million instructions (callgrind), half a bare `node -e 0`;
 * the kit from its cache about 50 million.
 *
 * From the sources (tests, tsx) there is no kit: asl-validator is required from
 * node_modules with its schema check swapped in the require cache, and the
 * schemas are compiled with Ajv in memory, once per process.
 * test/asl/schema-check.test.ts holds both to asl-validator's own results.
 */
import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const requireFromHere = createRequire(import.meta.url);
/** Resolves as asl-validator does, so its own Ajv, schemas and path validator are the ones used. */
const requireFromValidator = createRequire(requireFromHere.resolve('asl-validator'));

/** The generated module's file name, next to this module once built. */
export const GENERATED_FILE = 'asl-schemas.generated.cjs';
/** The kit's file name (asl-validator and the generated check in one file), next to this module once built. */
export const KIT_FILE = 'asl-kit.generated.cjs';

/** The schemas in asl-validator's order (checks/json-schema-errors.js); the root is state-machine.json. */
const SCHEMA_FILES = ['common', 'paths', 'jsonata', 'choice', 'fail', 'parallel', 'pass', 'base-state-machine', 'state-machine', 'state', 'succeed', 'task', 'wait', 'map', 'errors'];
const ROOT_SCHEMA = 'http://asl-validator.cloud/state-machine.json#';

type Format = ((value: string) => boolean) | { validate(value: string): boolean };
export type Formats = Record<string, Format>;

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
}
type SchemaValidator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/** What asl-validator's schema check returns: its error objects. */
export interface SchemaCheckError {
  'Error code': string;
  Message: string;
  schemaError: { instancePath: string; schemaPath: string };
}

let jsonata: ((expression: string) => unknown) | undefined;

export type AslValidator = (definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }) => {
  isValid: boolean;
  errors: Array<{ 'Error code': string; Message: string; schemaError?: { instancePath: string } }>;
};
type JsonSchemaErrors = (definition: unknown, options: { checkPaths?: boolean; checkArn?: boolean }) => SchemaCheckError[];

/** What the schema check and the validator need of asl-validator and its dependencies. */
interface AslKit {
  aslValidator: AslValidator;
  /** The generated schema check; none from the sources (compiled in memory instead). */
  compiledAslSchemas?: (formats: Formats) => SchemaValidator;
  validatePath(path: string, context: string): { isValid: boolean };
  AslPathContext: Record<'PATH' | 'REFERENCE_PATH' | 'PAYLOAD_TEMPLATE' | 'RESULT_PATH', string>;
  isArnFormatValid(value: string): boolean;
  fullFormats: Formats;
}

/** The parts of the kit the formats need, from asl-validator's own dependencies (sources, build time). */
function formatParts(): Omit<AslKit, 'aslValidator' | 'compiledAslSchemas'> {
  const fromPaths = createRequire(requireFromValidator.resolve('asl-path-validator'));
  return {
    validatePath: (fromPaths('./index') as Pick<AslKit, 'validatePath'>).validatePath,
    AslPathContext: (fromPaths('./types') as Pick<AslKit, 'AslPathContext'>).AslPathContext,
    isArnFormatValid: (requireFromValidator('./checks/formats') as Pick<AslKit, 'isArnFormatValid'>).isArnFormatValid,
    fullFormats: (createRequire(requireFromValidator.resolve('ajv-formats'))('./formats') as Pick<AslKit, 'fullFormats'>).fullFormats,
  };
}

/** How a file beside this module is required: `fromUrl` is this module's URL. */
export type RequireFile = (fromUrl: string, specifier: string) => unknown;

let requireKit: RequireFile = (fromUrl, specifier) => createRequire(fromUrl)(specifier);

/**
 * Requires the kit with `load` from now on. The CLI passes its code-cached
 * require (src/code-cache.ts), which asl, importing nothing of deliv, cannot
 * import itself; a plain require only compiles the kit again each run.
 */
export function requireKitWith(load: RequireFile): void {
  requireKit = load;
}

let kit: AslKit | undefined;

/** The built kit when there is one (its schema check set to ours), else the same pieces from node_modules. */
function aslKit(): AslKit {
  if (kit) return kit;
  if (existsSync(fileURLToPath(new URL(`./${KIT_FILE}`, import.meta.url)))) {
    const built = requireKit(import.meta.url, `./${KIT_FILE}`) as AslKit & { setSchemaCheck(check: JsonSchemaErrors): void };
    built.setSchemaCheck(jsonSchemaErrors);
    kit = built;
  } else {
    installSchemaCheck();
    kit = { aslValidator: requireFromHere('asl-validator') as AslValidator, ...formatParts() };
  }
  return kit;
}

/** asl-validator, with the compiled schema check in the place of its own. */
export function loadAslValidator(): AslValidator {
  return aslKit().aslValidator;
}

/**
 * The formats asl-validator registers, with the options deliv always uses
 * (checkPaths and checkArn on): JSONata strings, the four ASL path kinds of
 * asl-path-validator, ARNs, and ajv-formats' date-time. The jsonata package
 * is loaded only when a definition has a JSONata string to check.
 */
export function aslSchemaFormats(parts: Omit<AslKit, 'aslValidator' | 'compiledAslSchemas'> = kit ?? formatParts()): Formats {
  const { validatePath, AslPathContext, isArnFormatValid, fullFormats } = parts;
  const isJsonata = (value: string): boolean => {
    let expression = value.trim();
    expression = expression.startsWith('{%') ? expression.slice(2) : expression;
    expression = expression.endsWith('%}') ? expression.slice(0, -2) : expression;
    try {
      jsonata ??= requireFromValidator('jsonata') as (expression: string) => unknown;
      jsonata(expression);
      return true;
    } catch {
      return false;
    }
  };
  return {
    jsonata_string: isJsonata,
    maybe_jsonata_string: (value) => {
      const trimmed = value.trim();
      return trimmed.startsWith('{%') || trimmed.endsWith('%}') ? isJsonata(trimmed) : true;
    },
    asl_path: (value) => validatePath(value, AslPathContext.PATH).isValid,
    asl_ref_path: (value) => validatePath(value, AslPathContext.REFERENCE_PATH).isValid,
    asl_payload_template: (value) => validatePath(value, AslPathContext.PAYLOAD_TEMPLATE).isValid,
    asl_result_path: (value) => validatePath(value, AslPathContext.RESULT_PATH).isValid,
    asl_arn: isArnFormatValid,
    'date-time': fullFormats['date-time'],
  };
}

/**
 * Compiles asl-validator's schemas with its Ajv and options. With `source`,
 * also returns the standalone CommonJS module: a function of the formats
 * object that returns the validator (formats are functions, which
 * standalone code cannot embed).
 */
export function compileAslSchemas(source = false): { validate: SchemaValidator; code?: string } {
  const ajvModule = requireFromValidator('ajv') as {
    default: new (options: object) => { addFormat(name: string, format: Format): unknown; getSchema(id: string): SchemaValidator | undefined };
    _: (strings: TemplateStringsArray, ...values: unknown[]) => unknown;
  };
  const formats = aslSchemaFormats();
  const schemas = SCHEMA_FILES.map((name) => requireFromValidator(`./schemas/${name}.json`) as object);
  // `code.formats` names the free variable the standalone code reads formats from (the wrapper's parameter).
  const ajv = new ajvModule.default({ schemas, allowUnionTypes: true, ...(source ? { code: { source: true, formats: ajvModule._`formats` } } : {}) });
  for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
  const validate = ajv.getSchema(ROOT_SCHEMA);
  if (!validate) throw new Error(`asl-validator has no schema ${ROOT_SCHEMA}`);
  if (!source) return { validate };
  const standalone = (createRequire(requireFromValidator.resolve('ajv'))('./standalone') as { default: (ajv: unknown, refs: Record<string, string>) => string }).default;
  const body = standalone(ajv, { validate: ROOT_SCHEMA });
  const code = [
    '// Generated by scripts/build-asl-schemas.mjs from asl-validator\'s schemas (src/asl/schema-check.ts): do not edit.',
    '"use strict";',
    'module.exports = function compiledAslSchemas(formats) {',
    '  const exports = {};',
    body.replace(/^"use strict";/, ''),
    '  return exports.validate;',
    '};',
    '',
  ].join('\n');
  return { validate, code };
}

let compiled: SchemaValidator | undefined;

/** The validator: the generated one when built (in the kit), else compiled in memory once. */
function schemaValidator(): SchemaValidator {
  if (compiled) return compiled;
  const { compiledAslSchemas } = aslKit();
  compiled = compiledAslSchemas ? compiledAslSchemas(aslSchemaFormats(aslKit())) : compileAslSchemas().validate;
  return compiled;
}

/**
 * asl-validator's schema check on the compiled validator: the same errors,
 * picked as its checks/json-schema-errors.js (4.0.0) picks them. Several
 * `oneOf` branches fail at once, so only the deepest instance paths are
 * kept, a `oneOf` error hides the others at its path, and duplicates go.
 */
export function schemaErrors(definition: unknown): SchemaCheckError[] {
  const validate = schemaValidator();
  if (validate(definition)) return [];
  let selected: AjvError[] = [];
  let deepest = 0;
  for (const error of validate.errors ?? []) {
    const depth = error.instancePath.split('/').length;
    if (depth === deepest) selected.push(error);
    else if (depth > deepest) selected = [error];
    deepest = Math.max(deepest, depth);
  }
  const withOneOf = new Set(selected.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath));
  const seen = new Set<string>();
  const errors: SchemaCheckError[] = [];
  for (const error of selected) {
    if (error.keyword !== 'oneOf' && withOneOf.has(error.instancePath)) continue;
    const schemaPath = decodeURIComponent(error.schemaPath);
    const key = `${schemaPath}\n${error.instancePath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ 'Error code': 'SCHEMA_VALIDATION_FAILED', Message: `${error.instancePath} is invalid. ${error.message ?? ''}`, schemaError: { instancePath: error.instancePath, schemaPath } });
  }
  return errors;
}

/** asl-validator's `jsonSchemaErrors`, on the compiled check. */
const jsonSchemaErrors: JsonSchemaErrors = (definition, options) => {
  if (options.checkPaths === false || options.checkArn === false) throw new Error('deliv checks definitions with checkPaths and checkArn on');
  return schemaErrors(definition);
};

/**
 * Puts `schemaErrors` in the place of asl-validator's schema check in the
 * require cache (from the sources; the kit has a slot for it instead). Before
 * asl-validator is first loaded, its validator then requires our module
 * instead of the one that builds an Ajv per call (so Ajv is never loaded);
 * if something loaded it already, its export is replaced (the validator reads
 * it at each call). Only asl-validator requires that file.
 */
function installSchemaCheck(): void {
  const file = requireFromValidator.resolve('./checks/json-schema-errors');
  const loaded = requireFromHere.cache[file];
  if (loaded) {
    (loaded.exports as { jsonSchemaErrors: unknown }).jsonSchemaErrors = jsonSchemaErrors;
    return;
  }
  const module = new Module(file);
  module.filename = file;
  module.paths = [path.dirname(file)];
  module.exports = { jsonSchemaErrors };
  module.loaded = true;
  requireFromHere.cache[file] = module;
}
