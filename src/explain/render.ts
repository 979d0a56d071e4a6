/**
 * An explanation as text for the terminal, the same in `deliv explain`,
 * `deliv start --wait --explain` and `deliv logs --explain`.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ResolvedTarget } from '../aws/target.js';
import { paint } from '../ui/colors.js';
import type { FailureContext } from './context.js';
import type { ExplainResult, ExplainSettings } from './index.js';

export function headline(state: string | undefined, error: string): string {
  return `${state ? `${state}: ` : ''}${error || 'failed'}`;
}

/** The title line shown before an answer (printed first when the answer streams). */
export function explanationTitle(result: Pick<ExplainResult, 'source' | 'model' | 'failingState' | 'error'>): string {
  const where = headline(result.failingState, result.error);
  if (result.source === 'offline') return paint.strong(`Offline explanation (rule-based, nothing sent to Bedrock) — ${where}`);
  return paint.strong(`${result.source === 'cache' ? 'Cached explanation' : 'Explanation'} by ${result.model} — ${where}`);
}

/** Model, tokens, cost and redaction in one muted line. */
export function explanationFooter(result: ExplainResult): string {
  const parts = [`model ${result.model}`];
  if (result.source === 'cache') parts.push('answered from the local cache (no new cost; --no-cache asks again)');
  else if (result.usage) {
    parts.push(`${result.usage.inputTokens.toLocaleString('en-US')} input + ${result.usage.outputTokens.toLocaleString('en-US')} output tokens`);
    parts.push(result.costUsd === undefined ? 'cost unknown for this model' : `$${result.costUsd.toFixed(4)}`);
  }
  parts.push(result.redacted ? `${result.redactions.total} value(s) redacted before sending` : 'sent WITHOUT redaction');
  return paint.muted(parts.join(' · '));
}

/**
 * The whole explanation. `streamed`: the title and the answer's text are already
 * on screen, only what follows them is returned.
 */
export function renderExplanation(result: ExplainResult, streamed = false): string {
  if (result.source === 'none') {
    return [
      paint.muted(`# Nothing was sent. This is the request to ${result.model} (Bedrock Converse), ${result.redacted ? `with ${result.redactions.total} value(s) redacted` : 'NOT redacted'}.`),
      paint.strong('--- system ---'),
      result.prompt.system,
      paint.strong('--- user ---'),
      result.prompt.user,
    ].join('\n');
  }
  if (result.source === 'offline') return [explanationTitle(result), '', result.text].join('\n');
  if (streamed) return ['', '', explanationFooter(result)].join('\n');
  return [explanationTitle(result), '', result.text, '', explanationFooter(result)].join('\n');
}

export interface TerminalExplainOptions extends ExplainSettings {
  /** Execution ARN, state machine name, or nothing (the project's latest failure). */
  execution?: string;
  sfn: SFNClient;
  target: ResolvedTarget;
  /** Print nothing (`--json`): the caller returns the result as data. */
  json?: boolean;
  /** Whether stdout is a terminal: the answer then streams as it is written. */
  interactive?: boolean;
  /** Raw writer for stdout (no newline added). */
  write(text: string): void;
  /** Runs slow work behind a spinner (e.g. `withProgress`). */
  progress?: <T>(title: string, work: () => Promise<T>) => Promise<T>;
  /** An already known failure (a synchronous Express run): no history is read. */
  context?: FailureContext;
}

/**
 * Explains a failed execution and prints it: the title, the answer (streamed on
 * a terminal) and the footer. What `deliv explain`, `deliv start --wait
 * --explain` and `deliv logs --explain` all do.
 */
export async function explainToTerminal(options: TerminalExplainOptions): Promise<ExplainResult> {
  const { bedrockRegion, explainContext, loadFailureContext, modelFor, resolveFailedExecution } = await import('./index.js');
  const progress = options.progress ?? (<T>(_title: string, work: () => Promise<T>) => work());
  const context =
    options.context ??
    (await progress('Reading the execution history', async () =>
      loadFailureContext(options.sfn, await resolveFailedExecution(options.sfn, options.project, options.execution), options.project),
    ));
  const willSend = !options.offline && !options.showPrompt;
  const stream = Boolean(options.interactive) && !options.json && willSend;
  let streamed = false;
  if (stream) options.write(`${explanationTitle({ source: 'bedrock', model: modelFor(options), failingState: context.failingState?.name, error: context.error })}\n\n`);
  const explain = () =>
    explainContext(context, {
      ...options,
      region: options.region ?? bedrockRegion(options.project, options.target),
      profile: options.profile ?? (options.target.local ? undefined : options.target.profile),
      stream,
      onText: (text) => {
        streamed = true;
        options.write(text);
      },
    });
  const result = stream || !willSend ? await explain() : await progress('Asking Claude on Bedrock', explain);
  // A stream that broke off falls back to the offline answer, which is then printed whole.
  if (!options.json) options.write(`${renderExplanation(result, streamed && result.source === 'bedrock')}\n`);
  // A failure read from a history can be replayed offline: the first step of its regression test.
  if (!options.json && !options.context && result.source !== 'none' && result.executionArn) {
    options.write(`${paint.muted(`Replay it as a test: deliv test --from-execution ${result.executionArn}${options.target.local ? '' : ` --target ${options.target.name}`}`)}\n`);
  }
  return result;
}

/**
 * For `start --wait --explain` and `logs --explain`: explain an execution that
 * just failed. The command's own outcome stays what matters, so a failure to
 * explain (Bedrock access, throttling) becomes a note, not the command's error.
 */
export async function explainAfterFailure(options: TerminalExplainOptions & { executionArn: string }): Promise<ExplainResult | undefined> {
  try {
    if (!options.json) options.write('\n');
    return await explainToTerminal({ ...options, execution: options.executionArn });
  } catch (error) {
    const { message, hint } = error as { message: string; hint?: string };
    options.onNote?.(`could not explain ${options.executionArn.split(':').at(-1)}: ${message}${hint ? ` (${hint})` : ''}`);
    return undefined;
  }
}
