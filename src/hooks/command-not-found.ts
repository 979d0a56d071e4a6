import type { Hook } from '@oclif/core';
import { EXIT_CODES } from '../ui/interrupt.js';
import { writeError } from '../ui/report.js';
import { closest } from '../ui/suggest.js';

/**
 * `deliv deplyo`: an unknown command is a usage error (exit 2) that names the
 * likely command, instead of oclif's bare "command not found".
 */
const hook: Hook.CommandNotFound = async function ({ id, argv, config }) {
  const separator = config.topicSeparator;
  const spaced = (name: string) => name.replaceAll(':', separator);
  const known = [...config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases]), ...config.topics.map((topic) => topic.name)].map(spaced);
  const typed = spaced(id);
  const guess = closest(typed, known) ?? closest(typed.split(separator)[0], known);
  writeError(
    {
      code: 'UNKNOWN_COMMAND',
      message: `unknown command \`${config.bin} ${typed}\``,
      hint: guess ? `did you mean \`${config.bin} ${guess}\`? (\`${config.bin} --help\` lists the commands)` : `\`${config.bin} --help\` lists the commands`,
      exitCode: EXIT_CODES.usage,
    },
    (argv ?? []).includes('--json'),
  );
  process.exitCode = EXIT_CODES.usage;
};

export default hook;
