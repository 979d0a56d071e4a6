/**
 * Lambda, IAM and STS on one port of 127.0.0.1, each in its real wire format,
 * so that deploy runs through the real SDK clients (point
 * AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_IAM and AWS_ENDPOINT_URL_STS at `url`):
 *
 * - Lambda: REST-JSON under `/2015-03-31/functions`, errors with `x-amzn-ErrorType`.
 *   A new function is `Pending` and an updated one `InProgress` for the next
 *   `busyReads` reads; a write while it is busy gets Lambda's 409
 *   ResourceConflictException, so a deploy that does not wait fails here as on AWS.
 *   The first CreateFunction with a role created moments ago is refused as
 *   IAM's eventual consistency makes Lambda do ("cannot be assumed by Lambda").
 * - IAM (Query protocol, `Version=2010-05-08`) and STS (`Version=2011-06-15`):
 *   form-encoded requests, XML responses, documents URL-encoded as IAM returns them.
 *
 * `intercept` answers any call with an error instead (AccessDenied, throttling).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveFake } from './fake-server.js';

export interface FakeAwsCall {
  service: 'lambda' | 'iam' | 'sts';
  action: string;
  /** Lambda: the JSON body; IAM/STS: the form fields. */
  body: Record<string, any>;
  authorization: string;
}

export type FakeAwsError = { status: number; code: string; message: string };
export type FakeAwsInterceptor = (call: FakeAwsCall, count: number) => FakeAwsError | undefined;

export interface FakeFunction {
  configuration: Record<string, any>;
  tags: Record<string, string>;
  zip: Buffer;
  versions: string[];
  /** Alias name → the version it points at. */
  aliases: Map<string, string>;
  /** Reads left before the function is Active / its update Successful. */
  busy: number;
}

export interface FakeRole {
  name: string;
  arn: string;
  trust: string;
  tags: Record<string, string>;
  policies: Map<string, string>;
  /** Lambda has not seen this role yet: this many more CreateFunction calls with it are refused. */
  fresh: number;
}

export interface FakeAws {
  url: string;
  account: string;
  region: string;
  calls: FakeAwsCall[];
  functions: Map<string, FakeFunction>;
  roles: Map<string, FakeRole>;
  intercept(interceptor: FakeAwsInterceptor | undefined): void;
  /** Write calls only (no Get/List), as `service:Action`. */
  writes(): string[];
  close(): Promise<void>;
}

const READ = /^(Get|List)/;

