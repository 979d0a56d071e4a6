/**
 * What a Task state calls, as far as the bill is concerned: a Lambda function,
 * a Bedrock model, or another service integration that deliv does not price.
 */
import { WHOLE_PLACEHOLDER } from '../../asl/placeholder.js';
import type { JsonValue, TaskState } from '../../asl/types.js';

export type TaskCall =
  | { kind: 'lambda'; functionName: string; callback: boolean }
  | {
      kind: 'bedrock';
      modelId: string;
      /** `max_tokens` of the request body, when written in the definition. */
      maxOutputTokens?: number;
      /** Characters of prompt text written in the definition (messages, system, prompt). */
      promptChars?: number;
      /** Whether part of the prompt comes from the input at run time (`.$` or JSONata), so its size is not known here. */
      dynamicPrompt?: boolean;
    }
  | {
      kind: 'integration';
      integration: string;
      callback: boolean;
      /** `states:startExecution`: the machine the child execution runs (name from the ARN or `${Name}` placeholder). */
      startsMachine?: string;
    }
  | { kind: 'activity'; integration: string };

/** `arn:aws:lambda:us-east-1:123:function:name:alias`, `123:function:name`, `name:alias` or `name` → `name`. */
export function lambdaFunctionName(reference: string): string {
  const placeholder = WHOLE_PLACEHOLDER.exec(reference);
  if (placeholder) return placeholder[1];
  const match = /(?:^|:)function:([A-Za-z0-9_-]+)/.exec(reference);
  if (match) return match[1];
  return reference.split(':')[0];
}

function field(payload: JsonValue | undefined, name: string): { value?: string; dynamic: boolean } {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { dynamic: false };
  const direct = payload[name];
  if (typeof direct === 'string') {
    return /^\{%.*%\}$/s.test(direct.trim()) ? { dynamic: true } : { value: direct, dynamic: false };
  }
  if (payload[`${name}.$`] !== undefined) return { dynamic: true };
  return { dynamic: false };
}

function argument(state: TaskState, name: string) {
  const fromParameters = field(state.Parameters, name);
  if (fromParameters.value !== undefined || fromParameters.dynamic) return fromParameters;
  return field(state.Arguments, name);
}

/** `arn:aws:states:…:stateMachine:name[:alias]` or `${Name}` → the machine's name. */
export function stateMachineName(reference: string): string {
  const placeholder = WHOLE_PLACEHOLDER.exec(reference);
  if (placeholder) return placeholder[1];
  const match = /:stateMachine:([A-Za-z0-9_-]+)/.exec(reference);
  return match ? match[1] : reference;
}

/** Bedrock model ids from a foundation-model or inference-profile ARN, or as written. */
export function bedrockModelId(reference: string): string {
  const arn = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile|application-inference-profile)\/(.+)$/.exec(reference);
  return arn ? arn[1] : reference;
}

function maxTokens(state: TaskState): number | undefined {
  for (const payload of [state.Parameters, state.Arguments]) {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) continue;
    const body = payload.Body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) continue;
    const value = body.max_tokens ?? (body.inferenceConfig as { maxTokens?: JsonValue } | undefined)?.maxTokens;
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/** Converse's request (SDK casing: Messages, Content, Text, InferenceConfig.MaxTokens) in InvokeModel's body casing. */
function converseBody(payload: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(payload)) return payload.map((item) => converseBody(item) ?? null);
  if (!payload || typeof payload !== 'object') return payload;
  return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key.charAt(0).toLowerCase() + key.slice(1), converseBody(value) ?? null]));
}

