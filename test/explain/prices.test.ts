import { describe, expect, it } from 'vitest';
import { callCost } from '../../src/explain/prices.js';
import { tempDir } from '../helpers/cli.js';

describe('callCost, from the cost module\'s bundled Bedrock prices', () => {
  const usage = { inputTokens: 2_000, outputTokens: 400 };
  const at = async (modelId: string) => {
    const { dir, cleanup } = tempDir();
    try {
      return await callCost(modelId, usage, { region: 'us-east-1', projectRoot: dir });
    } finally {
      cleanup();
    }
  };

  it('prices Haiku 4.5 through the global profile below the in-Region one', async () => {
    const global = await at('global.anthropic.claude-haiku-4-5-20251001-v1:0');
    const regional = await at('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(global?.usd).toBeCloseTo((2_000 * 1.0 + 400 * 5.0) / 1e6, 12);
    expect(regional?.usd).toBeCloseTo((2_000 * 1.1 + 400 * 5.5) / 1e6, 12);
    expect(global?.source).toMatch(/\(\d{4}-\d{2}-\d{2}\)$/);
  });

  it('prices the legacy Claude 3 Haiku', async () => {
    expect((await at('anthropic.claude-3-haiku-20240307-v1:0'))?.usd).toBeCloseTo((2_000 * 0.25 + 400 * 1.25) / 1e6, 12);
  });

  it('knows no price for other models', async () => {
    expect(await at('amazon.nova-pro-v1:0')).toBeUndefined();
  });
});
