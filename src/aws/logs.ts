/**
 * Express executions, read from CloudWatch Logs: AWS keeps no history of
 * them but the events their machine logs (aws/execution-logs.ts has the
 * format). This is the one reader of those log groups, for the emulator and
 * AWS alike: it lists a machine's recent executions from the events it
 * logged, reads one execution's history (as GetExecutionHistory events) and
 * follows it as it grows. The SFN readers (logs/history.ts) hand Express
 * machines and executions to it, so every command reads them the same way.
 */
import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { ExecutionListItem, ExecutionStatus, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { DelivError } from '../ui/errors.js';
import { machineArnOfExecution } from './arn.js';
import { AwsError, parseDenial } from './errors.js';
import { executionFilterPattern, logGroupNameFromArn, parseExecutionLogEvent, toHistoryEvent } from './execution-logs.js';
import { EXECUTION_END_EVENTS } from '../asl/history.js';

export { machineArnOfExecution };

export interface LogSource {
  machineArn: string;
  machineName: string;
  logGroupName: string;
  level: string;
  includeExecutionData: boolean;
}

/** The closing events and the status each gives (the history index's table). */
const TERMINAL: Readonly<Record<string, ExecutionStatus>> = EXECUTION_END_EVENTS;
const LIFECYCLE_PATTERN = `{ ${['ExecutionStarted', ...Object.keys(TERMINAL)].map((type) => `($.type = "${type}")`).join(' || ')} }`;

/** How far back a listing looks, newest window first: a busy group is not read to its start for ten executions. */
const LOOKBACK_MS = [15 * 60_000, 6 * 3_600_000, 3 * 86_400_000, 30 * 86_400_000];

interface MachineFacts {
  type?: string;
  name?: string;
  definition?: string;
  logging?: { level?: string; includeExecutionData?: boolean; destinations?: { cloudWatchLogsLogGroup?: { logGroupArn?: string } }[] };
}

export class ExpressLogReader {
  private readonly machines = new Map<string, Promise<MachineFacts>>();

  constructor(
    private readonly sfn: SFNClient,
    private readonly logsClient: () => Promise<CloudWatchLogsClient>,
    private readonly targetName: string,
    private readonly local: boolean,
  ) {}

  private facts(machineArn: string): Promise<MachineFacts> {
    let facts = this.machines.get(machineArn);
    if (!facts) {
      facts = import('@aws-sdk/client-sfn').then(async ({ DescribeStateMachineCommand }) => {
        const described = await this.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
        return { type: described.type, name: described.name, definition: described.definition, logging: described.loggingConfiguration as MachineFacts['logging'] };
      });
      this.machines.set(machineArn, facts);
      facts.catch(() => this.machines.delete(machineArn));
    }
    return facts;
  }

  async isExpress(machineArn: string): Promise<boolean> {
    return (await this.facts(machineArn)).type === 'EXPRESS';
  }

  /** The machine (and its current definition) an Express execution ran. */
  async describeMachine(executionArn: string): Promise<{ stateMachineArn: string; name?: string; definition?: string; type: 'EXPRESS' }> {
    const stateMachineArn = machineArnOfExecution(executionArn);
    const facts = await this.facts(stateMachineArn);
    return { stateMachineArn, name: facts.name, definition: facts.definition, type: 'EXPRESS' };
  }

  /** Where a machine logs, or a DelivError saying that it does not and how to make it. */
  async source(machineArn: string): Promise<LogSource> {
    const facts = await this.facts(machineArn);
    const name = facts.name ?? machineArn.split(':')[6];
    const level = facts.logging?.level ?? 'OFF';
    const arn = facts.logging?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn;
    const logGroupName = arn ? logGroupNameFromArn(arn) : undefined;
    if (level === 'OFF' || !logGroupName) {
      throw new DelivError(`\`${name}\` is an Express machine with logging off on ${this.targetName}: its executions keep no history anywhere`, {
        hint: this.local
          ? `\`deliv deploy ${name}\` turns it on (every Express machine logs on the emulator), then run it again`
          : `set \`logging: { level: ALL, includeExecutionData: true }\` under stateMachines.${name} (or targets.${this.targetName}) in deliv.yaml, \`deliv deploy ${name} --target ${this.targetName}\`, then run it again`,
        code: 'LOGGING_OFF',
      });
    }
    return { machineArn, machineName: name, logGroupName, level, includeExecutionData: facts.logging?.includeExecutionData === true };
  }

  /** A note when the level keeps only some events (ERROR, FATAL): what is missing and the fix. */
  levelNote(source: LogSource): string | undefined {
    if (source.level === 'ALL') return undefined;
    return `\`${source.machineName}\` logs at level ${source.level}: only ${source.level === 'FATAL' ? 'execution failures' : 'failures'} are in ${source.logGroupName}, not whole histories; level ALL logs every event`;
  }

  /** Every matching event of the source's log group in [startTime, endTime], paged to the end. */
  private async filter(source: LogSource, filterPattern: string, range: { startTime?: number; endTime?: number } = {}): Promise<FilteredLogEvent[]> {
    const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = await this.logsClient();
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: source.logGroupName, filterPattern, nextToken, ...range }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      // The identity may read Step Functions but not the log group: say which read it was, keep the fix.
      if (error instanceof AwsError && error.problem === 'denied') {
        const denial = parseDenial((error.cause as { message?: string } | undefined)?.message ?? '');
        // AWS names the stream-level resource it checked; the grant that fixes it is on the whole group.
        const group = denial?.resource?.replace(/:log-stream:.*$/, ':*') ?? `the log group ${source.logGroupName}`;
        throw new AwsError('denied', error.code, `cannot read the Express executions of \`${source.machineName}\` on ${this.targetName}: ${error.message}`, {
          hint: denial?.explicit
            ? error.hint
            : `allow logs:FilterLogEvents on ${group} in the IAM policy of ${denial?.principal ?? 'the identity you use'}: deliv reads Express executions from their log group`,
          cause: error,
        });
      }
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        throw new DelivError(`the log group ${source.logGroupName} of \`${source.machineName}\` does not exist on ${this.targetName}`, {
          hint: `\`deliv deploy ${source.machineName}${this.local ? '' : ` --target ${this.targetName}`}\` creates it; executions run while it was missing were not logged`,
          cause: error,
          code: 'LOG_GROUP_NOT_FOUND',
        });
      }
      throw error;
    }
    return events;
  }

  /**
   * The machine's executions found in its log group, newest first, at most
   * `limit`, started at or after `since`, optionally of one status (RUNNING:
   * started, not yet ended).
   */
  async listExecutions(machineArn: string, options: { limit?: number; since?: Date; statusFilter?: string; until?: (execution: ExecutionListItem) => boolean } = {}): Promise<ExecutionListItem[]> {
    const source = await this.source(machineArn);
    const limit = options.limit ?? 100;
    const now = Date.now();
    const found = new Map<string, ExecutionListItem>();
    let end: number | undefined;
    for (const span of LOOKBACK_MS) {
      const startTime = Math.max(now - span, options.since?.getTime() ?? 0);
      for (const event of await this.filter(source, LIFECYCLE_PATTERN, { startTime, endTime: end })) {
        const logged = parseExecutionLogEvent(event.message ?? '');
        if (!logged) continue;
        const at = new Date(Number(logged.event_timestamp));
        const item = found.get(logged.execution_arn) ?? { executionArn: logged.execution_arn, stateMachineArn: machineArn, name: logged.execution_arn.split(':')[7], status: 'RUNNING', startDate: at };
        if (logged.type === 'ExecutionStarted') item.startDate = at;
        else {
          item.status = TERMINAL[logged.type];
          item.stopDate = at;
          // A level without ExecutionStarted: the first event known stands for the start.
          if (item.startDate && item.startDate > at) item.startDate = at;
        }
        found.set(logged.execution_arn, item);
      }
      const matching = [...found.values()].filter((item) => !options.statusFilter || item.status === options.statusFilter);
      if (matching.length >= limit || startTime <= (options.since?.getTime() ?? 0)) break;
      end = startTime - 1;
    }
    const newest = [...found.values()]
      .filter((item) => !options.statusFilter || item.status === options.statusFilter)
      .filter((item) => !options.since || (item.startDate?.getTime() ?? 0) >= options.since.getTime())
      .sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
    const stop = options.until ? newest.findIndex(options.until) : -1;
    return (stop === -1 ? newest : newest.slice(0, stop)).slice(0, limit);
  }

  /** Reads one execution's logged history as it grows (the log group of the machine that ran it). */
  cursor(executionArn: string): LoggedHistoryCursor {
    return new LoggedHistoryCursor(executionArn, async (startTime) => {
      const source = await this.source(machineArnOfExecution(executionArn));
      return this.filter(source, executionFilterPattern(executionArn), { startTime });
    });
  }
}

