/** State machines, their versions and aliases. */
import { createHash } from 'node:crypto';
import { logGroupNameFromArn } from '../../aws/execution-logs.js';
import { ApiError, conflict, notFoundMachine, resourceNotFound, validationError } from '../api-error.js';
import { checkAliasName, checkName, machineArn, parseMachineArn, type MachineRef } from '../arn.js';
import type { EmulatorContext } from '../context.js';
import { checkTags } from './tags.js';
import { isDeleting, type AliasRow, type MachineRow, type RoutingEntry, type VersionRow } from '../store.js';
import { compact, DEFAULT_LOGGING, DEFAULT_TRACING, epoch, optionalString, pageKeyOf, requireString, type Handler, type Input } from './common.js';

const MAX_DEFINITION_BYTES = 1_048_576;

function checkDefinition(context: EmulatorContext, definition: string, type: 'STANDARD' | 'EXPRESS'): void {
  if (Buffer.byteLength(definition, 'utf8') > MAX_DEFINITION_BYTES) {
    throw validationError('definition', `Member must have length less than or equal to ${MAX_DEFINITION_BYTES}`);
  }
  context.machines.get(definition, type);
}

function checkRoleArn(roleArn: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${roleArn}'`);
  }
}

const revisionOf = (definition: string, roleArn: string) => createHash('sha256').update(definition).update('\0').update(roleArn).digest('hex').slice(0, 32);

/**
 * A loggingConfiguration as AWS checks it: a known level; with any level but
 * OFF exactly one CloudWatch Logs log group destination, which must exist
 * (the emulator's own log groups, created with CreateLogGroup).
 */
function checkLoggingConfiguration(context: EmulatorContext, value: unknown): void {
  if (value === undefined || value === null) return;
  const configuration = value as { level?: unknown; destinations?: unknown };
  const level = configuration.level ?? 'OFF';
  if (!['ALL', 'ERROR', 'FATAL', 'OFF'].includes(String(level))) {
    throw validationError('loggingConfiguration.level', 'Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]');
  }
  const destinations = Array.isArray(configuration.destinations) ? (configuration.destinations as { cloudWatchLogsLogGroup?: { logGroupArn?: unknown } }[]) : [];
  if (level === 'OFF' && destinations.length === 0) return;
  if (destinations.length !== 1) throw new ApiError('InvalidLoggingConfiguration', 'Invalid Logging Configuration: Must specify exactly one Log Destination.');
  const arn = destinations[0]?.cloudWatchLogsLogGroup?.logGroupArn;
  const name = typeof arn === 'string' ? logGroupNameFromArn(arn) : undefined;
  if (!name) throw new ApiError('InvalidLoggingConfiguration', `Invalid Logging Configuration: Invalid log group ARN '${String(arn)}'.`);
  if (!context.logs.hasGroup(name)) throw new ApiError('InvalidLoggingConfiguration', 'Invalid Logging Configuration: Log Destination not found.');
}

function jsonMember(input: Input, field: string, fallback: unknown): string {
  const value = input[field];
  return JSON.stringify(value === undefined || value === null ? fallback : value);
}

export function getMachine(context: EmulatorContext, arn: string): MachineRow {
  const machine = context.store.getMachine(arn);
  if (!machine) throw notFoundMachine(arn);
  return machine;
}

/**
 * A machine new work may be given: AWS refuses a DELETING one with StateMachineDeleting ("The specified state
 * machine is being deleted"), in the words a user recorded from CreateStateMachine (Netflix/metaflow#1284),
 * which name no ARN, unlike StateMachineDoesNotExist's.
 */
export function activeMachine(context: EmulatorContext, arn: string): MachineRow {
  const machine = getMachine(context, arn);
  if (isDeleting(machine)) throw new ApiError('StateMachineDeleting', 'State Machine is being deleted');
  return machine;
}

/** What a state machine, version or alias ARN runs: the definition and the version it came from. */
export interface ResolvedMachine {
  ref: MachineRef;
  machine: MachineRow;
  version?: VersionRow;
  alias?: AliasRow;
  definition: string;
  roleArn: string;
  revisionId: string;
}

