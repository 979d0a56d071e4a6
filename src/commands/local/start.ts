import { Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';

export default class LocalStart extends BaseCommand {
  static override summary = 'Start the embedded Step Functions emulator';
  static override description =
    'Serves the Step Functions API (AWS JSON 1.0) on 127.0.0.1, durable in SQLite under .deliv/, running the project\'s own Lambda handlers and mocks. ' +
    'Stays in the foreground until Ctrl-C or SIGTERM unless --detach. Point any SDK or the AWS CLI at it with --endpoint-url.';

  static override examples = [
    '<%= config.bin %> local start',
    '<%= config.bin %> local start --port 8090 --time-scale 0 --verbose',
    '<%= config.bin %> local start --detach && aws stepfunctions list-state-machines --endpoint-url http://127.0.0.1:8083',
  ];

  static override flags = {
    port: Flags.integer({ description: 'port to listen on (0 = any free port)', default: 8083, min: 0, max: 65535 }),
    'data-dir': Flags.string({ description: 'where the SQLite database and emulator.json live (default: <project>/.deliv)' }),
    'time-scale': Flags.string({ description: 'multiplier for Wait and retry delays in real time (0 = instant, 0.1 = ten times faster)', default: '1' }),
    detach: Flags.boolean({ description: 'run in the background and return once it answers', default: false }),
    host: Flags.string({ description: 'address to bind (anything but 127.0.0.1 exposes the emulator to your network)', default: '127.0.0.1' }),
    verbose: Flags.boolean({ description: 'log one line per request', default: false }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LocalStart);
    const { runLocalStart } = await import('../../local/commands.js');
    const timeScale = Number(flags['time-scale']);
    const result = await runLocalStart(
      { port: flags.port, dataDir: flags['data-dir'], timeScale, detach: flags.detach, host: flags.host, verbose: flags.verbose },
      { say: (line) => this.say(line), note: (line) => this.note(line) },
    );
    return result;
  }
}
