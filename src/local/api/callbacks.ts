/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat for `.waitForTaskToken` tasks. */
import { checkPayloadSize, optionalString, requireString, type Handler } from './common.js';

const sendTaskSuccess: Handler = (context, input) => {
  const output = requireString(input, 'output');
  checkPayloadSize('output', output);
  context.tokens.succeed(requireString(input, 'taskToken'), output);
  return {};
};

const sendTaskFailure: Handler = (context, input) => {
  context.tokens.fail(requireString(input, 'taskToken'), optionalString(input, 'error', 256), optionalString(input, 'cause', 32768));
  return {};
};

const sendTaskHeartbeat: Handler = (context, input) => {
  context.tokens.heartbeat(requireString(input, 'taskToken'));
  return {};
};

export const callbackActions: Record<string, Handler> = {
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
};
