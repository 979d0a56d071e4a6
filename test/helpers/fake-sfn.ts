/**
 * A small Step Functions endpoint on 127.0.0.1 for tests of the AWS paths:
 * the AWS JSON 1.0 wire format (`POST /`, `X-Amz-Target: AWSStepFunctions.<Action>`,
 * epoch-second timestamps, errors as `{"__type", "message"}`), an in-memory
 * store of machines, versions, aliases and executions, and `intercept` to
 * answer any call with an AWS error or drop the connection instead.
 *
 * Executions never run by themselves: a test appends their events (as AWS
 * would produce them) with `appendEvents`, which is how `logs --follow` and
 * `start --wait` are exercised here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_ACCOUNT = '111122223333';

export type FakeReply = { status: number; type: string; message: string } | { drop: true } | { ok: unknown };
/** Return undefined to let the fake answer normally. `call` counts calls of that action, from 1. */
export type Interceptor = (action: string, body: Record<string, any>, call: number) => FakeReply | undefined;

export interface RecordedCall {
  action: string;
  body: Record<string, any>;
  userAgent: string;
  authorization: string;
}

interface Machine {
  name: string;
  arn: string;
  definition: string;
  roleArn: string;
  type: string;
  revision: number;
  loggingConfiguration: unknown;
  tracingConfiguration: unknown;
  creationDate: number;
  versions: { arn: string; revision: number; definition: string; roleArn: string; description?: string; creationDate: number }[];
  aliases: Map<string, { arn: string; name: string; routingConfiguration: { stateMachineVersionArn: string; weight: number }[]; description?: string; creationDate: number; updateDate: number }>;
}

export interface FakeExecution {
  arn: string;
  machineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  input: string;
  events: Record<string, any>[];
}

export interface FakeSfn {
  url: string;
  region: string;
  calls: RecordedCall[];
  intercept(interceptor: Interceptor | undefined): void;
  /** Called after StartExecution stored the execution with its ExecutionStarted event. */
  onStart(listener: ((execution: FakeExecution) => void) | undefined): void;
  machine(name: string): Machine | undefined;
  executions(): FakeExecution[];
  /** Adds events (ids, previousEventId and timestamps filled in), ending the execution on a terminal one. */
  appendEvents(executionArn: string, events: Record<string, any>[]): void;
  /** Stores a machine as if already deployed, under the ARN given (any account or region). */
  seedMachine(machine: { arn: string; definition: string | object; type?: string; roleArn?: string }): void;
  /** Stores a finished or running execution with its full recorded history, without StartExecution. */
  seedExecution(execution: { arn: string; machineArn: string; status: FakeExecution['status']; startDate: number; stopDate?: number; input?: string; events: object[] }): void;
  close(): Promise<void>;
}

const TERMINAL: Record<string, FakeExecution['status']> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

