/**
 * The offline explainer: rules that know every predefined Step Functions error
 * name and the common Lambda and service-integration errors, filled in with
 * this failure's specifics (its ResultPath and input, the missing field, the
 * time-out values, ...). It answers in the same four parts as the model.
 */
import type { ChoiceRule, JsonValue, MapState, Retrier } from '../asl/types.js';
import type { FailureContext } from './context.js';
import { parseHandlerError } from './context.js';
import { historyValue } from '../asl/history.js';
import { StatesErrors } from '../asl/errors.js';
import { PAYLOAD_LIMIT_BYTES } from '../asl/limits.js';

export interface ExplanationParts {
  whatHappened: string;
  rootCause: string;
  fix: string;
  confirm: string;
}

/** AWS's recommended retrier for transient Lambda errors (Step Functions developer guide, "Handle transient Lambda service exceptions"). */
const LAMBDA_TRANSIENT_RETRY: Retrier = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

type Rule = (ctx: FailureContext) => ExplanationParts | undefined;

export function explainOffline(ctx: FailureContext): ExplanationParts {
  const rule = pickRule(ctx);
  const parts = rule(ctx) ?? genericFailure(ctx);
  // A Fail state after a Catch already tells the handled failure as the cause.
  const handled = rule === failState ? '' : handledSentence(ctx);
  return { ...parts, whatHappened: `${parts.whatHappened}${retrySentence(ctx)}${handled}` };
}

/** The rule for this error name: exact predefined names first, then families. */
function pickRule(ctx: FailureContext): Rule {
  const { error } = ctx;
  if (ctx.execution.status === 'ABORTED') return aborted;
  if (ctx.failingState?.type === 'Fail') return failState;
  const exact = EXACT_RULES[error];
  if (exact) return exact;
  if (error.startsWith('Runtime.')) return lambdaRuntime;
  if (error.startsWith('Lambda.')) return lambdaGeneric;
  if (/^[A-Za-z0-9]+\.[A-Za-z0-9]+(Exception|Error|Fault)$/.test(error)) return serviceIntegration;
  if (ctx.handlerError || ctx.failingState?.resourceType === 'lambda' || isLambdaResource(ctx)) return handlerError;
  return genericFailure;
}

