import { DescribeExecutionCommand, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/local/emulator.js';
import { tempDir } from './cli.js';

export interface TestEmulator {
  emulator: RunningEmulator;
  sfn: SFNClient;
  dir: string;
  close(): Promise<void>;
}

/** An emulator on a random port in a fresh temp dir (or `root`), with an SDK client pointed at it. */
export async function testEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const temp = options.root ? undefined : tempDir('deliv-local-');
  const root = options.root ?? temp!.dir;
  const emulator = await startEmulator({ timeScale: 0, ...options, root, port: 0 });
  const sfn = sfnClient(emulator.endpoint);
  return {
    emulator,
    sfn,
    dir: root,
    async close() {
      sfn.destroy();
      await emulator.stop();
      temp?.cleanup();
    },
  };
}

export function sfnClient(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    disableHostPrefix: true,
  });
}

export const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';

/** Polls DescribeExecution until the execution has ended (bounded; never a timed assertion). */
export async function finished(sfn: SFNClient, executionArn: string, tries = 800): Promise<DescribeExecutionCommandOutput> {
  for (let i = 0; i < tries; i++) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 ** i)));
  }
  throw new Error(`${executionArn} still running`);
}
