/**
 * The one AWS client factory. Every command that talks to Step Functions,
 * CloudWatch Logs, Pricing, Bedrock or (deploying) Lambda, IAM, STS, SNS and SQS gets its client here, so credentials, regions, endpoint
 * overrides, retries and the user agent are handled once.
 *
 * The SDK modules are imported on demand: they are heavy, and `deliv --help`
 * must not pay for them.
 */
import { readFileSync } from 'node:fs';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { checkRegion, describeAwsError, DNS_FAILURES, type CallContext } from './errors.js';

/** The port AWS's own Step Functions Local uses, so the AWS CLI habits carry over. */
export const DEFAULT_LOCAL_PORT = 8083;
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '123456789012';

/** Where calls go: the embedded emulator, or an AWS account. */
export interface ClientTarget {
  /** The target's name in deliv.yaml (`local`, `prod`, ...). */
  name: string;
  local: boolean;
  region?: string;
  profile?: string;
  /** Explicit endpoint; for AWS targets the SDK also honours AWS_ENDPOINT_URL(_<SERVICE>). */
  endpoint?: string;
}

export const LOCAL_TARGET: ClientTarget = { name: 'local', local: true, region: LOCAL_REGION };

let cachedVersion: string | undefined;
export function delivVersion(): string {
  if (!cachedVersion) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

/** Configuration shared by every client: region, profile, retries, user agent, endpoint. */
export function baseClientConfig(target: ClientTarget) {
  // deliv supports Node 20.19+, so the SDK's notice about its own future Node floor is noise to our users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config: Record<string, unknown> = {
    customUserAgent: `deliv/${delivVersion()}`,
  };
  // The standard AWS_RETRY_MODE / AWS_MAX_ATTEMPTS settings win over deliv's defaults.
  if (!process.env.AWS_RETRY_MODE) config.retryMode = 'adaptive';
  if (!process.env.AWS_MAX_ATTEMPTS) config.maxAttempts = 4;
  checkRegion(target.region, target.name);
  if (target.region) config.region = target.region;
  if (target.endpoint) config.endpoint = target.endpoint;
  // Host prefixes (`sync-` for StartSyncExecution) only make sense on AWS's own
  // host names: on 127.0.0.1 or a proxy they would break the address.
  if (target.endpoint || process.env.AWS_ENDPOINT_URL_SFN || process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS || process.env.AWS_ENDPOINT_URL) config.disableHostPrefix = true;
  if (target.local) {
    config.region = target.region ?? LOCAL_REGION;
    config.endpoint = target.endpoint ?? `http://127.0.0.1:${DEFAULT_LOCAL_PORT}`;
    // The emulator checks no signature, but the SDK insists on signing with something.
    config.credentials = { accessKeyId: 'deliv-local', secretAccessKey: 'deliv-local' };
  } else if (target.profile) {
    // The SDK's own chain resolves the profile (shared config, SSO, process, ...).
    config.profile = target.profile;
  }
  return config;
}

export async function createSfnClient(target: ClientTarget): Promise<SFNClient> {
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  const client = new SFNClient(baseClientConfig(target));
  explainErrors(client, target, 'states', process.env.AWS_ENDPOINT_URL_SFN);
  return client;
}

/**
 * CloudWatch Logs, where Express executions (and Standard ones that log)
 * keep their events; the local target's emulator serves it on its own port.
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS points an AWS target elsewhere.
 */
export async function createLogsClient(target: ClientTarget): Promise<CloudWatchLogsClient> {
  const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
  // A target's `endpoint:` is where Step Functions is (the emulator and LocalStack serve Logs there too);
  // AWS_ENDPOINT_URL_CLOUDWATCH_LOGS names CloudWatch Logs itself, so on an AWS target it wins.
  const own = process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
  const client = new CloudWatchLogsClient(baseClientConfig(!target.local && own ? { ...target, endpoint: own } : target));
  explainErrors(client, target, 'logs', process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS);
  return client;
}

/** A name AWS serves in every commercial setup (the global STS endpoint): if it resolves, DNS works. */
const ALWAYS_RESOLVES = 'sts.amazonaws.com';

/** After a DNS failure only (undefined otherwise): does DNS resolve an AWS name at all? No answer within 3 s counts as no. */
async function awsNamesResolveAfter(error: unknown): Promise<boolean | undefined> {
  const failure = error as { code?: string; cause?: { code?: string }; errors?: { code?: string }[] } | undefined;
  const code = failure?.code ?? failure?.cause?.code ?? failure?.errors?.[0]?.code;
  if (!code || !DNS_FAILURES.has(code)) return undefined;
  const { lookup } = await import('node:dns/promises');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 3000)));
  try {
    return await Promise.race([lookup(ALWAYS_RESOLVES).then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Middleware = (next: (args: any) => Promise<any>, context: { commandName?: string }) => (args: any) => Promise<any>;
interface MiddlewareClient {
  middlewareStack: {
    add(middleware: Middleware, options: any): void;
    addRelativeTo(middleware: Middleware, options: any): void;
  };
}

/**
 * Every client turns environmental failures (credentials, expired tokens,
 * access denied, throttling after the retries, unreachable endpoints) into one
 * line with the fix, and says once on stderr when AWS throttles and deliv retries.
 */
function explainErrors(client: MiddlewareClient, target: ClientTarget, service: string, envEndpoint?: string): void {
  const endpoint = target.endpoint ?? envEndpoint ?? process.env.AWS_ENDPOINT_URL;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const callContext: CallContext = {
          targetName: target.name,
          local: target.local,
          service,
          region: target.region ?? process.env.AWS_REGION,
          profile: target.profile ?? process.env.AWS_PROFILE,
          endpoint,
          commandName: context.commandName,
          awsResolves: target.local ? undefined : await awsNamesResolveAfter(error),
        };
        throw describeAwsError(error, callContext) ?? error;
      }
    },
    { step: 'initialize', priority: 'high', name: 'delivExplainErrors' },
  );
  let warned = false;
  client.middlewareStack.addRelativeTo(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (!warned && /Throttl|TooManyRequests|RequestLimitExceeded/.test(name)) {
          warned = true;
          process.stderr.write(`AWS is throttling ${service}:${(context.commandName ?? '').replace(/Command$/, '')}; retrying with backoff…\n`);
        }
        throw error;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'delivNoteThrottling' },
  );
}

