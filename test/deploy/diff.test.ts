import { describe, expect, it } from 'vitest';
import { canonicalJson, diffLines, sameDefinition, settingChanges, unifiedDiff } from '../../src/deploy/diff.js';
import { stripAnsi } from '../../src/ui/colors.js';

describe('sameDefinition', () => {
  it('ignores key order and whitespace but not values', () => {
    expect(sameDefinition('{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}', '{\n "States": {"A": {"End": true, "Type": "Pass"}},\n "StartAt": "A"\n}')).toBe(true);
    expect(sameDefinition('{"StartAt":"A"}', '{"StartAt":"B"}')).toBe(false);
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});

describe('unifiedDiff', () => {
  it('shows changed lines with three lines of context, in separate hunks when far apart', () => {
    const before = Array.from({ length: 20 }, (_, index) => `line ${index + 1}`).join('\n');
    const after = before.replace('line 2\n', 'line two\n').replace('line 18', 'line eighteen');
    const lines = unifiedDiff(before, after, { before: 'deployed', after: 'local' }).map(stripAnsi);
    expect(lines).toEqual([
      '--- deployed',
      '+++ local',
      '@@ -1,5 +1,5 @@',
      ' line 1',
      '-line 2',
      '+line two',
      ' line 3',
      ' line 4',
      ' line 5',
      '@@ -15,6 +15,6 @@',
      ' line 15',
      ' line 16',
      ' line 17',
      '-line 18',
      '+line eighteen',
      ' line 19',
      ' line 20',
    ]);
  });

  it('joins changes closer than twice the context into one hunk', () => {
    const before = Array.from({ length: 10 }, (_, index) => `line ${index + 1}`).join('\n');
    const after = before.replace('line 2\n', 'line two\n').replace('line 8', 'line eight');
    const hunks = unifiedDiff(before, after, { before: 'a', after: 'b' }).filter((line) => stripAnsi(line).startsWith('@@'));
    expect(hunks.map(stripAnsi)).toEqual(['@@ -1,10 +1,10 @@']);
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff('a\nb', 'a\nb', { before: 'x', after: 'y' })).toEqual([]);
  });

  it('keeps common lines as context between edits', () => {
    const edits = diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']);
    expect(edits.map((edit) => `${edit.op}${edit.line}`)).toEqual([' a', '-b', '+x', ' c', ' d', '+e']);
  });
});

describe('settingChanges', () => {
  it('lists the settings that differ, treating missing as none', () => {
    const changes = settingChanges(
      { type: 'STANDARD', roleArn: 'arn:aws:iam::1:role/a', tracing: { enabled: false } },
      { type: 'STANDARD', roleArn: 'arn:aws:iam::1:role/b', tracing: { enabled: false }, logging: undefined },
    );
    expect(changes).toEqual([{ setting: 'roleArn', before: 'arn:aws:iam::1:role/a', after: 'arn:aws:iam::1:role/b' }]);
  });
});