export async function startFakeSfn(options: { region?: string; pageSize?: number } = {}): Promise<FakeSfn> {
  const region = options.region ?? 'eu-west-1';
  const pageSize = options.pageSize ?? 1000;
  const machines = new Map<string, Machine>();
  const executions = new Map<string, FakeExecution>();
  const calls: RecordedCall[] = [];
  const counts = new Map<string, number>();
  let interceptor: Interceptor | undefined;
  let startListener: ((execution: FakeExecution) => void) | undefined;
  let clock = Date.now() / 1000;
  const now = () => (clock = Math.max(clock + 0.001, Date.now() / 1000));

  const fail = (status: number, type: string, message: string): FakeReply => ({ status, type, message });
  const machineByArn = (arn: string) => {
    const base = arn.split(':').slice(0, 7).join(':');
    return [...machines.values()].find((machine) => machine.arn === base);
  };
  const notFound = (arn: string) => fail(400, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  const page = <T>(items: T[], token: string | undefined, max: number | undefined) => {
    const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0;
    const size = Math.min(max || pageSize, pageSize);
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
    return { slice, next };
  };
  const describeVersionOrMachine = (arn: string): FakeReply => {
    const machine = machineByArn(arn);
    if (!machine) return notFound(arn);
    const version = machine.versions.find((item) => item.arn === arn);
    const source = version ?? machine;
    return {
      ok: {
        stateMachineArn: arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: source.definition,
        roleArn: source.roleArn,
        type: machine.type,
        creationDate: source.creationDate,
        revisionId: `rev-${version ? version.revision : machine.revision}`,
        loggingConfiguration: machine.loggingConfiguration,
        tracingConfiguration: machine.tracingConfiguration,
        ...(version?.description ? { description: version.description } : {}),
      },
    };
  };
  const publish = (machine: Machine, description?: string) => {
    const latest = machine.versions[0];
    if (latest && latest.revision === machine.revision) return latest.arn;
    const arn = `${machine.arn}:${machine.versions.length + 1}`;
    machine.versions.unshift({ arn, revision: machine.revision, definition: machine.definition, roleArn: machine.roleArn, description, creationDate: now() });
    return arn;
  };

  const actions: Record<string, (body: Record<string, any>) => FakeReply> = {
    CreateStateMachine(body) {
      if (machines.has(body.name)) return fail(400, 'StateMachineAlreadyExists', `State Machine Already Exists: '${machines.get(body.name)!.arn}'`);
      const arn = `arn:aws:states:${region}:${FAKE_ACCOUNT}:stateMachine:${body.name}`;
      const machine: Machine = {
        name: body.name,
        arn,
        definition: body.definition,
        roleArn: body.roleArn,
        type: body.type ?? 'STANDARD',
        revision: 1,
        loggingConfiguration: body.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: body.tracingConfiguration ?? { enabled: false },
        creationDate: now(),
        versions: [],
        aliases: new Map(),
      };
      machines.set(body.name, machine);
      const versionArn = body.publish ? publish(machine, body.versionDescription) : undefined;
      return { ok: { stateMachineArn: arn, creationDate: machine.creationDate, ...(versionArn ? { stateMachineVersionArn: versionArn } : {}) } };
    },
    DescribeStateMachine: (body) => describeVersionOrMachine(body.stateMachineArn),
    UpdateStateMachine(body) {
      const machine = machineByArn(body.stateMachineArn);
      if (!machine) return notFound(body.stateMachineArn);
      machine.definition = body.definition ?? machine.definition;
      machine.roleArn = body.roleArn ?? machine.roleArn;
      if (body.loggingConfiguration) machine.loggingConfiguration = body.loggingConfiguration;
      if (body.tracingConfiguration) machine.tracingConfiguration = body.tracingConfiguration;
      machine.revision += 1;
      const versionArn = body.publish ? publish(machine, body.versionDescription) : undefined;
      return { ok: { updateDate: now(), revisionId: `rev-${machine.revision}`, ...(versionArn ? { stateMachineVersionArn: versionArn } : {}) } };
    },
    DeleteStateMachine(body) {
      const machine = machineByArn(body.stateMachineArn);
      if (machine) machines.delete(machine.name);
      return { ok: {} };
    },
    ListStateMachines(body) {
      const items = [...machines.values()].map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: machine.type, creationDate: machine.creationDate }));
      const { slice, next } = page(items, body.nextToken, body.maxResults);
      return { ok: { stateMachines: slice, ...(next ? { nextToken: next } : {}) } };
    },
    PublishStateMachineVersion(body) {
      const machine = machineByArn(body.stateMachineArn);
      if (!machine) return notFound(body.stateMachineArn);
      const arn = publish(machine, body.description);
      return { ok: { stateMachineVersionArn: arn, creationDate: now() } };
    },
    ListStateMachineVersions(body) {
      const machine = machineByArn(body.stateMachineArn);
      if (!machine) return notFound(body.stateMachineArn);
      const items = machine.versions.map((version) => ({ stateMachineVersionArn: version.arn, creationDate: version.creationDate }));
      const { slice, next } = page(items, body.nextToken, body.maxResults);
      return { ok: { stateMachineVersions: slice, ...(next ? { nextToken: next } : {}) } };
    },
    CreateStateMachineAlias(body) {
      const machine = machineByArn(body.routingConfiguration[0].stateMachineVersionArn);
      if (!machine) return notFound(body.routingConfiguration[0].stateMachineVersionArn);
      const arn = `${machine.arn}:${body.name}`;
      machine.aliases.set(body.name, { arn, name: body.name, routingConfiguration: body.routingConfiguration, description: body.description, creationDate: now(), updateDate: now() });
      return { ok: { stateMachineAliasArn: arn, creationDate: now() } };
    },
    UpdateStateMachineAlias(body) {
      const machine = machineByArn(body.stateMachineAliasArn);
      const alias = machine?.aliases.get(body.stateMachineAliasArn.split(':')[7]);
      if (!alias) return fail(400, 'ResourceNotFound', `Resource not found: '${body.stateMachineAliasArn}'`);
      if (body.routingConfiguration) alias.routingConfiguration = body.routingConfiguration;
      alias.updateDate = now();
      return { ok: { updateDate: alias.updateDate } };
    },
    DescribeStateMachineAlias(body) {
      const machine = machineByArn(body.stateMachineAliasArn);
      const alias = machine?.aliases.get(body.stateMachineAliasArn.split(':')[7]);
      if (!alias) return fail(400, 'ResourceNotFound', `Resource not found: '${body.stateMachineAliasArn}'`);
      return { ok: { stateMachineAliasArn: alias.arn, name: alias.name, routingConfiguration: alias.routingConfiguration, creationDate: alias.creationDate, updateDate: alias.updateDate } };
    },
    ListStateMachineAliases(body) {
      const machine = machineByArn(body.stateMachineArn);
      if (!machine) return notFound(body.stateMachineArn);
      return { ok: { stateMachineAliases: [...machine.aliases.values()].map((alias) => ({ stateMachineAliasArn: alias.arn, creationDate: alias.creationDate })) } };
    },
    StartExecution(body) {
      const [arn] = String(body.stateMachineArn).split('#');
      const machine = machineByArn(arn);
      if (!machine) return notFound(arn);
      const name = body.name ?? `exec-${executions.size + 1}-${Math.random().toString(36).slice(2, 8)}`;
      const executionArn = `arn:aws:states:${region}:${FAKE_ACCOUNT}:execution:${machine.name}:${name}`;
      const execution: FakeExecution = { arn: executionArn, machineArn: machine.arn, name, status: 'RUNNING', startDate: now(), input: body.input ?? '{}', events: [] };
      executions.set(executionArn, execution);
      append(execution, [{ type: 'ExecutionStarted', executionStartedEventDetails: { input: execution.input, roleArn: machine.roleArn } }]);
      startListener?.(execution);
      return { ok: { executionArn, startDate: execution.startDate } };
    },
    DescribeStateMachineForExecution(body) {
      const execution = executions.get(body.executionArn);
      const machine = execution && machineByArn(execution.machineArn);
      if (!machine) return fail(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
      return { ok: { stateMachineArn: machine.arn, name: machine.name, definition: machine.definition, roleArn: machine.roleArn, updateDate: machine.creationDate, revisionId: `rev-${machine.revision}` } };
    },
    DescribeExecution(body) {
      const execution = executions.get(body.executionArn);
      if (!execution) return fail(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
      return { ok: { executionArn: execution.arn, stateMachineArn: execution.machineArn, name: execution.name, status: execution.status, startDate: execution.startDate, stopDate: execution.stopDate, input: execution.input } };
    },
    ListExecutions(body) {
      const items = [...executions.values()]
        .filter((execution) => execution.machineArn === body.stateMachineArn && (!body.statusFilter || execution.status === body.statusFilter))
        .sort((a, b) => b.startDate - a.startDate)
        .map((execution) => ({ executionArn: execution.arn, stateMachineArn: execution.machineArn, name: execution.name, status: execution.status, startDate: execution.startDate, stopDate: execution.stopDate }));
      const { slice, next } = page(items, body.nextToken, body.maxResults);
      return { ok: { executions: slice, ...(next ? { nextToken: next } : {}) } };
    },
    GetExecutionHistory(body) {
      const execution = executions.get(body.executionArn);
      if (!execution) return fail(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${body.executionArn}'`);
      const events = body.reverseOrder ? [...execution.events].reverse() : execution.events;
      const { slice, next } = page(events, body.nextToken, body.maxResults);
      return { ok: { events: slice, ...(next ? { nextToken: next } : {}) } };
    },
  };

  function append(execution: FakeExecution, events: Record<string, any>[]) {
    for (const event of events) {
      const id = execution.events.length + 1;
      execution.events.push({ timestamp: now(), ...event, id, previousEventId: event.previousEventId ?? id - 1 });
      const status = TERMINAL[event.type];
      if (status) {
        execution.status = status;
        execution.stopDate = now();
      }
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      } catch {
        body = {};
      }
      calls.push({ action, body, userAgent: String(request.headers['user-agent'] ?? ''), authorization: String(request.headers.authorization ?? '') });
      const call = (counts.get(action) ?? 0) + 1;
      counts.set(action, call);
      const handler = actions[action];
      const reply =
        interceptor?.(action, body, call) ?? (handler ? handler(body) : fail(400, 'UnknownOperationException', `Unknown operation ${action}`));
      if ('drop' in reply) {
        request.socket.destroy();
        return;
      }
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${calls.length}` };
      if ('ok' in reply) {
        response.writeHead(200, headers).end(JSON.stringify(reply.ok));
      } else {
        response.writeHead(reply.status, headers).end(JSON.stringify({ __type: `com.amazonaws.swf.service.v2.model#${reply.type}`, message: reply.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    calls,
    intercept: (next) => {
      interceptor = next;
      counts.clear();
    },
    onStart: (listener) => (startListener = listener),
    machine: (name) => machines.get(name),
    executions: () => [...executions.values()],
    appendEvents: (arn, events) => {
      const execution = executions.get(arn);
      if (!execution) throw new Error(`no execution ${arn}`);
      append(execution, events);
    },
    seedMachine: ({ arn, definition, type, roleArn }) => {
      const name = arn.split(':')[6];
      machines.set(name, {
        name,
        arn,
        definition: typeof definition === 'string' ? definition : JSON.stringify(definition),
        roleArn: roleArn ?? `arn:aws:iam::${arn.split(':')[4]}:role/deliv-test`,
        type: type ?? 'STANDARD',
        revision: 1,
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
        creationDate: now(),
        versions: [],
        aliases: new Map(),
      });
    },
    seedExecution: ({ arn, machineArn, status, startDate, stopDate, input, events }) => {
      // Recorded histories may hold Date timestamps; the wire format wants epoch seconds.
      const wire: Record<string, any>[] = events.map((event: Record<string, any>) => ({ ...event, timestamp: event.timestamp instanceof Date ? event.timestamp.getTime() / 1000 : event.timestamp }));
      const started = wire.find((event) => event.type === 'ExecutionStarted');
      executions.set(arn, {
        arn,
        machineArn,
        name: arn.split(':').at(-1)!,
        status,
        startDate,
        stopDate: stopDate ?? (status === 'RUNNING' ? undefined : startDate + 1),
        input: input ?? started?.executionStartedEventDetails?.input ?? '{}',
        events: wire,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
