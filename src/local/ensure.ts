/**
 * For commands whose target is local (deploy, start, logs): the project's
 * emulator, started in the background when it is not running (PREAMBLE
 * decision 5). The caller tells the user when `started` is true.
 */
import path from 'node:path';
import { DEFAULT_LOCAL_PORT } from '../aws/clients.js';
import { answers, endpointOf, readEmulatorInfo, startDetached } from './daemon.js';

export async function ensureLocalEmulator(options: { root: string; port?: number }): Promise<{ endpoint: string; started: boolean }> {
  const explicit = process.env.DELIV_LOCAL_ENDPOINT;
  if (explicit) return { endpoint: explicit, started: false };
  const dataDir = path.join(options.root, '.deliv');
  const running = readEmulatorInfo(dataDir);
  if (running && (await answers(running))) return { endpoint: endpointOf(running), started: false };
  const port = options.port ?? DEFAULT_LOCAL_PORT;
  try {
    const info = await startDetached({ root: options.root, dataDir, args: ['--port', String(port)] });
    return { endpoint: endpointOf(info), started: true };
  } catch (error) {
    // The usual port is taken (another project's emulator): any free port will do.
    if (options.port !== undefined || !/EADDRINUSE|in use/.test(String((error as Error).message))) throw error;
    const info = await startDetached({ root: options.root, dataDir, args: ['--port', '0'] });
    return { endpoint: endpointOf(info), started: true };
  }
}
