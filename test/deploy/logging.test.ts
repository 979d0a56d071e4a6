/**
 * Deploy and logging: every Express machine on the local target logs
 * everything to its own log group, made before the machine; an AWS target
 * logs as deliv.yaml says (per machine, else per target), and says once when
 * an Express machine's runs cannot be tailed. The emulator stands in for
 * both services of the AWS target here: it speaks Step Functions and
 * CloudWatch Logs on one port, as the SDK reaches either.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../../src/aws/target.js';
import { deploy, renderForDeploy } from '../../src/deploy/deploy.js';
import { untailableNote } from '../../src/deploy/logging.js';
import { parseProjectConfig, type Project } from '../../src/project/config.js';
import { tempDir } from '../helpers/cli.js';
import { ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { writeProject } from '../testing/project.js';

const PASS = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
let t: TestEmulator;
let logs: CloudWatchLogsClient;
const workspace = tempDir('deliv-deploy-logging-');

beforeAll(async () => {
  t = await testEmulator();
  logs = new CloudWatchLogsClient({ endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  logs.destroy();
  await t.close();
  workspace.cleanup();
});

/** Two Express machines and a Standard one, with deliv.yaml's `logging:` as given. */
function project(dir: string, logging: { routes?: object; prod?: object } = {}): Project {
  const base = writeProject(dir, 'routes', PASS);
  const config = {
    ...base.config,
    stateMachines: {
      routes: { definition: 'statemachines/routes.asl.json', type: 'EXPRESS', ...(logging.routes ? { logging: logging.routes } : {}) },
      quotes: { definition: 'statemachines/routes.asl.json', type: 'EXPRESS' },
      orders: { definition: 'statemachines/routes.asl.json', type: 'STANDARD' },
    },
    targets: { local: { kind: 'local' }, prod: { kind: 'aws', region: 'us-east-1', accountId: '123456789012', ...(logging.prod ? { logging: logging.prod } : {}) } },
  };
  return { ...base, config: parseProjectConfig(JSON.stringify(config), base.file) };
}

const target = (name: string, local: boolean): ResolvedTarget => ({ name, local, region: 'us-east-1', accountId: '123456789012', endpoint: t.emulator.endpoint, roleArn: ROLE, substitutions: {} });

async function deployAll(p: Project, on: ResolvedTarget, dryRun = false) {
  const desired = await renderForDeploy(p, on, [], ROLE);
  return deploy(t.sfn, on, desired, { names: [], dryRun, alias: 'live', roleArn: ROLE, logs: async () => logs, projectFile: p.file });
}

async function loggingOf(name: string) {
  return (await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${name}` }))).loggingConfiguration;
}

describe('deploy gives machines their logging', () => {
  it('on the local target every Express machine logs ALL with execution data to a log group named after it; Standard ones do not', async () => {
    const plans = await deployAll(project(`${workspace.dir}/local`), target('local', true));
    expect(await loggingOf('routes')).toEqual({
      level: 'ALL',
      includeExecutionData: true,
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/routes-Logs:*' } }],
    });
    expect((await loggingOf('orders'))?.level).toBe('OFF');
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/vendedlogs/states/' }));
    expect(groups.logGroups!.map((group) => group.logGroupName)).toEqual(['/aws/vendedlogs/states/quotes-Logs', '/aws/vendedlogs/states/routes-Logs']);
    expect(plans.find((plan) => plan.name === 'routes')!.notes).toContain('created log group /aws/vendedlogs/states/routes-Logs (level ALL, with execution data)');

    // Deployed again: nothing to change, the log group is only named.
    const again = await deployAll(project(`${workspace.dir}/local`), target('local', true));
    expect(again.every((plan) => plan.change === 'unchanged')).toBe(true);
    expect(again.find((plan) => plan.name === 'routes')!.notes).toContain('logs to /aws/vendedlogs/states/routes-Logs (level ALL, with execution data)');
  });

  it('on an AWS target machines log as deliv.yaml says, the machine over the target, and a dry run creates nothing', async () => {
    const p = project(`${workspace.dir}/aws`, { routes: { level: 'ERROR', logGroup: '/deliv/routes' }, prod: { level: 'ALL', includeExecutionData: true } });
    const dry = await deployAll(p, target('prod', false), true);
    expect(dry.find((plan) => plan.name === 'routes')!.notes).toContain('would create log group /deliv/routes (level ERROR)');
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/deliv/routes' }))).logGroups).toEqual([]);

    // (These machines exist from the local deploy above: the AWS target updates them.)
    await deployAll(p, target('prod', false));
    expect(await loggingOf('routes')).toMatchObject({ level: 'ERROR', includeExecutionData: false, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/deliv/routes:*' } }] });
    expect(await loggingOf('orders')).toMatchObject({ level: 'ALL', includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/orders-Logs:*' } }] });
  });

  it('an Express machine deployed to AWS with logging off is said, once, to be untailable, with the fix', async () => {
    const plans = await deployAll(project(`${workspace.dir}/off`, { routes: { level: 'OFF' } }), target('prod', false), true);
    const notes = plans.flatMap((plan) => plan.notes).filter((note) => note.includes('logging off'));
    expect(notes).toEqual([untailableNote(['routes', 'quotes'], 'prod', `${workspace.dir}/off/deliv.yaml`)]);
    expect(notes[0]).toContain('logging: { level: ALL, includeExecutionData: true }');
  });

  it('keeps the events as long as retentionInDays says, set once with PutRetentionPolicy and changed when deliv.yaml changes', async () => {
    const retained = (days: number) => project(`${workspace.dir}/retention`, { routes: { level: 'ALL', logGroup: '/deliv/retained', retentionInDays: days } });
    const retention = async () => (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/deliv/retained' }))).logGroups![0].retentionInDays;
    const dry = await deployAll(retained(14), target('prod', false), true);
    expect(dry.find((plan) => plan.name === 'routes')!.notes).toContain('would create log group /deliv/retained (level ALL; would keep events 14 days)');
    const first = await deployAll(retained(14), target('prod', false));
    expect(first.find((plan) => plan.name === 'routes')!.notes).toContain('created log group /deliv/retained (level ALL; keeps events 14 days)');
    expect(await retention()).toBe(14);
    const same = await deployAll(retained(14), target('prod', false));
    expect(same.find((plan) => plan.name === 'routes')!.notes).toContain('logs to /deliv/retained (level ALL)');
    const changed = await deployAll(retained(30), target('prod', false));
    expect(changed.find((plan) => plan.name === 'routes')!.notes).toContain('logs to /deliv/retained (level ALL; keeps events 30 days (was 14))');
    expect(await retention()).toBe(30);
  });

  it('deliv.yaml refuses a retention CloudWatch Logs does not offer, naming those it does', () => {
    expect(() => parseProjectConfig('name: x\nstateMachines:\n  a: { definition: a.json, logging: { level: ALL, retentionInDays: 10 } }\n', 'deliv.yaml')).toThrow(
      'deliv.yaml:3:37: state machine `a` has `retentionInDays: 10`, which is not a retention CloudWatch Logs offers',
    );
  });

  it('deliv.yaml refuses a logging setting without a level', () => {
    expect(() => parseProjectConfig('name: x\nstateMachines:\n  a: { definition: a.json, logging: { includeExecutionData: true } }\n', 'deliv.yaml')).toThrow(/without a level/);
  });
});