export function resolveMachine(context: EmulatorContext, arn: string): ResolvedMachine {
  const ref = parseMachineArn(arn);
  const machine = activeMachine(context, ref.machineArn);
  let versionArn: string | undefined;
  let alias: AliasRow | undefined;
  if (ref.alias !== undefined) {
    alias = context.store.getAlias(`${ref.machineArn}:${ref.alias}`);
    if (!alias) throw notFoundMachine(arn.split('#')[0]);
    versionArn = pickRoute(alias.routing);
  } else if (ref.version !== undefined) {
    versionArn = `${ref.machineArn}:${ref.version}`;
  }
  if (versionArn === undefined) return { ref, machine, alias, definition: machine.definition, roleArn: machine.roleArn, revisionId: machine.revisionId };
  const version = context.store.getVersion(versionArn);
  if (!version) throw notFoundMachine(versionArn);
  return { ref, machine, version, alias, definition: version.definition, roleArn: version.roleArn, revisionId: version.revisionId };
}

/** An alias sends each execution to one of its versions with the configured weights. */
function pickRoute(routing: RoutingEntry[]): string {
  let roll = Math.random() * 100;
  for (const route of routing) {
    roll -= route.weight;
    if (roll < 0) return route.stateMachineVersionArn;
  }
  return routing[routing.length - 1].stateMachineVersionArn;
}

function publishVersion(context: EmulatorContext, machine: MachineRow, description: string | undefined, now: number): VersionRow {
  const latest = context.store.listVersions(machine.arn)[0];
  // Publishing is idempotent: the current revision keeps its version.
  if (latest && latest.revisionId === machine.revisionId) return latest;
  const number = context.store.nextVersionNumber(machine.arn);
  const version: VersionRow = {
    arn: `${machine.arn}:${number}`,
    machineArn: machine.arn,
    version: number,
    definition: machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    description: description ?? '',
    revisionId: machine.revisionId,
    created: now,
  };
  context.store.putVersion(version);
  return version;
}

/** A logging or tracing configuration with AWS's defaults filled in, to compare two requests by what they mean. */
function canonicalConfiguration(text: string, defaults: Record<string, unknown>): string {
  const value = { ...defaults, ...(JSON.parse(text) as Record<string, unknown>) };
  if ('level' in defaults && value.destinations === undefined) value.destinations = [];
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));
}

/**
 * CreateStateMachine's idempotency check as AWS documents it: name (the ARN),
 * definition, type, logging and tracing configuration, and publish with its
 * versionDescription. A different roleArn or tags do not count.
 */
function sameCreateRequest(
  context: EmulatorContext,
  existing: MachineRow,
  request: { definition: string; type: string; loggingConfiguration: string; tracingConfiguration: string; publish: boolean; versionDescription?: string },
): boolean {
  if (existing.definition !== request.definition || existing.type !== request.type) return false;
  if (canonicalConfiguration(existing.loggingConfiguration, DEFAULT_LOGGING) !== canonicalConfiguration(request.loggingConfiguration, DEFAULT_LOGGING)) return false;
  if (canonicalConfiguration(existing.tracingConfiguration, DEFAULT_TRACING) !== canonicalConfiguration(request.tracingConfiguration, DEFAULT_TRACING)) return false;
  if (!request.publish) return true;
  // publish: the repeat publishes nothing new, it names the version of this revision (with the same description) that exists.
  const latest = context.store.listVersions(existing.arn)[0];
  return latest !== undefined && latest.revisionId === existing.revisionId && latest.description === (request.versionDescription ?? '');
}