const EXACT_RULES: Record<string, Rule> = {
  [StatesErrors.ALL]: (ctx) => ({
    whatHappened: `${where(ctx)} failed with the error name \`States.ALL\`.`,
    rootCause: '`States.ALL` is a wildcard for Retry and Catch (`ErrorEquals`), not an error of its own: something raised it explicitly, most likely a Fail state or a handler whose error type is literally "States.ALL".',
    fix: 'Give the error a specific name (a Fail state\'s `Error`, or the handler\'s error class name) and keep `States.ALL` for the last catcher of a `Catch` list.',
    confirm: confirmRun(ctx),
  }),
  [StatesErrors.Runtime]: runtimeError,
  [StatesErrors.Timeout]: timeout,
  [StatesErrors.HeartbeatTimeout]: heartbeatTimeout,
  [StatesErrors.TaskFailed]: taskFailed,
  [StatesErrors.Permissions]: permissions,
  [StatesErrors.ResultPathMatchFailure]: resultPathMatchFailure,
  [StatesErrors.ParameterPathFailure]: parameterPathFailure,
  [StatesErrors.QueryEvaluationError]: queryEvaluationError,
  [StatesErrors.BranchFailed]: branchFailed,
  [StatesErrors.NoChoiceMatched]: noChoiceMatched,
  [StatesErrors.IntrinsicFailure]: intrinsicFailure,
  [StatesErrors.ExceedToleratedFailureThreshold]: exceedToleratedFailure,
  [StatesErrors.ItemReaderFailed]: (ctx) => ({
    whatHappened: `${where(ctx)} could not read its items (\`States.ItemReaderFailed\`).`,
    rootCause: `The distributed Map's ItemReader failed${causeQuote(ctx)}. Typical reasons: the S3 object or prefix does not exist, the role cannot \`s3:GetObject\`/\`s3:ListBucket\` it, or the file does not match \`ReaderConfig.InputType\` (CSV headers, JSON that is not an array, JSONL lines).`,
    fix: `Check the ItemReader of ${name(ctx)}:\n${snippet((ctx.failingState?.definition as MapState | undefined)?.ItemReader ?? {})}\nMake sure the object exists in the bucket and region, the role allows reading it, and \`InputType\` matches the file.`,
    confirm: confirmRun(ctx),
  }),
  [StatesErrors.ResultWriterFailed]: (ctx) => ({
    whatHappened: `${where(ctx)} could not write its results (\`States.ResultWriterFailed\`).`,
    rootCause: `The distributed Map's ResultWriter failed${causeQuote(ctx)}: usually the bucket does not exist, is in another region, or the role lacks \`s3:PutObject\` (and \`s3:AbortMultipartUpload\`/\`s3:ListMultipartUploadParts\` for large results).`,
    fix: `Check the ResultWriter of ${name(ctx)}:\n${snippet((ctx.failingState?.definition as MapState | undefined)?.ResultWriter ?? {})}\nand grant the execution role write access to that prefix.`,
    confirm: confirmRun(ctx),
  }),
  [StatesErrors.DataLimitExceeded]: dataLimitExceeded,
  'Sandbox.Timedout': (ctx) => ({
    whatHappened: `${where(ctx)}: the Lambda function ran out of time (\`Sandbox.Timedout\`).`,
    rootCause: `The function hit its own configured timeout before returning${causeQuote(ctx)}; Step Functions only reports what Lambda said.`,
    fix: `Raise the function's timeout (deliv.yaml \`functions.${functionName(ctx) ?? '<name>'}.timeoutSeconds\`, or the Lambda configuration on AWS) above its real duration, or make the work smaller (batch it, or move slow calls behind a \`.waitForTaskToken\` callback). Keep the state's \`TimeoutSeconds\` a little above the function timeout, and add a Retry on \`Sandbox.Timedout\` only if the work is idempotent.`,
    confirm: confirmRun(ctx),
  }),
  'Lambda.ServiceException': lambdaTransient('a transient error inside the Lambda service'),
  'Lambda.AWSLambdaException': lambdaTransient('a generic error returned by the Lambda API'),
  'Lambda.SdkClientException': lambdaTransient('a network or client-side error while calling Lambda'),
  'Lambda.TooManyRequestsException': (ctx) => ({
    whatHappened: `${where(ctx)}: Lambda throttled the invocation (\`Lambda.TooManyRequestsException\`).`,
    rootCause: `The function ${functionName(ctx) ? `\`${functionName(ctx)}\` ` : ''}reached its concurrency limit (reserved concurrency, or the account's regional limit)${ctx.failingState?.enclosedBy.length ? `, likely because ${ctx.failingState.enclosedBy.at(-1)} runs many iterations at once` : ''}.`,
    fix: `Retry with backoff and jitter on this error:\n${snippet({ Retry: [{ ...LAMBDA_TRANSIENT_RETRY, IntervalSeconds: 2, MaxAttempts: 6 }] })}\n${ctx.failingState?.enclosedBy.length ? 'Also cap `MaxConcurrency` on the enclosing Map. ' : ''}Raise the function's reserved concurrency or request a higher account limit if the load is expected.`,
    confirm: confirmRun(ctx),
  }),
  'Lambda.Unknown': (ctx) => ({
    whatHappened: `${where(ctx)}: the Lambda function failed without returning an error type (\`Lambda.Unknown\`).`,
    rootCause: `Lambda ended the invocation abnormally${causeQuote(ctx)}: most often the function ran out of memory, hit its timeout, or the process crashed (an uncaught exception in a callback, \`process.exit\`).`,
    fix: `Look at the function's logs for this request: "Runtime exited", "Task timed out" or "out of memory". Raise \`memoryMB\`/\`timeoutSeconds\` of \`functions.${functionName(ctx) ?? '<name>'}\` in deliv.yaml (or on AWS), and add a Retry on \`Lambda.Unknown\` if the handler is idempotent.`,
    confirm: confirmRun(ctx),
  }),
  'Lambda.ResourceNotFoundException': (ctx) => ({
    whatHappened: `${where(ctx)}: the Lambda function was not found (\`Lambda.ResourceNotFoundException\`).`,
    rootCause: `The function name or ARN${functionName(ctx) ? ` \`${functionName(ctx)}\`` : ''} does not exist in that account and region, or its alias/version does not${causeQuote(ctx)}.`,
    fix: 'Check the ARN in the definition and the target\'s `substitutions` in deliv.yaml (region, account, alias); locally, map the function name under `functions:` in deliv.yaml.',
    confirm: confirmRun(ctx),
  }),
};

function runtimeError(ctx: FailureContext): ExplanationParts {
  const detail = causeDetail(ctx.cause);
  if (/JSONPath '[^']+' specified for the field '[^']+' could not be found/.test(detail)) {
    // AWS reports a missing Parameters path as States.Runtime on some states: same diagnosis, but it cannot be caught.
    const parts = parameterPathFailure(ctx);
    const whatHappened = parts.whatHappened.includes('Assign') ? parts.whatHappened : `${where(ctx)} could not build its Parameters (\`States.Runtime\`) and the execution failed.`;
    return { ...parts, whatHappened, fix: `${parts.fix} \`States.Runtime\` cannot be retried or caught, so the definition or the data must change.` };
  }
  let rootCause = `A runtime error in the definition or the data: ${detail || 'no cause given'}.`;
  let fix = 'Fix the definition or the input: `States.Runtime` cannot be retried or caught, so the execution always fails on it.';
  const invalidPath = detail.match(/Invalid path '([^']+)'/);
  if (invalidPath) {
    const path = invalidPath[1];
    rootCause = `The path \`${path}\` in ${name(ctx)} matches nothing in the state's input. ${describeMissing(ctx.failingState?.input, path)}`;
    fix = `Either make sure the previous state produces \`${path.replace(/^\$\.?/, '')}\`, or point the path (InputPath/OutputPath/ItemsPath) at a field that exists. \`States.Runtime\` cannot be retried or caught.`;
  } else if (/negative/.test(detail) || /cannot be negative/.test(detail)) {
    fix = `Make the value non-negative before ${name(ctx)} (validate it in the previous state, or clamp it with \`States.MathAdd\`/a Choice guard).`;
  } else if (/ISO-8601/.test(detail)) {
    fix = 'Timestamps must be ISO-8601 with an offset, e.g. `2026-01-05T11:30:00Z`. Normalise the value before the Wait state.';
  } else if (/must be an array/.test(detail)) {
    fix = 'The Map state\'s items must be a JSON array: point `ItemsPath`/`Items` at an array in the input.';
  }
  return {
    whatHappened: `${where(ctx)} hit a runtime error (\`States.Runtime\`) and the execution failed.`,
    rootCause,
    fix,
    confirm: confirmRun(ctx),
  };
}

function timeout(ctx: FailureContext): ExplanationParts {
  const state = ctx.failingState;
  const definition = state?.definition as { TimeoutSeconds?: number | string; TimeoutSecondsPath?: string } | undefined;
  if (ctx.execution.status === 'TIMED_OUT' && (!state || ctx.machineTimeoutSeconds !== undefined || !definition?.TimeoutSeconds)) {
    return {
      whatHappened: `The whole execution timed out${ctx.machineTimeoutSeconds !== undefined ? ` after the state machine's TimeoutSeconds of ${ctx.machineTimeoutSeconds} s` : ''}${state ? `, while ${name(state.name)} was running` : ''}.`,
      rootCause: `The execution ran longer than the top-level \`TimeoutSeconds\`${ctx.machineTimeoutSeconds !== undefined ? ` (${ctx.machineTimeoutSeconds})` : ''}; ${state ? `${name(state.name)} had not finished` : 'a state had not finished'}.`,
      fix: `Raise the top-level \`TimeoutSeconds\` to cover the slowest expected run, or find why ${state ? name(state.name) : 'that state'} is slow (a callback never answered, a long Wait, retries with large backoff).`,
      confirm: confirmRun(ctx),
    };
  }
  const seconds = state?.timeoutInSeconds ?? definition?.TimeoutSeconds ?? (definition?.TimeoutSecondsPath ? `the value at ${definition.TimeoutSecondsPath}` : undefined);
  const waits = state?.resource?.includes('waitForTaskToken') || String((state?.definition as { Resource?: string } | undefined)?.Resource ?? '').includes('.waitForTaskToken');
  return {
    whatHappened: `${where(ctx)} did not finish within its TimeoutSeconds${seconds !== undefined ? ` (${seconds} s)` : ''} and failed with \`States.Timeout\`.`,
    rootCause: waits
      ? 'The task waits for a callback (`.waitForTaskToken`) and nobody called `SendTaskSuccess`/`SendTaskFailure` with its token in time.'
      : `The task ran longer than ${seconds !== undefined ? `${seconds} s` : 'its TimeoutSeconds'} (Step Functions' default for a Task is 99999999 s, so this limit was set explicitly).`,
    fix: waits
      ? 'Make sure the worker receives the token (check it is passed in Parameters as `$$.Task.Token`) and answers it; raise `TimeoutSeconds` if the human or system behind it needs longer, and add `HeartbeatSeconds` to detect a dead worker early.'
      : `Raise \`TimeoutSeconds\` on ${name(ctx)} above the work's real duration (and keep the Lambda function's own timeout below it), or retry once on the time-out:\n${snippet({ Retry: [{ ErrorEquals: [StatesErrors.Timeout], IntervalSeconds: 2, MaxAttempts: 1 }] })}`,
    confirm: confirmRun(ctx),
  };
}

