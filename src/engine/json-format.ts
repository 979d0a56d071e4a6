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