const createStateMachine: Handler = (context, input) => {
  const name = requireString(input, 'name');
  const definition = requireString(input, 'definition');
  const roleArn = optionalString(input, 'roleArn') ?? `arn:aws:iam::${context.partition.account}:role/DelivLocalRole`;
  const type = (optionalString(input, 'type') ?? 'STANDARD') as 'STANDARD' | 'EXPRESS';
  if (type !== 'STANDARD' && type !== 'EXPRESS') throw validationError('type', 'Member must satisfy enum value set: [STANDARD, EXPRESS]');
  checkName(name);
  const tags = checkTags(input.tags);
  const versionDescription = optionalString(input, 'versionDescription', 256);
  if (versionDescription !== undefined && input.publish !== true) {
    throw new ApiError('ValidationException', 'Version description can only be set when publish is true', 400, { reason: 'MISSING_REQUIRED_PARAMETER' });
  }
  checkRoleArn(roleArn);
  checkDefinition(context, definition, type);
  const arn = machineArn(context.partition, name);
  const now = context.clock.now();
  checkLoggingConfiguration(context, input.loggingConfiguration);
  const loggingConfiguration = jsonMember(input, 'loggingConfiguration', DEFAULT_LOGGING);
  const tracingConfiguration = jsonMember(input, 'tracingConfiguration', DEFAULT_TRACING);
  return context.store.transaction(() => {
    const existing = context.store.getMachine(arn);
    if (existing) {
      if (isDeleting(existing)) activeMachine(context, arn);
      if (!sameCreateRequest(context, existing, { definition, type, loggingConfiguration, tracingConfiguration, publish: input.publish === true, versionDescription })) {
        throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
      }
      // The same request again is answered as the first time; its roleArn and tags are ignored (not applied), as AWS documents.
      const version = input.publish === true ? context.store.listVersions(existing.arn)[0] : undefined;
      return compact({ stateMachineArn: arn, creationDate: epoch(existing.created), stateMachineVersionArn: version?.arn });
    }
    const machine: MachineRow = {
      arn,
      name,
      type,
      definition,
      roleArn,
      description: '',
      loggingConfiguration,
      tracingConfiguration,
      revisionId: revisionOf(definition, roleArn),
      created: now,
      updated: now,
    };
    context.store.putMachine(machine);
    if (tags.length > 0) context.store.tag(arn, tags);
    const version = input.publish === true ? publishVersion(context, machine, versionDescription, now) : undefined;
    return compact({ stateMachineArn: arn, creationDate: epoch(now), stateMachineVersionArn: version?.arn });
  });
};

const updateStateMachine: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineArn');
  const ref = parseMachineArn(arn);
  if (ref.version !== undefined || ref.alias !== undefined) {
    throw new ApiError('ValidationException', `Invalid Arn: 'Only unqualified state machine ARNs can be updated: ${arn}'`, 400, { reason: 'API_DOES_NOT_SUPPORT_LABELED_ARNS' });
  }
  const definition = optionalString(input, 'definition');
  const roleArn = optionalString(input, 'roleArn');
  const versionDescription = optionalString(input, 'versionDescription', 256);
  if (definition === undefined && roleArn === undefined && input.loggingConfiguration === undefined && input.tracingConfiguration === undefined && input.publish !== true) {
    throw new ApiError('MissingRequiredParameter', 'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified');
  }
  if (versionDescription !== undefined && input.publish !== true) {
    throw new ApiError('ValidationException', 'Version description can only be set when publish is true', 400, { reason: 'MISSING_REQUIRED_PARAMETER' });
  }
  if (roleArn !== undefined) checkRoleArn(roleArn);
  if (definition !== undefined) checkDefinition(context, definition, activeMachine(context, ref.machineArn).type);
  checkLoggingConfiguration(context, input.loggingConfiguration);
  const now = context.clock.now();
  return context.store.transaction(() => {
    const machine = activeMachine(context, ref.machineArn);
    const updated: MachineRow = {
      ...machine,
      definition: definition ?? machine.definition,
      roleArn: roleArn ?? machine.roleArn,
      loggingConfiguration: input.loggingConfiguration ? JSON.stringify(input.loggingConfiguration) : machine.loggingConfiguration,
      tracingConfiguration: input.tracingConfiguration ? JSON.stringify(input.tracingConfiguration) : machine.tracingConfiguration,
    };
    updated.revisionId = revisionOf(updated.definition, updated.roleArn);
    if (updated.revisionId !== machine.revisionId || updated.loggingConfiguration !== machine.loggingConfiguration || updated.tracingConfiguration !== machine.tracingConfiguration) {
      updated.updated = now;
    }
    context.store.putMachine(updated);
    const version = input.publish === true ? publishVersion(context, updated, versionDescription, now) : undefined;
    return compact({ updateDate: epoch(updated.updated), revisionId: updated.revisionId, stateMachineVersionArn: version?.arn });
  });
};

