/** Helpers shared by the API handlers: input checks, pagination and wire formats. */
import { ApiError, validationError } from '../api-error.js';
import type { EmulatorContext } from '../emulator.js';

export type Input = Record<string, unknown>;
export type Handler = (context: EmulatorContext, input: Input) => unknown;

/** AWS's payload limit for inputs, outputs and definitions' data (256 KiB of UTF-8). */
export const MAX_PAYLOAD_BYTES = 262_144;

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

/** Pages through a list with AWS's `maxResults` (0 = default 100, at most 1000) and opaque `nextToken`. */
export function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
  const maxResults = input.maxResults === undefined || input.maxResults === null ? 0 : Number(input.maxResults);
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw validationError('maxResults', 'Member must have value less than or equal to 1000');
  }
  const size = maxResults === 0 ? 100 : maxResults;
  let offset = 0;
  if (typeof input.nextToken === 'string' && input.nextToken !== '') {
    offset = decodeToken(input.nextToken);
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? encodeToken(offset + size) : undefined;
  return { page, nextToken: next };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, v: 1 })).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; v?: unknown };
    if (parsed.v === 1 && Number.isInteger(parsed.o) && (parsed.o as number) >= 0) return parsed.o as number;
  } catch {
    // falls through to the error below
  }
  throw new ApiError('InvalidToken', `Invalid Token: '${token}'`);
}

/** Drops undefined members so responses carry only what AWS would send. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined || value[key] === null) delete value[key];
  return value;
}

export const DEFAULT_LOGGING = { level: 'OFF', includeExecutionData: false };
export const DEFAULT_TRACING = { enabled: false };