function heartbeatTimeout(ctx: FailureContext): ExplanationParts {
  const definition = ctx.failingState?.definition as { HeartbeatSeconds?: number | string } | undefined;
  const seconds = ctx.failingState?.heartbeatInSeconds ?? definition?.HeartbeatSeconds;
  return {
    whatHappened: `${where(ctx)} went ${seconds !== undefined ? `${seconds} s` : 'longer than its HeartbeatSeconds'} without a heartbeat and failed with \`States.HeartbeatTimeout\`.`,
    rootCause: 'The worker holding the task token stopped sending `SendTaskHeartbeat` (it crashed, lost the token, or its heartbeat interval is longer than HeartbeatSeconds).',
    fix: `Have the worker call \`SendTaskHeartbeat\` with the token more often than every ${seconds ?? 'HeartbeatSeconds'} s, or raise \`HeartbeatSeconds\` on ${name(ctx)}. To survive a lost worker, add:\n${snippet({ Retry: [{ ErrorEquals: [StatesErrors.HeartbeatTimeout], MaxAttempts: 1 }] })}`,
    confirm: confirmRun(ctx),
  };
}

function taskFailed(ctx: FailureContext): ExplanationParts {
  return {
    whatHappened: `${where(ctx)} failed with \`States.TaskFailed\`.`,
    rootCause: `The task's resource reported a failure that Step Functions could not name more precisely${causeQuote(ctx)}.`,
    fix: `Read the cause above and the resource's own logs; handle it with a Retry (if transient) or a Catch routing to a recovery state:\n${snippet({ Catch: [{ ErrorEquals: [StatesErrors.TaskFailed], ResultPath: '$.error', Next: '<RecoveryState>' }] })}`,
    confirm: confirmRun(ctx),
  };
}

function permissions(ctx: FailureContext): ExplanationParts {
  const resource = (ctx.failingState?.definition as { Resource?: string } | undefined)?.Resource ?? ctx.failingState?.resource;
  const action = resourceAction(resource);
  return {
    whatHappened: `${where(ctx)} failed with \`States.Permissions\`.`,
    rootCause: `The execution role is not allowed to call ${action ? `\`${action}\`` : 'the resource'}${causeQuote(ctx)}.`,
    fix: `Add a statement to the state machine's role (the target's \`roleArn\` in deliv.yaml):\n${snippet({ Effect: 'Allow', Action: [action ?? '<service>:<Action>'], Resource: [resourceTarget(ctx) ?? '<resource ARN>'] })}`,
    confirm: confirmRun(ctx),
  };
}

function resultPathMatchFailure(ctx: FailureContext): ExplanationParts {
  const state = ctx.failingState;
  const resultPath = (state?.definition as { ResultPath?: string | null } | undefined)?.ResultPath ?? pathFromCause(ctx.cause);
  const input = state?.input;
  let clash = '';
  if (typeof resultPath === 'string') {
    const segments = pathSegments(resultPath);
    let node: JsonValue | undefined = input;
    const walked: string[] = ['$'];
    for (const segment of segments) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) {
        clash = `\`${walked.join('.')}\` in the input is ${describeType(node)}, so \`${resultPath}\` cannot place a field inside it.`;
        break;
      }
      node = (node as Record<string, JsonValue>)[String(segment)];
      walked.push(String(segment));
    }
    if (!clash && (input === null || typeof input !== 'object' || Array.isArray(input))) clash = `The state's input is ${describeType(input)}, not an object.`;
  }
  return {
    whatHappened: `${where(ctx)} could not store its result at ResultPath \`${resultPath ?? '?'}\` (\`States.ResultPathMatchFailure\`).`,
    rootCause: `${clash || 'ResultPath points through a value that is not an object.'} Input shape: ${shape(input)}.`,
    fix: `Point ResultPath at a new field of an object, e.g. \`"ResultPath": "$.${state?.name ? camel(state.name) : 'result'}Result"\`, or reshape the input before ${name(ctx)} so every step of \`${resultPath ?? 'ResultPath'}\` is an object.`,
    confirm: confirmRun(ctx),
  };
}