const deleteStateMachine: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineArn');
  const ref = parseMachineArn(arn);
  if (ref.alias !== undefined) {
    throw new ApiError('ValidationException', `Invalid Arn: 'Use DeleteStateMachineAlias to delete an alias: ${arn}'`, 400, { reason: 'API_DOES_NOT_SUPPORT_LABELED_ARNS' });
  }
  if (ref.version !== undefined) return deleteStateMachineVersion(context, { stateMachineVersionArn: arn });
  const machine = context.store.getMachine(ref.machineArn);
  // A Standard machine's running executions end at their next transition (Runtime.halt); the machine goes with the last
  // of them. An Express machine goes at once: AWS lets its running executions carry on ("may emit logs after").
  if (machine?.type === 'STANDARD' && context.store.runningExecutionCount(machine.arn) > 0) {
    context.store.markMachineDeleting(machine.arn, context.clock.now());
    context.runtime.halt(machine.arn);
  } else if (machine) {
    context.store.deleteMachine(machine.arn);
  }
  return {};
};

const describeStateMachine: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineArn');
  const ref = parseMachineArn(arn);
  if (ref.alias !== undefined) {
    throw new ApiError('ValidationException', `Invalid Arn: 'Use DescribeStateMachineAlias for an alias: ${arn}'`, 400, { reason: 'API_DOES_NOT_SUPPORT_LABELED_ARNS' });
  }
  const machine = getMachine(context, ref.machineArn);
  const base = {
    name: machine.name,
    status: isDeleting(machine) ? 'DELETING' : 'ACTIVE',
    type: machine.type,
    loggingConfiguration: JSON.parse(machine.loggingConfiguration) as unknown,
    tracingConfiguration: JSON.parse(machine.tracingConfiguration) as unknown,
    encryptionConfiguration: { type: 'AWS_OWNED_KEY' },
  };
  if (ref.version !== undefined) {
    const version = context.store.getVersion(`${ref.machineArn}:${ref.version}`);
    if (!version) throw notFoundMachine(arn);
    return compact({
      stateMachineArn: version.arn,
      ...base,
      definition: version.definition,
      roleArn: version.roleArn,
      creationDate: epoch(version.created),
      revisionId: version.revisionId,
      description: version.description || undefined,
    });
  }
  return compact({ stateMachineArn: machine.arn, ...base, definition: machine.definition, roleArn: machine.roleArn, creationDate: epoch(machine.created), revisionId: machine.revisionId });
};

const listStateMachines: Handler = (context, input) => {
  const scope = 'ListStateMachines';
  const request = context.pager.request(input, scope);
  const after = request.after && String(request.after[0]);
  const { page, nextToken } = context.pager.result(context.store.listMachinesPage(after, request.size + 1), request, scope, (machine) => [machine.name]);
  return compact({
    stateMachines: page.map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: machine.type, creationDate: epoch(machine.created) })),
    nextToken,
  });
};

// ---- versions ------------------------------------------------------------------------------

const publishStateMachineVersion: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineArn');
  const ref = parseMachineArn(arn);
  const description = optionalString(input, 'description', 256);
  const revisionId = optionalString(input, 'revisionId');
  return context.store.transaction(() => {
    const machine = activeMachine(context, ref.machineArn);
    if (revisionId !== undefined && revisionId !== machine.revisionId) {
      throw conflict(`Failed to publish the State Machine version for revision ${revisionId}. The current State Machine revision is ${machine.revisionId}.`);
    }
    const version = publishVersion(context, machine, description, context.clock.now());
    return { creationDate: epoch(version.created), stateMachineVersionArn: version.arn };
  });
};

