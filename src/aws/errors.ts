/**
 * AWS errors as one line a user can act on. The SDK's own messages name the
 * symptom ("Could not load credentials from any providers"); these name the fix.
 * Service errors that callers handle themselves (StateMachineDoesNotExist,
 * ExecutionDoesNotExist, InvalidDefinition, ...) are left alone.
 *
 * Nothing here ever reads or prints a credential: only error names, messages,
 * ARNs and the profile's name.
 */
import { DelivError, UsageError, type ErrorCode } from '../ui/errors.js';

/** What went wrong, for callers that react to a kind (explain falls back offline on `credentials`). */
export type AwsProblem =
  | 'credentials'
  | 'expired'
  | 'denied'
  | 'throttled'
  | 'region'
  | 'unreachable'
  | 'dropped'
  | 'timeout'
  | 'emulator-down';

/** The stable `--json` code of each problem. */
const PROBLEM_CODES: Record<AwsProblem, ErrorCode> = {
  credentials: 'AWS_NO_CREDENTIALS',
  expired: 'AWS_CREDENTIALS_EXPIRED',
  denied: 'AWS_ACCESS_DENIED',
  throttled: 'AWS_THROTTLED',
  region: 'AWS_REGION',
  unreachable: 'AWS_UNREACHABLE',
  dropped: 'AWS_CONNECTION_DROPPED',
  timeout: 'AWS_TIMEOUT',
  'emulator-down': 'EMULATOR_NOT_RUNNING',
};

export class AwsError extends DelivError {
  readonly problem: AwsProblem;
  /** The AWS error name (`AccessDeniedException`) or the socket error code (`ECONNREFUSED`). */
  readonly awsCode: string;

  constructor(problem: AwsProblem, awsCode: string, message: string, options: { hint?: string; cause?: unknown; exitCode?: 1 | 2 } = {}) {
    super(message, { ...options, code: PROBLEM_CODES[problem] });
    this.name = 'AwsError';
    this.problem = problem;
    this.awsCode = awsCode;
  }
}

