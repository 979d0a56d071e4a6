/**
 * What `deploy --dry-run` shows: a unified diff of the definition (as pretty
 * JSON) and the settings that would change. Definitions are compared by
 * meaning, so key order or whitespace alone never counts as a change.
 */
import { paint } from '../ui/colors.js';

/** JSON with object keys sorted, for comparing by content. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Two definition texts mean the same state machine. Unparseable text compares as text. */
export function sameDefinition(a: string, b: string): boolean {
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return a.trim() === b.trim();
  }
}

export function prettyDefinition(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

type Edit = { op: ' ' | '-' | '+'; line: string };

/** Line edits turning `before` into `after` (longest common subsequence). */
export function diffLines(before: string[], after: string[]): Edit[] {
  // Common head and tail first: most deploys touch a few lines of a long file.
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1] + 1 : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
    }
  }
  const edits: Edit[] = before.slice(0, head).map((line) => ({ op: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1])) {
      edits.push({ op: '-', line: a[i++] });
    } else {
      edits.push({ op: '+', line: b[j++] });
    }
  }
  for (const line of before.slice(before.length - tail)) edits.push({ op: ' ', line });
  return edits;
}

/** A unified diff (`@@ -l,n +l,n @@` hunks with `context` lines around changes); empty when equal. */
export function unifiedDiff(before: string, after: string, labels: { before: string; after: string }, context = 3): string[] {
  const edits = diffLines(before.split('\n'), after.split('\n'));
  if (edits.every((edit) => edit.op === ' ')) return [];
  const lines = [paint.failure(`--- ${labels.before}`), paint.success(`+++ ${labels.after}`)];
  const changed = edits.map((edit, index) => (edit.op === ' ' ? -1 : index)).filter((index) => index >= 0);
  let index = 0;
  while (index < changed.length) {
    const start = Math.max(0, changed[index] - context);
    let end = Math.min(edits.length, changed[index] + context + 1);
    while (index + 1 < changed.length && changed[index + 1] - context <= end) {
      index++;
      end = Math.min(edits.length, changed[index] + context + 1);
    }
    index++;
    const oldStart = edits.slice(0, start).filter((edit) => edit.op !== '+').length + 1;
    const newStart = edits.slice(0, start).filter((edit) => edit.op !== '-').length + 1;
    const hunk = edits.slice(start, end);
    const oldCount = hunk.filter((edit) => edit.op !== '+').length;
    const newCount = hunk.filter((edit) => edit.op !== '-').length;
    lines.push(paint.accent(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`));
    for (const edit of hunk) {
      const text = `${edit.op}${edit.line}`;
      lines.push(edit.op === '+' ? paint.success(text) : edit.op === '-' ? paint.failure(text) : text);
    }
  }
  return lines;
}

export interface SettingChange {
  setting: string;
  before: string;
  after: string;
}

/** Settings (type, role, logging, tracing, alias routing) whose values differ, compared as JSON. */
export function settingChanges(before: Record<string, unknown>, after: Record<string, unknown>): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const setting of Object.keys(after)) {
    if (after[setting] === undefined) continue;
    const old = before[setting];
    if (canonicalJson(old ?? null) !== canonicalJson(after[setting])) {
      changes.push({ setting, before: show(old), after: show(after[setting]) });
    }
  }
  return changes;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
