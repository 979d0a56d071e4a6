import { execFile } from 'node:child_process';

/**
 * The commit a deploy comes from, for the version's description: the full
 * SHA, marked when the work tree has uncommitted changes. Undefined outside a
 * git repository or without git.
 */
export async function gitCommitDescription(cwd: string): Promise<string | undefined> {
  const sha = await git(['rev-parse', 'HEAD'], cwd);
  if (!sha) return undefined;
  const status = await git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return status ? `${sha} (with uncommitted changes)` : sha;
}

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim());
    });
  });
}
