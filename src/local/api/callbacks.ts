/** SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat for `.waitForTaskToken` tasks. */
import { validationError } from '../api-error.js';
import { checkPayloadSize, optionalString, requireString, type Handler, type Input } from './common.js';

/** The model's TaskToken shape is 1 to 2048 characters; any other malformed token is the broker's InvalidToken. */
function taskToken(input: Input): string {
  const token = requireString(input, 'taskToken');
  if (token.length > 2048) throw validationError('taskToken', 'Member must have length less than or equal to 2048');
  if (token.length === 0) throw validationError('taskToken', 'Member must have length greater than or equal to 1');
  return token;
}

const sendTaskSuccess: Handler = (context, input) => {
  const output = requireString(input, 'output');
  checkPayloadSize('output', output);
  context.tokens.succeed(taskToken(input), output);
  return {};
};

const sendTaskFailure: Handler = (context, input) => {
  context.tokens.fail(taskToken(input), optionalString(input, 'error', 256), optionalString(input, 'cause', 32768));
  return {};
};

const sendTaskHeartbeat: Handler = (context, input) => {
  context.tokens.heartbeat(taskToken(input));
  return {};
};

export const callbackActions: Record<string, Handler> = {
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
};