const listStateMachineVersions: Handler = (context, input) => {
  const ref = parseMachineArn(requireString(input, 'stateMachineArn'));
  getMachine(context, ref.machineArn);
  const scope = `ListStateMachineVersions|${ref.machineArn}`;
  const request = context.pager.request(input, scope);
  const after = request.after && pageKeyOf(request.after, 1)[0];
  const rows = context.store.listVersionsPage(ref.machineArn, after, request.size + 1);
  const { page, nextToken } = context.pager.result(rows, request, scope, (version) => [version.version]);
  return compact({ stateMachineVersions: page.map((version) => ({ stateMachineVersionArn: version.arn, creationDate: epoch(version.created) })), nextToken });
};

const deleteStateMachineVersion: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineVersionArn');
  const ref = parseMachineArn(arn, 'stateMachineVersionArn');
  if (ref.version === undefined) throw new ApiError('InvalidArn', `Invalid Arn: 'Not a state machine version ARN: ${arn}'`);
  const referencing = context.store.listAliases(ref.machineArn).filter((alias) => alias.routing.some((route) => route.stateMachineVersionArn === arn));
  if (referencing.length > 0) {
    throw conflict(`Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${referencing.map((alias) => alias.name).join(', ')}]`);
  }
  context.store.deleteVersion(arn);
  return {};
};

// ---- aliases -------------------------------------------------------------------------------

/** A routing configuration checked in AWS's order, with its recorded messages: the model's constraints first, then the rules on versions and weights. */
function checkRouting(context: EmulatorContext, value: unknown): { machineArn: string; routing: RoutingEntry[] } {
  if (!Array.isArray(value) || value.length < 1) throw validationError('routingConfiguration', 'Member must have length greater than or equal to 1');
  const routing = value.map((entry: { stateMachineVersionArn?: unknown; weight?: unknown }) => ({
    stateMachineVersionArn: String(entry?.stateMachineVersionArn ?? ''),
    weight: Number(entry?.weight),
  }));
  if (routing.length > 2) {
    const shown = routing.map((route) => `RoutingConfigurationListItem(stateMachineVersionArn=${route.stateMachineVersionArn}, weight=${route.weight})`).join(', ');
    throw validationError('routingConfiguration', 'Member must have length less than or equal to 2', `[${shown}]`);
  }
  routing.forEach((route, index) => {
    const at = `routingConfiguration.${index + 1}.member.weight`;
    if (!Number.isInteger(route.weight) || route.weight < 0) throw validationError(at, 'Member must have value greater than or equal to 0', String(route.weight));
    if (route.weight > 100) throw validationError(at, 'Member must have value less than or equal to 100', String(route.weight));
  });
  const received = (values: (string | number)[]) => `Received: [${values.join(', ')}]`;
  const arns = routing.map((route) => route.stateMachineVersionArn);
  const refs = arns.map((arn) => parseMachineArn(arn, 'stateMachineVersionArn'));
  if (refs.some((ref) => ref.version === undefined)) {
    throw new ApiError('ValidationException', `Routing configuration must contain state machine version ARNs. ${received(arns)}`, 400, { reason: 'INVALID_ROUTING_CONFIGURATION' });
  }
  if (new Set(refs.map((ref) => ref.machineArn)).size !== 1) {
    throw new ApiError('ValidationException', `Routing configuration must contain state machine version ARNs of the same state machine. ${received(arns)}`, 400, { reason: 'INVALID_ROUTING_CONFIGURATION' });
  }
  if (new Set(arns).size !== arns.length) {
    throw new ApiError('ValidationException', `Routing configuration must contain distinct state machine version ARNs. ${received(arns)}`, 400, { reason: 'INVALID_ROUTING_CONFIGURATION' });
  }
  if (routing.reduce((sum, route) => sum + route.weight, 0) !== 100) {
    throw new ApiError('ValidationException', `Sum of routing configuration weights must equal 100. ${received(routing.map((route) => route.weight))}`, 400, { reason: 'INVALID_ROUTING_CONFIGURATION' });
  }
  for (const arn of arns) {
    if (!context.store.getVersion(arn)) throw resourceNotFound(`Resource not found: '${arn}'`, arn);
  }
  return { machineArn: refs[0].machineArn, routing };
}