function parameterPathFailure(ctx: FailureContext): ExplanationParts {
  const state = ctx.failingState;
  const definition = state?.definition as { Parameters?: JsonValue; ItemSelector?: JsonValue; Assign?: JsonValue; Result?: JsonValue } | undefined;
  const fromCause = ctx.cause?.match(/JSONPath '([^']+)' specified for the field '([^']+)'/);
  const assigned = dynamicFields(definition?.Assign);
  // A JSONPath Assign reads `$` from the state's result (what Parameters, Result or the task produced), not from its input.
  if (fromCause && assigned.some(([field, path]) => field === fromCause[2] && path === fromCause[1])) {
    const result = definition?.Parameters ?? definition?.Result;
    return {
      whatHappened: `${where(ctx)} could not evaluate its \`Assign\` (\`${ctx.error}\`).`,
      rootCause: `\`${fromCause[2]}\` reads \`${fromCause[1]}\`, but in a JSONPath state \`$\` in Assign is the state's result, not its input${result !== undefined ? `: here the result is ${shape(result)}` : ''}, and it has no such field${getPath(state?.input, fromCause[1]) !== undefined ? ' (the input does have it)' : ''}.`,
      fix: `Read the value where it is: add it to ${name(ctx)}'s Parameters (\`"${fromCause[2]}": ...\` carried through), assign it in an earlier state whose result holds it, or switch the state to JSONata and use \`{% $states.input.${fromCause[1].replace(/^\$\.?/, '')} %}\`.`,
      confirm: confirmRun(ctx),
    };
  }
  const missing: string[] = [];
  for (const template of [definition?.Parameters, definition?.ItemSelector]) {
    for (const [field, path] of dynamicFields(template)) {
      if (path.startsWith('$$') || !path.startsWith('$')) continue;
      if (getPath(state?.input, path) === undefined) missing.push(`\`${field}\` → \`${path}\``);
    }
  }
  if (missing.length === 0 && fromCause) missing.push(`\`${fromCause[2]}\` → \`${fromCause[1]}\``);
  const firstPath = missing[0]?.match(/→ `([^`]+)`/)?.[1];
  return {
    whatHappened: `${where(ctx)} could not build its Parameters (\`States.ParameterPathFailure\`).`,
    rootCause: `${missing.length ? `The input has no value for ${missing.join(', ')}.` : 'A `.$` field in Parameters points at a path that is not in the input.'} ${firstPath ? describeMissing(state?.input, firstPath) : `Input shape: ${shape(state?.input)}.`}`.trim(),
    fix: `Make the previous state produce that field, or read it from where it is (check ResultPath/OutputPath of the state before ${name(ctx)}); for an optional field use JSONata (\`QueryLanguage: JSONata\`) with a default, or a Choice with \`IsPresent\` before ${name(ctx)}.`,
    confirm: confirmRun(ctx),
  };
}

function queryEvaluationError(ctx: FailureContext): ExplanationParts {
  const detail = causeDetail(ctx.cause);
  const expression = detail.match(/JSONata expression '([^']+)'/)?.[1];
  const field = detail.match(/for the field '([^']+)'/)?.[1];
  return {
    whatHappened: `${where(ctx)} failed evaluating a JSONata expression (\`States.QueryEvaluationError\`).`,
    rootCause: `${expression ? `\`{% ${expression} %}\`${field ? ` in \`${field}\`` : ''}` : 'An expression'}: ${detail || 'evaluation failed'}. Input shape: ${shape(ctx.failingState?.input)}.`,
    fix: `Guard the expression against missing or wrongly typed data (e.g. \`{% $exists(x) ? x : [] %}\`, \`$string()\`/\`$number()\` conversions), or fix the data that reaches ${name(ctx)}. This error can be caught: add a Catch on \`States.QueryEvaluationError\` if bad input is expected.`,
    confirm: confirmRun(ctx),
  };
}

function branchFailed(ctx: FailureContext): ExplanationParts {
  const inner = ctx.otherFailures[0];
  return {
    whatHappened: `${where(ctx)}: a branch of the Parallel state failed (\`States.BranchFailed\`), so the whole Parallel failed.`,
    rootCause: inner ? `${name(inner.state ?? 'a branch state')} failed with \`${inner.error}\`${inner.cause ? `: ${truncate(inner.cause, 300)}` : ''}.` : `One branch's state failed${causeQuote(ctx)}.`,
    fix: 'Handle the error inside the branch (Retry/Catch on the failing state), or add a Catch on the Parallel state to route to a recovery state when any branch fails.',
    confirm: confirmRun(ctx),
  };
}

function noChoiceMatched(ctx: FailureContext): ExplanationParts {
  const choice = ctx.failingState?.definition as { Choices?: ChoiceRule[]; Default?: string } | undefined;
  const observations = (choice?.Choices ?? []).flatMap((rule) => variablesOf(rule)).filter((v, i, all) => all.indexOf(v) === i)
    .map((variable) => `\`${variable}\` = ${JSON.stringify(getPath(ctx.failingState?.input, variable)) ?? 'missing'}`);
  const conditions = (choice?.Choices ?? []).map((rule) => rule.Condition).filter((c): c is string => typeof c === 'string');
  return {
    whatHappened: `${where(ctx)}: no Choice rule matched and there is no \`Default\` (\`States.NoChoiceMatched\`).`,
    rootCause: `${observations.length ? `The input had ${observations.join(', ')}, which no rule accepts.` : conditions.length ? `None of ${conditions.map((c) => `\`${c}\``).join(', ')} was true for this input.` : 'None of the rules matched this input.'} Input shape: ${shape(ctx.failingState?.input)}.`,
    fix: `Add a \`Default\` to ${name(ctx)} that routes unexpected values somewhere explicit (a Fail state with a clear Error, or a manual-review step):\n${snippet({ Default: '<HandleUnexpected>' })}\nand/or add the rule this value needs.`,
    confirm: confirmRun(ctx),
  };
}

function intrinsicFailure(ctx: FailureContext): ExplanationParts {
  const calls = collectIntrinsics((ctx.failingState?.definition as { Parameters?: JsonValue; ResultSelector?: JsonValue } | undefined)?.Parameters)
    .concat(collectIntrinsics((ctx.failingState?.definition as { ResultSelector?: JsonValue } | undefined)?.ResultSelector));
  return {
    whatHappened: `${where(ctx)}: an intrinsic function failed (\`States.IntrinsicFailure\`).`,
    rootCause: `${calls.length ? `${calls.map((c) => `\`${c}\``).join(', ')} ` : 'An intrinsic function '}could not run on this input${causeQuote(ctx)} (wrong argument type, an array index out of range, invalid JSON for \`States.StringToJson\`, a bad format string).`,
    fix: `Check the arguments against the input (${shape(ctx.failingState?.input)}); convert types first (\`States.JsonToString\`, \`States.StringToJson\`) or validate in a Choice before ${name(ctx)}. The error can be caught with \`States.IntrinsicFailure\`.`,
    confirm: confirmRun(ctx),
  };
}

