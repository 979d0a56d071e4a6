import { Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';

export default class LocalBackup extends BaseCommand {
  static override summary = 'Copy the emulator\'s store into one consistent file';
  static override description =
    'Writes <data dir>/backups/emulator-backup-<time>.db: every machine, execution, history and task token, consistent at one instant, whether the emulator runs or not. Restore it by stopping the emulator and copying it over <data dir>/emulator.db.';
  static override examples = ['<%= config.bin %> local backup', '<%= config.bin %> local backup --data-dir /tmp/deliv-data --json'];

  static override flags = {
    'data-dir': Flags.string({ description: 'the emulator\'s data dir (default: <project>/.deliv)' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LocalBackup);
    const { runLocalBackup } = await import('../../local/commands.js');
    return runLocalBackup({ dataDir: flags['data-dir'] }, { say: (line) => this.say(line), note: (line) => this.note(line) });
  }
}
