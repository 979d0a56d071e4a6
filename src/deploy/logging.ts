/**
 * Where a deployed machine logs its executions. Express executions have no
 * history but their log group, so on the local target every Express machine
 * logs everything (level ALL, execution data included) to a log group named
 * after it; on AWS a machine logs as deliv.yaml says (`logging:` under the
 * machine, else under the target), and an Express machine without logging is
 * said to be untailable, once, with the fix. The log group is created when it
 * does not exist, before the machine that points at it (Step Functions
 * refuses a destination that does not exist).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LoggingConfiguration } from '@aws-sdk/client-sfn';
import { defaultLogGroupName, logGroupNameFromArn } from '../aws/execution-logs.js';
import type { ResolvedTarget } from '../aws/target.js';
import type { LoggingConfig, Project } from '../project/config.js';
import { DelivError } from '../ui/errors.js';

export interface MachineLogging {
  machine: string;
  level: 'ALL' | 'ERROR' | 'FATAL';
  includeExecutionData: boolean;
  logGroupName: string;
  /** Given in deliv.yaml; else read from the log group once it exists. */
  logGroupArn?: string;
  /** deliv.yaml's `retentionInDays`: applied to the log group with PutRetentionPolicy; unset leaves the group's as it is. */
  retentionInDays?: number;
}

/** The logging a machine gets on a target, or undefined when it logs nothing. */
export function machineLogging(project: Project, target: ResolvedTarget, name: string): MachineLogging | undefined {
  const machine = project.config.stateMachines[name];
  const setting: LoggingConfig | undefined = machine.logging ?? project.config.targets[target.name]?.logging;
  const group = (config: LoggingConfig | undefined) => ({
    logGroupName: config?.logGroupArn ? (logGroupNameFromArn(config.logGroupArn) ?? defaultLogGroupName(name)) : (config?.logGroup ?? defaultLogGroupName(name)),
    logGroupArn: config?.logGroupArn,
    ...(config?.retentionInDays !== undefined ? { retentionInDays: config.retentionInDays } : {}),
  });
  // The emulator is where a user tails Express runs before AWS: there they always log everything.
  if (target.local && machine.type === 'EXPRESS') return { machine: name, level: 'ALL', includeExecutionData: true, ...group(setting) };
  if (!setting || setting.level === 'OFF') return undefined;
  return { machine: name, level: setting.level, includeExecutionData: setting.includeExecutionData ?? false, ...group(setting) };
}

/**
 * deliv.yaml turns a machine's logging off (`level: OFF`, and the machine is
 * not an Express one on the emulator, which always logs): the deploy sends
 * level OFF, since an update that leaves loggingConfiguration out keeps
 * what the machine had.
 */
export function loggingTurnedOff(project: Project, target: ResolvedTarget, name: string): boolean {
  const machine = project.config.stateMachines[name];
  const setting = machine.logging ?? project.config.targets[target.name]?.logging;
  return setting?.level === 'OFF' && machineLogging(project, target, name) === undefined;
}

export const LOGGING_OFF: LoggingConfiguration = { level: 'OFF', includeExecutionData: false };

/** Step Functions' LoggingConfiguration for a machine's logging (with its log group's ARN). */
export function loggingConfiguration(logging: MachineLogging | undefined): LoggingConfiguration | undefined {
  if (!logging) return undefined;
  return {
    level: logging.level,
    includeExecutionData: logging.includeExecutionData,
    destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logging.logGroupArn } }],
  };
}

export interface LogGroupResult {
  logGroupName: string;
  logGroupArn: string;
  created: boolean;
  /** The retention deliv.yaml asks for, when the group did not have it (set, or on a dry run to be set). */
  retentionSet?: { from?: number; to: number };
}

/**
 * Makes sure each log group exists (CreateLogGroup when DescribeLogGroups
 * does not find it; nothing on a dry run), keeps events as long as deliv.yaml
 * says (PutRetentionPolicy when the group's retention differs), and fills in
 * the ARNs Step Functions takes (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
 */