function exceedToleratedFailure(ctx: FailureContext): ExplanationParts {
  const map = ctx.failingState?.definition as MapState | undefined;
  const tolerance = [
    map?.ToleratedFailurePercentage !== undefined ? `ToleratedFailurePercentage ${map.ToleratedFailurePercentage}` : undefined,
    map?.ToleratedFailureCount !== undefined ? `ToleratedFailureCount ${map.ToleratedFailureCount}` : undefined,
  ].filter(Boolean).join(' and ') || 'a tolerated failure of 0';
  const items = ctx.otherFailures.map((failure) => `${failure.state ?? 'an item'}: \`${failure.error}\``).join('; ');
  return {
    whatHappened: `${where(ctx)}: more Map items failed than allowed by ${tolerance} (\`States.ExceedToleratedFailureThreshold\`).`,
    rootCause: `${items ? `Item failures: ${items}. ` : ''}The threshold counts failed child executions/iterations; once exceeded the Map stops and fails${causeQuote(ctx)}.`,
    fix: 'Fix the most common item error first (see the item failures), add a Retry inside the item processor for transient ones, or raise the tolerated threshold if partial success is acceptable.',
    confirm: confirmRun(ctx),
  };
}

function dataLimitExceeded(ctx: FailureContext): ExplanationParts {
  const size = ctx.failingState?.input === undefined ? undefined : Buffer.byteLength(JSON.stringify(ctx.failingState.input));
  return {
    whatHappened: `${where(ctx)}: a payload exceeded Step Functions' 256 KiB limit (\`States.DataLimitExceeded\`).`,
    rootCause: `The state's input, output or a task result is larger than ${PAYLOAD_LIMIT_BYTES} bytes${size !== undefined ? ` (this state's input alone is ${size} bytes)` : ''}; this error cannot be caught.`,
    fix: 'Keep large data in S3 (or DynamoDB) and pass its key between states; trim task results with ResultSelector or OutputPath so only the fields the next states need flow on.',
    confirm: confirmRun(ctx),
  };
}

function lambdaTransient(what: string): Rule {
  return (ctx) => ({
    whatHappened: `${where(ctx)}: invoking Lambda failed with \`${ctx.error}\`.`,
    rootCause: `This is ${what}${causeQuote(ctx)}, not a bug in the handler; AWS recommends retrying it.`,
    fix: `Add AWS's recommended retrier for transient Lambda errors to ${name(ctx)}:\n${snippet({ Retry: [LAMBDA_TRANSIENT_RETRY] })}`,
    confirm: confirmRun(ctx),
  });
}

function lambdaGeneric(ctx: FailureContext): ExplanationParts {
  return {
    whatHappened: `${where(ctx)}: the Lambda invocation failed with \`${ctx.error}\`.`,
    rootCause: `Lambda rejected or failed the call${causeQuote(ctx)}.`,
    fix: `Check the function's configuration and logs; if the error is transient, retry it:\n${snippet({ Retry: [{ ...LAMBDA_TRANSIENT_RETRY, ErrorEquals: [ctx.error] }] })}`,
    confirm: confirmRun(ctx),
  };
}

/** Lambda's errors for a handler that never ran: the project's setup, whatever the input. */
const HANDLER_SETUP_ERRORS = new Set(['Runtime.ImportModuleError', 'Runtime.HandlerNotFound', 'Runtime.UserCodeSyntaxError']);

const SETUP_PROBLEM = "This is a setup problem of the project, not a fault of the execution's input: the same input runs once the handler loads.";

/** What to do about a handler that could not load: the advice deliv's runtime ends its cause with (`run npm install ...`, the file and line to fix), else where to look. */
function setupFix(errorMessage: string | undefined, fn: string | undefined): string {
  const advice = /[.:] ((?:[Rr]un|Fix|Export) .*)$/s.exec(errorMessage ?? '')?.[1];
  return advice
    ? advice.replace(/^run/, 'Run')
    : `Check \`functions.${fn ?? '<name>'}.handler\` in deliv.yaml points at a module exporting \`handler\`, that its dependencies are installed (\`npm install\` in the project) or bundled, and that it compiles.`;
}

function lambdaRuntime(ctx: FailureContext): ExplanationParts {
  const fn = functionName(ctx);
  const known: Record<string, string> = {
    'Runtime.ImportModuleError': 'the handler module (or one of its imports) could not be loaded: a missing dependency, a wrong file name, or a syntax error',
    'Runtime.HandlerNotFound': 'the module loaded but does not export the configured handler function',
    'Runtime.UserCodeSyntaxError': 'the handler source has a syntax error',
    'Runtime.ExitError': 'the runtime process exited (out of memory, or `process.exit`) before answering',
    'Runtime.UnhandledPromiseRejection': 'a promise rejected with nothing awaiting it',
  };
  const rootCause = `${known[ctx.error] ? `In ${fn ? `\`${fn}\`` : 'the function'}, ${known[ctx.error]}` : "The function's runtime failed before or around the handler"}${causeQuote(ctx)}.`;
  if (HANDLER_SETUP_ERRORS.has(ctx.error)) {
    return {
      whatHappened: `${where(ctx)}: the Lambda function's code could not be loaded (\`${ctx.error}\`), so the handler never ran.`,
      rootCause: `${rootCause} ${SETUP_PROBLEM}`,
      fix: setupFix(ctx.handlerError?.errorMessage, fn),
      confirm: confirmRun(ctx),
    };
  }
  return {
    whatHappened: `${where(ctx)}: the Lambda runtime failed with \`${ctx.error}\`.`,
    rootCause,
    fix: `Check \`functions.${fn ?? '<name>'}.handler\` in deliv.yaml points at a module exporting \`handler\`, that its dependencies are installed/bundled, and run it once locally.`,
    confirm: confirmRun(ctx),
  };
}

function serviceIntegration(ctx: FailureContext): ExplanationParts {
  const [service, errorName] = ctx.error.split('.', 2);
  const category =
    /NotFound|DoesNotExist|NoSuch/i.test(errorName) ? 'missing'
    : /AccessDenied|Authoriz|NotAuthorized|Forbidden|KMS/i.test(errorName) ? 'permissions'
    : /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded|LimitExceeded|SlowDown/i.test(errorName) ? 'throttled'
    : /ConditionalCheckFailed|TransactionCanceled/i.test(errorName) ? 'condition'
    : /Validation|InvalidParameter|InvalidRequest|Serialization|MalformedQueryString|InvalidMessageContents/i.test(errorName) ? 'invalid'
    : /ServiceException|InternalServer|InternalError|ServiceUnavailable|InternalFailure/i.test(errorName) ? 'transient'
    : 'other';
  const params = ctx.failingState?.parameters;
  const rootCauses: Record<string, string> = {
    missing: `The ${service} resource the task names does not exist in this account and region (check table/topic/queue names and ARNs in Parameters: ${truncate(JSON.stringify(params ?? {}), 300)})`,
    permissions: `The execution role may not perform this ${service} call on that resource`,
    throttled: `${service} throttled the request (capacity or rate limit reached)`,
    condition: `${service} refused the write because its condition was false: the item already exists or is not in the expected state${service === 'DynamoDB' ? ' (ConditionExpression)' : ''}`,
    invalid: `${service} rejected the request as invalid: the Parameters built from the input do not match what the API expects (${truncate(JSON.stringify(params ?? {}), 300)})`,
    transient: `${service} had a transient internal error`,
    other: `${service} returned ${errorName}`,
  };
  const fixes: Record<string, string> = {
    missing: 'Create the resource (or fix its name/ARN through the target\'s `substitutions` in deliv.yaml) before running again.',
    permissions: `Grant the role the ${service} action on that resource (the target's \`roleArn\` in deliv.yaml).`,
    throttled: `Retry with backoff:\n${snippet({ Retry: [{ ErrorEquals: [ctx.error], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: 'FULL' }] })}\nand consider raising capacity or lowering Map concurrency.`,
    condition: `Decide what a failed condition means for the workflow and Catch it:\n${snippet({ Catch: [{ ErrorEquals: [ctx.error], ResultPath: '$.conditionFailed', Next: '<AlreadyProcessed>' }] })}`,
    invalid: `Fix the Parameters of ${name(ctx)} so every field has the type and format the ${service} API expects; check the input fields they read.`,
    transient: `Retry it:\n${snippet({ Retry: [{ ErrorEquals: [ctx.error], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }] })}`,
    other: `Look up \`${errorName}\` in the ${service} API reference; add a Retry if it is transient or a Catch routing to a recovery state.`,
  };
  return {
    whatHappened: `${where(ctx)}: the ${service} integration failed with \`${ctx.error}\`.`,
    rootCause: `${rootCauses[category]}${causeQuote(ctx)}.`,
    fix: fixes[category],
    confirm: confirmRun(ctx),
  };
}

function handlerError(ctx: FailureContext): ExplanationParts {
  const handler = ctx.handlerError;
  const errorType = handler?.errorType ?? ctx.error;
  const message = handler?.errorMessage;
  const frame = handler?.stackTrace.find((line) => /\bat\b|File "/.test(line) && !/node:internal|processTicksAndRejections/.test(line))?.trim();
  const fn = functionName(ctx);
  const missingProperty = message?.match(/Cannot read propert(?:y|ies) of (?:undefined|null) \(reading '([^']+)'\)/)?.[1] ?? message?.match(/KeyError: '?([^']+)'?/)?.[1];
  const codeBug = /^(TypeError|ReferenceError|SyntaxError|RangeError|KeyError|AttributeError|NameError|ValueError)$/.test(errorType);
  const catchSnippet = snippet({ Catch: [{ ErrorEquals: [ctx.error], ResultPath: '$.error', Next: `<Handle${ctx.error.replace(/[^A-Za-z0-9]/g, '')}>` }] });
  return {
    whatHappened: `${where(ctx)}: the ${fn ? `\`${fn}\` ` : ''}handler threw \`${errorType}\`${message ? `: "${truncate(message, 300)}"` : ''}${frame ? ` (${frame.replace(/^at\s+/, 'at ')})` : ''}.`,
    rootCause: codeBug
      ? `A bug or an unexpected input in the handler${missingProperty ? `: it read \`${missingProperty}\` from something that is undefined. The state's input is ${shape(ctx.failingState?.input)}` : ''}.`
      : `The handler rejected this execution's data on purpose (a business error, \`${errorType}\`), and ${catchText(ctx)}.`,
    fix: codeBug
      ? `Fix the handler${frame ? ` at ${frame.replace(/^at\s+/, '')}` : ''} to validate its input (or make the previous state pass the field it needs)${missingProperty ? `: check \`${missingProperty}\` exists before using it` : ''}.`
      : `Either correct the data upstream, or treat \`${ctx.error}\` as an expected outcome and route it on ${name(ctx)}:\n${catchSnippet}`,
    confirm: confirmRun(ctx),
  };
}

