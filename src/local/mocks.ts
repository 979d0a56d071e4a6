/**
 * AWS Step Functions Local's MockConfigFile: per state machine, test cases map
 * state names to named mocked responses; each response lists `Return` or
 * `Throw` by invocation ranges ("0", "1-2"). The test case comes from the
 * `#TestCase` suffix on StartExecution's ARN, else the machine's `Default`.
 */
import { readFileSync, statSync } from 'node:fs';
import type { JsonValue } from '../asl/types.js';
import { TaskFailure } from '../engine/types.js';
import { StatesErrors } from '../asl/errors.js';

export interface MockConfig {
  StateMachines?: Record<string, { TestCases?: Record<string, Record<string, string>> }>;
  MockedResponses?: Record<string, Record<string, { Return?: JsonValue; Throw?: { Error?: string; Cause?: string } }>>;
}

export type MockOutcome = { kind: 'return'; value: JsonValue } | { kind: 'throw'; failure: TaskFailure };

export class MockFile {
  private readonly loaded = new Map<string, { mtime: number; config: MockConfig }>();
  private merged: MockConfig = {};
  private signature = '';

  /**
   * `file` is the project's MockConfigFile; `generated` are files deliv writes
   * itself (`deliv test --target local`'s cases), read beside it.
   */
  constructor(
    readonly file: string | undefined,
    private readonly generated: string[] = [],
  ) {}

  /** The mock config as it is on disk now (re-read when a file changed). */
  current(): MockConfig {
    const files = [this.file, ...this.generated].filter((file): file is string => file !== undefined);
    const parts: MockConfig[] = [];
    let signature = '';
    for (const file of files) {
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        continue;
      }
      let entry = this.loaded.get(file);
      if (!entry || entry.mtime !== mtime) {
        entry = { mtime, config: JSON.parse(readFileSync(file, 'utf8')) as MockConfig };
        this.loaded.set(file, entry);
      }
      signature += `${file}:${mtime};`;
      parts.push(entry.config);
    }
    if (signature !== this.signature) {
      this.signature = signature;
      this.merged = parts.length === 1 ? parts[0] : mergeConfigs(parts);
    }
    return this.merged;
  }

  /** The test case an execution runs under: the named one, else `Default` when the machine has it. */
  testCaseFor(machineName: string, requested: string | null | undefined): string | undefined {
    if (requested) return requested;
    return this.current().StateMachines?.[machineName]?.TestCases?.Default ? 'Default' : undefined;
  }

  hasTestCase(machineName: string, testCase: string): boolean {
    return Boolean(this.current().StateMachines?.[machineName]?.TestCases?.[testCase]);
  }

  testCaseNames(machineName: string): string[] {
    return Object.keys(this.current().StateMachines?.[machineName]?.TestCases ?? {});
  }

  /** The mocked outcome of one invocation of a state, or undefined when the state is not mocked. */
  lookup(machineName: string, testCase: string | undefined, stateName: string, invocation: number): MockOutcome | undefined {
    if (!testCase) return undefined;
    const config = this.current();
    const responseName = config.StateMachines?.[machineName]?.TestCases?.[testCase]?.[stateName];
    if (!responseName) return undefined;
    const responses = config.MockedResponses?.[responseName];
    if (!responses) {
      return { kind: 'throw', failure: new TaskFailure(StatesErrors.Runtime, `mocked response \`${responseName}\` is not defined in MockedResponses of ${this.file}`) };
    }
    const entry = pickByInvocation(responses, invocation);
    if (!entry) return undefined;
    if (entry.Throw) return { kind: 'throw', failure: new TaskFailure(entry.Throw.Error ?? StatesErrors.TaskFailed, entry.Throw.Cause) };
    return { kind: 'return', value: entry.Return ?? null };
  }
}

/** Picks the response whose range holds `invocation`; past the last range, the last one keeps answering. */
function pickByInvocation<T>(responses: Record<string, T>, invocation: number): T | undefined {
  let last: { end: number; value: T } | undefined;
  for (const [key, value] of Object.entries(responses)) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(key.trim());
    if (!match) continue;
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (invocation >= start && invocation <= end) return value;
    if (!last || end > last.end) last = { end, value };
  }
  return last && invocation > last.end ? last.value : undefined;
}

/** Test cases and responses of several files side by side (a name in a later file wins). */
function mergeConfigs(parts: MockConfig[]): MockConfig {
  const merged: Required<MockConfig> = { StateMachines: {}, MockedResponses: {} };
  for (const part of parts) {
    for (const [machine, entry] of Object.entries(part.StateMachines ?? {})) {
      const target = (merged.StateMachines[machine] ??= { TestCases: {} });
      target.TestCases = { ...target.TestCases, ...entry.TestCases };
    }
    Object.assign(merged.MockedResponses, part.MockedResponses ?? {});
  }
  return merged;
}
