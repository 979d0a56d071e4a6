/**
 * Answers already paid for: the same failure (same redacted prompt, same
 * model) is answered from disk instead of calling Bedrock again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelAnswer } from './bedrock.js';

export interface CachedAnswer extends ModelAnswer {
  cachedAt: string;
}

/** `<project>/.deliv/cache/explain` in a project, else the user's cache folder. */
export function cacheDir(projectRoot?: string): string {
  if (projectRoot) return path.join(projectRoot, '.deliv', 'cache', 'explain');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'deliv', 'explain');
}

export function cacheKey(parts: { modelId: string; system: string; prompt: string; promptVersion: number }): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function readCachedAnswer(dir: string, key: string): CachedAnswer | undefined {
  try {
    const cached = JSON.parse(readFileSync(path.join(dir, `${key}.json`), 'utf8')) as CachedAnswer;
    return typeof cached.text === 'string' && cached.text !== '' ? cached : undefined;
  } catch {
    return undefined;
  }
}

export function writeCachedAnswer(dir: string, key: string, answer: ModelAnswer): void {
  try {
    mkdirSync(dir, { recursive: true });
    const cached: CachedAnswer = { ...answer, cachedAt: new Date().toISOString() };
    writeFileSync(path.join(dir, `${key}.json`), `${JSON.stringify(cached, null, 2)}\n`, { mode: 0o600 });
  } catch {
    // A cache that cannot be written only costs a repeated call.
  }
}