export async function ensureLogGroups(logs: CloudWatchLogsClient, wanted: MachineLogging[], options: { dryRun: boolean; region?: string; accountId?: string }): Promise<LogGroupResult[]> {
  const { CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const results: LogGroupResult[] = [];
  const byName = new Map<string, LogGroupResult>();
  for (const logging of wanted) {
    let result = byName.get(logging.logGroupName);
    if (!result) {
      let found = await findLogGroup(logs, DescribeLogGroupsCommand, logging.logGroupName);
      const placeholder = `arn:aws:logs:${options.region ?? '<region>'}:${options.accountId ?? '<account>'}:log-group:${logging.logGroupName}:*`;
      if (found) result = { logGroupName: logging.logGroupName, logGroupArn: found.arn, created: false };
      else if (options.dryRun) result = { logGroupName: logging.logGroupName, logGroupArn: logging.logGroupArn ?? placeholder, created: true };
      else {
        try {
          await logs.send(new CreateLogGroupCommand({ logGroupName: logging.logGroupName }));
        } catch (error) {
          // Another deploy made it in between: it exists, which is all that matters.
          if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw error;
        }
        found = await findLogGroup(logs, DescribeLogGroupsCommand, logging.logGroupName);
        result = { logGroupName: logging.logGroupName, logGroupArn: found?.arn ?? logging.logGroupArn ?? placeholder, created: true };
      }
      const retention = wanted.find((candidate) => candidate.logGroupName === logging.logGroupName && candidate.retentionInDays !== undefined)?.retentionInDays;
      if (retention !== undefined && found?.retentionInDays !== retention) {
        if (!options.dryRun) await logs.send(new PutRetentionPolicyCommand({ logGroupName: logging.logGroupName, retentionInDays: retention }));
        result.retentionSet = { ...(found?.retentionInDays !== undefined ? { from: found.retentionInDays } : {}), to: retention };
      }
      byName.set(logging.logGroupName, result);
      results.push(result);
    }
    logging.logGroupArn ??= result.logGroupArn;
  }
  return results;
}

/** DescribeLogGroups by prefix, paged until the exact name shows (a prefix also matches longer names). */
async function findLogGroup(
  logs: CloudWatchLogsClient,
  Describe: typeof import('@aws-sdk/client-cloudwatch-logs').DescribeLogGroupsCommand,
  name: string,
): Promise<{ arn: string; retentionInDays?: number } | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new Describe({ logGroupNamePrefix: name, nextToken }));
    const match = page.logGroups?.find((group) => group.logGroupName === name);
    const arn = match && (match.arn ?? (match.logGroupArn ? `${match.logGroupArn}:*` : undefined));
    if (arn) return { arn, ...(match.retentionInDays !== undefined ? { retentionInDays: match.retentionInDays } : {}) };
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The one line an AWS deploy says about Express machines whose executions nobody can tail. */
export function untailableNote(machines: string[], targetName: string, projectFile: string): string | undefined {
  if (machines.length === 0) return undefined;
  const which = machines.length === 1 ? `\`${machines[0]}\` is an Express machine` : `${machines.map((name) => `\`${name}\``).join(', ')} are Express machines`;
  return `${which} with logging off on ${targetName}: AWS keeps no history of Express executions, so deliv logs, ls, explain and graph cannot see them. Turn it on in ${projectFile}: \`logging: { level: ALL, includeExecutionData: true }\` under the machine or under targets.${targetName}`;
}

/**
 * Step Functions checks, on CreateStateMachine and UpdateStateMachine, that the
 * machine's role may deliver logs; its refusal becomes the fix.
 */
export function explainLoggingRefusal(error: unknown, machine: string, roleArn: string): unknown {
  const { name, message } = error as { name?: string; message?: string };
  if (name !== 'AccessDeniedException' && name !== 'InvalidLoggingConfiguration') return error;
  if (!/log/i.test(message ?? '')) return error;
  return new DelivError(`Step Functions refused the logging configuration of \`${machine}\`: ${message}`, {
    hint: `the role ${roleArn} needs logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies and logs:DescribeLogGroups on "*"`,
    cause: error,
  });
}