function failState(ctx: FailureContext): ExplanationParts {
  const fail = ctx.failingState?.definition as { Error?: string; Cause?: string; ErrorPath?: string; CausePath?: string } | undefined;
  const path = ctx.path.map((step) => step.replace(/ ×\d+$/, ''));
  const before = path[path.lastIndexOf(ctx.failingState!.name) - 1];
  const origin = ctx.handled.at(-1);
  if (origin) {
    // A failure was caught, compensation ran, and the Fail state re-raised it: the caught failure is the cause.
    const handler = ctx.handlerError ?? parseHandlerError(origin.cause);
    const message = handler?.errorMessage ?? causeDetail(origin.cause);
    const frame = handler?.stackTrace.find((line) => /\bat\b/.test(line) && !/node:internal|processTicksAndRejections/.test(line))?.trim();
    const from = path.indexOf(origin.wentTo ?? '', path.lastIndexOf(origin.caughtBy ?? origin.state));
    const recovery = from >= 0 ? path.slice(from, path.lastIndexOf(ctx.failingState!.name)) : [];
    const route = recovery.length
      ? `sent the execution to ${recovery.map(name).join(' → ')}, and the workflow then ended at the Fail state ${name(ctx)}`
      : `sent the execution straight to the Fail state ${name(ctx)}, which ended it`;
    if (HANDLER_SETUP_ERRORS.has(origin.error)) {
      // A Catch (States.ALL, say) took the load failure like any other; it is still not the input's doing.
      return {
        whatHappened: `${name(origin.state)}${origin.caughtBy ? ` (in ${name(origin.caughtBy)})` : ''}: the Lambda function's code could not be loaded (\`${origin.error}\`)${message ? `: "${truncate(message, 300)}"` : ''}, so the handler never ran. The Catch on ${name(origin.caughtBy ?? origin.state)} ${route} with \`${ctx.error || '(no error)'}\`.`,
        rootCause: `${SETUP_PROBLEM} The Catch handled the load failure as it would a rejection, so the execution ended at ${name(ctx)} as if the input were at fault.`,
        fix: setupFix(message, functionName(ctx)),
        confirm: confirmRun(ctx),
      };
    }
    return {
      whatHappened: `${name(origin.state)}${origin.caughtBy ? ` (in ${name(origin.caughtBy)})` : ''} failed with \`${origin.error}\`${message ? `: "${truncate(message, 300)}"` : ''}${frame ? ` (${frame})` : ''}. The Catch on ${name(origin.caughtBy ?? origin.state)} ${route} with \`${ctx.error || '(no error)'}\`.`,
      rootCause: `${name(origin.state)} rejected this execution's data with \`${origin.error}\`${message ? ` ("${truncate(message, 200)}")` : ''}. The failure was handled as the workflow intends${recovery.length ? ' (the recovery states ran)' : ''} and ${name(ctx)} reports it${fail?.ErrorPath || fail?.CausePath ? ` (its error and cause are read from ${[fail.ErrorPath, fail.CausePath].filter(Boolean).map((p) => `\`${p}\``).join(' and ')})` : ''}.`,
      fix: `If this input should have succeeded, the problem is in ${name(origin.state)}'s data or handler${frame ? ` (${frameText(frame)})` : ''}: correct the input, or the handler's check. If the rejection is legitimate, nothing is broken: the workflow ${recovery.length ? 'compensated and ' : ''}failed on purpose; callers can tell the case by the error name \`${ctx.error}\`.`,
      confirm: confirmRun(ctx),
    };
  }
  return {
    whatHappened: `The workflow reached the Fail state ${name(ctx)}, which ends the execution with \`${ctx.error || '(no error)'}\`${ctx.cause ? `: "${truncate(ctx.cause, 300)}"` : ''}.`,
    rootCause: `This failure is by design: ${before ? `${name(before)} sent the execution to ${name(ctx)}` : `the path led to ${name(ctx)}`}${fail?.ErrorPath || fail?.CausePath ? ` (error/cause read from ${[fail.ErrorPath, fail.CausePath].filter(Boolean).join(', ')})` : ''}. Look at why that branch was taken: its input was ${shape(ctx.failingState?.input)}.`,
    fix: `If this input should have succeeded, fix the condition or the data that routes to ${name(ctx)}${before ? ` in ${name(before)}` : ''}; if it is a legitimate rejection, nothing is broken. Give the Fail state a specific \`Error\` and \`Cause\` so callers can tell rejections apart.`,
    confirm: confirmRun(ctx),
  };
}

