import { Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';

export default class LocalStatus extends BaseCommand {
  static override summary = 'Show whether the emulator runs, where, and what it holds';
  static override description = 'Prints pid, endpoint, data dir, uptime, state machines and running executions, or that none runs (`running: false` with --json).';
  static override examples = ['<%= config.bin %> local status', '<%= config.bin %> local status --json'];

  static override flags = {
    'data-dir': Flags.string({ description: 'the emulator\'s data dir (default: <project>/.deliv)' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(LocalStatus);
    const { runLocalStatus } = await import('../../local/commands.js');
    return runLocalStatus({ dataDir: flags['data-dir'] }, { say: (line) => this.say(line), note: (line) => this.note(line) });
  }
}
