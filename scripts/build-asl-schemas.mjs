// Compiles asl-validator's JSON schemas once, at build time, into standalone
// code beside the built schema check (see src/asl/schema-check.ts): a CLI run
// then neither loads Ajv nor compiles a schema.
//
// Then bundles asl-validator, what it requires (jsonpath-plus, asl-path-validator),
// the formats the schemas use and that generated code into one CommonJS file, the
// kit, which a run loads through the V8 code cache (src/code-cache.ts) instead of
// resolving, reading and compiling some 40 files. asl-validator's own schema
// check (the one module that requires Ajv) is replaced by a slot the schema
// check module fills with the compiled one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { compileAslSchemas, GENERATED_FILE, KIT_FILE } from '../dist/asl/schema-check.js';

const { code } = compileAslSchemas(true);
const outDir = fileURLToPath(new URL('../dist/asl/', import.meta.url));
const generated = path.join(outDir, GENERATED_FILE);
writeFileSync(generated, code);

// Resolved as src/asl/schema-check.ts resolves them from the sources, so that the same files are bundled.
const fromValidator = createRequire(createRequire(import.meta.url).resolve('asl-validator'));
const fromPaths = createRequire(fromValidator.resolve('asl-path-validator'));
const modules = {
  aslValidator: fromValidator.resolve('asl-validator'),
  paths: fromPaths.resolve('./index'),
  pathTypes: fromPaths.resolve('./types'),
  arnFormat: fromValidator.resolve('./checks/formats'),
  formats: createRequire(fromValidator.resolve('ajv-formats')).resolve('./formats'),
};
const SLOT = 'deliv-schema-check-slot';
const { metafile } = await build({
  stdin: {
    contents: [
      `const slot = require(${JSON.stringify(SLOT)});`,
      'module.exports = {',
      `  aslValidator: require(${JSON.stringify(modules.aslValidator)}),`,
      `  compiledAslSchemas: require(${JSON.stringify(generated)}),`,
      `  validatePath: require(${JSON.stringify(modules.paths)}).validatePath,`,
      `  AslPathContext: require(${JSON.stringify(modules.pathTypes)}).AslPathContext,`,
      `  isArnFormatValid: require(${JSON.stringify(modules.arnFormat)}).isArnFormatValid,`,
      `  fullFormats: require(${JSON.stringify(modules.formats)}).fullFormats,`,
      '  setSchemaCheck: slot.set,',
      '};',
    ].join('\n'),
    resolveDir: outDir,
    sourcefile: 'asl-kit.js',
    loader: 'js',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: path.join(outDir, KIT_FILE),
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      name: 'schema-check-slot',
      setup(esbuild) {
        esbuild.onResolve({ filter: /^\.\/checks\/json-schema-errors$/ }, () => ({ path: SLOT, namespace: SLOT }));
        esbuild.onResolve({ filter: new RegExp(`^${SLOT}$`) }, () => ({ path: SLOT, namespace: SLOT }));
        esbuild.onLoad({ filter: /.*/, namespace: SLOT }, () => ({
          contents: [
            'let check = () => { throw new Error("deliv: the schema check was not set (src/asl/schema-check.ts sets it)"); };',
            'module.exports = { jsonSchemaErrors: (definition, options) => check(definition, options), set: (own) => { check = own; } };',
          ].join('\n'),
          loader: 'js',
        }));
      },
    },
  ],
});
// The point of the slot: neither Ajv nor its compiler is in the kit (jsonata loads on a JSONata string only).
const unwanted = Object.keys(metafile.inputs).filter((input) => /node_modules\/(ajv|jsonata)\//.test(input));
if (unwanted.length > 0) {
  console.error(`build-asl-schemas: the kit would load what it must not:\n${unwanted.map((input) => `  ${input}`).join('\n')}`);
  process.exit(1);
}
