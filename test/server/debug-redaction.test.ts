// Redaction and caps on every write path (rest-api.md 12.3, 13.6, 1.1; cases 78–83) and the 4 MiB limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, TOO_LARGE_BODY, expectJson, paddedBody } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import {
  NOT_JSON_BODY,
  TRUNCATED_B64,
  b64,
  countDebugRows,
  enableRecording,
  ingest,
  runsPath,
  snapshotDebug,
  stepPath,
  unb64,
} from '../support/debug.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const EXTRA_JSON_BODY = '{"error":"chatdebug: body contains extra JSON values, redacted for safety"}';

describe.each(BACKENDS)('redaction and caps on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let w: ReturnType<typeof ingest>;
  let token: string;
  let chatId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    await enableRecording(server, users);
    w = ingest(server);
    token = users.member.token;
    chatId = await createChat(server.api, token);
  });
  afterAll(async () => server?.close());

  /** Writes `attempts` on a fresh step and returns what the detail endpoint shows, plus the raw detail text. */
  async function roundTrip(attempts: Record<string, unknown>[]) {
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id);
    const written = await w.patchStep(token, chatId, run.id, step.id, { attempts });
    const res = await server.api.get(`${runsPath(chatId)}/${run.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.steps[0].attempts).toEqual(written.attempts);
    return { attempts: res.body.steps[0].attempts as Record<string, any>[], text: res.text }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  const responseAttempt = (body: string, headers?: Record<string, string>) => ({
    number: 1,
    status: 'completed',
    response_status: 200,
    ...(headers ? { response_headers: headers } : {}),
    response_body: b64(body),
    duration_ms: 1,
  });

  it('RedactsHeaders: Authorization, X-Api-Key, Cookie, X-Auth-Token, X-Secret-Thing → [REDACTED]; Content-Type and rate-limit headers kept', async () => {
    const { attempts } = await roundTrip([
      {
        number: 1,
        duration_ms: 2,
        request_headers: {
          Authorization: 'Bearer sk-live-123',
          'X-Api-Key': 'sk-ant-1',
          Cookie: 'session=abc',
          'X-Auth-Token': 't0k',
          'X-Secret-Thing': 's3',
          'Content-Type': 'application/json',
          'x-ratelimit-remaining-tokens': '9000',
          'Proxy-Authorization': 'Basic x',
          'api-key': 'azure',
          'X-Goog-Api-Key': 'g',
          'X-Bearer-Hint': 'b',
          'Accept-Encoding': 'gzip, br',
        },
        response_headers: {
          'Set-Cookie': 'a=b',
          'anthropic-ratelimit-tokens-remaining': '100',
          'anthropic-ratelimit-input-tokens-reset': '2026-03-05T12:00:00Z',
          'anthropic-priority-output-tokens-limit': '5',
          'anthropic-fast-input-tokens-remaining': '6',
          'x-ratelimit-limit-requests': '60',
          'X-Request-Token-Count': '12',
          'content-type': 'application/json',
        },
      },
    ]);
    expect(attempts[0].request_headers).toEqual({
      'Accept-Encoding': 'gzip, br',
      Authorization: '[REDACTED]',
      'Content-Type': 'application/json',
      Cookie: '[REDACTED]',
      'Proxy-Authorization': '[REDACTED]',
      'X-Api-Key': '[REDACTED]',
      'X-Auth-Token': '[REDACTED]',
      'X-Bearer-Hint': '[REDACTED]',
      'X-Goog-Api-Key': '[REDACTED]',
      'X-Secret-Thing': '[REDACTED]',
      'api-key': '[REDACTED]',
      'x-ratelimit-remaining-tokens': '9000',
    });
    expect(attempts[0].response_headers).toEqual({
      'Set-Cookie': '[REDACTED]',
      'X-Request-Token-Count': '[REDACTED]',
      'anthropic-fast-input-tokens-remaining': '6',
      'anthropic-priority-output-tokens-limit': '5',
      'anthropic-ratelimit-input-tokens-reset': '2026-03-05T12:00:00Z',
      'anthropic-ratelimit-tokens-remaining': '100',
      'content-type': 'application/json',
      'x-ratelimit-limit-requests': '60',
    });
  });

  it('RedactsJSONKeys: api_key and client_secret become [REDACTED], input_tokens stays 5; sk-live-123 appears nowhere', async () => {
    const body = '{"model":"m","api_key":"sk-live-123","auth":{"client_secret":"s"},"usage":{"input_tokens":5}}';
    const { attempts, text } = await roundTrip([{ number: 1, request_body: b64(body), duration_ms: 1 }]);
    expect(unb64(attempts[0].request_body)).toBe('{"model":"m","api_key":"[REDACTED]","auth":{"client_secret":"[REDACTED]"},"usage":{"input_tokens":5}}');
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain(b64('sk-live-123'));

    // At any depth, inside arrays, whatever the value's type; an unchanged body keeps its bytes.
    const nested = await roundTrip([
      { number: 1, request_body: b64('{"messages":[{"Token":{"a":1}},{"PASSWORD":7,"ok":[true]}],"refresh_token":null,"x":{"my_credential_id":1}}'), duration_ms: 1 },
      { number: 2, request_body: b64('{ "model" : "m", "max_tokens": 5 }'), duration_ms: 1 },
    ]);
    expect(unb64(nested.attempts[0].request_body)).toBe(
      '{"messages":[{"Token":"[REDACTED]"},{"PASSWORD":"[REDACTED]","ok":[true]}],"refresh_token":"[REDACTED]","x":{"my_credential_id":"[REDACTED]"}}',
    );
    expect(unb64(nested.attempts[1].request_body)).toBe('{ "model" : "m", "max_tokens": 5 }');

    // Free-form payloads are redacted too.
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id, {
      operation: 'generate',
      normalized_request: { messages: [], options: {}, provider_option_count: 1, api_key: 'sk-live-123' },
    });
    expect(step.normalized_request).toEqual({ api_key: '[REDACTED]', messages: [], options: {}, provider_option_count: 1 });
    const patched = await w.patchStep(token, chatId, run.id, step.id, {
      metadata: { headers: { authorization: 'Bearer sk-live-123' } },
      error: { message: 'bad key', type: 'auth', secret: 'sk-live-123' },
    });
    expect(patched.metadata).toEqual({ headers: { authorization: '[REDACTED]' } });
    expect(patched.error).toEqual({ message: 'bad key', secret: '[REDACTED]', type: 'auth' });
    const detail = await server.api.get(`${runsPath(chatId)}/${run.id}`, { token });
    expect(detail.text).not.toContain('sk-live-123');
    const stored = await server.db.prisma.debugStep.findUniqueOrThrow({ where: { id: step.id } });
    expect(JSON.stringify(stored)).not.toContain('sk-live-123');
  });

  it('TruncatesLargeBodies: a 50,001-byte body → base64 of [TRUNCATED]; a 50,000-byte body is kept', async () => {
    const json = (size: number) => {
      const base = '{"model":"m","pad":""}';
      return `{"model":"m","pad":"${'x'.repeat(size - base.length)}"}`;
    };
    expect(Buffer.byteLength(json(50_000))).toBe(50_000);
    const { attempts } = await roundTrip([
      { number: 1, request_body: b64(json(50_001)), response_body: b64(json(50_000)), response_headers: { 'Content-Type': 'application/json' }, duration_ms: 1 },
      // Over the cap nothing else applies: a secret in a large response goes with the truncation.
      { number: 2, request_body: b64(json(50_000)), response_body: b64(`{"api_key":"x","p":"${'y'.repeat(50_001)}"}`), duration_ms: 1 },
      { number: 3, response_body: b64('z'.repeat(50_001)), response_headers: { 'Content-Type': 'text/plain' }, duration_ms: 1 },
    ]);
    expect(attempts[0].request_body).toBe(TRUNCATED_B64);
    expect(unb64(TRUNCATED_B64)).toBe('[TRUNCATED]');
    expect(attempts[0].response_body).toBe(b64(json(50_000)));
    expect(attempts[1].request_body).toBe(b64(json(50_000)));
    expect(attempts[1].response_body).toBe(TRUNCATED_B64);
    expect(attempts[2].response_body).toBe(TRUNCATED_B64);
    // Multi-byte text counts in bytes, not characters.
    const multi = await roundTrip([{ number: 1, response_body: b64('é'.repeat(25_001)), response_headers: { 'Content-Type': 'text/plain' }, duration_ms: 1 }]);
    expect(multi.attempts[0].response_body).toBe(TRUNCATED_B64);
  });

  it('NonJSONBodies: <html> without a content type → placeholder; text/html and text/event-stream kept; NDJSON redacts only the secret line', async () => {
    const sse = 'event: message_start\ndata: {"type":"message_start","api_key":"stays"}\n\n';
    const ndjson = '{"id":1,"text":"a"}\n{"id":2,"api_key":"sk-live-123"}\n{"id":3}\n';
    const { attempts } = await roundTrip([
      responseAttempt('<html>oops</html>'),
      responseAttempt('<html>oops</html>', { 'Content-Type': 'text/html; charset=utf-8' }),
      responseAttempt(sse, { 'content-type': 'text/event-stream' }),
      responseAttempt(ndjson, { 'Content-Type': 'application/x-ndjson' }),
      responseAttempt('{"a":1}{"b":2}', { 'Content-Type': 'application/json; charset=utf-8' }),
      responseAttempt('{"error":{"type":"x","secret_hint":"h"}}', { 'Content-Type': 'application/problem+json' }),
      responseAttempt('not json', { 'Content-Type': 'application/json' }),
      responseAttempt('plain text', { 'Content-Type': 'text/plain' }),
      // Request bodies always get JSON redaction.
      { number: 9, request_body: b64('<xml/>'), duration_ms: 1 },
    ]);
    expect(attempts.map((a) => (a.response_body ? unb64(a.response_body) : unb64(a.request_body)))).toEqual([
      NOT_JSON_BODY,
      '<html>oops</html>',
      sse,
      '{"id":1,"text":"a"}\n{"id":2,"api_key":"[REDACTED]"}\n{"id":3}',
      EXTRA_JSON_BODY,
      '{"error":{"type":"x","secret_hint":"[REDACTED]"}}',
      NOT_JSON_BODY,
      'plain text',
      NOT_JSON_BODY,
    ]);
    // An NDJSON body without secrets keeps its bytes.
    const clean = await roundTrip([responseAttempt('{"id":1}\n\n{"id":2}\n', { 'Content-Type': 'application/x-ndjson' })]);
    expect(unb64(clean.attempts[0].response_body)).toBe('{"id":1}\n\n{"id":2}\n');
    // A body nested deeper than 1000 levels (about 10 KB here) is redacted as unreadable, not a 500.
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const nested = await roundTrip([
      { number: 1, request_body: b64(deep(5000)), duration_ms: 1 },
      responseAttempt(deep(1000), { 'Content-Type': 'application/json' }),
      responseAttempt(`${deep(2000)}\n{"api_key":"k"}`, { 'Content-Type': 'application/x-ndjson' }),
    ]);
    expect(nested.attempts.map((a) => unb64(a.request_body ?? a.response_body))).toEqual([NOT_JSON_BODY, deep(1000), `${NOT_JSON_BODY}\n{"api_key":"[REDACTED]"}`]);
  });

  it('RedactsURL: user info removed, api_key=%5BREDACTED%5D, model=m kept; URLs inside error text too', async () => {
    const { attempts, text } = await roundTrip([
      {
        number: 1,
        method: 'POST',
        url: 'https://user:pw@api.example.test/v1?model=m&api_key=x',
        path: '/v1',
        error: 'Post "https://user:pw@api.example.test/v1?token=abc&b=2": dial tcp: i/o timeout; retry at http://[bad-url then gave up',
        duration_ms: 1,
      },
      { number: 2, url: 'https://api.example.test/v1/messages?beta=true', duration_ms: 1 },
    ]);
    expect(attempts[0].url).toBe('https://api.example.test/v1?api_key=%5BREDACTED%5D&model=m');
    expect(attempts[0].error).toBe('Post "https://api.example.test/v1?b=2&token=%5BREDACTED%5D": dial tcp: i/o timeout; retry at [REDACTED_URL] then gave up');
    expect(attempts[1].url).toBe('https://api.example.test/v1/messages?beta=true');
    expect(text).not.toContain('user:pw');
    expect(text).not.toContain('token=abc');
  });

  it('TextCaps: a 10,001-code-point text → 9,999 + … with text_length 10001; a 201-code-point label → 199 + …; whitespace collapsed', async () => {
    const long = '😀'.repeat(10_001); // 10,001 code points, 20,002 UTF-16 units
    const cut = `${'😀'.repeat(9_999)}…`;
    const exact = 'b'.repeat(10_000);
    const run = await w.startRun(token, chatId, { kind: 'chat_turn', first_message: `${'é'.repeat(201)}` });
    expect(run.summary).toEqual({ first_message: `${'é'.repeat(199)}…` });
    const step = await w.addStep(token, chatId, run.id, {
      operation: 'stream',
      normalized_request: {
        messages: [
          { role: 'user', parts: [{ type: 'text', text: long }, { type: 'text', text: exact }] },
          { role: 'assistant', parts: [{ type: 'tool-call', tool_name: 't', arguments: 'a'.repeat(10_001) }] },
          { role: 'tool', parts: [{ type: 'tool-result', result: 'r'.repeat(10_001) }] },
        ],
        provider_option_count: 0,
      },
    });
    const parts = step.normalized_request.messages.map((m: { parts: unknown[] }) => m.parts);
    expect(parts[0]).toEqual([
      { text: cut, text_length: 10_001, type: 'text' },
      { text: exact, type: 'text' },
    ]);
    expect(parts[1]).toEqual([{ arguments: `${'a'.repeat(9_999)}…`, tool_name: 't', type: 'tool-call' }]);
    expect(parts[2]).toEqual([{ result: `${'r'.repeat(9_999)}…`, type: 'tool-result' }]);
    const patched = await w.patchStep(token, chatId, run.id, step.id, {
      normalized_response: { content: [{ type: 'text', text: long }, { type: 'reasoning', text: 'short' }], finish_reason: 'stop' },
    });
    expect(patched.normalized_response.content).toEqual([
      { text: cut, text_length: 10_001, type: 'text' },
      { text: 'short', type: 'reasoning' },
    ]);

    const labels: [string, Record<string, unknown>][] = [
      ['  Fix   the\nbuild  ', { first_message: 'Fix the build' }],
      ['\t a\r\n\fb ', { first_message: 'a b' }],
      ['x'.repeat(200), { first_message: 'x'.repeat(200) }],
      ['x'.repeat(201), { first_message: `${'x'.repeat(199)}…` }],
      [`${'y'.repeat(150)}          ${'z'.repeat(60)}`, { first_message: `${'y'.repeat(150)} ${'z'.repeat(48)}…` }],
      ['   \n ', {}],
    ];
    for (const [label, summary] of labels) {
      const created = await w.startRun(token, chatId, { kind: 'chat_turn', first_message: label });
      expect(created.summary, JSON.stringify(label)).toEqual(summary);
    }
  });

  it('413: a request body over 4 MiB is refused with nothing stored; exactly 4 MiB is read', async () => {
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id);
    const before = await snapshotDebug(server);
    const beforeCount = await countDebugRows(server);
    expectJson(await server.api.post(runsPath(chatId), { token, body: paddedBody({ kind: 'chat_turn' }, MAX_BODY_BYTES + 1) }), 413, TOO_LARGE_BODY);
    expectJson(
      await server.api.patch(stepPath(chatId, run.id, step.id), { token, body: paddedBody({ status: 'completed', metadata: {} }, MAX_BODY_BYTES + 1) }),
      413,
      TOO_LARGE_BODY,
    );
    expect(await snapshotDebug(server)).toBe(before);
    expect(await countDebugRows(server)).toEqual(beforeCount);
    const exact = await server.api.post(runsPath(chatId), { token, body: paddedBody({ kind: 'chat_turn' }, MAX_BODY_BYTES) });
    expect(exact.status, exact.text.slice(0, 200)).toBe(201);
  });
});
