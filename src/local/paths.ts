import path from 'node:path';
import { findProjectRoot } from '../project/config.js';
import { isWithin, PathOutsideProject, projectOutput } from '../project/confine.js';
import { DelivError } from '../ui/errors.js';

/** The project folder around the cwd (or the cwd outside a project) and its emulator data dir. */
export function emulatorPaths(dataDirFlag?: string, cwd = process.cwd()): { root: string; dataDir: string } {
  const root = findProjectRoot(cwd) ?? path.resolve(cwd);
  const dataDir = dataDirFlag ? path.resolve(cwd, dataDirFlag) : path.join(root, '.deliv');
  return { root, dataDir: confinedDataDir(root, dataDir) };
}

/**
 * `dataDir` unless it lies in the project by its path but elsewhere in fact
 * (`.deliv`, or a folder above it, a symbolic link out of the project): the
 * store, its backups and the handler cache are never written through such a
 * link. A data dir outside the project by its path (`--data-dir /elsewhere`)
 * is the user's explicit choice and stands.
 */
export function confinedDataDir(root: string, dataDir: string): string {
  if (!isWithin(path.resolve(root), path.resolve(dataDir))) return dataDir;
  try {
    return projectOutput(root, dataDir);
  } catch (error) {
    if (!(error instanceof PathOutsideProject)) throw error;
    const shown = path.relative(path.resolve(root), path.resolve(dataDir)) || '.';
    throw new DelivError(`refusing to keep the emulator's data in ${shown}: ${error.why}, outside the project`, {
      hint: `remove the link (deliv creates ${shown} again), or pass --data-dir with that folder to keep the data there on purpose`,
    });
  }
}
