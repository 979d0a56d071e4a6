// Compiles asl-validator's JSON schemas once, at build time, into standalone
// code beside the built schema check (see src/asl/schema-check.ts): a CLI run
// then neither loads Ajv nor compiles a schema.
import { writeFileSync } from 'node:fs';
import { compileAslSchemas, GENERATED_FILE } from '../dist/asl/schema-check.js';

const { code } = compileAslSchemas(true);
writeFileSync(new URL(`../dist/asl/${GENERATED_FILE}`, import.meta.url), code);
