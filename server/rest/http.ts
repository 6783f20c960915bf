import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, RateLimitedError, type ErrorKind } from '../errors.ts';
import { JsonText, stringifyJson } from '../util/json.ts';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

export const json = (status: number, body: unknown, headers?: Reply['headers']): Reply => ({ status, body, headers });
export const noContent = (): Reply => ({ status: 204 });

export function send(res: ServerResponse, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.body === undefined) {
    res.statusCode = reply.status;
    res.end();
    return;
  }
  const text = `${reply.body instanceof JsonText ? reply.body.text : stringifyJson(reply.body)}\n`;
  res.statusCode = reply.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const STATUS: Record<ErrorKind, number> = {
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  Validation: 400,
  Conflict: 409,
  TooLarge: 413,
  RateLimited: 429,
  Internal: 500,
};

/** Coder's error body: message, then detail and validations only when non-empty. */
export function errorReply(error: DomainError): Reply {
  const body: Record<string, unknown> = { message: error.message };
  if (error.detail) body.detail = error.detail;
  if (error.validations?.length) body.validations = error.validations;
  const headers = error instanceof RateLimitedError ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined;
  return json(STATUS[error.kind], body, headers);
}

export const tooLarge = () =>
  new DomainError('TooLarge', 'Request body too large.', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);

/**
 * What `readBody` returns for bytes that are not UTF-8: JSON text must be UTF-8, so decoding
 * reports it as bad JSON (rest-api.md 1.2) when, and only when, the handler reads the body.
 * It cannot be mistaken for a real body: a NUL byte before anything else is not JSON either.
 */
export const NOT_UTF8_BODY = '\u0000<request body is not valid UTF-8>';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The client closed its connection before its body arrived: there is no one left to answer. */
export class ClientLeft extends Error {
  constructor(cause: unknown) {
    super('The client closed the connection before sending its whole body.', { cause });
  }
}

/**
 * Reads the body up to the limit. Past it, stops reading and reports 413 without buffering the
 * rest. A client that leaves halfway rejects with ClientLeft.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(utf8.decode(Buffer.concat(chunks)));
      } catch {
        resolve(NOT_UTF8_BODY);
      }
    });
    req.on('error', (error) => {
      if (!failed) reject(req.destroyed ? new ClientLeft(error) : error);
    });
  });
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || Object.hasOwn(out, name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export const SESSION_COOKIE = 'coder_session_token';
export const SESSION_HEADER = 'coder-session-token';

/** The first non-empty of the cookie, then the header (rest-api.md section 2). */
export function tokenFromHeaders(headers: { cookie?: string; [SESSION_HEADER]?: string | string[] }): string | undefined {
  const cookie = parseCookies(headers.cookie)[SESSION_COOKIE];
  if (cookie) return cookie;
  const header = headers[SESSION_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value || undefined;
}
