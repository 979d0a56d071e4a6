import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';
import { taskTargetFlags } from '../../ui/flags.js';

export default class TaskWork extends BaseCommand {
  static override summary = 'Work an activity: poll its tasks and answer each with a handler (GetActivityTask)';
  static override description =
    "An activity worker in the terminal: long-polls GetActivityTask for ACTIVITY, runs a handler of the project on each task's input, sends heartbeats while it runs, and answers with SendTaskSuccess (its return value) or SendTaskFailure (what it threw). The handler is the deliv.yaml function named like the activity, or --function / --handler. Ctrl-C stops it.";
  static override examples = [
    '<%= config.bin %> task work courier-pickup',
    '<%= config.bin %> task work courier-pickup --handler functions/pickup.mjs --once',
    '<%= config.bin %> task work arn:aws:states:us-east-1:123456789012:activity:courier-pickup --function confirmPickup --max-tasks 10 --json',
    '<%= config.bin %> task work courier-pickup --target prod',
  ];

  static override args = { activity: Args.string({ description: 'the activity, by name or ARN', required: true }) };
  static override flags = {
    ...taskTargetFlags,
    function: Flags.string({ description: 'the deliv.yaml function whose handler answers (default: the activity\'s name)', exclusive: ['handler'] }),
    handler: Flags.string({ description: 'a handler module of the project (exporting handler) that answers', exclusive: ['function'] }),
    'worker-name': Flags.string({ description: 'the workerName sent with GetActivityTask (ActivityStarted shows it)' }),
    once: Flags.boolean({ description: 'answer one task, then exit', exclusive: ['max-tasks'] }),
    'max-tasks': Flags.integer({ description: 'answer this many tasks, then exit (default: until Ctrl-C)', min: 1 }),
    'heartbeat-seconds': Flags.integer({ description: 'seconds between SendTaskHeartbeat calls while the handler runs', default: 10, min: 1 }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskWork);
    const { workActivity } = await import('../../local/activity-worker.js');
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const { taskConnection } = await import('../../local/commands.js');
    const { sfn, where, localEndpoint, close } = await taskConnection(flags, (text) => this.note(text));
    try {
      this.note(`working ${args.activity} on ${where} (Ctrl-C stops)`);
      const result = await workActivity({
        activity: args.activity,
        sfn,
        localEndpoint,
        where: `the activities of ${where}`,
        functionName: flags.function,
        handler: flags.handler,
        workerName: flags['worker-name'],
        maxTasks: flags.once ? 1 : (flags['max-tasks'] ?? 0),
        heartbeatSeconds: flags['heartbeat-seconds'],
        signal: stop.signal,
        log: (line) => this.say(line),
      });
      return result;
    } finally {
      close();
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  }
}
