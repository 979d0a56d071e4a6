/**
 * Paths that come from data the user or a definition wrote (deliv.yaml
 * handlers and mocks, ItemReader buckets and keys) name files inside the
 * project, nowhere else: no absolute path, no `..` out of it, no symlink
 * whose target lies outside. Checked on the real path (realpath) of the
 * nearest part that exists, so a file not written yet is judged by its folder.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export class PathOutsideProject extends Error {
  constructor(
    readonly requested: string,
    readonly why: string,
  ) {
    super(`${requested} is outside the project: ${why}`);
    this.name = 'PathOutsideProject';
  }
}

/** True when `child` is `parent` or lies under it (by path segments, not by string prefix). */
export function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The nearest folder of `target` (or `target` itself) that exists, and the names below it that do not yet. */
export function nearestExisting(target: string): { existing: string; missing: string[] } {
  let existing = target;
  const missing: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    missing.unshift(path.basename(existing));
    existing = parent;
  }
  return { existing, missing };
}

function realpathOfNearest(target: string): string {
  const { existing, missing } = nearestExisting(target);
  return path.join(realpathSync(existing), ...missing);
}

/**
 * `target` (an absolute path deliv built, such as `.deliv/build/x.asl.json`)
 * when writing it stays in the project: checked on the real path, so a
 * `.deliv` folder or an old output that is a symbolic link out of the project
 * is refused rather than written through.
 */
export function projectOutput(root: string, target: string): string {
  return insideProject(root, path.relative(path.resolve(root), target));
}

/**
 * The absolute path of `requested` (relative to `root`), or a PathOutsideProject
 * error when it would leave the project. `parts` are joined first (a bucket, then a key).
 */
export function insideProject(root: string, ...parts: string[]): string {
  const requested = path.join(...parts.filter((part) => part !== ''));
  if (parts.some((part) => path.isAbsolute(part) || /^[A-Za-z]:[\\/]/.test(part))) throw new PathOutsideProject(requested, 'absolute paths are not allowed; write it relative to the project folder');
  const base = path.resolve(root);
  const resolved = path.resolve(base, requested);
  if (!isWithin(base, resolved)) throw new PathOutsideProject(requested, '`..` leads out of the project folder');
  const realBase = realpathOfNearest(base);
  const real = realpathOfNearest(resolved);
  if (!isWithin(realBase, real)) throw new PathOutsideProject(requested, `it is a symbolic link to ${real}`);
  return resolved;
}
