// Stored shape → wire shape (rest-api.md 11.3, 11.4, 12.3; cases 62–68). Rows are written straight
// into the database, so that JSON null, SQL NULL and malformed payloads can be stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../server/generated/prisma/client.ts';
import { expectJson } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import {
  RUN_DETAIL_KEYS,
  STEP_KEYS,
  b64,
  enableRecording,
  expectKeys,
  ingest,
  iso,
  runPath,
  runsPath,
  seedRun,
  seedStep,
  stepPath,
  stepsPath,
} from '../support/debug.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-05T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

const malformed = (kind: string, raw: string) => ({ error: 'malformed debug payload', parse_error: `expected a JSON object, got ${kind}`, raw });
const malformedAttempts = (kind: string, raw: string) => [
  { error: 'malformed attempts payload', parse_error: `expected a JSON array of objects, got ${kind}`, raw },
];

describe.each(BACKENDS)('stored debug shapes on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let chatId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    chatId = await createChat(server.api, users.member.token);
  });
  afterAll(async () => server?.close());

  const detail = async (runId: string) => {
    const res = await server.api.get(runPath(chatId, runId), { token: users.member.token });
    expect(res.status, res.text).toBe(200);
    return res;
  };

  /** The step as the wire shows it, with every optional key absent. */
  const bareStep = (step: { id: string; runId: string; stepNumber: number }, extra: Record<string, unknown> = {}) => ({
    id: step.id,
    run_id: step.runId,
    chat_id: chatId,
    step_number: step.stepNumber,
    operation: 'stream',
    status: 'completed',
    normalized_request: {},
    attempts: [],
    metadata: {},
    started_at: iso(at(1)),
    updated_at: iso(at(1)),
    ...extra,
  });

  it('TestChatDebugStep: null, JSON null and {} normalized_response, usage, error are omitted; attempts pass through', async () => {
    const run = await seedRun(server, { chatId, startedAt: at(0) });
    const attempts = [
      { number: 1, status: 'failed', method: 'POST', url: 'https://api.example.test/v1/messages', path: '/v1/messages', response_status: 529, duration_ms: 12, retry_classification: 'overloaded', retry_delay_ms: 500 },
      { number: 2, status: 'completed', method: 'POST', path: '/v1/messages', response_status: 200, duration_ms: 40, request_headers: { 'Content-Type': 'application/json' } },
    ];
    const sqlNull = await seedStep(server, { chatId, runId: run.id, stepNumber: 1, startedAt: at(1), attempts });
    const jsonNull = await seedStep(server, {
      chatId,
      runId: run.id,
      stepNumber: 2,
      startedAt: at(1),
      normalizedResponse: Prisma.JsonNull,
      usage: Prisma.JsonNull,
      error: Prisma.JsonNull,
    });
    const empty = await seedStep(server, { chatId, runId: run.id, stepNumber: 3, startedAt: at(1), normalizedResponse: {}, usage: {}, error: {} });
    const res = await detail(run.id);
    // Attempts come back as stored, keys in ascending order (free-form objects, 1.3).
    const sorted = attempts.map((a) => Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1))));
    expect(JSON.stringify(res.body.steps[0].attempts)).toBe(JSON.stringify(sorted));
    expect(res.body.steps).toEqual([bareStep(sqlNull, { attempts }), bareStep(jsonNull), bareStep(empty)]);
    for (const step of res.body.steps) {
      for (const key of ['normalized_response', 'usage', 'error', 'finished_at', 'history_tip_message_id', 'assistant_message_id']) {
        expect(step).not.toHaveProperty(key);
      }
      expect(res.text).not.toContain('null');
    }
  });

  it('TestChatDebugStep_NullableFieldsPopulated: set ids, message ids and finished_at are present', async () => {
    const modelConfigId = '6f2a9c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
    const run = await seedRun(server, {
      chatId,
      status: 'completed',
      startedAt: at(0),
      updatedAt: at(9),
      finishedAt: at(9),
      rootChatId: chatId,
      parentChatId: chatId,
      modelConfigId,
      triggerMessageId: 41n,
      historyTipMessageId: 9_007_199_254_740_991n,
      summary: { first_message: 'Fix the build' },
    });
    const step = await seedStep(server, {
      chatId,
      runId: run.id,
      stepNumber: 1,
      startedAt: at(1),
      updatedAt: at(8),
      finishedAt: at(8),
      historyTipMessageId: 40n,
      assistantMessageId: 42n,
      normalizedRequest: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], provider_option_count: 0, options: {} },
      normalizedResponse: { content: [{ type: 'text', text: 'ok' }], finish_reason: 'stop', usage: { input_tokens: 3, output_tokens: 1 } },
      usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4, reasoning_tokens: 0, cache_creation_tokens: 0, cache_read_tokens: 0 },
      error: { message: 'boom', type: 'provider' },
      metadata: { stream_summary: { part_count: 3, text_delta_count: 1, tool_call_count: 0, source_count: 0, warning_count: 0, error_count: 0 } },
    });
    const res = await detail(run.id);
    expectJson(res, 200, {
      id: run.id,
      chat_id: chatId,
      root_chat_id: chatId,
      parent_chat_id: chatId,
      model_config_id: modelConfigId,
      trigger_message_id: 41,
      history_tip_message_id: 9_007_199_254_740_991,
      kind: 'chat_turn',
      status: 'completed',
      provider: 'openai',
      model: 'gpt-4o-mini',
      summary: { first_message: 'Fix the build' },
      started_at: iso(at(0)),
      updated_at: iso(at(9)),
      finished_at: iso(at(9)),
      steps: [
        {
          id: step.id,
          run_id: run.id,
          chat_id: chatId,
          step_number: 1,
          operation: 'stream',
          status: 'completed',
          history_tip_message_id: 40,
          assistant_message_id: 42,
          normalized_request: { messages: [{ parts: [{ text: 'hi', type: 'text' }], role: 'user' }], options: {}, provider_option_count: 0 },
          normalized_response: { content: [{ text: 'ok', type: 'text' }], finish_reason: 'stop', usage: { input_tokens: 3, output_tokens: 1 } },
          usage: { cache_creation_tokens: 0, cache_read_tokens: 0, input_tokens: 3, output_tokens: 1, reasoning_tokens: 0, total_tokens: 4 },
          attempts: [],
          error: { message: 'boom', type: 'provider' },
          metadata: { stream_summary: { error_count: 0, part_count: 3, source_count: 0, text_delta_count: 1, tool_call_count: 0, warning_count: 0 } },
          started_at: iso(at(1)),
          updated_at: iso(at(8)),
          finished_at: iso(at(8)),
        },
      ],
    });
    expectKeys(res.body, RUN_DETAIL_KEYS, RUN_DETAIL_KEYS);
    expectKeys(res.body.steps[0], STEP_KEYS, STEP_KEYS);
  });

  it('TestChatDebugStep_PreservesMalformedAttempts: attempts stored as an object, a string, or an array with a non-object', async () => {
    const run = await seedRun(server, { chatId, startedAt: at(0) });
    const cases: [Prisma.InputJsonValue, unknown][] = [
      [{ number: 1 }, malformedAttempts('object', '{"number":1}')],
      ['oops', malformedAttempts('string', '"oops"')],
      [[{ number: 1 }, 5, 'x'], malformedAttempts('number', '[{"number":1},5,"x"]')],
      [[[]], malformedAttempts('array', '[[]]')],
      [[{ number: 1 }, true], malformedAttempts('boolean', '[{"number":1},true]')],
      [7, malformedAttempts('number', '7')],
    ];
    for (const [i, [attempts]] of cases.entries()) await seedStep(server, { chatId, runId: run.id, stepNumber: i + 1, startedAt: at(1), attempts });
    const res = await detail(run.id);
    expect(res.body.steps.map((s: { attempts: unknown }) => s.attempts)).toEqual(cases.map(([, expected]) => expected));
    expect(JSON.stringify(res.body.steps[0].attempts[0])).toBe(
      '{"error":"malformed attempts payload","parse_error":"expected a JSON array of objects, got object","raw":"{\\"number\\":1}"}',
    );
  });

  it('TestChatDebugRunSummary_PreservesMalformedSummary: a non-object summary is reported in list and detail', async () => {
    const own = await createChat(server.api, users.member.token);
    const array = await seedRun(server, { chatId: own, startedAt: at(2), summary: [1, 2] });
    const str = await seedRun(server, { chatId: own, startedAt: at(1), summary: 'oops' });
    const bool = await seedRun(server, { chatId: own, startedAt: at(0), summary: false });
    const list = await server.api.get(runsPath(own), { token: users.member.token });
    expect(list.body.map((r: { summary: unknown }) => r.summary)).toEqual([
      malformed('array', '[1,2]'),
      malformed('string', '"oops"'),
      malformed('boolean', 'false'),
    ]);
    const one = await server.api.get(runPath(own, array.id), { token: users.member.token });
    expect(one.body.summary).toEqual(malformed('array', '[1,2]'));
    expect(JSON.stringify(one.body.summary)).toBe('{"error":"malformed debug payload","parse_error":"expected a JSON object, got array","raw":"[1,2]"}');
    expect([str.id, bool.id]).toHaveLength(2);
  });

  it('TestChatDebugStep_PreservesMalformedRequest: non-object payloads of every object field are reported', async () => {
    const run = await seedRun(server, { chatId, startedAt: at(0) });
    const step = await seedStep(server, {
      chatId,
      runId: run.id,
      stepNumber: 1,
      startedAt: at(1),
      normalizedRequest: 'oops',
      normalizedResponse: [1],
      usage: 12.5,
      error: 'boom',
      metadata: true,
    });
    const res = await detail(run.id);
    expect(res.body.steps[0]).toEqual(
      bareStep(step, {
        normalized_request: malformed('string', '"oops"'),
        normalized_response: malformed('array', '[1]'),
        usage: malformed('number', '12.5'),
        error: malformed('string', '"boom"'),
        metadata: malformed('boolean', 'true'),
      }),
    );
    expect(JSON.stringify(res.body.steps[0].normalized_request)).toBe(
      '{"error":"malformed debug payload","parse_error":"expected a JSON object, got string","raw":"\\"oops\\""}',
    );
    expectKeys(res.body.steps[0], STEP_KEYS, Object.keys(res.body.steps[0]));
  });

  it('JSONNullYieldsEmptyMap, EmptyStructures: JSON null → {} for summary, normalized_request, metadata and [] for attempts; SQL NULL too', async () => {
    const own = await createChat(server.api, users.member.token);
    const jsonNullRun = await seedRun(server, { chatId: own, startedAt: at(1), summary: Prisma.JsonNull });
    const sqlNullRun = await seedRun(server, { chatId: own, startedAt: at(0), summary: Prisma.DbNull });
    const a = await seedStep(server, {
      chatId: own,
      runId: jsonNullRun.id,
      stepNumber: 1,
      startedAt: at(1),
      normalizedRequest: Prisma.JsonNull,
      attempts: Prisma.JsonNull,
      metadata: Prisma.JsonNull,
    });
    const b = await seedStep(server, {
      chatId: own,
      runId: jsonNullRun.id,
      stepNumber: 2,
      startedAt: at(1),
      normalizedRequest: Prisma.DbNull,
      attempts: Prisma.DbNull,
      metadata: Prisma.DbNull,
    });
    const c = await seedStep(server, { chatId: own, runId: jsonNullRun.id, stepNumber: 3, startedAt: at(1), normalizedRequest: {}, attempts: [], metadata: {} });
    // Check what was stored: JSON null and SQL NULL really differ.
    const stored = await server.db.prisma.$queryRawUnsafe<{ id: string; kind: string | null }[]>(
      `SELECT id::text AS id, json_typeof(normalized_request) AS kind FROM chat_debug_steps WHERE run_id = $1::uuid ORDER BY step_number`,
      jsonNullRun.id,
    );
    expect(stored.map((r) => r.kind)).toEqual(['null', null, 'object']);

    const list = await server.api.get(runsPath(own), { token: users.member.token });
    expect(list.body.map((r: { summary: unknown }) => r.summary)).toEqual([{}, {}]);
    expect(list.text).not.toContain('null');
    const res = await server.api.get(runPath(own, jsonNullRun.id), { token: users.member.token });
    expect(res.body.summary).toEqual({});
    const bare = (s: { id: string; stepNumber: number }) => ({ ...bareStep({ ...s, runId: jsonNullRun.id }), chat_id: own });
    expect(res.body.steps).toEqual([bare(a), bare(b), bare(c)]);
    expect(res.text).not.toContain('null');
    const sqlNull = await server.api.get(runPath(own, sqlNullRun.id), { token: users.member.token });
    expect(sqlNull.body.summary).toEqual({});
  });

  it('TestChatDebugRunDetail: keys and order as 11.3; null ids omitted', async () => {
    const run = await seedRun(server, { chatId, startedAt: at(0), provider: null, model: null });
    const res = await detail(run.id);
    expectJson(res, 200, {
      id: run.id,
      chat_id: chatId,
      kind: 'chat_turn',
      status: 'in_progress',
      summary: {},
      started_at: iso(at(0)),
      updated_at: iso(at(0)),
      steps: [],
    });
    expectKeys(res.body, RUN_DETAIL_KEYS, ['id', 'chat_id', 'kind', 'status', 'summary', 'started_at', 'updated_at', 'steps']);
    // Free-form objects sort their keys at every depth; arrays keep their order.
    const sorted = await seedRun(server, { chatId, startedAt: at(0), summary: { zeta: 1, alpha: { y: [3, { b: 1, a: 2 }], x: 0 }, Beta: true } });
    const text = (await detail(sorted.id)).text;
    expect(text).toContain('"summary":{"Beta":true,"alpha":{"x":0,"y":[3,{"a":2,"b":1}]},"zeta":1}');
  });

  it('Base64Bodies: an attempt body written as base64 of {"model":"m"} reads back as the same base64 string', async () => {
    await enableRecording(server, users);
    const w = ingest(server);
    const run = await w.startRun(users.member.token, chatId);
    const step = await w.addStep(users.member.token, chatId, run.id);
    const body = b64('{"model":"m"}');
    expect(body).toBe('eyJtb2RlbCI6Im0ifQ==');
    const attempts = [
      {
        number: 1,
        status: 'completed',
        method: 'POST',
        path: '/v1/messages',
        request_body: body,
        response_body: b64('{"id":"msg_1","content":[]}'),
        response_headers: { 'Content-Type': 'application/json' },
        response_status: 200,
        duration_ms: 5,
      },
    ];
    const written = await w.patchStep(users.member.token, chatId, run.id, step.id, { attempts });
    const res = await detail(run.id);
    expect(res.body.steps[0].attempts).toEqual(attempts);
    expect(written.attempts).toEqual(attempts);
    expect(res.body.steps[0].attempts[0].request_body).toBe('eyJtb2RlbCI6Im0ifQ==');
    // An empty body omits the key.
    const empty = await w.patchStep(users.member.token, chatId, run.id, step.id, { attempts: [{ number: 1, request_body: '', duration_ms: 0 }] });
    expect(empty.attempts).toEqual([{ duration_ms: 0, number: 1 }]);
  });

  it('write answers carry the stored normalized_request byte for byte, whether or not this process appended the step', async () => {
    await enableRecording(server, users);
    const w = ingest(server);
    const token = users.member.token;
    const run = await w.startRun(token, chatId);
    const request = {
      zeta: { b: [3, 1.5, { y: 'é', x: null }], a: true },
      messages: [{ role: 'user', parts: [{ type: 'text', text: 'héllo 🙂' }] }],
      api_key: 'sk-live-123',
      '10': 'numeric-looking key',
    };
    const appended = await server.api.post(stepsPath(chatId, run.id), { token, body: { operation: 'stream', normalized_request: request } });
    expect(appended.status, appended.text).toBe(201);
    const completed = await server.api.patch(stepPath(chatId, run.id, appended.body.id), { token, body: { status: 'completed' } });
    expect(completed.status, completed.text).toBe(200);
    const stored = (await detail(run.id)).body.steps[0].normalized_request;
    expect(stored.api_key).toBe('[REDACTED]');
    const bytes = (value: unknown) => JSON.stringify(value);
    // The responses are parsed JSON here; compare their text forms through the raw response bodies.
    const requestText = (text: string) => /"normalized_request":(\{.*?\}),"attempts"/.exec(text)?.[1];
    const storedText = requestText((await detail(run.id)).text);
    expect(storedText).toBeDefined();
    expect(requestText(appended.text)).toBe(storedText);
    expect(requestText(completed.text)).toBe(storedText);
    expect(bytes(appended.body.normalized_request)).toBe(bytes(stored));

    // Keys in ascending string order (rest-api.md 1.3), the array-index-like "10" included.
    expect(storedText).toBe(
      '{"10":"numeric-looking key","api_key":"[REDACTED]","messages":[{"parts":[{"text":"héllo 🙂","type":"text"}],"role":"user"}],"zeta":{"a":true,"b":[3,1.5,{"x":null,"y":"é"}]}}',
    );

    // A step this process never appended (another process, or a restart) is read back from storage.
    const seeded = await seedStep(server, { runId: run.id, chatId, stepNumber: 2, status: 'in_progress', normalizedRequest: { from: 'elsewhere', n: [1, 2] } });
    const patched = await w.patchStep(token, chatId, run.id, seeded.id, { status: 'completed', usage: { input_tokens: 2 } });
    expect(patched.normalized_request).toEqual({ from: 'elsewhere', n: [1, 2] });
    expect(patched.usage).toEqual({ input_tokens: 2 });
  });

  it('free-form keys that look like array indexes come out in ascending string order, in every answer (rest-api.md 1.3)', async () => {
    await enableRecording(server, users);
    const w = ingest(server);
    const token = users.member.token;
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id);
    const patched = await server.api.request('PATCH', stepPath(chatId, run.id, step.id), { token, body: '{"metadata":{"b":1,"10":2,"9":{"11":"a","2":"b"},"A":4},"status":"completed"}' });
    expect(patched.status).toBe(200);
    expect(patched.text).toContain('"metadata":{"10":2,"9":{"11":"a","2":"b"},"A":4,"b":1}');
    const finished = await server.api.request('PATCH', runPath(chatId, run.id), { token, body: '{"status":"completed","summary":{"b":1,"10":2,"9":3}}' });
    expect(finished.text).toContain('"summary":{"10":2,"9":3,"b":1,"step_count":1,');
    const detailText = (await detail(run.id)).text;
    expect(detailText).toContain('"summary":{"10":2,"9":3,"b":1,"step_count":1,');
    expect(detailText).toContain('"metadata":{"10":2,"9":{"11":"a","2":"b"},"A":4,"b":1}');
    const list = await server.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token });
    expect(list.text).toContain('"summary":{"10":2,"9":3,"b":1,"step_count":1,');
    // GraphQL's JSON values carry the same content.
    const gql = await server.api.graphql('query($c: ID!, $r: ID!) { chat(id: $c) { debugRun(id: $r) { summary steps { metadata } } } }', { c: chatId, r: run.id }, token);
    expect(gql.body.data.chat.debugRun.steps[0].metadata).toEqual({ b: 1, '10': 2, '9': { '11': 'a', '2': 'b' }, A: 4 });
    expect(gql.body.data.chat.debugRun.summary).toMatchObject({ b: 1, '10': 2, '9': 3 });
  });
});