/**
 * One execution's history from its log events: each `poll()` returns the
 * events not returned before, in id order, as GetExecutionHistory events. It
 * reads on from the newest timestamp held (CloudWatch Logs' own way to
 * follow: events of the same millisecond come again and are dropped by id).
 */
export class LoggedHistoryCursor {
  readonly events: HistoryEvent[] = [];
  private readonly seen = new Set<number>();
  private latest: number | undefined;

  constructor(
    readonly executionArn: string,
    private readonly read: (startTime: number | undefined) => Promise<FilteredLogEvent[]>,
  ) {}

  get done(): boolean {
    const last = this.events.at(-1);
    return last !== undefined && TERMINAL[last.type ?? ''] !== undefined;
  }

  async poll(): Promise<HistoryEvent[]> {
    const fresh: HistoryEvent[] = [];
    for (const event of await this.read(this.latest)) {
      const logged = parseExecutionLogEvent(event.message ?? '');
      if (!logged || logged.execution_arn !== this.executionArn) continue;
      const history = toHistoryEvent(logged);
      this.latest = Math.max(this.latest ?? 0, event.timestamp ?? 0);
      if (this.seen.has(history.id!)) continue;
      this.seen.add(history.id!);
      fresh.push(history);
    }
    fresh.sort((a, b) => a.id! - b.id!);
    this.events.push(...fresh);
    this.events.sort((a, b) => a.id! - b.id!);
    return fresh;
  }
}

/** What the log groups of these machines leave out (Express machines logging at ERROR or FATAL), one note each. */
export async function loggingNotes(sfn: SFNClient, machineArns: string[]): Promise<string[]> {
  const reader = readers.get(sfn);
  if (!reader) return [];
  const notes: string[] = [];
  for (const arn of machineArns) {
    if (!(await reader.isExpress(arn))) continue;
    // Logging off is said by the read itself, with its fix.
    const source = await reader.source(arn).catch(() => undefined);
    const note = source && reader.levelNote(source);
    if (note) notes.push(note);
  }
  return notes;
}

const readers = new WeakMap<SFNClient, ExpressLogReader>();

/** Gives an SFN client the Express reader of its target (connect does it), so the SFN readers can hand Express work over. */
export function attachExpressReader(sfn: SFNClient, reader: ExpressLogReader): void {
  readers.set(sfn, reader);
}

export function expressReader(sfn: SFNClient): ExpressLogReader | undefined {
  return readers.get(sfn);
}
