#!/usr/bin/env -S node --import tsx
// oclif in development mode (its debug output and full error details) on the built CLI: oclif maps
// dist/ to sources through tsconfig's rootDir, which is the repository here, so it finds no sources
// and loads dist/cli/index.js as bin/run.js does. Run `npm run build` first.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
