import { fitVisible, visibleWidth } from '../ui/width.js';
import type { ChoiceRule } from '../asl/types.js';

/**
 * Choice rules written the way a reader thinks of them (`$.stock > 0`,
 * `$.tier == "gold"`), so an edge label says when that way is taken.
 */

const COMPARISONS: Array<[suffix: string, symbol: string]> = [
  ['EqualsPath', '=='],
  ['Equals', '=='],
  ['LessThanEqualsPath', '<='],
  ['LessThanEquals', '<='],
  ['LessThanPath', '<'],
  ['LessThan', '<'],
  ['GreaterThanEqualsPath', '>='],
  ['GreaterThanEquals', '>='],
  ['GreaterThanPath', '>'],
  ['GreaterThan', '>'],
];

/** `NumericLessThanEquals` ends in `Equals` too: match the longest suffix. */
const COMPARISONS_LONGEST_FIRST = [...COMPARISONS].sort((a, b) => b[0].length - a[0].length);

const TYPE_TESTS: Record<string, string> = {
  IsNull: 'null',
  IsPresent: 'present',
  IsNumeric: 'numeric',
  IsString: 'a string',
  IsBoolean: 'a boolean',
  IsTimestamp: 'a timestamp',
};

export function describeChoiceRule(rule: ChoiceRule): string {
  if (rule.Condition !== undefined) return describeCondition(rule.Condition);
  if (Array.isArray(rule.And)) return rule.And.map((inner) => group(inner)).join(' && ');
  if (Array.isArray(rule.Or)) return rule.Or.map((inner) => group(inner)).join(' || ');
  if (rule.Not) return `!${group(rule.Not)}`;
  const variable = rule.Variable ?? '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key in TYPE_TESTS) return `${variable} ${value === false ? 'not ' : ''}${TYPE_TESTS[key]}`;
    if (key === 'StringMatches') return `${variable} ~ ${JSON.stringify(value)}`;
    const comparison = COMPARISONS_LONGEST_FIRST.find(([suffix]) => key.endsWith(suffix) && /^(String|Numeric|Boolean|Timestamp)/.test(key));
    if (comparison) {
      const [suffix, symbol] = comparison;
      const operand = suffix.endsWith('Path') ? String(value) : JSON.stringify(value);
      return `${variable} ${symbol} ${operand}`;
    }
  }
  return variable;
}

function group(rule: ChoiceRule): string {
  const text = describeChoiceRule(rule);
  return rule.And || rule.Or ? `(${text})` : text;
}

/** JSONata conditions lose their `{% %}` fence; the expression itself is the rule. */
function describeCondition(condition: string | boolean): string {
  if (typeof condition === 'boolean') return String(condition);
  const fenced = /^\s*\{%([\s\S]*)%\}\s*$/.exec(condition);
  return (fenced ? fenced[1] : condition).replace(/\s+/g, ' ').trim();
}

/**
 * Cuts `text` to `max` columns on screen with an ellipsis (a CJK character or an
 * emoji takes two, as a terminal draws it); the full text stays available to tooltips.
 */
export function shorten(text: string, max: number): string {
  if (visibleWidth(text) <= max) return text;
  return max <= 0 ? '' : fitVisible(text, max);
}
