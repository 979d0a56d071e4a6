/**
 * Validation speed: deliv's validateDefinition (asl-validator with its schema check
 * compiled at build time, see src/asl/schema-check.ts, plus our own checks) against a
 * bare asl-validator call, which recompiles its schemas every time. Medians over the
 * bundled templates, interleaved.
 */
import { createRequire } from 'node:module';
import { validateDefinition } from '../src/asl/validate.js';
import { loadDefinitionFile } from '../src/project/definition.js';
import { listTemplates } from '../src/project/templates.js';

const RUNS = 9;
const require = createRequire(import.meta.url);

const loaded = listTemplates().map((template) => {
  const bare = loadDefinitionFile(template.definitionFile);
  const values = Object.fromEntries(bare.placeholders.map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`]));
  return loadDefinitionFile(template.definitionFile, values);
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = (work: () => void) => {
  const started = performance.now();
  work();
  return performance.now() - started;
};

// The baseline runs first: once validateDefinition has run, asl-validator itself uses
// the compiled schema check too (it is put in the place of asl-validator's own).
const aslValidator = require('asl-validator') as (definition: unknown) => unknown;
const bare: number[] = [];
for (let run = 0; run < RUNS; run += 1) for (const definition of loaded) bare.push(time(() => aslValidator(structuredClone(definition.definition))));

const first = time(() => validateDefinition(loaded[0], { bare: false }));
const ours: number[] = [];
for (let run = 0; run < RUNS; run += 1) for (const definition of loaded) ours.push(time(() => validateDefinition(definition, { bare: false })));

const baseline = median(bare);
console.log(`definitions: ${loaded.length} templates × ${RUNS} runs`);
console.log(`asl-validator alone          median ${baseline.toFixed(1).padStart(7)} ms per definition`);
console.log(`validateDefinition (1st call)        ${first.toFixed(1).padStart(7)} ms (compiles the schemas once)`);
console.log(`validateDefinition           median ${median(ours).toFixed(1).padStart(7)} ms per definition   ${(baseline / median(ours)).toFixed(0)}× faster`);
