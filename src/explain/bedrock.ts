/**
 * Asking Claude on Amazon Bedrock: `ConverseStream` when the answer is shown
 * as it is written, `Converse` otherwise; and Bedrock's failures turned into
 * one line that says what to do.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DelivError } from '../ui/errors.js';

export const DEFAULT_MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
/** Low temperature: an explanation should be the same answer every time, not a creative one. */
export const TEMPERATURE = 0.2;
export const MAX_TOKENS = 1200;
export const TIMEOUT_MS = 60_000;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface ModelAnswer {
  text: string;
  modelId: string;
  usage: TokenUsage;
  stopReason?: string;
  latencyMs?: number;
}

export interface AskOptions {
  client: BedrockRuntimeClient;
  modelId: string;
  region: string;
  system: string;
  prompt: string;
  /** Stream the answer (ConverseStream), calling onText with each piece as it arrives. */
  stream: boolean;
  onText?: (text: string) => void;
  timeoutMs?: number;
}

/**
 * Bedrock could not answer. `fallBack` says the offline explainer should answer
 * instead (no credentials, endpoint unreachable, time-out): the user still
 * gets an explanation. The others need the user to act and are reported.
 */
export class BedrockUnavailable extends DelivError {
  constructor(
    message: string,
    readonly fallBack: boolean,
    hint?: string,
    /** Whether the request reached Bedrock before failing (it did not without credentials or a network). */
    readonly reachedService = true,
  ) {
    super(message, { hint });
    this.name = 'BedrockUnavailable';
  }
}

