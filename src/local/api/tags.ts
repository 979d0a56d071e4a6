/** Tags on state machines (and their versions' parent), as TagResource/UntagResource/ListTagsForResource. */
import { ApiError, resourceNotFound } from '../api-error.js';
import type { EmulatorContext } from '../context.js';
import { requireString, type Handler } from './common.js';

const MAX_TAGS = 50;

function taggable(context: EmulatorContext, arn: string): string {
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|activity):[^:]+$/.test(arn)) {
    throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  }
  if (!context.store.getMachine(arn)) throw resourceNotFound(`Resource not found: '${arn}'`, arn);
  return arn;
}

const tagResource: Handler = (context, input) => {
  const arn = taggable(context, requireString(input, 'resourceArn'));
  const tags = Array.isArray(input.tags) ? (input.tags as { key?: unknown; value?: unknown }[]) : [];
  const clean = tags.map((tag) => ({ key: String(tag.key ?? ''), value: String(tag.value ?? '') }));
  if (clean.some((tag) => tag.key === '' || tag.key.length > 128 || tag.value.length > 256)) {
    throw new ApiError('ValidationException', '1 validation error detected: tag keys must have 1 to 128 characters and values at most 256');
  }
  const keys = new Set([...context.store.tags(arn).map((tag) => tag.key), ...clean.map((tag) => tag.key)]);
  if (keys.size > MAX_TAGS) throw new ApiError('TooManyTags', `Too many tags: a resource has at most ${MAX_TAGS}`, 400, { resourceName: arn });
  context.store.tag(arn, clean);
  return {};
};

const untagResource: Handler = (context, input) => {
  const arn = taggable(context, requireString(input, 'resourceArn'));
  const keys = Array.isArray(input.tagKeys) ? (input.tagKeys as unknown[]).map(String) : [];
  context.store.untag(arn, keys);
  return {};
};

const listTagsForResource: Handler = (context, input) => {
  const arn = taggable(context, requireString(input, 'resourceArn'));
  return { tags: context.store.tags(arn) };
};

export const tagActions: Record<string, Handler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
