// GraphQL debug reads and ingestion mutations (product.md 4, 5): the same data and rules as REST.
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectGqlError } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import {
  ADMIN_LAYER_DETAIL,
  NOT_ENABLED_MESSAGE,
  USER_LAYER_DETAIL,
  b64,
  countDebugRows,
  enableRecording,
  ingest,
  runPath,
  snapshotDebug,
} from '../support/debug.ts';
import { wsUrl } from '../support/debug-stream.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const RUN_FIELDS = 'id chatId kind status provider model summary startedAt updatedAt finishedAt';
const STEP_FIELDS =
  'id runId chatId stepNumber operation status historyTipMessageId assistantMessageId normalizedRequest normalizedResponse usage attempts error metadata startedAt updatedAt finishedAt';

const CHAT_QUERY = `query($chat: ID!, $run: ID!) {
  chat(id: $chat) {
    id
    debugLoggingActive
    hasDebugRuns
    debugRuns { ${RUN_FIELDS} }
    debugRun(id: $run) {
      ${RUN_FIELDS} rootChatId parentChatId modelConfigId triggerMessageId historyTipMessageId
      steps { ${STEP_FIELDS} }
      detail
    }
  }
}`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A REST list item in GraphQL's camelCase, with absent optional keys as null. */
const gqlRun = (r: Json) => ({
  id: r.id,
  chatId: r.chat_id,
  kind: r.kind,
  status: r.status,
  provider: r.provider ?? null,
  model: r.model ?? null,
  summary: r.summary,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at ?? null,
});

const gqlStep = (s: Json) => ({
  id: s.id,
  runId: s.run_id,
  chatId: s.chat_id,
  stepNumber: s.step_number,
  operation: s.operation,
  status: s.status,
  historyTipMessageId: s.history_tip_message_id ?? null,
  assistantMessageId: s.assistant_message_id ?? null,
  normalizedRequest: s.normalized_request,
  normalizedResponse: s.normalized_response ?? null,
  usage: s.usage ?? null,
  attempts: s.attempts,
  error: s.error ?? null,
  metadata: s.metadata,
  startedAt: s.started_at,
  updatedAt: s.updated_at,
  finishedAt: s.finished_at ?? null,
});

