import { describe, expect, it } from 'vitest';
import { closest, editDistance, knownHint, notKnownError } from '../../src/ui/suggest.js';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('deplyo', 'deploy')).toBe(1);
    expect(editDistance('support-trage', 'support-triage')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('finds the name a typo meant, and nothing for a word that is merely short', () => {
    expect(closest('deplyo', ['deploy', 'destroy', 'test'])).toBe('deploy');
    expect(closest('dryrun', ['dry-run', 'target', 'json'])).toBe('dry-run');
    expect(closest('PROD', ['local', 'prod'])).toBe('prod');
    expect(closest('cost', ['test', 'logs'])).toBeUndefined();
    expect(closest('zzz', [])).toBeUndefined();
  });

  it('puts the guess before the list of known names', () => {
    expect(knownHint('support-trage', ['order-fulfillment', 'support-triage'])).toBe('did you mean `support-triage`? (known: order-fulfillment, support-triage)');
    expect(knownHint('x', ['a'])).toBe('known: a');
    expect(knownHint('x', [])).toBe('none is declared');
  });

  it('makes a usage error (exit 2) saying where the name is missing from', () => {
    const error = notKnownError('target', 'prdo', ['local', 'prod'], 'deliv.yaml');
    expect(error.message).toBe('target `prdo` is not in deliv.yaml');
    expect(error.hint).toBe('did you mean `prod`? (known: local, prod)');
    expect(error.exitCode).toBe(2);
  });
});
