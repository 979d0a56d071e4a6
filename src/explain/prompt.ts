/**
 * What is sent to the model: a fixed system prompt and the failure context
 * rendered as compact, labelled sections. Only a context that went through
 * the Redactor should ever reach `renderPrompt`.
 */
import { terminalSafe } from '../ui/output.js';
import type { FailureContext } from './context.js';

/** Bumped whenever the prompt's wording changes, so cached answers to the old prompt are not reused. */
export const PROMPT_VERSION = 1;

export const SYSTEM_PROMPT = `You are a senior AWS Step Functions engineer helping a developer understand why one execution of their state machine failed.
You know the Amazon States Language (JSONPath and JSONata), every predefined error name (States.ALL, States.Runtime, States.Timeout, States.HeartbeatTimeout, States.TaskFailed, States.Permissions, States.ResultPathMatchFailure, States.ParameterPathFailure, States.QueryEvaluationError, States.BranchFailed, States.NoChoiceMatched, States.IntrinsicFailure, States.ExceedToleratedFailureThreshold, States.ItemReaderFailed, States.ResultWriterFailed, States.DataLimitExceeded), Retry and Catch semantics, Lambda and service-integration errors.
Personal data in the context has been replaced by placeholders such as <EMAIL_1> or <NAME_2>; the same placeholder always means the same value. Never guess the original values, and keep placeholders as they are when you quote data.
Base every statement on the context given. If something cannot be known from it, say so briefly.
Answer in exactly these four sections, in this order, with these headings, and nothing before or after them:
## What happened
Two to four sentences: which state failed, with which error, after which retries, and whether any Catch handled earlier failures.
## Root cause
The underlying reason, pointing at the specific field, path, value shape, limit or line of the stack trace involved.
## Fix
The concrete change: the ASL to add or modify (a JSON snippet of the state's fields), and/or the handler code change. Prefer the smallest change that fixes the cause.
## How to confirm
How to check the fix worked (which input to run again, what to look for in the history).
Be concise: under 350 words in total.`;

const SECTION_LIMIT = 6000;

/** The user message: the failure context as labelled sections. */
export function renderPrompt(ctx: FailureContext): string {
  const lines: string[] = ['A Step Functions execution failed. Explain why and how to fix it.', ''];
  const state = ctx.failingState;
  // No execution name or ARN: they say nothing about the failure, may carry personal data,
  // and would make every repeat of the same failure miss the answer cache.
  lines.push(`Execution status: ${ctx.execution.status}`);
  lines.push(`Workflow type: ${ctx.workflowType ?? 'unknown'}; query language: ${ctx.queryLanguage}`);
  if (ctx.machineTimeoutSeconds !== undefined) lines.push(`State machine TimeoutSeconds: ${ctx.machineTimeoutSeconds}`);
  lines.push(`Error: ${ctx.error || '(none)'}`);
  if (ctx.cause) lines.push(`Cause: ${clip(ctx.cause, 2000)}`);
  if (ctx.handlerError) {
    lines.push('Handler error parsed from the cause:');
    if (ctx.handlerError.errorType) lines.push(`  errorType: ${ctx.handlerError.errorType}`);
    if (ctx.handlerError.errorMessage) lines.push(`  errorMessage: ${ctx.handlerError.errorMessage}`);
    if (ctx.handlerError.stackTrace.length) lines.push('  stack trace:', ...ctx.handlerError.stackTrace.slice(0, 12).map((line) => `    ${line.trim()}`));
  }
  lines.push('');
  if (state) {
    lines.push(`Failing state: ${state.name} (${state.type ?? 'unknown type'})${state.enclosedBy.length ? ` inside ${state.enclosedBy.join(' > ')}` : ''}`);
    if (state.definition) lines.push('Its definition:', block(state.definition));
    if (state.resource) lines.push(`Resource called: ${state.resource}${state.timeoutInSeconds !== undefined ? `, timeout ${state.timeoutInSeconds} s` : ''}${state.heartbeatInSeconds !== undefined ? `, heartbeat ${state.heartbeatInSeconds} s` : ''}`);
    if (state.input !== undefined) lines.push('Input the state received:', block(state.input));
    if (state.parameters !== undefined) lines.push('Parameters of the last attempt:', block(state.parameters));
  } else {
    lines.push('Failing state: could not be determined from the history.');
  }
  lines.push('');
  lines.push(`Attempts of the failing state: ${Math.max(ctx.attempts.length, state ? 1 : 0)}`);
  ctx.attempts.forEach((attempt, index) => lines.push(`  attempt ${index + 1}: ${attempt.error}${attempt.cause ? ` — ${clip(attempt.cause, 300)}` : ''}`));
  if (ctx.retrier) lines.push(`Matching Retry rule: ${JSON.stringify(ctx.retrier)}`);
  lines.push(`Catch: ${CATCH_TEXT[ctx.catchVerdict]}`);
  for (const handled of ctx.handled) {
    lines.push(`Handled earlier: ${handled.state} failed with ${handled.error} after ${handled.attempts} attempt(s); its Catch ${JSON.stringify(handled.catcher?.ErrorEquals ?? [])} sent the execution to ${handled.wentTo ?? handled.catcher?.Next}.`);
  }
  for (const other of ctx.otherFailures) lines.push(`Other uncaught failure: ${other.state ?? '?'} — ${other.error}${other.cause ? `: ${clip(other.cause, 300)}` : ''}`);
  lines.push(`Path of states: ${ctx.path.join(' → ') || '(none)'}`);
  // Control characters say nothing to the model, and without them `--show-prompt` prints exactly what is sent.
  return terminalSafe(lines.join('\n'), { colour: false });
}

const CATCH_TEXT: Record<FailureContext['catchVerdict'], string> = {
  'no-catch': 'the failing state has no Catch',
  'no-matching-catch': 'the failing state has Catch rules but none matches this error',
  'not-catchable': 'this error cannot be caught',
  'not-applicable': 'the failing state type has no Catch field',
};

function block(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1);
  return `\`\`\`json\n${clip(text, SECTION_LIMIT)}\n\`\`\``;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}
