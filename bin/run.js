#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code of every module between runs (in the temp dir). Node 20 has no
// such cache, and no call. Enabled before the CLI is imported (a static import would be loaded first).
module.enableCompileCache?.();
// The CLI as one bundle (scripts/build-cli.mjs): oclif, the command classes and what they import
// lazily, in a few files instead of some 300.
const { execute, settings } = await import('../dist/cli/index.js');

// The built CLI runs its built code. Without this, oclif under NODE_ENV=test or development (vitest
// sets the first) registers a TypeScript loader and looks for the sources of dist/cli/index.js.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
