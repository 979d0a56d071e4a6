/**
 * Bedrock tokens per call, from what the project records: the usage in the
 * MockConfigFile responses of the state (InvokeModel's `Body.usage` with
 * `input_tokens`/`output_tokens`, or Converse's `usage` with
 * `inputTokens`/`outputTokens`), and in measured runs the same fields of the
 * task's output.
 */
import type { JsonValue } from '../../asl/types.js';
import { invocationRange } from '../../local/mocks.js';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The token usage one Bedrock response reports, if it reports any. */
export function tokenUsageOf(response: unknown): TokenUsage | undefined {
  if (typeof response === 'string') {
    try {
      return tokenUsageOf(JSON.parse(response));
    } catch {
      return undefined;
    }
  }
  if (!isObject(response)) return undefined;
  // Converse through the SDK integration answers in the SDK's casing: Usage.InputTokens / OutputTokens.
  for (const candidate of [response.usage, response.Usage, isObject(response.Body) ? response.Body.usage : undefined]) {
    if (!isObject(candidate)) continue;
    const input = candidate.input_tokens ?? candidate.inputTokens ?? candidate.InputTokens;
    const output = candidate.output_tokens ?? candidate.outputTokens ?? candidate.OutputTokens;
    if (typeof input === 'number' && typeof output === 'number') return { inputTokens: input, outputTokens: output };
  }
  if (typeof response.Body === 'string') return tokenUsageOf(response.Body);
  return undefined;
}

interface MockConfigShape {
  StateMachines?: Record<string, { TestCases?: Record<string, Record<string, string>> }>;
  MockedResponses?: Record<string, Record<string, { Return?: JsonValue; Throw?: unknown }>>;
}

/**
 * Average usage of the mocked responses of `states` of `machine` over every
 * test case that mocks them, each response weighted by the invocations its
 * key serves; undefined when none records usage.
 */
export function mockedTokenUsage(config: MockConfigShape, machine: string, states: readonly string[]): (TokenUsage & { responses: number }) | undefined {
  let served = 0;
  const total: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const testCases = config.StateMachines?.[machine]?.TestCases ?? {};
  for (const testCase of Object.values(testCases)) {
    for (const state of states) {
      const responseName = testCase[state];
      const responses = responseName ? config.MockedResponses?.[responseName] : undefined;
      for (const [attempts, entry] of Object.entries(responses ?? {})) {
        const usage = entry.Return === undefined ? undefined : tokenUsageOf(entry.Return);
        const range = invocationRange(attempts);
        if (!usage || !range || range.end < range.start) continue;
        // "1-2" answers two invocations: its usage counts twice, as "1" and "2" written apart would.
        const invocations = range.end - range.start + 1;
        served += invocations;
        total.inputTokens += usage.inputTokens * invocations;
        total.outputTokens += usage.outputTokens * invocations;
      }
    }
  }
  if (served === 0) return undefined;
  return { inputTokens: total.inputTokens / served, outputTokens: total.outputTokens / served, responses: served };
}

/** About four characters a token for English text: the rule of thumb Anthropic and AWS give. */
export function tokensOfText(characters: number): number {
  return Math.ceil(characters / 4);
}