function getAlias(context: EmulatorContext, arn: string): AliasRow {
  const alias = context.store.getAlias(arn);
  if (!alias) throw resourceNotFound(`Resource not found: '${arn}'`, arn);
  return alias;
}

const createStateMachineAlias: Handler = (context, input) => {
  const name = requireString(input, 'name');
  checkAliasName(name);
  const description = optionalString(input, 'description', 256) ?? '';
  const { machineArn: owner, routing } = checkRouting(context, input.routingConfiguration);
  return context.store.transaction(() => {
    activeMachine(context, owner);
    const arn = `${owner}:${name}`;
    const existing = context.store.getAlias(arn);
    if (existing) {
      if (existing.description === description && JSON.stringify(existing.routing) === JSON.stringify(routing)) {
        return { stateMachineAliasArn: arn, creationDate: epoch(existing.created) };
      }
      throw conflict(`Failed to create alias because an alias with the same name and a different routing configuration already exists.`);
    }
    const now = context.clock.now();
    context.store.putAlias({ arn, machineArn: owner, name, description, routing, created: now, updated: now });
    return { stateMachineAliasArn: arn, creationDate: epoch(now) };
  });
};

const describeStateMachineAlias: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineAliasArn');
  parseMachineArn(arn, 'stateMachineAliasArn');
  const alias = getAlias(context, arn);
  return compact({
    stateMachineAliasArn: alias.arn,
    name: alias.name,
    description: alias.description || undefined,
    routingConfiguration: alias.routing,
    creationDate: epoch(alias.created),
    updateDate: epoch(alias.updated),
  });
};

const updateStateMachineAlias: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineAliasArn');
  parseMachineArn(arn, 'stateMachineAliasArn');
  if (input.description === undefined && input.routingConfiguration === undefined) {
    throw new ApiError('MissingRequiredParameter', 'Either the description or the RoutingConfiguration must be specified');
  }
  return context.store.transaction(() => {
    const alias = getAlias(context, arn);
    const routing = input.routingConfiguration === undefined ? alias.routing : checkRouting(context, input.routingConfiguration).routing;
    const now = context.clock.now();
    context.store.putAlias({ ...alias, description: optionalString(input, 'description', 256) ?? alias.description, routing, updated: now });
    return { updateDate: epoch(now) };
  });
};

const listStateMachineAliases: Handler = (context, input) => {
  const ref = parseMachineArn(requireString(input, 'stateMachineArn'));
  getMachine(context, ref.machineArn);
  const scope = `ListStateMachineAliases|${ref.machineArn}`;
  const request = context.pager.request(input, scope);
  const after = request.after && String(request.after[0]);
  const rows = context.store.listAliasesPage(ref.machineArn, after, request.size + 1);
  const { page, nextToken } = context.pager.result(rows, request, scope, (alias) => [alias.name]);
  return compact({ stateMachineAliases: page.map((alias) => ({ stateMachineAliasArn: alias.arn, creationDate: epoch(alias.created) })), nextToken });
};

const deleteStateMachineAlias: Handler = (context, input) => {
  const arn = requireString(input, 'stateMachineAliasArn');
  parseMachineArn(arn, 'stateMachineAliasArn');
  getAlias(context, arn);
  context.store.deleteAlias(arn);
  return {};
};

export const machineActions: Record<string, Handler> = {
  CreateStateMachine: createStateMachine,
  UpdateStateMachine: updateStateMachine,
  DeleteStateMachine: deleteStateMachine,
  DescribeStateMachine: describeStateMachine,
  ListStateMachines: listStateMachines,
  PublishStateMachineVersion: publishStateMachineVersion,
  ListStateMachineVersions: listStateMachineVersions,
  DeleteStateMachineVersion: deleteStateMachineVersion,
  CreateStateMachineAlias: createStateMachineAlias,
  DescribeStateMachineAlias: describeStateMachineAlias,
  UpdateStateMachineAlias: updateStateMachineAlias,
  ListStateMachineAliases: listStateMachineAliases,
  DeleteStateMachineAlias: deleteStateMachineAlias,
};
