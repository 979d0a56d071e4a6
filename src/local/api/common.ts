/** Helpers shared by the API handlers: input checks, pagination and wire formats. */
import { PAYLOAD_LIMIT_BYTES } from '../../asl/limits.js';
import { ApiError, validationError } from '../api-error.js';
import type { EmulatorContext } from '../context.js';

export type Input = Record<string, unknown>;
/** `call.signal` aborts when the client hangs up (a long poll gives up its place). */
export type Handler = (context: EmulatorContext, input: Input, call?: { signal: AbortSignal }) => unknown;

/** AWS's payload limit for inputs, outputs and definitions' data (256 KiB of UTF-8). */
export const MAX_PAYLOAD_BYTES = PAYLOAD_LIMIT_BYTES;

/** Timestamps travel as epoch seconds (with milliseconds) in AWS JSON 1.0. */
export const epoch = (ms: number | null | undefined): number | undefined => (ms === null || ms === undefined ? undefined : ms / 1000);

export function requireString(input: Input, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) {
    throw validationError(field, 'Member must not be null');
  }
  if (typeof value !== 'string') throw new ApiError('SerializationException', `Unexpected value type for ${field}: expected a string`);
  return value;
}

export function optionalString(input: Input, field: string, max?: number): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('SerializationException', `Unexpected value type for ${field}: expected a string`);
  if (max !== undefined && value.length > max) throw validationError(field, `Member must have length less than or equal to ${max}`);
  return value;
}

export function checkPayloadSize(field: string, text: string): void {
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw validationError(field, `Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`);
  }
}

/** The numbers of a signed page key (api/paging.ts), checked for shape since a key outlives the code that wrote it. */
export function pageKeyOf(key: readonly (string | number)[], length: number): number[] {
  if (key.length !== length || !key.every((part) => typeof part === 'number' && Number.isFinite(part))) {
    throw new ApiError('InvalidToken', 'Invalid Token: the token does not belong to this list');
  }
  return key as number[];
}

/** Drops undefined members so responses carry only what AWS would send. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined || value[key] === null) delete value[key];
  return value;
}

export const DEFAULT_LOGGING = { level: 'OFF', includeExecutionData: false };
export const DEFAULT_TRACING = { enabled: false };
