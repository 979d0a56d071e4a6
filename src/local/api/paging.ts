/**
 * Keyset pagination for every List/Get action that pages. A page is read with
 * `WHERE key after <last key seen> ORDER BY key LIMIT size + 1`, so its cost is
 * the page's, never the store's: the extra row only says whether a next page
 * exists. The token carries the last key seen, the time it was issued and a
 * signature over both and the request it belongs to (the action and its
 * filters), so it stays opaque as on AWS: a forged token, one from another
 * list or another execution, or one older than AWS's 24 hours is
 * `InvalidToken`. The signing key lives in the store, so tokens outlive a
 * restart of the emulator as they outlive nothing on AWS but their 24 hours.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError, validationError } from '../api-error.js';

/** A request body, as every handler receives it (the same shape as common.ts's Input, kept here so paging depends on no handler module). */
type Input = Record<string, unknown>;

/** A position in an ordered list: the sort columns of the last row returned. */
export type PageKey = readonly (string | number)[];

/** AWS: "Each pagination token expires after 24 hours." */
export const TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface PageRequest {
  /** Rows to return (AWS's `maxResults`: 0 or absent = 100, at most 1000). */
  size: number;
  /** The last key of the previous page; undefined for the first page. */
  after: PageKey | undefined;
}

export interface Pager {
  /** Reads `maxResults` and `nextToken` from a request; `scope` names what is listed (action and filters). */
  request(input: Input, scope: string): PageRequest;
  /** Cuts the `size + 1` rows read down to the page and signs the token of the next one. */
  result<T>(rows: T[], request: PageRequest, scope: string, keyOf: (row: T) => PageKey): { page: T[]; nextToken?: string };
}

/** AWS's model bounds maxResults to 0..1000, 0 meaning the default page (100); a non-integer is not a maxResults at all. */
export function pageSize(input: Input): number {
  const maxResults = input.maxResults ?? 0;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults)) throw new ApiError('SerializationException', 'Unexpected value type for maxResults: expected an integer');
  if (maxResults < 0) throw validationError('maxResults', 'Member must have value greater than or equal to 0', String(maxResults));
  if (maxResults > 1000) throw validationError('maxResults', 'Member must have value less than or equal to 1000', String(maxResults));
  return maxResults === 0 ? 100 : maxResults;
}

export function createPager(secret: Buffer, now: () => number = Date.now): Pager {
  const sign = (scope: string, payload: string) => createHmac('sha256', secret).update(scope).update('\0').update(payload).digest().subarray(0, 16);
  const invalid = (token: string) => new ApiError('InvalidToken', `Invalid Token: '${token.length > 100 ? `${token.slice(0, 100)}...` : token}'`);
  return {
    request(input, scope) {
      const size = pageSize(input);
      const token = input.nextToken;
      if (token === undefined || token === null || token === '') return { size, after: undefined };
      if (typeof token !== 'string' || token.length > 1024) throw invalid(String(token));
      const [payload, signature] = token.split('.');
      if (!payload || !signature) throw invalid(token);
      const expected = sign(scope, payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid(token);
      let issued: unknown;
      let after: unknown;
      try {
        [issued, after] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [unknown, unknown];
      } catch {
        throw invalid(token);
      }
      if (typeof issued !== 'number' || now() - issued > TOKEN_LIFETIME_MS || !Array.isArray(after)) throw invalid(token);
      return { size, after: after as PageKey };
    },
    result(rows, request, scope, keyOf) {
      if (rows.length <= request.size) return { page: rows };
      const page = rows.slice(0, request.size);
      const payload = Buffer.from(JSON.stringify([now(), keyOf(page[page.length - 1])])).toString('base64url');
      return { page, nextToken: `${payload}.${sign(scope, payload).toString('base64url')}` };
    },
  };
}
