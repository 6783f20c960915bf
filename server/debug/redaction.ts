import { isPlainObject, jsonDepthExceeds } from '../util/json.ts';

/** Stored-data rules for writers (rest-api.md 13.6), applied to every write whatever the writer sends. */

export const REDACTED = '[REDACTED]';
export const TRUNCATED = '[TRUNCATED]';
export const MAX_ATTEMPT_BODY_BYTES = 50_000;
export const MAX_TEXT_CODE_POINTS = 10_000;
export const MAX_LABEL_CODE_POINTS = 200;
export const NOT_JSON_BODY = '{"error":"chatdebug: body is not valid JSON, redacted for safety"}';
export const EXTRA_JSON_BODY = '{"error":"chatdebug: body contains extra JSON values, redacted for safety"}';

const SENSITIVE_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'proxy-authorization', 'cookie', 'set-cookie']);
const SENSITIVE_HEADER_PARTS = ['api-key', 'api_key', 'apikey', 'token', 'secret', 'bearer'];
const VISIBLE_RATE_LIMIT_HEADERS = new Set<string>([
  ...cross('anthropic-ratelimit-', ['requests', 'tokens', 'input-tokens', 'output-tokens'], ['limit', 'remaining', 'reset']),
  ...cross('anthropic-priority-', ['input-tokens', 'output-tokens'], ['limit', 'remaining', 'reset']),
  ...cross('anthropic-fast-', ['input-tokens', 'output-tokens'], ['limit', 'remaining', 'reset']),
  ...['limit', 'remaining', 'reset'].flatMap((a) => ['requests', 'tokens'].map((b) => `x-ratelimit-${a}-${b}`)),
]);

function cross(prefix: string, middles: string[], ends: string[]): string[] {
  return middles.flatMap((m) => ends.map((e) => `${prefix}${m}-${e}`));
}

const SENSITIVE_KEY_PARTS = ['secret', 'password', 'authorization', 'credential'];
const SENSITIVE_KEYS = new Set([
  'token', 'access_token', 'accesstoken', 'refresh_token', 'refreshtoken', 'id_token', 'idtoken', 'api_token',
  'apitoken', 'api_key', 'apikey', 'api-key', 'x-api-key', 'auth_token', 'authtoken', 'bearer_token', 'bearertoken',
  'session_token', 'sessiontoken', 'security_token', 'securitytoken', 'private_key', 'privatekey', 'signing_key',
  'signingkey', 'secret_key', 'secretkey',
]);

export function isSensitiveHeader(name: string): boolean {
  const n = name.toLowerCase();
  if (VISIBLE_RATE_LIMIT_HEADERS.has(n)) return false;
  return SENSITIVE_HEADERS.has(n) || SENSITIVE_HEADER_PARTS.some((part) => n.includes(part));
}

export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase();
  return SENSITIVE_KEYS.has(k) || SENSITIVE_KEY_PARTS.some((part) => k.includes(part));
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = isSensitiveHeader(name) ? REDACTED : value;
  return out;
}

/** Replaces the value of every sensitive key, at any depth and inside arrays. */
export function redactJsonValue(value: unknown): { value: unknown; changed: boolean } {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const r = redactJsonValue(item);
      changed ||= r.changed;
      return r.value;
    });
    return { value: changed ? out : value, changed };
  }
  if (isPlainObject(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (isSensitiveKey(key)) {
        changed ||= item !== REDACTED;
        out[key] = REDACTED;
      } else {
        const r = redactJsonValue(item);
        changed ||= r.changed;
        out[key] = r.value;
      }
    }
    return { value: changed ? out : value, changed };
  }
  return { value, changed: false };
}

/** Index just past the first JSON value in `text` (after leading whitespace), or -1. */
function endOfFirstJsonValue(text: string): number {
  let i = 0;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  const start = text[i];
  if (start === '{' || start === '[') {
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  if (start === '"') {
    for (i++; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') return i + 1;
    }
    return -1;
  }
  const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
  return match ? i + match[0].length : -1;
}

/** JSON redaction of one body: unchanged bytes when nothing is sensitive. */
export function redactJsonText(text: string): { text: string; changed: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const end = endOfFirstJsonValue(text);
    if (end > 0) {
      try {
        JSON.parse(text.slice(0, end));
        return { text: EXTRA_JSON_BODY, changed: true };
      } catch {
        // not even one value
      }
    }
    return { text: NOT_JSON_BODY, changed: true };
  }
  // Deeper than any walk may go (Go's decoder, too, gives up at a depth): redacted as unreadable.
  if (jsonDepthExceeds(parsed)) return { text: NOT_JSON_BODY, changed: true };
  const r = redactJsonValue(parsed);
  return r.changed ? { text: JSON.stringify(r.value), changed: true } : { text, changed: false };
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bodies arrive as standard base64 (as Coder writes them); anything else is taken as UTF-8 text. */
export function decodeBodyBytes(body: string): Buffer {
  return STRICT_BASE64.test(body) ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function mediaType(headers: unknown): string | undefined {
  if (!isPlainObject(headers)) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-type' && typeof value === 'string') return value.split(';')[0].trim().toLowerCase();
  }
  return undefined;
}

const TRUNCATED_BYTES = Buffer.from(TRUNCATED);

/** One attempt body: caps first, then redaction by kind; returns base64 or undefined for an empty body. */
export function sanitizeAttemptBody(body: string, kind: 'request' | 'response', responseHeaders?: unknown): string | undefined {
  const bytes = decodeBodyBytes(body);
  if (bytes.length === 0) return undefined;
  // A body already cut (by a recorder that applied these rules first) stays cut: sanitising twice
  // gives what sanitising once gave.
  if (bytes.length > MAX_ATTEMPT_BODY_BYTES || bytes.equals(TRUNCATED_BYTES)) return TRUNCATED_BYTES.toString('base64');
  const text = bytes.toString('utf8');
  let result: { text: string; changed: boolean };
  if (kind === 'request') {
    result = redactJsonText(text);
  } else {
    const type = mediaType(responseHeaders);
    if (type === 'application/x-ndjson') {
      let changed = false;
      const lines = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const r = redactJsonText(line);
          changed ||= r.changed;
          return r.text;
        });
      result = changed ? { text: lines.join('\n'), changed } : { text, changed: false };
    } else if (type === undefined || type === 'application/json' || type.endsWith('+json')) {
      result = redactJsonText(text);
    } else {
      result = { text, changed: false };
    }
  }
  return (result.changed ? Buffer.from(result.text, 'utf8') : bytes).toString('base64');
}