function aborted(ctx: FailureContext): ExplanationParts {
  return {
    whatHappened: `The execution was stopped (ABORTED)${ctx.failingState ? ` while ${name(ctx)} was running` : ''}.`,
    rootCause: `Someone or something called \`StopExecution\`${ctx.cause ? `: "${truncate(ctx.cause, 300)}"` : ''}; nothing in the workflow failed on its own.`,
    fix: 'Find who stopped it (CloudTrail on AWS); if it was stuck, look at the state that was running.',
    confirm: confirmRun(ctx),
  };
}

function genericFailure(ctx: FailureContext): ExplanationParts {
  return {
    whatHappened: `${where(ctx)} failed with \`${ctx.error || 'an unnamed error'}\`.`,
    rootCause: `The error came from the state's resource or definition${causeQuote(ctx)}; ${catchText(ctx)}.`,
    fix: `If \`${ctx.error}\` is expected, route it with a Catch on ${name(ctx)}:\n${snippet({ Catch: [{ ErrorEquals: [ctx.error || StatesErrors.ALL], ResultPath: '$.error', Next: '<RecoveryState>' }] })}\nIf it is transient, add a Retry with backoff.`,
    confirm: confirmRun(ctx),
  };
}

// ---------- helpers ----------

function name(ctxOrName: FailureContext | string): string {
  if (typeof ctxOrName === 'string') return `\`${ctxOrName}\``;
  return ctxOrName.failingState ? `\`${ctxOrName.failingState.name}\`` : 'the failing state';
}

function where(ctx: FailureContext): string {
  const state = ctx.failingState;
  if (!state) return 'The execution';
  const inside = state.enclosedBy.length ? ` (inside ${state.enclosedBy.map((s) => `\`${s}\``).join(' → ')})` : '';
  return `The ${state.type ?? ''} state \`${state.name}\`${inside}`.replace('The  state', 'The state');
}

const RUNTIME_PREFIX = /^An error occurred while executing the state '[^']+' \(entered at the event id #\d+\)\.\s*/;

/** AWS's runtime-error cause without its "An error occurred while executing the state ..." preamble. */
function causeDetail(cause: string | undefined): string {
  return (cause ?? '').replace(RUNTIME_PREFIX, '').replace(/\.\s*$/, '');
}

function causeQuote(ctx: FailureContext): string {
  const text = ctx.handlerError?.errorMessage ?? causeDetail(ctx.cause);
  return text ? ` ("${truncate(text, 300)}")` : '';
}

function catchText(ctx: FailureContext): string {
  switch (ctx.catchVerdict) {
    case 'no-catch':
      return `${name(ctx)} has no Catch, so the execution failed`;
    case 'no-matching-catch':
      return `none of ${name(ctx)}'s Catch rules lists \`${ctx.error}\`, so the execution failed`;
    case 'not-catchable':
      return `\`${ctx.error}\` cannot be caught`;
    default:
      return 'nothing handled it';
  }
}

function retrySentence(ctx: FailureContext): string {
  if (ctx.attempts.length <= 1) return '';
  const retrier = ctx.retrier ? ` (Retry on ${ctx.retrier.ErrorEquals.join(', ')}, MaxAttempts ${ctx.retrier.MaxAttempts ?? 3})` : '';
  const errors = [...new Set(ctx.attempts.map((attempt) => attempt.error))].map((e) => `\`${e}\``).join(', ');
  return ` It was tried ${ctx.attempts.length} times${retrier}; every attempt failed (${errors}).`;
}

function handledSentence(ctx: FailureContext): string {
  if (ctx.handled.length === 0) return '';
  const parts = ctx.handled.map((h) => `${name(h.state)} failed with \`${h.error}\` and the Catch on ${name(h.caughtBy ?? h.state)} sent the execution to ${name(h.wentTo ?? h.catcher?.Next ?? '?')}`);
  return ` Earlier, ${parts.join('; ')}: that was handled and is not the cause.`;
}

function confirmRun(ctx: FailureContext): string {
  const machine = ctx.execution.stateMachineArn?.split(':').at(-1) ?? '<machine>';
  return `Apply the change, redeploy (\`deliv deploy\`), run the same input again (\`deliv start ${machine} --input <the failing input> --wait\`) and check ${name(ctx)} now succeeds or is routed as intended (\`deliv logs\`).`;
}