describe.each(BACKENDS)('debug data over GraphQL on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let w: ReturnType<typeof ingest>;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    await enableRecording(server, users);
    w = ingest(server);
    token = users.member.token;
  });
  afterAll(async () => server?.close());

  const gql = (query: string, variables: Record<string, unknown>, as = token) => server.api.graphql(query, variables, as);

  /** A chat with two runs written over REST: an older finished one with two steps, a newer empty one. */
  async function seeded() {
    const chatId = await createChat(server.api, token);
    const run = await w.startRun(token, chatId, { kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini', first_message: 'Fix the build', trigger_message_id: 3, root_chat_id: chatId });
    const s1 = await w.addStep(token, chatId, run.id, { operation: 'stream', normalized_request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], provider_option_count: 0 } });
    await w.patchStep(token, chatId, run.id, s1.id, {
      status: 'completed',
      usage: { input_tokens: 10, output_tokens: 1 },
      normalized_response: { content: [{ type: 'text', text: 'ok' }], finish_reason: 'stop' },
      attempts: [{ number: 1, status: 'completed', method: 'POST', path: '/v1/messages', request_body: b64('{"model":"m"}'), duration_ms: 4 }],
      assistant_message_id: 4,
    });
    const s2 = await w.addStep(token, chatId, run.id, { operation: 'generate' });
    await w.patchStep(token, chatId, run.id, s2.id, { status: 'error', error: { message: 'boom', type: 'provider' } });
    await w.patchRun(token, chatId, run.id, { status: 'error' });
    await new Promise((r) => setTimeout(r, 5));
    const newer = await w.startRun(token, chatId, { kind: 'quickgen' });
    return { chatId, runId: run.id as string, newerId: newer.id as string };
  }

  it('chat(id) { debugRuns debugRun { steps detail } debugLoggingActive hasDebugRuns } returns the same data as REST', async () => {
    const { chatId, runId } = await seeded();
    const list = await w.list(token, chatId);
    const detailRes = await server.api.get(runPath(chatId, runId), { token });
    const detail = detailRes.body;

    const res = await gql(CHAT_QUERY, { chat: chatId, run: runId });
    expect(res.status, res.text).toBe(200);
    expect(res.body.errors, res.text).toBeUndefined();
    const chat = res.body.data.chat;
    expect(chat.id).toBe(chatId);
    expect(chat.debugLoggingActive).toBe(true);
    expect(chat.hasDebugRuns).toBe(true);
    expect(chat.debugRuns).toEqual(list.map(gqlRun));
    expect(chat.debugRun).toEqual({
      ...gqlRun(detail),
      rootChatId: chatId,
      parentChatId: null,
      modelConfigId: null,
      triggerMessageId: 3,
      historyTipMessageId: null,
      steps: detail.steps.map(gqlStep),
      detail,
    });
    // `detail` is the REST body exactly, key order included.
    expect(`${JSON.stringify(chat.debugRun.detail)}\n`).toBe(detailRes.text);
    expect(chat.debugRun.summary).toEqual({
      endpoint_label: 'POST /v1/messages',
      first_message: 'Fix the build',
      has_error: true,
      step_count: 2,
      total_input_tokens: 10,
      total_output_tokens: 1,
    });
  });

  it('a reader sees the same; a stranger, the site owner and an auditor get chat: null; a revoked reader too', async () => {
    const { chatId, runId } = await seeded();
    await share(server.api, token, chatId, users.member2.id);
    const mine = await gql(CHAT_QUERY, { chat: chatId, run: runId });
    const reader = await gql(CHAT_QUERY, { chat: chatId, run: runId }, users.member2.token);
    expect(reader.body).toEqual(mine.body);
    for (const as of [users.owner.token, users.auditor.token]) {
      expect((await gql(CHAT_QUERY, { chat: chatId, run: runId }, as)).body).toEqual({ data: { chat: null } });
    }
    expect((await gql(CHAT_QUERY, { chat: randomUUID(), run: runId })).body).toEqual({ data: { chat: null } });
    await share(server.api, token, chatId, users.member2.id, '');
    expect((await gql(CHAT_QUERY, { chat: chatId, run: runId }, users.member2.token)).body).toEqual({ data: { chat: null } });
    const anonymous = await server.api.graphql(CHAT_QUERY, { chat: chatId, run: runId });
    expect(anonymous.body.data?.chat ?? null).toBeNull();
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('subagent chats inherit the root ACL; debugRun of another chat is null; debugRuns(first) caps at 100', async () => {
    const { chatId, runId, newerId } = await seeded();
    const sub = await createChat(server.api, token, { parent_chat_id: chatId });
    const subRun = await w.startRun(token, sub);
    await share(server.api, token, chatId, users.member2.id);
    const q = `query($chat: ID!, $run: ID!) { chat(id: $chat) { debugRuns { id } debugRun(id: $run) { id } } }`;
    expect((await gql(q, { chat: sub, run: subRun.id }, users.member2.token)).body).toEqual({
      data: { chat: { debugRuns: [{ id: subRun.id }], debugRun: { id: subRun.id } } },
    });
    // A run of the root chat through the subagent chat: null, like REST's 404.
    expect((await gql(q, { chat: sub, run: runId })).body).toEqual({ data: { chat: { debugRuns: [{ id: subRun.id }], debugRun: null } } });
    expect((await gql(q, { chat: chatId, run: randomUUID() })).body.data.chat.debugRun).toBeNull();
    const bad = await gql(q, { chat: chatId, run: 'nope' });
    expect(bad.body.errors).toHaveLength(1);
    expect(bad.body.errors[0]).toMatchObject({ message: 'Invalid debug run ID.', path: ['chat', 'debugRun'], extensions: { code: 'BAD_USER_INPUT' } });

    const first = `query($chat: ID!, $n: Int) { chat(id: $chat) { debugRuns(first: $n) { id } } }`;
    expect((await gql(first, { chat: chatId, n: 1 })).body.data.chat.debugRuns).toEqual([{ id: newerId }]);
    expect((await gql(first, { chat: chatId, n: 0 })).body.data.chat.debugRuns).toEqual([]);
    const negative = await gql(first, { chat: chatId, n: -1 });
    expect(negative.body.errors).toHaveLength(1);
    expect(negative.body.errors[0]).toMatchObject({ message: 'first must not be negative.', path: ['chat', 'debugRuns'], extensions: { code: 'BAD_USER_INPUT' } });
    const many = await createChat(server.api, token);
    await server.db.prisma.debugRun.createMany({
      data: Array.from({ length: 101 }, (_, i) => ({ id: randomUUID(), chatId: many, kind: 'chat_turn', status: 'in_progress', summary: {}, startedAt: new Date(Date.now() - i * 1000) })),
    });
    expect((await gql(first, { chat: many, n: 500 })).body.data.chat.debugRuns).toHaveLength(100);
    expect((await gql(first, { chat: many })).body.data.chat.debugRuns).toHaveLength(100);
    const ids = (await w.list(token, many)).map((r: { id: string }) => ({ id: r.id }));
    expect((await gql(first, { chat: many })).body.data.chat.debugRuns).toEqual(ids);
  });

  describe('mutations', () => {
    const START = `mutation($chat: ID!, $input: StartDebugRunInput!) { startDebugRun(chatId: $chat, input: $input) { id status summary detail } }`;
    const ADD = `mutation($chat: ID!, $run: ID!, $input: AddDebugStepInput!) { addDebugStep(chatId: $chat, runId: $run, input: $input) { id stepNumber status normalizedRequest } }`;
    const UPDATE_STEP = `mutation($chat: ID!, $run: ID!, $step: ID!, $input: UpdateDebugStepInput!) {
      updateDebugStep(chatId: $chat, runId: $run, stepId: $step, input: $input) { id status usage error attempts normalizedResponse metadata finishedAt } }`;
    const UPDATE_RUN = `mutation($chat: ID!, $run: ID!, $input: UpdateDebugRunInput!) { updateDebugRun(chatId: $chat, runId: $run, input: $input) { id status model summary finishedAt detail } }`;

    it('refuses a NUL (U+0000) in a variable or a string literal as bad input, before anything is stored', async () => {
      const chatId = await createChat(server.api, token);
      const run = (await gql(START, { chat: chatId, input: { kind: 'chat_turn' } })).body.data.startDebugRun;
      const before = await snapshotDebug(server);
      const attempts = [
        () => gql(ADD, { chat: chatId, run: run.id, input: { operation: 'stream', normalizedRequest: { messages: [{ text: 'a\u0000' }] } } }),
        () => gql(UPDATE_RUN, { chat: chatId, run: run.id, input: { model: 'm\u0000' } }),
        () => gql(`mutation($chat: ID!, $run: ID!) { updateDebugRun(chatId: $chat, runId: $run, input: { model: "m\\u0000" }) { id } }`, { chat: chatId, run: run.id }),
      ];
      for (const attempt of attempts) {
        const res = await attempt();
        expect(res.status, res.text).toBe(200);
        expect(res.body.errors, res.text).toEqual([{ message: 'Input is not valid: \\u0000 (NUL) cannot be stored.', extensions: { code: 'BAD_USER_INPUT' } }]);
        expect(res.body.data).toBeUndefined();
      }
      expect(await snapshotDebug(server)).toBe(before);
      // Over the WebSocket too: the same plugins run there.
      const client = createClient({ url: wsUrl(server.url), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { sessionToken: token } });
      try {
        const overSocket = await new Promise<unknown>((resolve, reject) => {
          client.subscribe({ query: UPDATE_RUN, variables: { chat: chatId, run: run.id, input: { model: 'm\u0000' } } }, { next: resolve, error: reject, complete: () => {} });
        });
        expect(overSocket).toEqual({ errors: [{ message: 'Input is not valid: \\u0000 (NUL) cannot be stored.', extensions: { code: 'BAD_USER_INPUT' } }] });
      } finally {
        await client.dispose();
      }
      expect(await snapshotDebug(server)).toBe(before);
      // The six characters \u0000 are text like any other.
      const literal = await gql(UPDATE_RUN, { chat: chatId, run: run.id, input: { model: 'm\\u0000' } });
      expect(literal.body.data.updateDebugRun.model, literal.text).toBe('m\\u0000');
    });

    it('takes payloads nested 1000 levels deep, as REST does; deeper variables are bad input and store nothing', async () => {
      const chatId = await createChat(server.api, token);
      const run = (await gql(START, { chat: chatId, input: { kind: 'chat_turn' } })).body.data.startDebugRun;
      /** `{"a":{"a":…{}}}` nested `levels` deep, as text: JSON.stringify would overflow on the deepest. */
      const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
      const send = (levels: number) =>
        server.api.request('POST', '/graphql', {
          token,
          headers: { 'Content-Type': 'application/json' },
          body: `{"query":${JSON.stringify(ADD)},"variables":{"chat":"${chatId}","run":"${run.id}","input":{"operation":"stream","normalizedRequest":${nested(levels)}}}}`,
        });
      const stored = await send(1000);
      expect(JSON.stringify(stored.body.data.addDebugStep.normalizedRequest), stored.text.slice(0, 200)).toBe(nested(1000));
      const before = await snapshotDebug(server);
      for (const levels of [1001, 200_000]) {
        const res = await send(levels);
        expect(res.status).toBe(200);
        expect(res.body.errors).toEqual([{ message: 'Input is not valid: JSON nested deeper than 1000 levels.', extensions: { code: 'BAD_USER_INPUT' } }]);
      }
      expect(await snapshotDebug(server)).toBe(before);
    });

    it('startDebugRun/addDebugStep/updateDebugStep/updateDebugRun record a run that REST reads back identically', async () => {
      const chatId = await createChat(server.api, token);
      const started = await gql(START, { chat: chatId, input: { kind: 'chat_turn', provider: 'anthropic', model: 'claude', firstMessage: '  Fix   the\nbuild ', triggerMessageId: 9 } });
      expect(started.body.errors, started.text).toBeUndefined();
      const run = started.body.data.startDebugRun;
      expect(run).toMatchObject({ status: 'in_progress', summary: { first_message: 'Fix the build' } });
      expect(run.detail).toEqual((await w.detail(token, chatId, run.id)));

      const steps = [];
      for (let i = 0; i < 3; i++) {
        const added = await gql(ADD, { chat: chatId, run: run.id, input: { operation: 'stream', normalizedRequest: { messages: [], api_key: 'sk-x', provider_option_count: 0 } } });
        expect(added.body.errors, added.text).toBeUndefined();
        steps.push(added.body.data.addDebugStep);
      }
      expect(steps.map((s) => s.stepNumber)).toEqual([1, 2, 3]);
      expect(steps[0].normalizedRequest).toEqual({ api_key: '[REDACTED]', messages: [], provider_option_count: 0 });

      const usages = [
        { input_tokens: 10, output_tokens: 1 },
        { input_tokens: 20, output_tokens: 2 },
        { input_tokens: 30, output_tokens: 3 },
      ];
      for (const [i, step] of steps.entries()) {
        const res = await gql(UPDATE_STEP, {
          chat: chatId,
          run: run.id,
          step: step.id,
          input: { status: 'completed', usage: usages[i], error: { message: 'transient' }, attempts: [{ number: 1, duration_ms: 1, request_headers: { Authorization: 'Bearer x' } }] },
        });
        expect(res.body.errors, res.text).toBeUndefined();
        expect(res.body.data.updateDebugStep.attempts).toEqual([{ duration_ms: 1, number: 1, request_headers: { Authorization: '[REDACTED]' } }]);
      }
      // Partial update: only status → payloads kept; error: null clears; an absent key keeps.
      const statusOnly = await gql(UPDATE_STEP, { chat: chatId, run: run.id, step: steps[0].id, input: { status: 'completed' } });
      expect(statusOnly.body.data.updateDebugStep).toMatchObject({ usage: usages[0], error: { message: 'transient' } });
      const cleared = await gql(UPDATE_STEP, { chat: chatId, run: run.id, step: steps[0].id, input: { error: null } });
      expect(cleared.body.data.updateDebugStep).toMatchObject({ usage: usages[0], error: null, status: 'completed' });
      for (const step of steps.slice(1)) await gql(UPDATE_STEP, { chat: chatId, run: run.id, step: step.id, input: { error: null } });
      // A lower status is ignored as a whole.
      const regress = await gql(UPDATE_STEP, { chat: chatId, run: run.id, step: steps[0].id, input: { status: 'in_progress', usage: { input_tokens: 99 } } });
      expect(regress.body.data.updateDebugStep).toMatchObject({ status: 'completed', usage: usages[0] });

      const finished = await gql(UPDATE_RUN, { chat: chatId, run: run.id, input: { status: 'completed', model: 'claude-2' } });
      expect(finished.body.errors, finished.text).toBeUndefined();
      const done = finished.body.data.updateDebugRun;
      expect(done.summary).toEqual({ first_message: 'Fix the build', step_count: 3, total_input_tokens: 60, total_output_tokens: 6 });
      expect(done.model).toBe('claude-2');
      const rest = await server.api.get(runPath(chatId, run.id), { token });
      expect(`${JSON.stringify(done.detail)}\n`).toBe(rest.text);
      const again = await gql(UPDATE_RUN, { chat: chatId, run: run.id, input: { status: 'completed' } });
      expect(again.body.data.updateDebugRun.finishedAt).toBe(done.finishedAt);
    });

    it('CONFLICT: the recording gate is closed (nothing stored); a step into a finished run (nothing inserted)', async () => {
      const chatId = await createChat(server.api, users.member2.token);
      const before = await snapshotDebug(server);
      const closed = await gql(START, { chat: chatId, input: { kind: 'chat_turn' } }, users.member2.token);
      expectGqlError(closed, 'startDebugRun', { code: 'CONFLICT', message: NOT_ENABLED_MESSAGE, detail: USER_LAYER_DETAIL });
      expect(await snapshotDebug(server)).toBe(before);
      // Admin revokes: the admin layer is named.
      await server.api.put('/api/experimental/chats/config/debug-logging', { token: users.owner.token, body: { allow_users: false } });
      const own = await createChat(server.api, token);
      expectGqlError(await gql(START, { chat: own, input: { kind: 'chat_turn' } }), 'startDebugRun', { code: 'CONFLICT', message: NOT_ENABLED_MESSAGE, detail: ADMIN_LAYER_DETAIL });
      expect(await countDebugRows(server, own)).toEqual({ runs: 0, steps: 0 });
      const gate = await gql('query($id: ID!) { chat(id: $id) { debugLoggingActive } }', { id: own });
      expect(gate.body).toEqual({ data: { chat: { debugLoggingActive: false } } });
      await enableRecording(server, users);

      const run = await w.startRun(token, own);
      await w.patchRun(token, own, run.id, { status: 'completed' });
      const snapshot = await snapshotDebug(server);
      expectGqlError(await gql(ADD, { chat: own, run: run.id, input: { operation: 'stream' } }), 'addDebugStep', { code: 'CONFLICT', message: 'Debug run is already finished.' });
      expect(await snapshotDebug(server)).toBe(snapshot);
    });

    it('FORBIDDEN for a reader, NOT_FOUND for a stranger, the site owner, a wrong chat or run; nothing changes', async () => {
      const chatId = await createChat(server.api, token);
      const other = await createChat(server.api, token);
      await share(server.api, token, chatId, users.member2.id);
      const run = await w.startRun(token, chatId);
      const step = await w.addStep(token, chatId, run.id);
      const before = await snapshotDebug(server);
      const calls = (chat: string, runId = run.id, stepId = step.id) =>
        [
          ['startDebugRun', START, { chat, input: { kind: 'chat_turn' } }],
          ['addDebugStep', ADD, { chat, run: runId, input: { operation: 'stream' } }],
          ['updateDebugStep', UPDATE_STEP, { chat, run: runId, step: stepId, input: { status: 'completed' } }],
          ['updateDebugRun', UPDATE_RUN, { chat, run: runId, input: { status: 'completed' } }],
        ] as const;
      for (const [field, query, variables] of calls(chatId)) {
        expectGqlError(await gql(query, variables, users.member2.token), field, { code: 'FORBIDDEN', message: 'Forbidden.' });
        for (const as of [users.owner.token, users.auditor.token]) {
          expectGqlError(await gql(query, variables, as), field, { code: 'NOT_FOUND', message: 'Resource not found or you do not have access to this resource' });
        }
      }
      for (const [field, query, variables] of calls(other).slice(1)) {
        expectGqlError(await gql(query, variables), field, { code: 'NOT_FOUND' });
      }
      for (const [field, query, variables] of calls(chatId, randomUUID(), randomUUID()).slice(1)) {
        expectGqlError(await gql(query, variables), field, { code: 'NOT_FOUND' });
      }
      expect(await snapshotDebug(server)).toBe(before);
    });

    it('BAD_USER_INPUT: invalid ids, kind, operation, status and payload types; nothing changes', async () => {
      const chatId = await createChat(server.api, token);
      const run = await w.startRun(token, chatId);
      const step = await w.addStep(token, chatId, run.id);
      const before = await snapshotDebug(server);
      const cases = [
        ['startDebugRun', START, { chat: 'not-a-uuid', input: { kind: 'chat_turn' } }],
        ['startDebugRun', START, { chat: chatId, input: { kind: '' } }],
        ['startDebugRun', START, { chat: chatId, input: { kind: 'Chat Turn!' } }],
        ['startDebugRun', START, { chat: chatId, input: { kind: 'chat_turn', triggerMessageId: 1.5 } }],
        ['addDebugStep', ADD, { chat: chatId, run: 'nope', input: { operation: 'stream' } }],
        ['addDebugStep', ADD, { chat: chatId, run: run.id, input: { operation: 'chat' } }],
        ['addDebugStep', ADD, { chat: chatId, run: run.id, input: { operation: 'stream', normalizedRequest: [1] } }],
        ['updateDebugStep', UPDATE_STEP, { chat: chatId, run: run.id, step: 'nope', input: { status: 'completed' } }],
        ['updateDebugStep', UPDATE_STEP, { chat: chatId, run: run.id, step: step.id, input: { status: 'done' } }],
        ['updateDebugStep', UPDATE_STEP, { chat: chatId, run: run.id, step: step.id, input: { usage: 'lots' } }],
        ['updateDebugStep', UPDATE_STEP, { chat: chatId, run: run.id, step: step.id, input: { attempts: { number: 1 } } }],
        ['updateDebugRun', UPDATE_RUN, { chat: chatId, run: run.id, input: { status: 'finished' } }],
        ['updateDebugRun', UPDATE_RUN, { chat: chatId, run: run.id, input: { summary: 'text' } }],
      ] as const;
      for (const [field, query, variables] of cases) {
        expectGqlError(await gql(query, variables), field, { code: 'BAD_USER_INPUT' });
      }
      expect(await snapshotDebug(server)).toBe(before);
      expectGqlError(await gql(START, { chat: 'not-a-uuid', input: { kind: 'chat_turn' } }), 'startDebugRun', {
        code: 'BAD_USER_INPUT',
        message: 'Invalid UUID "not-a-uuid".',
        detail: 'invalid UUID length: 10',
      });
    });
  });
});