/** Where the failed call was going, so the message can name the target and the fix. */
export interface CallContext {
  /** deliv.yaml target name. */
  targetName: string;
  local: boolean;
  /** `states`, `pricing`, `bedrock`: the IAM service prefix of the client. */
  service: string;
  region?: string;
  profile?: string;
  endpoint?: string;
  /** The SDK command (`StartExecutionCommand`). */
  commandName?: string;
  /**
   * After a DNS failure, whether a name AWS always serves still resolves: true
   * means this machine's DNS works, so the host itself does not exist (an unknown
   * region); false means the machine is offline or its DNS is broken.
   */
  awsResolves?: boolean;
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  errno?: number;
  hostname?: string;
  address?: string;
  port?: number;
  errors?: SdkErrorLike[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Error names Step Functions (and STS-signed services in general) use for these problems. */
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID_KEY = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature']);
// SNS says AuthorizationError (403) and Throttled (429); SQS says RequestThrottled.
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'NotAuthorized', 'AuthorizationErrorException']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException', 'SlowDown', 'ThrottledException', 'RequestThrottled']);
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
/** Why a connection could not be made, in words, by socket error code. */
const UNREACHABLE_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (nothing listens there)',
  EHOSTUNREACH: 'there is no route to the host',
  ENETUNREACH: 'the network is unreachable (no route: offline, or a VPN or firewall in the way)',
  EADDRNOTAVAIL: 'no local address to connect from (the network interface is down)',
};
const UNREACHABLE = new Set(Object.keys(UNREACHABLE_REASONS));
/** DNS failures: the name does not exist (ENOTFOUND), or the resolver did not answer (EAI_AGAIN, a temporary failure). */
export const DNS_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT = new Set(['ETIMEDOUT', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** `StartExecutionCommand` on the `states` client → `states:StartExecution`, the IAM action name. */
export function iamAction(context: Pick<CallContext, 'service' | 'commandName'>): string | undefined {
  if (!context.commandName) return undefined;
  return `${context.service}:${context.commandName.replace(/Command$/, '')}`;
}

/**
 * The deliv error for an SDK error, or undefined when the error is one the
 * caller is expected to handle (a missing state machine, a bad definition, ...).
 */
export function describeAwsError(error: unknown, context: CallContext): AwsError | undefined {
  if (error instanceof DelivError) return undefined;
  const failure = (error ?? {}) as SdkErrorLike;
  const name = failure.name ?? '';
  const message = firstLine(failure.message ?? String(error));
  const socketCode = socketErrorCode(failure);
  const attempts = failure.$metadata?.attempts;
  const action = iamAction(context);
  const where = context.local ? 'the local emulator' : `AWS (target \`${context.targetName}\`${context.region ? `, ${context.region}` : ''})`;

  if (context.local && socketCode && UNREACHABLE.has(socketCode)) {
    return new AwsError('emulator-down', socketCode, `the local emulator is not running at ${context.endpoint ?? 'its endpoint'}`, {
      hint: 'start it with `deliv local start` (commands inside a project start it themselves)',
      cause: error,
    });
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /could not load credentials|credential.*not found|profile .* could not be found/i.test(message)) {
    const sso = /sso/i.test(message);
    const profileMissing = /profile .* could not be found/i.test(message);
    return new AwsError('credentials', name || 'CredentialsProviderError', profileMissing ? `AWS profile \`${context.profile}\` is not configured` : sso ? 'the AWS SSO session has expired or is not signed in' : 'no AWS credentials found', {
      hint: sso
        ? `run \`aws sso login${context.profile ? ` --profile ${context.profile}` : ''}\`, then try again`
        : profileMissing
          ? `create it with \`aws configure --profile ${context.profile}\`, or pick another with --profile / AWS_PROFILE`
          : 'configure them with `aws configure` (or `aws sso login`), set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --profile; `--target local` needs none',
      cause: error,
    });
  }
  if (EXPIRED.has(name) || /security token included in the request is expired/i.test(message)) {
    return new AwsError('expired', name, `the AWS session token has expired (${name})`, {
      hint: context.profile
        ? `refresh it: \`aws sso login --profile ${context.profile}\` or renew the temporary credentials of profile \`${context.profile}\``
        : 'refresh the temporary credentials (e.g. `aws sso login`, or export new AWS_SESSION_TOKEN values) and try again',
      cause: error,
    });
  }
  if (INVALID_KEY.has(name)) {
    return new AwsError('credentials', name, `AWS rejected the credentials (${name})`, {
      hint: name === 'InvalidSignatureException' || name === 'SignatureDoesNotMatch'
        ? 'check the secret access key and that the system clock is right'
        : 'the access key is unknown to AWS: reconfigure with `aws configure` or choose another profile with --profile',
      cause: error,
    });
  }
  if (DENIED.has(name) || (failure.$metadata?.httpStatusCode === 403 && /not authorized/i.test(message))) {
    const denial = parseDenial(message);
    const deniedAction = denial?.action ?? action ?? 'this action';
    const resource = denial?.resource;
    return new AwsError('denied', name || 'AccessDeniedException', `access denied: ${deniedAction}${resource ? ` on ${resource}` : ''}${denial?.explicit ? ' (an explicit deny)' : ''}`, {
      hint: denial?.explicit
        ? `a policy explicitly denies ${deniedAction}${denial.principal ? ` to ${denial.principal}` : ''}: ask an administrator to lift it`
        : `allow ${deniedAction}${resource ? ` on ${resource}` : ''} in the IAM policy of ${denial?.principal ?? 'the identity you use'}${context.profile ? ` (profile ${context.profile})` : ''}`,
      cause: error,
    });
  }
  if (THROTTLED.has(name)) {
    return new AwsError('throttled', name, `${where} kept throttling ${action ?? 'the requests'} (${name})${attempts ? ` after ${attempts} attempts` : ''}`, {
      hint: 'deliv already retried with backoff; wait a minute and try again, or ask AWS for a higher quota',
      cause: error,
    });
  }
  if (name === 'Error' && /^Region is missing/i.test(message)) {
    return new AwsError('region', 'RegionMissing', `no AWS region for target \`${context.targetName}\``, {
      hint: `set \`region:\` under targets.${context.targetName} in deliv.yaml, pass --region, or export AWS_REGION`,
      exitCode: 2,
      cause: error,
    });
  }
  if (socketCode && DNS_FAILURES.has(socketCode)) {
    const host = failure.hostname ?? hostOf(message) ?? hostOfEndpoint(context.endpoint) ?? 'the endpoint';
    // Only a host that does not exist while AWS's other names resolve is an unknown region; offline, every region fails alike.
    if (socketCode === 'ENOTFOUND' && context.awsResolves === true && /\.amazonaws\.com(\.cn)?$/.test(host) && context.region && !context.endpoint) {
      return new AwsError('region', socketCode, `cannot reach ${host}: \`${context.region}\` is not a region ${context.service} is available in`, {
        hint: `check the region of target \`${context.targetName}\` (deliv.yaml, --region or AWS_REGION), e.g. ${suggestRegion(context.region)}`,
        exitCode: 2,
        cause: error,
      });
    }
    const why = context.awsResolves === false
      ? `${host} did not resolve (${socketCode}), nor does any AWS name: this machine is offline or its DNS is not working`
      : socketCode === 'EAI_AGAIN'
        ? `the DNS server did not answer for ${host} (EAI_AGAIN, a temporary failure)`
        : `DNS knows no host ${host} (ENOTFOUND)`;
    return new AwsError('unreachable', socketCode, `${where} could not be reached: ${why}`, {
      hint: context.endpoint
        ? 'check the endpoint override (deliv.yaml `endpoint`, AWS_ENDPOINT_URL*), the network and the DNS settings'
        : 'check the network connection, VPN, proxy (HTTPS_PROXY) and DNS settings, then try again',
      cause: error,
    });
  }
  if (socketCode && UNREACHABLE.has(socketCode)) {
    const host = failure.address ? `${failure.address}${failure.port ? `:${failure.port}` : ''}` : (hostOfEndpoint(context.endpoint) ?? where);
    return new AwsError('unreachable', socketCode, `${where} could not be reached: ${host}: ${UNREACHABLE_REASONS[socketCode]} (${socketCode})`, {
      hint: context.endpoint
        ? 'check that the endpoint override (deliv.yaml `endpoint`, AWS_ENDPOINT_URL*) points at a running service'
        : 'check the network connection, VPN, proxy (HTTPS_PROXY) and firewall, then try again',
      cause: error,
    });
  }
  if ((socketCode && DROPPED.has(socketCode)) || /socket hang up|other side closed/i.test(message)) {
    return new AwsError('dropped', socketCode ?? 'ECONNRESET', `the connection to ${context.endpoint ?? where} was dropped${attempts ? ` (${attempts} attempts)` : ''}`, {
      hint: 'deliv retried; check the network, VPN or proxy and try again',
      cause: error,
    });
  }
  const status = failure.$metadata?.httpStatusCode;
  if ((name === 'Unknown' || name === 'UnknownError') && status !== undefined) {
    return new AwsError('unreachable', `HTTP${status}`, `${where} did not answer: ${hostOfEndpoint(context.endpoint) ?? 'the endpoint'} returned HTTP ${status} with no AWS error in it`, {
      hint: 'something other than the AWS service answered: check the endpoint override (AWS_ENDPOINT_URL*), the proxy (HTTPS_PROXY) and the firewall',
      cause: error,
    });
  }
  if ((socketCode && TIMEOUT.has(socketCode)) || TIMEOUT.has(name)) {
    return new AwsError('timeout', socketCode ?? name, `${where} did not answer in time`, {
      hint: 'check the network and proxy settings and try again',
      cause: error,
    });
  }
  return undefined;
}

/** `User: arn:... is not authorized to perform: states:X on resource: arn:... because ...` */
export function parseDenial(message: string): { principal?: string; action?: string; resource?: string; explicit: boolean } | undefined {
  const match = /(?:User: (\S+) )?is not authorized to perform: (\S+?)(?: on resource: (\S+?))?(?:[ .]|$)/.exec(message);
  if (!match) return undefined;
  return { principal: match[1], action: match[2], resource: match[3], explicit: /explicit deny/i.test(message) };
}

function socketErrorCode(error: SdkErrorLike): string | undefined {
  if (error.code && /^E[A-Z_]+$|^ERR_/.test(error.code)) return error.code;
  for (const inner of error.errors ?? []) if (inner.code) return inner.code;
  const cause = error.cause as SdkErrorLike | undefined;
  if (cause && typeof cause === 'object' && cause.code) return cause.code;
  return undefined;
}

function hostOfEndpoint(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  try {
    return new URL(endpoint).host;
  } catch {
    return undefined;
  }
}

function hostOf(message: string): string | undefined {
  return /(?:getaddrinfo \w+ )(\S+)/.exec(message)?.[1];
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** Region names by partition, as the SDK's endpoint rules define them. */
const REGION_PATTERNS = [
  /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  /^cn-\w+-\d+$/,
  /^us-gov-\w+-\d+$/,
  /^us-iso-\w+-\d+$/,
  /^us-isob-\w+-\d+$/,
  /^us-isof-\w+-\d+$/,
  /^eu-isoe-\w+-\d+$/,
  /^eusc-de-\w+-\d+$/,
];

const COMMON_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'eu-west-3', 'ap-southeast-2', 'ap-northeast-1'];

/** A region that cannot exist is a usage error before any call; an unknown but well-formed one is left to AWS. */
export function checkRegion(region: string | undefined, targetName: string): void {
  if (region === undefined || REGION_PATTERNS.some((pattern) => pattern.test(region))) return;
  throw new UsageError(`\`${region}\` is not an AWS region (target \`${targetName}\`)`, {
    hint: `use a region name such as ${suggestRegion(region)}`,
  });
}

function suggestRegion(region: string): string {
  const prefix = region.slice(0, 2);
  const close = COMMON_REGIONS.filter((candidate) => candidate.startsWith(prefix));
  return (close.length > 0 ? close : COMMON_REGIONS.slice(0, 3)).join(', ');
}

/** The partition of an ARN or region, for console URLs. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
