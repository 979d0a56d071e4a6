import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { arrowViolation, cycles, importGraph, layerViolations, sdkInCommands } from '../../scripts/check-imports.mjs';
import { tempDir } from '../helpers/cli.js';

function tree(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const temp = tempDir();
  const dir = path.join(temp.dir, 'src');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return { dir, cleanup: temp.cleanup };
}

describe('the import check run by npm run lint', () => {
  it('holds src/ itself to the arrows, with no cycle', () => {
    const graph = importGraph(path.resolve('src'));
    expect(layerViolations(path.resolve('src'), graph)).toEqual([]);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle made of a type import one way and a dynamic import the other', () => {
    const { dir, cleanup } = tree({
      'local/emulator.ts': "export async function start() { const { serve } = await import('./server.js'); return serve; }\n",
      'local/server.ts': "import type { Ctx } from './emulator.js';\nexport const serve = (c: Ctx) => c;\n",
      'local/store.ts': "import { serve } from './server.js';\nexport const s = serve;\n",
    });
    try {
      const found = cycles(importGraph(dir)).map((component: string[]) => component.map((file) => path.relative(dir, file)));
      expect(found).toEqual([['local/emulator.ts', 'local/server.ts']]);
    } finally {
      cleanup();
    }
  });

  it('names the arrow an import breaks', () => {
    const { dir, cleanup } = tree({
      'engine/retry.ts': "import { createSfnClient } from '../aws/clients.js';\nimport { StatesErrors } from '../asl/errors.js';\nexport const x = [createSfnClient, StatesErrors];\n",
      'aws/clients.ts': 'export const createSfnClient = 1;\n',
      'asl/errors.ts': 'export const StatesErrors = 1;\n',
      'cost/report.ts': "export const r = () => import('../commands/cost.js');\n",
      'commands/cost.ts': 'export default 1;\n',
    });
    try {
      const found = layerViolations(dir, importGraph(dir)).map(({ file, target, reason }: { file: string; target: string; reason: string }) => [path.relative(dir, file), path.relative(dir, target), reason]);
      expect(found.sort()).toEqual([
        ['cost/report.ts', 'commands/cost.ts', 'commands import domain folders, never the other way'],
        ['engine/retry.ts', 'aws/clients.ts', 'engine imports only asl and itself'],
      ]);
    } finally {
      cleanup();
    }
    expect(arrowViolation('ui', 'cost')).toBe('ui imports no domain folder');
    expect(arrowViolation('asl', 'engine')).toBe('asl imports nothing of deliv');
    expect(arrowViolation('commands', 'engine')).toBeUndefined();
    expect(arrowViolation('aws', 'local')).toBe('aws imports no domain folder but project');
    expect(arrowViolation('local', 'aws')).toBeUndefined();
  });
});

describe('the SDK check', () => {
  it('refuses an SDK call in a command, and allows the SDK\'s types', () => {
    const { dir, cleanup } = tree({
      'commands/start.ts': "import type { SFNClient } from '@aws-sdk/client-sfn';\nexport const run = async () => (await import('@aws-sdk/client-sfn')).StartExecutionCommand;\n",
      'commands/ls.ts': "import type { SFNClient } from '@aws-sdk/client-sfn';\nimport { listStateMachines } from '../aws/sfn.js';\n",
      'aws/sfn.ts': "import { SFNClient } from '@aws-sdk/client-sfn';\n",
    });
    try {
      expect(sdkInCommands(dir).map((file: string) => path.relative(dir, file))).toEqual([path.join('commands', 'start.ts')]);
    } finally {
      cleanup();
    }
  });

  it('finds none in src/commands', () => {
    expect(sdkInCommands(path.resolve('src'))).toEqual([]);
  });
});
