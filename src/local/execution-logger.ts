/**
 * Step Functions' logging, in the emulator: a machine whose
 * loggingConfiguration has a level other than OFF and a log group
 * destination gets every event its level keeps written to that group, in
 * AWS's format and stream naming (aws/execution-logs.ts). Express
 * executions have no other history, so this is how they are tailed; Standard
 * ones log too when configured. As on AWS, events for a log group that no
 * longer exists are dropped, and logging never fails an execution.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { executionLogStreamName, isLoggedAt, logGroupNameFromArn, toExecutionLogEvent } from '../aws/execution-logs.js';
import type { LogStore } from './log-store.js';

export interface LoggingSettings {
  level: 'ALL' | 'ERROR' | 'FATAL';
  includeExecutionData: boolean;
  groupName: string;
}

interface LoggingConfigurationJson {
  level?: string;
  includeExecutionData?: boolean;
  destinations?: { cloudWatchLogsLogGroup?: { logGroupArn?: string } }[];
}

/** The settings a stored loggingConfiguration stands for, or undefined when it logs nothing. */
export function loggingSettings(configuration: string | LoggingConfigurationJson | undefined): LoggingSettings | undefined {
  let parsed: LoggingConfigurationJson | undefined;
  try {
    parsed = typeof configuration === 'string' ? (JSON.parse(configuration) as LoggingConfigurationJson) : configuration;
  } catch {
    return undefined;
  }
  const level = parsed?.level;
  if (level !== 'ALL' && level !== 'ERROR' && level !== 'FATAL') return undefined;
  const arn = parsed?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn;
  const groupName = arn ? logGroupNameFromArn(arn) : undefined;
  if (!groupName) return undefined;
  return { level, includeExecutionData: parsed?.includeExecutionData === true, groupName };
}

export interface LoggedExecution {
  arn: string;
  machineName: string;
  started: number;
  redriveCount: number;
}

/** Writes one execution's events to its machine's log group as they happen. */
export function executionRecorder(logs: LogStore, settings: LoggingSettings, execution: LoggedExecution, now: () => number): (event: HistoryEvent) => void {
  const stream = executionLogStreamName(execution.machineName, new Date(execution.started));
  return (event) => {
    if (!isLoggedAt(settings.level, event.type ?? '')) return;
    try {
      if (!logs.hasGroup(settings.groupName)) return;
      if (!logs.getStream(settings.groupName, stream)) logs.createStream(settings.groupName, stream, now());
      const logged = toExecutionLogEvent(event, { executionArn: execution.arn, redriveCount: execution.redriveCount, includeExecutionData: settings.includeExecutionData });
      logs.putEvents(settings.groupName, stream, [{ timestamp: Number(logged.event_timestamp), message: JSON.stringify(logged) }], now());
    } catch {
      // Best effort, as AWS's delivery: the execution carries on whatever happens to its logs.
    }
  };
}
