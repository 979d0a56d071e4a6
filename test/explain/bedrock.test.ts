import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBedrockClient } from '../../src/aws/clients.js';
import { askModel, BedrockUnavailable, DEFAULT_MODEL, describeBedrockError, inferenceProfilesFor } from '../../src/explain/bedrock.js';
import { startFakeBedrock, type FakeBedrock } from '../helpers/fake-bedrock.js';

const ANSWER = '## What happened\nBookShipment failed.\n## Root cause\nThe postcode does not match the city.\n## Fix\nAdd a Catch.\n## How to confirm\nRun it again.';

describe('askModel through the real SDK against a fake Bedrock Runtime', () => {
  let fake: FakeBedrock;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = await startFakeBedrock();
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = fake.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFAKEFAKEFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    process.env.AWS_MAX_ATTEMPTS = '2';
  });
  afterAll(async () => {
    process.env = saved;
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
  });

  const ask = async (stream: boolean, onText?: (text: string) => void) => {
    const client = await createBedrockClient({ name: 'test', region: 'us-east-1' });
    try {
      return await askModel({ client, modelId: DEFAULT_MODEL, region: 'us-east-1', system: 'be brief', prompt: 'why?', stream, onText });
    } finally {
      client.destroy();
    }
  };

  it('reads a Converse answer with its token usage', async () => {
    fake.reply({ text: ANSWER, inputTokens: 2000, outputTokens: 200 });
    const answer = await ask(false);
    expect(answer.text).toBe(ANSWER);
    expect(answer.usage).toEqual({ inputTokens: 2000, outputTokens: 200, totalTokens: 2200 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ operation: 'converse', modelId: DEFAULT_MODEL });
    expect(fake.requests[0].body.inferenceConfig).toEqual({ maxTokens: 1200, temperature: 0.2 });
    expect(fake.requests[0].body.system?.[0].text).toBe('be brief');
  });

  it('streams a ConverseStream answer piece by piece, whole at the end', async () => {
    fake.reply({ text: ANSWER, chunks: 7 });
    const pieces: string[] = [];
    const answer = await ask(true, (text) => pieces.push(text));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(ANSWER);
    expect(answer.text).toBe(ANSWER);
    expect(answer.usage.outputTokens).toBe(187);
    expect(fake.requests[0].operation).toBe('converse-stream');
  });

  it('turns AccessDeniedException into "enable model access" with where to do it', async () => {
    fake.reply({ error: 'AccessDeniedException' });
    const error = (await ask(false).catch((e: unknown) => e)) as BedrockUnavailable;
    expect(error).toBeInstanceOf(BedrockUnavailable);
    expect(error.fallBack).toBe(false);
    expect(error.message).toMatch(/denied access to .*claude-haiku-4-5.* in us-east-1/);
    expect(error.hint).toContain('https://console.aws.amazon.com/bedrock/home?region=us-east-1#/modelaccess');
  });

  it('turns the on-demand ValidationException into the inference profile to use', async () => {
    fake.reply({ error: 'ValidationException' });
    const client = await createBedrockClient({ name: 'test', region: 'eu-west-1' });
    const error = (await askModel({ client, modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0', region: 'eu-west-1', system: 's', prompt: 'p', stream: false }).catch((e: unknown) => e)) as BedrockUnavailable;
    client.destroy();
    expect(error.message).toContain('needs an inference profile');
    expect(error.hint).toContain('--model global.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(error.hint).toContain('eu.anthropic.claude-haiku-4-5-20251001-v1:0');
  });

  it('retries ThrottlingException, then says it was throttled', async () => {
    fake.reply({ error: 'ThrottlingException' });
    const error = (await ask(true).catch((e: unknown) => e)) as BedrockUnavailable;
    expect(fake.requests.length).toBe(2);
    expect(error.message).toMatch(/throttled the request \(tried 2 times\)/);
    expect(error.hint).toMatch(/quota/);
  });
});

describe('describeBedrockError', () => {
  it('falls back to offline without credentials, saying so', () => {
    const error = describeBedrockError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), DEFAULT_MODEL, 'us-east-1');
    expect(error.fallBack).toBe(true);
    expect(error.reachedService).toBe(false);
    expect(error.message).toBe('no AWS credentials found for Bedrock');
  });

  it('falls back when the endpoint cannot be reached', () => {
    const error = describeBedrockError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), DEFAULT_MODEL, 'us-east-1');
    expect(error.fallBack).toBe(true);
    expect(error.message).toMatch(/not reachable/);
  });

  it('knows the inference profiles of a base model id', () => {
    expect(inferenceProfilesFor('anthropic.claude-3-5-haiku-20241022-v1:0', 'us-west-2')).toEqual(['us.anthropic.claude-3-5-haiku-20241022-v1:0']);
    expect(inferenceProfilesFor('anthropic.claude-haiku-4-5-20251001-v1:0', 'ap-southeast-2')[1]).toBe('apac.anthropic.claude-haiku-4-5-20251001-v1:0');
  });
});
