import { describe, expect, it } from 'vitest';
import { parseSubstitution, substitutions } from '../../src/ui/flags.js';
import { UsageError } from '../../src/ui/errors.js';

describe('--sub', () => {
  it('splits at the first =, so a value may hold more of them', () => {
    expect(parseSubstitution('Query=a=b')).toEqual({ name: 'Query', value: 'a=b' });
    expect(substitutions([parseSubstitution('Fn=arn:aws:lambda:us-east-1:1:function:pay'), parseSubstitution('Empty=')])).toEqual({ Fn: 'arn:aws:lambda:us-east-1:1:function:pay', Empty: '' });
    expect(substitutions(undefined)).toEqual({});
  });

  it('refuses a pair without a name, as a usage error', () => {
    expect(() => parseSubstitution('NoEquals')).toThrow(UsageError);
    expect(() => parseSubstitution('=value')).toThrow('--sub =value: expected Name=value');
  });
});
