/**
 * An emulator in a process of its own, for tests that kill it (`kill -9`) and
 * start it again: `node --import tsx test/helpers/emulator-process.ts ROOT`.
 * Prints `READY <endpoint> <resumed>` once it serves requests.
 */
import { startEmulator } from '../../src/local/emulator.js';

const [root, timeScale = '1'] = process.argv.slice(2);
const emulator = await startEmulator({ root, port: 0, timeScale: Number(timeScale) });
process.stdout.write(`READY ${emulator.endpoint} ${emulator.resumed}\n`);
process.on('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
