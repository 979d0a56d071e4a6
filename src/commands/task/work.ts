import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../ui/base-command.js';
import { targetFlags } from '../../ui/flags.js';

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
    ...targetFlags,
    function: Flags.string({ description: 'the deliv.yaml function whose handler answers (default: the activity\'s name)', exclusive: ['handler'] }),
    handler: Flags.string({ description: 'a handler module of the project (exporting handler) that answers', exclusive: ['function'] }),
    'worker-name': Flags.string({ description: 'the workerName sent with GetActivityTask (ActivityStarted shows it)' }),
    once: Flags.boolean({ description: 'answer one task, then exit', exclusive: ['max-tasks'] }),
    'max-tasks': Flags.integer({ description: 'answer this many tasks, then exit (default: until Ctrl-C)', min: 1 }),
    'heartbeat-seconds': Flags.integer({ description: 'seconds between SendTaskHeartbeat calls while the handler runs', default: 10, min: 1 }),
    endpoint: Flags.string({ description: 'emulator or Step Functions endpoint (instead of a --target)', exclusive: ['target'] }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(TaskWork);
    const { workActivity } = await import('../../local/activity-worker.js');
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const { sfn, where, localEndpoint } = await this.connection(flags);
    try {
      this.note(`working ${args.activity} on ${where} (Ctrl-C stops)`);
      const result = await workActivity({
        activity: args.activity,
        sfn,
        localEndpoint,
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
      sfn.destroy();
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  }

  /** --endpoint as `deliv task success` takes it, else the target (the emulator, started if need be, or AWS). */
  private async connection(flags: { endpoint?: string; target?: string; region?: string; profile?: string }) {
    if (flags.endpoint) {
      const { createSfnClient } = await import('../../aws/clients.js');
      return { sfn: await createSfnClient({ name: 'local', local: true, endpoint: flags.endpoint }), where: flags.endpoint, localEndpoint: flags.endpoint };
    }
    const { tryLoadProject } = await import('../../project/config.js');
    const { connect } = await import('../../local/connect.js');
    const { sfn, target } = await connect(tryLoadProject(), flags, (text) => this.note(text));
    return { sfn, where: target.local ? (target.endpoint ?? 'the local emulator') : `target ${target.name}`, localEndpoint: target.local ? target.endpoint : undefined };
  }
}