/** `freshRefusals`: how many CreateFunction calls Lambda refuses with a new role before IAM has propagated it (1). */
export async function startFakeAws(options: { account?: string; region?: string; busyReads?: number; freshRefusals?: number } = {}): Promise<FakeAws> {
  const account = options.account ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const busyReads = options.busyReads ?? 1;
  const calls: FakeAwsCall[] = [];
  const counts = new Map<string, number>();
  const functions = new Map<string, FakeFunction>();
  const roles = new Map<string, FakeRole>();
  let interceptor: FakeAwsInterceptor | undefined;

  const intercepted = (call: FakeAwsCall): FakeAwsError | undefined => {
    calls.push(call);
    const key = `${call.service}:${call.action}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    return interceptor?.(call, count);
  };

  // ---------------------------------------------------------------- Lambda (REST-JSON)
  const lambdaError = (response: ServerResponse, error: FakeAwsError) => {
    response.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': randomUUID() });
    response.end(JSON.stringify({ Type: 'User', message: error.message }));
  };
  const lambdaOk = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const notFound = (name: string): FakeAwsError => ({ status: 404, code: 'ResourceNotFoundException', message: `Function not found: arn:aws:lambda:${region}:${account}:function:${name}` });
  /** What a read shows, counting down the reads a busy function needs to settle. */
  const read = (fn: FakeFunction) => {
    if (fn.busy > 0) {
      fn.busy--;
      if (fn.busy === 0) {
        if (fn.configuration.State === 'Pending') Object.assign(fn.configuration, { State: 'Active', StateReason: undefined, StateReasonCode: undefined });
        if (fn.configuration.LastUpdateStatus === 'InProgress') fn.configuration.LastUpdateStatus = 'Successful';
      }
    }
    return { ...fn.configuration };
  };
  const conflictIfBusy = (fn: FakeFunction): FakeAwsError | undefined => {
    if (fn.configuration.State === 'Pending') return { status: 409, code: 'ResourceConflictException', message: `The operation cannot be performed at this time. The function is currently in the following state: Pending` };
    if (fn.configuration.LastUpdateStatus === 'InProgress') return { status: 409, code: 'ResourceConflictException', message: `The operation cannot be performed at this time. An update is in progress for resource: ${fn.configuration.FunctionArn}` };
    return undefined;
  };
  const sha = (zip: Buffer) => createHash('sha256').update(zip).digest('base64');

  function lambda(request: IncomingMessage, response: ServerResponse, text: string, authorization: string): void {
    const url = new URL(request.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).slice(2).map(decodeURIComponent); // after 2015-03-31/functions
    const body = text ? (JSON.parse(text) as Record<string, any>) : {};
    const method = request.method ?? 'GET';
    const [name, sub, qualifier] = parts;
    const action =
      method === 'POST' && parts.length === 0 ? 'CreateFunction'
        : method === 'GET' && parts.length === 1 ? 'GetFunction'
          : method === 'GET' && sub === 'configuration' ? 'GetFunctionConfiguration'
            : method === 'PUT' && sub === 'code' ? 'UpdateFunctionCode'
              : method === 'PUT' && sub === 'configuration' ? 'UpdateFunctionConfiguration'
                : method === 'POST' && sub === 'versions' ? 'PublishVersion'
                  : method === 'DELETE' && parts.length === 1 ? 'DeleteFunction'
                    : method === 'GET' && sub === 'aliases' && qualifier ? 'GetAlias'
                      : method === 'POST' && sub === 'aliases' ? 'CreateAlias'
                        : method === 'PUT' && sub === 'aliases' && qualifier ? 'UpdateAlias'
                          : method === 'GET' && sub === 'versions' ? 'ListVersionsByFunction'
                    : `Unknown ${method} ${url.pathname}`;
    const failure = intercepted({ service: 'lambda', action, body: { ...body, FunctionName: body.FunctionName ?? name }, authorization });
    if (failure) return lambdaError(response, failure);
    const fn = name ? functions.get(name) : undefined;
    switch (action) {
      case 'CreateFunction': {
        if (functions.has(body.FunctionName)) return lambdaError(response, { status: 409, code: 'ResourceConflictException', message: `Function already exist: ${body.FunctionName}` });
        const role = [...roles.values()].find((candidate) => candidate.arn === body.Role);
        if (role && role.fresh > 0) {
          role.fresh--;
          return lambdaError(response, { status: 400, code: 'InvalidParameterValueException', message: 'The role defined for the function cannot be assumed by Lambda.' });
        }
        const zip = Buffer.from(body.Code?.ZipFile ?? '', 'base64');
        const arn = `arn:aws:lambda:${region}:${account}:function:${body.FunctionName}`;
        const created: FakeFunction = {
          configuration: {
            FunctionName: body.FunctionName, FunctionArn: arn, Runtime: body.Runtime, Role: body.Role, Handler: body.Handler,
            CodeSize: zip.length, CodeSha256: sha(zip), Description: body.Description ?? '', Timeout: body.Timeout ?? 3, MemorySize: body.MemorySize ?? 128,
            Architectures: body.Architectures ?? ['x86_64'], Environment: body.Environment ? { Variables: body.Environment.Variables ?? {} } : undefined,
            Version: '$LATEST', PackageType: 'Zip', State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating', LastModified: new Date().toISOString(),
          },
          tags: body.Tags ?? {},
          zip,
          versions: [],
          aliases: new Map(),
          busy: busyReads,
        };
        if (busyReads === 0) created.configuration.State = 'Active';
        functions.set(body.FunctionName, created);
        const reply: Record<string, any> = { ...created.configuration };
        if (body.Publish) {
          created.versions.push('1');
          reply.Version = '1';
        }
        return lambdaOk(response, 201, reply);
      }
      case 'GetFunction':
        if (!fn) return lambdaError(response, notFound(name));
        return lambdaOk(response, 200, { Configuration: read(fn), Code: { RepositoryType: 'S3', Location: 'https://example.invalid/code.zip' }, Tags: fn.tags });
      case 'GetFunctionConfiguration':
        if (!fn) return lambdaError(response, notFound(name));
        return lambdaOk(response, 200, read(fn));
      case 'UpdateFunctionCode': {
        if (!fn) return lambdaError(response, notFound(name));
        const busy = conflictIfBusy(fn);
        if (busy) return lambdaError(response, busy);
        fn.zip = Buffer.from(body.ZipFile ?? '', 'base64');
        Object.assign(fn.configuration, { CodeSha256: sha(fn.zip), CodeSize: fn.zip.length, Architectures: body.Architectures ?? fn.configuration.Architectures, LastUpdateStatus: busyReads > 0 ? 'InProgress' : 'Successful' });
        fn.busy = busyReads;
        return lambdaOk(response, 200, fn.configuration);
      }
      case 'UpdateFunctionConfiguration': {
        if (!fn) return lambdaError(response, notFound(name));
        const busy = conflictIfBusy(fn);
        if (busy) return lambdaError(response, busy);
        for (const field of ['Runtime', 'Role', 'Handler', 'Timeout', 'MemorySize']) if (body[field] !== undefined) fn.configuration[field] = body[field];
        if (body.Environment) fn.configuration.Environment = { Variables: body.Environment.Variables ?? {} };
        fn.configuration.LastUpdateStatus = busyReads > 0 ? 'InProgress' : 'Successful';
        fn.busy = busyReads;
        return lambdaOk(response, 200, fn.configuration);
      }
      case 'PublishVersion': {
        if (!fn) return lambdaError(response, notFound(name));
        const busy = conflictIfBusy(fn);
        if (busy) return lambdaError(response, busy);
        if (body.CodeSha256 && body.CodeSha256 !== fn.configuration.CodeSha256) {
          return lambdaError(response, { status: 412, code: 'PreconditionFailedException', message: `CodeSHA256 (${body.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.configuration.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.` });
        }
        const version = String(fn.versions.length + 1);
        fn.versions.push(version);
        return lambdaOk(response, 201, { ...fn.configuration, Version: version, FunctionArn: `${fn.configuration.FunctionArn}:${version}` });
      }
      case 'ListVersionsByFunction':
        if (!fn) return lambdaError(response, notFound(name));
        return lambdaOk(response, 200, { Versions: [{ ...fn.configuration, Version: '$LATEST' }, ...fn.versions.map((version) => ({ ...fn.configuration, Version: version, FunctionArn: `${fn.configuration.FunctionArn}:${version}` }))] });
      case 'GetAlias':
      case 'CreateAlias':
      case 'UpdateAlias': {
        if (!fn) return lambdaError(response, notFound(name));
        const aliasName = action === 'CreateAlias' ? body.Name : qualifier;
        const aliasArn = `${fn.configuration.FunctionArn}:${aliasName}`;
        const existing = fn.aliases.get(aliasName);
        if (action === 'CreateAlias' && existing !== undefined) return lambdaError(response, { status: 409, code: 'ResourceConflictException', message: `Alias already exists: ${aliasArn}` });
        if (action !== 'CreateAlias' && existing === undefined) return lambdaError(response, { status: 404, code: 'ResourceNotFoundException', message: `Alias not found: ${aliasArn}` });
        if (action !== 'GetAlias') {
          const version = body.FunctionVersion ?? existing;
          if (version !== '$LATEST' && !fn.versions.includes(version)) return lambdaError(response, { status: 404, code: 'ResourceNotFoundException', message: `Function not found: ${fn.configuration.FunctionArn}:${version}` });
          fn.aliases.set(aliasName, version);
        }
        return lambdaOk(response, action === 'CreateAlias' ? 201 : 200, { AliasArn: aliasArn, Name: aliasName, FunctionVersion: fn.aliases.get(aliasName), Description: body.Description ?? '', RevisionId: randomUUID() });
      }
      case 'DeleteFunction':
        if (!fn) return lambdaError(response, notFound(name));
        functions.delete(name);
        return lambdaOk(response, 204, undefined);
      default:
        return lambdaError(response, { status: 404, code: 'UnknownOperationException', message: action });
    }
  }

  // ---------------------------------------------------------------- IAM and STS (Query protocol, XML)
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const xml = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };
  const queryError = (response: ServerResponse, namespace: string, error: FakeAwsError) =>
    xml(response, error.status, `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${escape(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
  const queryOk = (response: ServerResponse, namespace: string, action: string, result: string) =>
    xml(response, 200, `<${action}Response xmlns="${namespace}">${result ? `<${action}Result>${result}</${action}Result>` : ''}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
  const roleXml = (role: FakeRole) =>
    `<Role><Path>/</Path><RoleName>${escape(role.name)}</RoleName><RoleId>AROA${role.name.length}EXAMPLE</RoleId><Arn>${role.arn}</Arn><CreateDate>2026-12-01T10:00:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(role.trust)}</AssumeRolePolicyDocument><Tags>${Object.entries(role.tags).map(([key, value]) => `<member><Key>${escape(key)}</Key><Value>${escape(value)}</Value></member>`).join('')}</Tags></Role>`;

  function query(response: ServerResponse, form: URLSearchParams, authorization: string): void {
    const fields = Object.fromEntries(form.entries());
    const service = fields.Version === '2011-06-15' ? 'sts' : 'iam';
    const namespace = service === 'sts' ? 'https://sts.amazonaws.com/doc/2011-06-15/' : 'https://iam.amazonaws.com/doc/2010-05-08/';
    const action = fields.Action;
    const failure = intercepted({ service, action, body: fields, authorization });
    if (failure) return queryError(response, namespace, failure);
    const noRole = (name: string): FakeAwsError => ({ status: 404, code: 'NoSuchEntity', message: `The role with name ${name} cannot be found.` });
    const role = roles.get(fields.RoleName);
    if (service === 'sts') {
      if (action !== 'GetCallerIdentity') return queryError(response, namespace, { status: 400, code: 'InvalidAction', message: action });
      return queryOk(response, namespace, action, `<Arn>arn:aws:iam::${account}:user/developer</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>${account}</Account>`);
    }
    switch (action) {
      case 'GetRole':
        return role ? queryOk(response, namespace, action, roleXml(role)) : queryError(response, namespace, noRole(fields.RoleName));
      case 'CreateRole': {
        if (role) return queryError(response, namespace, { status: 409, code: 'EntityAlreadyExists', message: `Role with name ${fields.RoleName} already exists.` });
        JSON.parse(fields.AssumeRolePolicyDocument); // IAM refuses a document that is not JSON (MalformedPolicyDocument)
        const tags: Record<string, string> = {};
        for (let index = 1; fields[`Tags.member.${index}.Key`] !== undefined; index++) tags[fields[`Tags.member.${index}.Key`]] = fields[`Tags.member.${index}.Value`];
        const created: FakeRole = { name: fields.RoleName, arn: `arn:aws:iam::${account}:role/${fields.RoleName}`, trust: fields.AssumeRolePolicyDocument, tags, policies: new Map(), fresh: options.freshRefusals ?? 1 };
        roles.set(created.name, created);
        return queryOk(response, namespace, action, roleXml(created));
      }
      case 'UpdateAssumeRolePolicy':
        if (!role) return queryError(response, namespace, noRole(fields.RoleName));
        role.trust = fields.PolicyDocument;
        return queryOk(response, namespace, action, '');
      case 'PutRolePolicy':
        if (!role) return queryError(response, namespace, noRole(fields.RoleName));
        JSON.parse(fields.PolicyDocument);
        role.policies.set(fields.PolicyName, fields.PolicyDocument);
        return queryOk(response, namespace, action, '');
      case 'GetRolePolicy': {
        const document = role?.policies.get(fields.PolicyName);
        if (!role || document === undefined) return queryError(response, namespace, { status: 404, code: 'NoSuchEntity', message: `The role policy with name ${fields.PolicyName} cannot be found.` });
        return queryOk(response, namespace, action, `<RoleName>${escape(role.name)}</RoleName><PolicyName>${escape(fields.PolicyName)}</PolicyName><PolicyDocument>${encodeURIComponent(document)}</PolicyDocument>`);
      }
      case 'ListRolePolicies':
        if (!role) return queryError(response, namespace, noRole(fields.RoleName));
        return queryOk(response, namespace, action, `<IsTruncated>false</IsTruncated><PolicyNames>${[...role.policies.keys()].map((name) => `<member>${escape(name)}</member>`).join('')}</PolicyNames>`);
      case 'DeleteRolePolicy':
        if (!role?.policies.delete(fields.PolicyName)) return queryError(response, namespace, noRole(fields.RoleName));
        return queryOk(response, namespace, action, '');
      case 'DeleteRole':
        if (!role) return queryError(response, namespace, noRole(fields.RoleName));
        if (role.policies.size > 0) return queryError(response, namespace, { status: 409, code: 'DeleteConflict', message: 'Cannot delete entity, must delete policies first.' });
        roles.delete(role.name);
        return queryOk(response, namespace, action, '');
      default:
        return queryError(response, namespace, { status: 400, code: 'InvalidAction', message: `Could not find operation ${action}` });
    }
  }

  const server = await serveFake((request, response, text) => {
    const authorization = String(request.headers.authorization ?? '');
    if ((request.url ?? '').startsWith('/2015-03-31/functions')) lambda(request, response, text, authorization);
    else query(response, new URLSearchParams(text), authorization);
  });
  return {
    url: server.url,
    account,
    region,
    calls,
    functions,
    roles,
    intercept: (next) => {
      interceptor = next;
      counts.clear();
    },
    writes: () => calls.filter((call) => !READ.test(call.action)).map((call) => `${call.service}:${call.action}`),
    close: server.close,
  };
}