/** The Pricing API is served from us-east-1 whatever region is being priced. */
export async function createPricingClient(target: Omit<ClientTarget, 'local'> & { local?: boolean }): Promise<PricingClient> {
  const { PricingClient } = await import('@aws-sdk/client-pricing');
  const config = baseClientConfig({ ...target, local: false, region: 'us-east-1' });
  const client = new PricingClient(config);
  explainErrors(client, { ...target, local: false, region: 'us-east-1' }, 'pricing', process.env.AWS_ENDPOINT_URL_PRICING);
  return client;
}

export async function createBedrockClient(target: Omit<ClientTarget, 'local'> & { local?: boolean }): Promise<BedrockRuntimeClient> {
  const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime');
  const client = new BedrockRuntimeClient(baseClientConfig({ ...target, local: false }));
  explainErrors(client, { ...target, local: false }, 'bedrock', process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME);
  return client;
}

/**
 * Lambda, IAM, STS, SNS and SQS for deploying a project to AWS. A target's `endpoint:`
 * is its Step Functions endpoint, so these honour only their own overrides
 * (AWS_ENDPOINT_URL_LAMBDA, _IAM, _STS, _SNS, _SQS, or AWS_ENDPOINT_URL),
 * which the SDK reads itself.
 */
function deployClient<C extends MiddlewareClient>(Client: new (config: Record<string, unknown>) => C, target: ClientTarget, service: string, envEndpoint: string | undefined, extra: Record<string, unknown> = {}): C {
  const scoped = { ...target, local: false, endpoint: undefined };
  const client = new Client({ ...baseClientConfig(scoped), ...extra });
  explainErrors(client, scoped, service, envEndpoint);
  return client;
}

export async function createLambdaClient(target: ClientTarget): Promise<LambdaClient> {
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  return deployClient(LambdaClient, target, 'lambda', process.env.AWS_ENDPOINT_URL_LAMBDA);
}

export async function createIamClient(target: ClientTarget): Promise<IAMClient> {
  const { IAMClient } = await import('@aws-sdk/client-iam');
  return deployClient(IAMClient, target, 'iam', process.env.AWS_ENDPOINT_URL_IAM);
}

export async function createStsClient(target: ClientTarget): Promise<STSClient> {
  const { STSClient } = await import('@aws-sdk/client-sts');
  return deployClient(STSClient, target, 'sts', process.env.AWS_ENDPOINT_URL_STS);
}

/** SNS, for the topics a definition publishes to (`deploy --create-missing`). */
export async function createSnsClient(target: ClientTarget): Promise<SNSClient> {
  const { SNSClient } = await import('@aws-sdk/client-sns');
  return deployClient(SNSClient, target, 'sns', process.env.AWS_ENDPOINT_URL_SNS);
}

/** SQS, for the queues a definition sends to (`deploy --create-missing`). */
export async function createSqsClient(target: ClientTarget): Promise<SQSClient> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  // The SQS client sends a call that names a QueueUrl to that URL's host, not to the endpoint the SDK
  // resolved (useQueueUrlAsEndpoint). An endpoint override set in the environment is where the user
  // wants every call to go, so it wins over the host of a URL the service handed back.
  const override = process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL;
  return deployClient(SQSClient, target, 'sqs', process.env.AWS_ENDPOINT_URL_SQS, override ? { useQueueUrlAsEndpoint: false } : {});
}

export interface AwsDeployClients {
  sfn: SFNClient;
  lambda: () => Promise<LambdaClient>;
  iam: () => Promise<IAMClient>;
  sts: () => Promise<STSClient>;
  /** CloudWatch Logs, for the log groups machines log to. */
  logs: () => Promise<CloudWatchLogsClient>;
  /** SNS and SQS, for the topics and queues `--create-missing` creates. */
  sns: () => Promise<SNSClient>;
  sqs: () => Promise<SQSClient>;
}

/** The clients a project deploy to AWS uses; all but Step Functions are made only when the plan needs them. */
export async function awsDeployClients(target: ClientTarget): Promise<AwsDeployClients> {
  const once = <T>(make: () => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= make());
  };
  return {
    sfn: await createSfnClient(target),
    lambda: once(() => createLambdaClient(target)),
    iam: once(() => createIamClient(target)),
    sts: once(() => createStsClient(target)),
    logs: once(() => createLogsClient(target)),
    sns: once(() => createSnsClient(target)),
    sqs: once(() => createSqsClient(target)),
  };
}