/** A Converse call as the InvokeModel request it prices like: the same tokens, read from `Messages`, `System` and `InferenceConfig.MaxTokens`. */
function asInvokeModel(state: TaskState): TaskState {
  const wrap = (payload: JsonValue | undefined) => (payload && typeof payload === 'object' && !Array.isArray(payload) ? { ...payload, Body: converseBody(Object.fromEntries(Object.entries(payload).filter(([key]) => /^(Messages|System|InferenceConfig)(\.\$)?$/.test(key)))) ?? null } : payload);
  return { ...state, Parameters: wrap(state.Parameters) as TaskState['Parameters'], Arguments: wrap(state.Arguments) as TaskState['Arguments'] };
}

/** The prompt text written in the request body, and whether more comes from the input. */
function promptSize(state: TaskState): { chars: number; dynamic: boolean } | undefined {
  for (const payload of [state.Parameters, state.Arguments]) {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) continue;
    const body = payload.Body ?? payload['Body.$'];
    if (body === undefined) continue;
    if (typeof body === 'string') return { chars: 0, dynamic: true };
    let chars = 0;
    let dynamic = false;
    const walk = (value: JsonValue | undefined, key: string, inPrompt: boolean) => {
      const prompt = inPrompt || ['messages', 'system', 'prompt', 'inputText', 'content', 'text'].includes(key.replace(/\.\$$/, ''));
      if (key.endsWith('.$')) {
        if (prompt) dynamic = true;
        return;
      }
      if (typeof value === 'string') {
        if (/^\{%.*%\}$/s.test(value.trim())) dynamic = dynamic || prompt;
        else if (prompt && !['role', 'type'].includes(key)) chars += value.length;
      } else if (Array.isArray(value)) {
        for (const item of value) walk(item, key, prompt);
      } else if (value && typeof value === 'object') {
        for (const [child, item] of Object.entries(value)) walk(item, child, prompt);
      }
    };
    walk(body, 'Body', false);
    return { chars, dynamic };
  }
  return undefined;
}

export function classifyTask(state: TaskState): TaskCall {
  const resource = state.Resource ?? '';
  const placeholder = WHOLE_PLACEHOLDER.exec(resource);
  // An unresolved `${Name}` resource is, in practice, a function ARN filled in at deploy time.
  if (placeholder) return { kind: 'lambda', functionName: placeholder[1], callback: false };
  const lambdaArn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:/.exec(resource);
  if (lambdaArn) return { kind: 'lambda', functionName: lambdaFunctionName(resource), callback: false };
  const integration = /^arn:aws[a-z-]*:states:::(.+?)(\.sync(?::2)?|\.waitForTaskToken)?$/.exec(resource);
  if (integration) {
    const [, action, suffix] = integration;
    const callback = suffix === '.waitForTaskToken';
    if (action === 'lambda:invoke') {
      const name = argument(state, 'FunctionName');
      return { kind: 'lambda', functionName: name.value ? lambdaFunctionName(name.value) : '(dynamic FunctionName)', callback };
    }
    // Converse (through the SDK integration) bills the same input and output tokens as InvokeModel.
    if (action === 'bedrock:invokeModel' || action === 'aws-sdk:bedrockruntime:converse') {
      const request = action === 'bedrock:invokeModel' ? state : asInvokeModel(state);
      const model = argument(state, 'ModelId');
      const prompt = promptSize(request);
      return { kind: 'bedrock', modelId: model.value ? bedrockModelId(model.value) : '(dynamic ModelId)', maxOutputTokens: maxTokens(request), promptChars: prompt?.chars, dynamicPrompt: prompt?.dynamic };
    }
    if (action === 'states:startExecution') {
      const target = argument(state, 'StateMachineArn');
      return { kind: 'integration', integration: `${action}${suffix ?? ''}`, callback, startsMachine: target.value ? stateMachineName(target.value) : undefined };
    }
    return { kind: 'integration', integration: `${action}${suffix ?? ''}`, callback };
  }
  const activity = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:(.+)$/.exec(resource);
  if (activity) return { kind: 'activity', integration: `activity:${activity[1]}` };
  return { kind: 'integration', integration: resource || '(no Resource)', callback: false };
}
