/**
 * The one AWS client factory. Every command that talks to Step Functions,
 * Pricing or Bedrock gets its client here, so credentials, regions, endpoint
 * overrides, retries and the user agent are handled once.
 *
 * The SDK modules are imported on demand: they are heavy, and `deliv --help`
 * must not pay for them.
 */
import { readFileSync } from 'node:fs';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';

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
  const config: Record<string, unknown> = {
    // The SDK's standard settings win when the user (or a test) sets them.
    retryMode: process.env.AWS_RETRY_MODE || 'adaptive',
    maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 4,
    customUserAgent: `deliv/${delivVersion()}`,
  };
  if (target.region) config.region = target.region;
  if (target.endpoint) config.endpoint = target.endpoint;
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
  return new SFNClient(baseClientConfig(target));
}

/** The Pricing API is served from us-east-1 whatever region is being priced. */
export async function createPricingClient(target: Omit<ClientTarget, 'local'> & { local?: boolean }): Promise<PricingClient> {
  const { PricingClient } = await import('@aws-sdk/client-pricing');
  const config = baseClientConfig({ ...target, local: false, region: 'us-east-1' });
  return new PricingClient(config);
}

export async function createBedrockClient(target: Omit<ClientTarget, 'local'> & { local?: boolean }): Promise<BedrockRuntimeClient> {
  const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime');
  return new BedrockRuntimeClient(baseClientConfig({ ...target, local: false }));
}
