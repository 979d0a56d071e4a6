/** Tags on state machines (and their versions' parent), as TagResource/UntagResource/ListTagsForResource. */
import { ApiError, resourceNotFound, validationError } from '../api-error.js';
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

/**
 * The `tags` of a request, checked as AWS's model does (a list of `{key, value}`
 * strings, keys 1–128 characters, values at most 256), so that nothing the
 * store cannot hold reaches it: a bad tag is a ValidationException, never a 500.
 */
export function checkTags(value: unknown, field = 'tags'): { key: string; value: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ApiError('SerializationException', `Unexpected value at '${field}': expected a list of tags`);
  return value.map((tag: unknown, index) => {
    const at = `${field}.${index + 1}.member`;
    if (!tag || typeof tag !== 'object' || Array.isArray(tag)) throw new ApiError('SerializationException', `Unexpected value at '${at}': expected a tag object`);
    const { key, value: tagValue } = tag as { key?: unknown; value?: unknown };
    if (key !== undefined && typeof key !== 'string') throw new ApiError('SerializationException', `Unexpected value at '${at}.key': expected a string`);
    if (tagValue !== undefined && tagValue !== null && typeof tagValue !== 'string') throw new ApiError('SerializationException', `Unexpected value at '${at}.value': expected a string`);
    if (key === undefined || key.length < 1) throw validationError(`${at}.key`, 'Member must have length greater than or equal to 1');
    if (key.length > 128) throw validationError(`${at}.key`, 'Member must have length less than or equal to 128');
    const text = tagValue ?? '';
    if (text.length > 256) throw validationError(`${at}.value`, 'Member must have length less than or equal to 256');
    return { key, value: text };
  });
}

const tagResource: Handler = (context, input) => {
  const arn = taggable(context, requireString(input, 'resourceArn'));
  const clean = checkTags(input.tags);
  const keys = new Set([...context.store.tags(arn).map((tag) => tag.key), ...clean.map((tag) => tag.key)]);
  if (keys.size > MAX_TAGS) throw new ApiError('TooManyTags', `Too many tags: a resource has at most ${MAX_TAGS}`, 400, { resourceName: arn });
  context.store.tag(arn, clean);
  return {};
};

const untagResource: Handler = (context, input) => {
  const arn = taggable(context, requireString(input, 'resourceArn'));
  const raw = input.tagKeys ?? [];
  if (!Array.isArray(raw) || raw.some((key) => typeof key !== 'string')) throw new ApiError('SerializationException', "Unexpected value at 'tagKeys': expected a list of strings");
  const keys = raw as string[];
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
