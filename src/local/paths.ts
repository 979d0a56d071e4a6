import path from 'node:path';
import { findProjectRoot } from '../project/config.js';

/** The project folder around the cwd (or the cwd outside a project) and its emulator data dir. */
export function emulatorPaths(dataDirFlag?: string, cwd = process.cwd()): { root: string; dataDir: string } {
  const root = findProjectRoot(cwd) ?? path.resolve(cwd);
  const dataDir = dataDirFlag ? path.resolve(cwd, dataDirFlag) : path.join(root, '.deliv');
  return { root, dataDir };
}