/** Pretty JSON with arrays of scalars kept on one line, as people write ASL. */
function snippet(value: unknown): string {
  const json = JSON.stringify(value, null, 2).replace(/\[\s+((?:"[^"]*"|[\d.]+)(?:,\s+(?:"[^"]*"|[\d.]+))*)\s+\]/g, (_, items: string) => `[${items.replace(/,\s+/g, ', ')}]`);
  return `\`\`\`json\n${json}\n\`\`\``;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function camel(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1).replace(/[^A-Za-z0-9]/g, '');
}

function isLambdaResource(ctx: FailureContext): boolean {
  const resource = (ctx.failingState?.definition as { Resource?: string } | undefined)?.Resource ?? '';
  return resource.includes(':lambda:') || resource.startsWith('arn:aws:states:::lambda:invoke');
}

/** The Lambda function name a task calls (from Parameters.FunctionName or the resource ARN). */
function functionName(ctx: FailureContext): string | undefined {
  const params = ctx.failingState?.parameters;
  const fromParams = params && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, JsonValue>).FunctionName : undefined;
  const resource = typeof fromParams === 'string' ? fromParams : (ctx.failingState?.definition as { Resource?: string } | undefined)?.Resource;
  const match = resource?.match(/function:([A-Za-z0-9_-]+)/) ?? (typeof fromParams === 'string' ? [fromParams, fromParams.split(':')[0]] : null);
  return match?.[1];
}

/** `arn:aws:states:::dynamodb:putItem` → `dynamodb:PutItem`; a Lambda ARN → `lambda:InvokeFunction`. */
function resourceAction(resource: string | undefined): string | undefined {
  if (!resource) return undefined;
  if (resource.includes(':lambda:') || resource.includes('lambda:invoke')) return 'lambda:InvokeFunction';
  const integration = resource.match(/^arn:aws[\w-]*:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)/);
  if (integration) return `${integration[1]}:${integration[2].charAt(0).toUpperCase()}${integration[2].slice(1)}`;
  return undefined;
}

function resourceTarget(ctx: FailureContext): string | undefined {
  const params = ctx.failingState?.parameters;
  if (params && typeof params === 'object' && !Array.isArray(params)) {
    for (const key of ['FunctionName', 'TopicArn', 'QueueUrl', 'TableName', 'StateMachineArn']) {
      const value = (params as Record<string, JsonValue>)[key];
      if (typeof value === 'string') return value;
    }
  }
  return (ctx.failingState?.definition as { Resource?: string } | undefined)?.Resource;
}

function pathFromCause(cause: string | undefined): string | undefined {
  return cause?.match(/(?:Result|Reference)Path\s*'?"?(\$[^'"\s]*)/)?.[1];
}

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']. Only the plain reference paths ResultPath and `.$` fields use. */
export function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  const body = path.replace(/^\$/, '');
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g;
  for (const match of body.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[3] ?? match[4]);
  }
  return segments;
}

export function getPath(value: JsonValue | undefined, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = typeof value === 'string' ? historyValue(value) : value;
  for (const segment of pathSegments(path)) {
    if (node === null || node === undefined || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? (typeof segment === 'number' ? node[segment] : undefined) : (node as Record<string, JsonValue>)[String(segment)];
  }
  return node;
}

/** Where a path stops matching: "`$.order` has keys id, items; there is no `customer`". */
function describeMissing(input: JsonValue | undefined, path: string): string {
  const segments = pathSegments(path);
  let node: JsonValue | undefined = input;
  const walked: string[] = ['$'];
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return `\`${walked.join('.')}\` is ${describeType(node)}, so \`${segment}\` cannot be read from it.`;
    const next: JsonValue | undefined = Array.isArray(node) ? (typeof segment === 'number' ? node[segment] : undefined) : (node as Record<string, JsonValue>)[String(segment)];
    if (next === undefined) {
      const keys = Array.isArray(node) ? `an array of ${node.length}` : `keys ${Object.keys(node).map((k) => `\`${k}\``).join(', ') || '(none)'}`;
      return `\`${walked.join('.')}\` has ${keys}; there is no \`${segment}\`.`;
    }
    node = next;
    walked.push(String(segment));
  }
  return '';
}

function describeType(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

/** A compact picture of a value's structure, without its data: `{orderId: string, items: [ {sku: string} ]}`. */
export function shape(value: JsonValue | undefined, depth = 0): string {
  if (value === undefined) return 'unknown';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : depth > 2 ? '[…]' : `[${shape(value[0], depth + 1)}${value.length > 1 ? `, …${value.length}` : ''}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (depth > 2) return '{…}';
    const shown = entries.slice(0, 12).map(([key, item]) => `${key}: ${shape(item, depth + 1)}`);
    return `{${shown.join(', ')}${entries.length > 12 ? ', …' : ''}}`;
  }
  return typeof value;
}

function dynamicFields(template: JsonValue | undefined, prefix = ''): Array<[string, string]> {
  if (!template || typeof template !== 'object') return [];
  const fields: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(template)) {
    const field = prefix ? `${prefix}.${key}` : key;
    if (key.endsWith('.$') && typeof value === 'string') fields.push([field, value]);
    else if (value && typeof value === 'object') fields.push(...dynamicFields(value as JsonValue, field));
  }
  return fields;
}

function variablesOf(rule: ChoiceRule): string[] {
  const own = typeof rule.Variable === 'string' ? [rule.Variable] : [];
  const nested = [...(rule.And ?? []), ...(rule.Or ?? []), ...(rule.Not ? [rule.Not] : [])].flatMap(variablesOf);
  return [...own, ...nested];
}

function collectIntrinsics(template: JsonValue | undefined): string[] {
  if (!template || typeof template !== 'object') return [];
  return Object.values(template).flatMap((value) =>
    typeof value === 'string' && /^States\.[A-Za-z]+\(/.test(value) ? [value] : value && typeof value === 'object' ? collectIntrinsics(value as JsonValue) : [],
  );
}


/** A trace frame as a place: `at handler (functions/x.ts:26:44)` reads `functions/x.ts:26:44, in handler`. */
function frameText(frame: string): string {
  const bare = frame.trim().replace(/^at\s+/, '');
  const call = /^(\S+) \((.+)\)$/.exec(bare);
  return call ? `${call[2]}, in ${call[1]}` : bare;
}
