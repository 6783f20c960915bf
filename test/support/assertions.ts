import { expect } from 'vitest';
import { FORBIDDEN_BODY, NOT_FOUND_BODY, NO_TOKEN, SIGNED_OUT } from './fixtures.ts';
import type { Api, ApiResponse } from './server.ts';

/** Whole-body assertions for the REST contract (rest-api.md 1.1, 3). */

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const BAD_JSON = 'Request body must be valid JSON.';
export const FORCED_BY_DEPLOYMENT = { message: 'Chat debug logging is already forced on by deployment configuration.' };
export const USER_TOGGLE_NOT_ALLOWED = { message: 'An administrator has not enabled user-controlled chat debug logging.' };
export const TOO_LARGE_BODY = { message: 'Request body too large.', detail: 'Request bodies are limited to 4194304 bytes.' };
export const ROUTE_NOT_FOUND = { message: 'Route not found.' };
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Status, content type and the exact bytes: compact JSON plus one newline. */
export function expectJson(res: ApiResponse, status: number, body: unknown): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
  expect(res.text).toBe(`${JSON.stringify(body)}\n`);
}

/** 204: empty body, no Content-Type. */
export function expectNoContent(res: ApiResponse): void {
  expect(res.status, res.text).toBe(204);
  expect(res.text).toBe('');
  expect(res.headers.get('content-type')).toBeNull();
}

/** 400 decode error: message fixed, detail a non-empty string whose text is not part of the contract. */
export function expectBadJson(res: ApiResponse): void {
  expect(res.status, res.text).toBe(400);
  expect(res.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
  expect(Object.keys(res.body ?? {})).toEqual(['message', 'detail']);
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.detail).not.toBe('');
  expect(res.text).toBe(`${JSON.stringify({ message: BAD_JSON, detail: res.body.detail })}\n`);
}

export const expectForbidden = (res: ApiResponse) => expectJson(res, 403, FORBIDDEN_BODY);
export const expectNotFound = (res: ApiResponse) => expectJson(res, 404, NOT_FOUND_BODY);
export const expectNoToken = (res: ApiResponse) => expectJson(res, 401, { message: SIGNED_OUT, detail: NO_TOKEN });
export const expectInvalidKey = (res: ApiResponse) => expectJson(res, 401, { message: SIGNED_OUT, detail: 'API key is invalid.' });

/** 405 with an Allow header and an empty body. */
export function expectMethodNotAllowed(res: ApiResponse, allow: string[]): void {
  expect(res.status, res.text).toBe(405);
  expect(res.text).toBe('');
  expect(res.headers.get('content-type')).toBeNull();
  const header = res.headers.get('allow') ?? '';
  expect(header.split(',').map((m) => m.trim()).sort()).toEqual([...allow].sort());
}

/** Malformed inputs of rest-api.md 1.2 that every settings write rejects with 400. */
export const MALFORMED_BODIES = ['{not json', '', '   ', '[]', '"str"', '1', 'true', '{}{}', '{"a":1} x', '[{}]'];

/** A JSON body of exactly `size` bytes: `fields` plus one padding key that the endpoint ignores. */
export function paddedBody(fields: Record<string, unknown>, size: number): string {
  const base = JSON.stringify({ ...fields, padding: '' });
  const pad = size - Buffer.byteLength(base);
  if (pad < 0) throw new Error('size too small');
  return JSON.stringify({ ...fields, padding: 'x'.repeat(pad) });
}

// GraphQL

export interface GqlErrorExpectation {
  code: string;
  message?: string;
  detail?: string;
}

/** A single error with `extensions.code` on `field`, whose value is null. */
export function expectGqlError(res: ApiResponse, field: string, expected: GqlErrorExpectation): void {
  expect(res.status, res.text).toBe(200);
  expect(res.body.errors, res.text).toHaveLength(1);
  const [error] = res.body.errors;
  expect(error.extensions?.code, res.text).toBe(expected.code);
  if (expected.message !== undefined) expect(error.message).toBe(expected.message);
  if (expected.detail !== undefined) expect(error.extensions.detail).toBe(expected.detail);
  expect(error.path).toEqual([field]);
  expect(res.body.data).toEqual({ [field]: null });
}

/** A successful operation: no errors, `data` equal to `expected`. */
export function expectGqlData(res: ApiResponse, expected: Record<string, unknown>): void {
  expect(res.status, res.text).toBe(200);
  expect(res.body.errors, res.text).toBeUndefined();
  expect(res.body.data).toEqual(expected);
}

/** GET `path` as `token` and expect 200 with `body`. */
export async function expectStored(api: Api, path: string, token: string, body: unknown): Promise<void> {
  expectJson(await api.get(path, { token }), 200, body);
}
