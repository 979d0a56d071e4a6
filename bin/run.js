#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code of every module between runs (in the temp dir): most of the
// CLI's start-up is compiling oclif and its dependencies. Node 20 has no such cache, and no call.
// Enabled before oclif is imported (a static import would be loaded first), so oclif is cached too.
module.enableCompileCache?.();
const { execute } = await import('@oclif/core');

await execute({ dir: import.meta.url });
