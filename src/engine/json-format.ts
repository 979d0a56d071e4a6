/**
 * JSON text as Step Functions prints it inside values and messages: compact,
 * keys in insertion order.
 */
import type { JsonValue } from '../asl/types.js';

export function formatNumber(value: number): string {
  return JSON.stringify(value);
}

export function formatJson(value: JsonValue | undefined): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** JSON.parse as AWS reads JSON text: `-0` is the integer 0. */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text, (_key, value: JsonValue) => (Object.is(value, -0) ? 0 : value)) as JsonValue;
}
