import { Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';

export default class LocalStop extends BaseCommand {
  static override summary = 'Stop the emulator of this project';
  static override description = 'Sends SIGTERM to the emulator serving the data dir and waits for it to shut down cleanly; running executions resume on the next start.';
  static override examples = ['<%= config.bin %> local stop', '<%= config.bin %> local stop --data-dir /tmp/deliv-data'];

  static override flags = {
    'data-dir': Flags.string({ description: 'the emulator\'s data dir (default: <project>/.deliv)' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LocalStop);
    const { runLocalStop } = await import('../../local/commands.js');
    return runLocalStop({ dataDir: flags['data-dir'] }, { say: (line) => this.say(line), note: (line) => this.note(line) });
  }
}
