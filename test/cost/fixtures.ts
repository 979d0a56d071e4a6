import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SHARED } from '../helpers/cli.js';

/** ../shared beside the repository (CI), or two levels up when the repository is a worktree under wt/. */
export const SHARED_DIR = [SHARED, path.resolve(REPO_ROOT, '../../shared')].find((dir) => existsSync(path.join(dir, 'fixtures/aws'))) ?? SHARED;
export const AWS_FIXTURES = path.join(SHARED_DIR, 'fixtures/aws');
export const haveAwsFixtures = existsSync(AWS_FIXTURES);