/** Go's url.QueryEscape: everything but unreserved characters is percent-encoded, spaces as "+". */
function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Removes user info and redacts sensitive query values; the query is re-encoded sorted by name.
 * `extraParams` are further names to redact (the recorder adds `key`, used by some providers).
 */
export function redactUrl(raw: string, extraParams: readonly string[] = []): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[REDACTED_URL]';
  }
  url.username = '';
  url.password = '';
  if (url.search) {
    const params = [...url.searchParams.entries()].map(([name, value]) => [
      name,
      isSensitiveHeader(name) || isSensitiveKey(name) || extraParams.includes(name.toLowerCase()) ? REDACTED : value,
    ]);
    // Stable sort by name, like Go's url.Values.Encode.
    params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    url.search = params.map(([n, v]) => `${queryEscape(n)}=${queryEscape(v)}`).join('&');
  }
  return url.toString();
}

/** Redacts every http(s) URL inside free text (an attempt's error). */
export function redactUrlsInText(text: string, extraParams: readonly string[] = []): string {
  return text.replace(/https?:\/\/[^\s"']+/g, (match) => redactUrl(match, extraParams));
}

const SURROGATE = /[\ud800-\udfff]/;

/** Cuts text longer than `max` code points to max − 1 plus "…"; `length` is the code point count. */
export function clampCodePoints(text: string, max: number): { text: string; length: number; cut: boolean } {
  // Without surrogates every unit is a code point (the common case; the test runs natively).
  if (!SURROGATE.test(text)) {
    return text.length <= max ? { text, length: text.length, cut: false } : { text: `${text.slice(0, max - 1)}…`, length: text.length, cut: true };
  }
  let count = 0;
  let keepUnits = text.length; // UTF-16 units of the first max − 1 code points
  for (let i = 0; i < text.length; i++) {
    if (count === max - 1) keepUnits = i;
    count++;
    // A high surrogate followed by a low one is one code point in two units.
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  if (count <= max) return { text, length: count, cut: false };
  return { text: `${text.slice(0, keepUnits)}…`, length: count, cut: true };
}

/** Run labels: whitespace runs collapsed to one space, trimmed, at most 200 code points. */
export function normalizeLabel(label: string): string {
  const collapsed = label.replace(/[ \t\r\n\f]+/g, ' ').trim();
  return clampCodePoints(collapsed, MAX_LABEL_CODE_POINTS).text;
}

function capParts(parts: unknown): unknown {
  if (!Array.isArray(parts)) return parts;
  return parts.map((part) => {
    if (!isPlainObject(part)) return part;
    const out: Record<string, unknown> = { ...part };
    for (const field of ['text', 'arguments', 'result'] as const) {
      if (typeof out[field] !== 'string') continue;
      const clamped = clampCodePoints(out[field] as string, MAX_TEXT_CODE_POINTS);
      if (!clamped.cut) continue;
      out[field] = clamped.text;
      if (field === 'text') out.text_length = clamped.length;
    }
    return out;
  });
}

/** Text caps in normalized_request.messages[].parts[] … */
export function capRequestText(request: unknown): unknown {
  if (!isPlainObject(request) || !Array.isArray(request.messages)) return request;
  return {
    ...request,
    messages: request.messages.map((message) => (isPlainObject(message) ? { ...message, parts: capParts(message.parts) } : message)),
  };
}

/** … and in normalized_response.content[]. */
export function capResponseText(response: unknown): unknown {
  if (!isPlainObject(response) || !Array.isArray(response.content)) return response;
  return { ...response, content: capParts(response.content) };
}

/** Attempts: headers, bodies, URL and error text sanitised; other keys kept. */
export function sanitizeAttempts(attempts: unknown, extraUrlParams: readonly string[] = []): unknown {
  if (!Array.isArray(attempts)) return attempts;
  return attempts.map((attempt) => {
    if (!isPlainObject(attempt)) return attempt;
    const out: Record<string, unknown> = { ...attempt };
    if (isPlainObject(out.request_headers)) out.request_headers = redactHeaders(out.request_headers);
    if (isPlainObject(out.response_headers)) out.response_headers = redactHeaders(out.response_headers);
    if (typeof out.url === 'string') out.url = redactUrl(out.url, extraUrlParams);
    if (typeof out.error === 'string') out.error = redactUrlsInText(out.error, extraUrlParams);
    for (const [field, kind] of [['request_body', 'request'], ['response_body', 'response']] as const) {
      if (typeof out[field] !== 'string') continue;
      const body = sanitizeAttemptBody(out[field] as string, kind, out.response_headers);
      if (body === undefined) delete out[field];
      else out[field] = body;
    }
    return out;
  });
}