export async function askModel(options: AskOptions): Promise<ModelAnswer> {
  const { ConverseCommand, ConverseStreamCommand } = await import('@aws-sdk/client-bedrock-runtime');
  const request = {
    modelId: options.modelId,
    system: [{ text: options.system }],
    messages: [{ role: 'user' as const, content: [{ text: options.prompt }] }],
    inferenceConfig: { maxTokens: MAX_TOKENS, temperature: TEMPERATURE },
  };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('timeout')), options.timeoutMs ?? TIMEOUT_MS);
  try {
    if (!options.stream) {
      const response = await options.client.send(new ConverseCommand(request), { abortSignal: abort.signal });
      const text = (response.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
      const usage = normaliseUsage(response.usage);
      return { text, modelId: options.modelId, usage, stopReason: response.stopReason, latencyMs: response.metrics?.latencyMs };
    }
    const response = await options.client.send(new ConverseStreamCommand(request), { abortSignal: abort.signal });
    let text = '';
    let usage = normaliseUsage(undefined);
    let stopReason: string | undefined;
    let latencyMs: number | undefined;
    for await (const event of response.stream ?? []) {
      const piece = event.contentBlockDelta?.delta?.text;
      if (piece) {
        text += piece;
        options.onText?.(piece);
      }
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata) {
        usage = normaliseUsage(event.metadata.usage);
        latencyMs = event.metadata.metrics?.latencyMs;
      }
      const streamError = event.internalServerException ?? event.modelStreamErrorException ?? event.validationException ?? event.throttlingException ?? event.serviceUnavailableException;
      if (streamError) throw Object.assign(new Error(streamError.message ?? 'stream error'), { name: errorNameOf(event) });
    }
    return { text, modelId: options.modelId, usage, stopReason, latencyMs };
  } catch (error) {
    throw describeBedrockError(error, options.modelId, options.region, abort.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
}

function errorNameOf(event: object): string {
  const key = Object.keys(event).find((name) => name.endsWith('Exception')) ?? 'InternalServerException';
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function normaliseUsage(usage: { inputTokens?: number; outputTokens?: number; totalTokens?: number } | undefined): TokenUsage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
}

/** The inference profile ids that carry a base model id, best first for the region. */
export function inferenceProfilesFor(modelId: string, region: string): string[] {
  const base = modelId.split('/').at(-1)!.replace(/^(global|us|eu|apac|jp|au|ca|us-gov)\./, '');
  const geo = region.startsWith('us-gov') ? 'us-gov' : region.startsWith('us') ? 'us' : region.startsWith('eu') ? 'eu' : region.startsWith('ap') ? 'apac' : region.startsWith('ca') ? 'ca' : 'us';
  const profiles = [`${geo}.${base}`];
  // Claude 4.5-generation models also have a global profile (the cheaper one).
  if (/claude-(haiku|sonnet|opus)-4-5/.test(base)) profiles.unshift(`global.${base}`);
  return profiles;
}

/** One line and the fix, from whatever Bedrock or the SDK threw. */
export function describeBedrockError(thrown: unknown, modelId: string, region: string, timedOut = false): BedrockUnavailable {
  // The client factory may already have wrapped the SDK error in a generic DelivError: explain reads the original.
  const error = thrown instanceof DelivError && thrown.cause !== undefined ? thrown.cause : thrown;
  const err = error as { name?: string; message?: string; code?: string; $metadata?: { attempts?: number }; cause?: { code?: string } };
  const name = err.name ?? '';
  const message = (err.message ?? String(error)).split('\n')[0];
  const consoleUrl = `https://console.aws.amazon.com/bedrock/home?region=${region}#/modelaccess`;
  if (timedOut || name === 'AbortError' || name === 'TimeoutError' || name === 'ModelTimeoutException') {
    return new BedrockUnavailable(`Bedrock did not answer in time (${modelId}, ${region})`, true, 'answered offline instead; try again later, or use --offline');
  }
  if (name === 'CredentialsProviderError' || (/Could not load credentials|credential/i.test(message) && !name.endsWith('Exception'))) {
    return new BedrockUnavailable('no AWS credentials found for Bedrock', true, 'answered offline instead; configure credentials (`aws configure`, AWS_PROFILE, or the target\'s `profile` in deliv.yaml) to ask Claude', false);
  }
  const networkCode = err.code ?? err.cause?.code;
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(networkCode ?? '') || name === 'NetworkingError') {
    return new BedrockUnavailable(`Bedrock Runtime in ${region} is not reachable (${networkCode ?? name})`, true, 'answered offline instead; check the network or AWS_ENDPOINT_URL_BEDROCK_RUNTIME', false);
  }
  switch (name) {
    case 'AccessDeniedException':
      return new BedrockUnavailable(
        `Bedrock denied access to ${modelId} in ${region}: model access is not enabled for this account, or your identity may not call it`,
        false,
        `enable Anthropic Claude Haiku in the Bedrock console → Model access (${consoleUrl}) and allow bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream; or run with --offline`,
      );
    case 'ValidationException':
      if (/inference profile|on-demand throughput/i.test(message)) {
        const profiles = inferenceProfilesFor(modelId, region);
        return new BedrockUnavailable(
          `${modelId} cannot be called on demand in ${region}: it needs an inference profile`,
          false,
          `use --model ${profiles[0]} (or ${profiles.slice(1).concat('set explain.model in deliv.yaml').join(', ')})`,
        );
      }
      if (/model identifier is invalid|model id/i.test(message)) {
        return new BedrockUnavailable(`Bedrock does not know the model id ${modelId}: ${message}`, false, `use a Claude Haiku id such as ${DEFAULT_MODEL}`);
      }
      return new BedrockUnavailable(`Bedrock rejected the request: ${message}`, false, 'check --model / explain.model, or run with --offline');
    case 'ResourceNotFoundException':
      return new BedrockUnavailable(`model ${modelId} was not found in ${region}: ${message}`, false, `use a model offered in ${region} (e.g. ${inferenceProfilesFor(DEFAULT_MODEL, region)[0]}) or set explain.region in deliv.yaml`);
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException': {
      const attempts = err.$metadata?.attempts;
      return new BedrockUnavailable(
        `Bedrock throttled the request${attempts && attempts > 1 ? ` (tried ${attempts} times)` : ''}: ${message}`,
        false,
        `wait a minute and run again, request a higher "tokens/requests per minute" quota for ${modelId} in Service Quotas, or run with --offline`,
      );
    }
    case 'ModelNotReadyException':
    case 'ServiceUnavailableException':
    case 'InternalServerException':
    case 'ModelStreamErrorException':
    case 'ModelErrorException':
      return new BedrockUnavailable(`Bedrock failed to answer (${name}): ${message}`, true, 'answered offline instead; try again later');
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new BedrockUnavailable(`the AWS credentials were rejected by Bedrock (${name})`, true, 'answered offline instead; refresh your credentials (e.g. `aws sso login`)');
    default:
      return new BedrockUnavailable(`Bedrock call failed: ${name ? `${name}: ` : ''}${message}`, true, 'answered offline instead');
  }
}
