import { describe, expect, it } from 'vitest';
import { JsonPathSyntaxError, parsePath, pathEnd, pathSyntaxProblem } from '../../src/asl/jsonpath.js';

describe('the JSONPath grammar', () => {
  it('reads a Jayway filter into a tree, with where the filter stands in the path', () => {
    const path = "$.items[?(@.price > -1.5 && @.sku =~ /^a/i || !(@.owner == $.me))].sku";
    expect(parsePath(path)).toEqual({
      root: '$',
      definite: false,
      segments: [
        { kind: 'name', name: 'items' },
        {
          kind: 'filter',
          start: 7,
          end: path.indexOf('.sku', 60),
          filter: {
            kind: 'or',
            left: {
              kind: 'and',
              left: { kind: 'compare', op: '>', left: { kind: 'path', root: '@', segments: [{ kind: 'name', name: 'price' }] }, right: { kind: 'literal', value: -1.5 } },
              right: { kind: 'match', left: { kind: 'path', root: '@', segments: [{ kind: 'name', name: 'sku' }] }, source: '^a', flags: 'i' },
            },
            right: {
              kind: 'not',
              inner: { kind: 'compare', op: '==', left: { kind: 'path', root: '@', segments: [{ kind: 'name', name: 'owner' }] }, right: { kind: 'path', root: '$', segments: [{ kind: 'name', name: 'me' }] } },
            },
          },
        },
        { kind: 'name', name: 'sku' },
      ],
    });
  });

  it('knows the context object, variables, and reference paths', () => {
    expect(parsePath('$$.Execution.Id')).toMatchObject({ root: '$$', definite: true });
    expect(parsePath('$order.lines[0]')).toMatchObject({ root: { variable: 'order' }, definite: true });
    expect(parsePath('$.[0]')).toMatchObject({ segments: [{ kind: 'index', index: 0 }], definite: true });
    expect(parsePath('$..a')).toMatchObject({ definite: false });
    expect(pathSyntaxProblem('$order.id', { variables: false })).toBe("Invalid JSONPath '$order.id': variables are not allowed here");
  });

  it('refuses what Jayway refuses, with the position in the whole path', () => {
    expect(pathSyntaxProblem('$.a[?(@.b ~~ 1)]')).toBe("Invalid JSONPath '$.a[?(@.b ~~ 1)]': expected ')' at position 10");
    expect(pathSyntaxProblem('$.a[?(@.b > 1')).toBe("Invalid JSONPath '$.a[?(@.b > 1': expected ')' at position 13");
    expect(pathSyntaxProblem('$.a.length()')).toBe("Invalid JSONPath '$.a.length()': unsupported function call at position 4 (JSONPath functions such as length() are not supported)");
    expect(pathSyntaxProblem('$.a[?(@.b =~ /(a)\\1/)]')).toMatch(/^Invalid JSONPath .*: bad regular expression \/\(a\)\\1\/: unsupported regular expression .*no backreferences or lookaround\)$/);
    expect(() => parsePath('items')).toThrow(JsonPathSyntaxError);
  });

  it("finds where a path ends inside an intrinsic function's arguments", () => {
    const call = "States.Format('{}', $.a[?(@.b == 'x,y')], 1)";
    const from = call.indexOf('$');
    expect(call.slice(from, pathEnd(call, from))).toBe("$.a[?(@.b == 'x,y')]");
  });
});
