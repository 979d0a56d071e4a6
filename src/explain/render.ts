/**
 * An explanation as text for the terminal, the same in `deliv explain`,
 * `deliv start --wait --explain` and `deliv logs --explain`.
 */
import { paint } from '../ui/colors.js';
import type { ExplainResult } from './index.js';

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
