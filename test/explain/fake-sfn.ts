/**
 * A read-only Step Functions endpoint on 127.0.0.1 speaking the AWS JSON 1.0
 * protocol, holding recorded executions: enough for `deliv explain` against an
 * "AWS" target (ListStateMachines, ListExecutions, GetExecutionHistory,
 * DescribeStateMachineForExecution, DescribeStateMachine).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export interface RecordedExecution {
  executionArn: string;
  stateMachineArn: string;
  status: 'FAILED' | 'TIMED_OUT' | 'SUCCEEDED';
  startDate: number;
  events: HistoryEvent[];
}

export interface FakeMachine {
  stateMachineArn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: object;
}

export async function startFakeSfn(machines: FakeMachine[], executions: RecordedExecution[]) {
  const toWire = (event: HistoryEvent) => ({ ...event, timestamp: event.timestamp instanceof Date ? event.timestamp.getTime() / 1000 : event.timestamp });
  const actions: Record<string, (body: Record<string, string>) => unknown> = {
    ListStateMachines: () => ({ stateMachines: machines.map(({ stateMachineArn, name, type }) => ({ stateMachineArn, name, type, creationDate: 1767600000 })) }),
    ListExecutions: (body) => ({
      executions: executions
        .filter((execution) => execution.stateMachineArn === body.stateMachineArn && (!body.statusFilter || execution.status === body.statusFilter))
        .sort((a, b) => b.startDate - a.startDate)
        .map((execution) => ({ executionArn: execution.executionArn, stateMachineArn: execution.stateMachineArn, name: execution.executionArn.split(':').at(-1), status: execution.status, startDate: execution.startDate, stopDate: execution.startDate + 1 })),
    }),
    GetExecutionHistory: (body) => {
      const execution = executions.find((candidate) => candidate.executionArn === body.executionArn);
      if (!execution) throw Object.assign(new Error(`Execution Does Not Exist: '${body.executionArn}'`), { type: 'ExecutionDoesNotExist' });
      return { events: execution.events.map(toWire) };
    },
    DescribeStateMachineForExecution: (body) => {
      const execution = executions.find((candidate) => candidate.executionArn === body.executionArn);
      const machine = machines.find((candidate) => candidate.stateMachineArn === execution?.stateMachineArn);
      if (!machine) throw Object.assign(new Error('Execution Does Not Exist'), { type: 'ExecutionDoesNotExist' });
      return { stateMachineArn: machine.stateMachineArn, name: machine.name, definition: JSON.stringify(machine.definition), roleArn: 'arn:aws:iam::123456789012:role/r', updateDate: 1767600000 };
    },
    DescribeStateMachine: (body) => {
      const machine = machines.find((candidate) => candidate.stateMachineArn === body.stateMachineArn);
      if (!machine) throw Object.assign(new Error('State Machine Does Not Exist'), { type: 'StateMachineDoesNotExist' });
      return { ...machine, definition: JSON.stringify(machine.definition), roleArn: 'arn:aws:iam::123456789012:role/r', creationDate: 1767600000, status: 'ACTIVE' };
    },
  };
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      };
      const handler = actions[action];
      if (!handler) return reply(400, { __type: 'UnknownOperationException', message: action });
      try {
        reply(200, handler(JSON.parse(raw || '{}') as Record<string, string>));
      } catch (error) {
        reply(400, { __type: (error as { type?: string }).type ?? 'InvalidArn', message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
