/** CreateActivity, DescribeActivity, ListActivities, DeleteActivity and GetActivityTask (a long poll). */
import { ApiError } from '../api-error.js';
import { checkName } from '../arn.js';
import type { EmulatorContext } from '../context.js';
import { compact, epoch, optionalString, requireString, type Handler } from './common.js';

const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):activity:([^:]+)$/;

function activityArnOf(context: EmulatorContext, name: string): string {
  return `arn:aws:states:${context.partition.region}:${context.partition.account}:activity:${name}`;
}

/** An existing activity by ARN: a malformed ARN is InvalidArn, an unknown one ActivityDoesNotExist, as on AWS. */
function requireActivity(context: EmulatorContext, input: Record<string, unknown>) {
  const arn = requireString(input, 'activityArn');
  if (!ACTIVITY_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  const activity = context.store.getActivity(arn);
  if (!activity) throw new ApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
  return activity;
}

const createActivity: Handler = (context, input) => {
  const name = checkName(requireString(input, 'name'));
  const arn = activityArnOf(context, name);
  return context.store.transaction(() => {
    // Idempotent by name, as AWS documents: the same name answers with the activity that exists.
    const existing = context.store.getActivity(arn);
    if (existing) return { activityArn: arn, creationDate: epoch(existing.created) };
    const created = Date.now();
    context.store.putActivity({ arn, name, created });
    const tags = input.tags;
    if (Array.isArray(tags)) context.store.tag(arn, tags as { key: string; value: string }[]);
    return { activityArn: arn, creationDate: epoch(created) };
  });
};

const describeActivity: Handler = (context, input) => {
  const activity = requireActivity(context, input);
  return { activityArn: activity.arn, name: activity.name, creationDate: epoch(activity.created) };
};

const listActivities: Handler = (context, input) => {
  const scope = 'ListActivities';
  const request = context.pager.request(input, scope);
  const after = request.after && String(request.after[0]);
  const { page, nextToken } = context.pager.result(context.store.listActivities(after, request.size + 1), request, scope, (activity) => [activity.arn]);
  return compact({ activities: page.map((activity) => ({ activityArn: activity.arn, name: activity.name, creationDate: epoch(activity.created) })), nextToken });
};

const deleteActivity: Handler = (context, input) => {
  const arn = requireString(input, 'activityArn');
  if (!ACTIVITY_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  context.store.deleteActivity(arn);
  context.activities.forget(arn);
  return {};
};

const getActivityTask: Handler = (context, input, call) => {
  const activity = requireActivity(context, input);
  const workerName = optionalString(input, 'workerName', 80);
  return context.activities.poll(activity.arn, workerName, call?.signal);
};

export const activityActions: Record<string, Handler> = {
  CreateActivity: createActivity,
  DescribeActivity: describeActivity,
  ListActivities: listActivities,
  DeleteActivity: deleteActivity,
  GetActivityTask: getActivityTask,
};
