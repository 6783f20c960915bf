// Recording gate and writer authorisation for debug ingestion (rest-api.md 9.1, 15.5 case 44;
// product.md 4): every combination of override × allow_users × owner opt-in × reader opt-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectForbidden, expectJson, expectNoToken, expectNotFound } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import {
  ADMIN_LAYER_DETAIL,
  CHATS,
  NOT_ENABLED_MESSAGE,
  USER_LAYER_DETAIL,
  countDebugRows,
  enableRecording,
  ingest,
  runPath,
  runsPath,
  snapshotDebug,
  stepPath,
  stepsPath,
} from '../support/debug.ts';
import { createChat, createUsers, share, type TestUser, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ALLOW_KEY = 'debug_logging_allow_users';
const OPT_IN_KEY = 'debug_logging_enabled';

type Stored = boolean | null; // null: never written

async function seedSettings(server: TestServer, allow: Stored, optIns: [TestUser, Stored][]) {
  await server.db.prisma.siteSetting.deleteMany({ where: { key: ALLOW_KEY } });
  await server.db.prisma.userSetting.deleteMany({ where: { key: OPT_IN_KEY } });
  if (allow !== null) await server.db.prisma.siteSetting.create({ data: { key: ALLOW_KEY, value: JSON.stringify(allow) } });
  for (const [user, value] of optIns) {
    if (value !== null) await server.db.prisma.userSetting.create({ data: { userId: user.id, key: OPT_IN_KEY, value: JSON.stringify(value) } });
  }
}

const closed = (detail: string) => ({ message: NOT_ENABLED_MESSAGE, detail });

const GATE_QUERY = 'query($id: ID!) { chat(id: $id) { debugLoggingActive hasDebugRuns } }';

const STORED: Stored[] = [null, false, true];
const combos = STORED.flatMap((allow) => STORED.flatMap((ownerOptIn) => [false, true].map((readerOptIn) => ({ allow, ownerOptIn, readerOptIn }))));

/**
 * One POST /runs per combination, on a fresh chat of `member` that `member2` reads. Returns whether it
 * was recorded, after asserting the whole response and that a refusal stored nothing.
 */
async function tryRecord(server: TestServer, users: Users, expected: { open: boolean; detail?: string }) {
  const chatId = await createChat(server.api, users.member.token);
  await share(server.api, users.member.token, chatId, users.member2.id);
  const before = await snapshotDebug(server);
  const res = await server.api.post(runsPath(chatId), { token: users.member.token, body: { kind: 'chat_turn', first_message: 'hi' } });
  if (expected.open) {
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ chat_id: chatId, kind: 'chat_turn', status: 'in_progress', summary: { first_message: 'hi' }, steps: [] });
    expect(await countDebugRows(server, chatId)).toEqual({ runs: 1, steps: 0 });
  } else {
    expectJson(res, 409, closed(expected.detail!));
    expect(await snapshotDebug(server)).toBe(before);
    expectJson(await server.api.get(runsPath(chatId), { token: users.member.token }), 200, []);
  }
  // The viewer's own setting plays no part: owner and reader see the same gate.
  for (const viewer of [users.member, users.member2]) {
    const gql = await server.api.graphql(GATE_QUERY, { id: chatId }, viewer.token);
    expect(gql.body, gql.text).toEqual({ data: { chat: { debugLoggingActive: expected.open, hasDebugRuns: expected.open } } });
  }
  return chatId;
}

describe.each(BACKENDS)('recording gate on %s', (backend) => {
  describe('without the deployment override', () => {
    let server: TestServer;
    let users: Users;
    beforeAll(async () => {
      server = await startTestServer(backend);
      users = await createUsers(server.api);
    });
    afterAll(async () => server?.close());

    it.each(combos)('gate: allow_users=$allow owner opt-in=$ownerOptIn reader opt-in=$readerOptIn', async ({ allow, ownerOptIn, readerOptIn }) => {
      await seedSettings(server, allow, [
        [users.member, ownerOptIn],
        [users.member2, readerOptIn],
      ]);
      const open = allow === true && ownerOptIn === true;
      const detail = allow !== true ? ADMIN_LAYER_DETAIL : USER_LAYER_DETAIL;
      await tryRecord(server, users, { open, detail });
      // The gate is the chat owner's debug_logging_enabled (9.1).
      const mine = await server.api.get(`${CHATS}/config/user-debug-logging`, { token: users.member.token });
      expect(mine.body.debug_logging_enabled).toBe(open);
      // The reader's own chats follow the reader's own opt-in.
      const readerChat = await createChat(server.api, users.member2.token);
      const res = await server.api.post(runsPath(readerChat), { token: users.member2.token, body: { kind: 'quickgen' } });
      if (allow === true && readerOptIn) expect(res.status, res.text).toBe(201);
      else expectJson(res, 409, closed(allow !== true ? ADMIN_LAYER_DETAIL : USER_LAYER_DETAIL));
    });

    it('TestService_IsEnabled: off by default; allow_users alone is not enough; owner opt-in opens; opting out closes; a reader opt-in does nothing', async () => {
      await seedSettings(server, null, []);
      const chatId = await createChat(server.api, users.member.token);
      await share(server.api, users.member.token, chatId, users.member2.id);
      const post = () => server.api.post(runsPath(chatId), { token: users.member.token, body: { kind: 'chat_turn' } });

      expectJson(await post(), 409, closed(ADMIN_LAYER_DETAIL));
      expect((await server.api.put(`${CHATS}/config/debug-logging`, { token: users.owner.token, body: { allow_users: true } })).status).toBe(204);
      expectJson(await post(), 409, closed(USER_LAYER_DETAIL));
      // The reader opts in: nothing changes for someone else's chat.
      expect((await server.api.put(`${CHATS}/config/user-debug-logging`, { token: users.member2.token, body: { debug_logging_enabled: true } })).status).toBe(204);
      expectJson(await post(), 409, closed(USER_LAYER_DETAIL));
      expectJson(await server.api.get(runsPath(chatId), { token: users.member.token }), 200, []);
      expect(await countDebugRows(server, chatId)).toEqual({ runs: 0, steps: 0 });

      // The chat owner opts in: recording is on.
      expect((await server.api.put(`${CHATS}/config/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: true } })).status).toBe(204);
      const first = await post();
      expect(first.status, first.text).toBe(201);
      // Opting out closes it again; the stored run stays.
      expect((await server.api.put(`${CHATS}/config/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: false } })).status).toBe(204);
      expectJson(await post(), 409, closed(USER_LAYER_DETAIL));
      // Admin revokes while the owner is opted in: closed at the admin layer.
      expect((await server.api.put(`${CHATS}/config/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: true } })).status).toBe(204);
      expect((await server.api.put(`${CHATS}/config/debug-logging`, { token: users.owner.token, body: { allow_users: false } })).status).toBe(204);
      expectJson(await post(), 409, closed(ADMIN_LAYER_DETAIL));
      expect(await countDebugRows(server, chatId)).toEqual({ runs: 1, steps: 0 });
      const list = await server.api.get(runsPath(chatId), { token: users.member.token });
      expect(list.body.map((r: { id: string }) => r.id)).toEqual([first.body.id]);
    });

    it('a closed gate only guards new runs: steps and updates of an existing run are still written', async () => {
      await seedSettings(server, true, [[users.member, true]]);
      const chatId = await createChat(server.api, users.member.token);
      const w = ingest(server);
      const run = await w.startRun(users.member.token, chatId);
      await seedSettings(server, false, []);
      const step = await w.addStep(users.member.token, chatId, run.id);
      await w.patchStep(users.member.token, chatId, run.id, step.id, { status: 'completed' });
      const finished = await w.patchRun(users.member.token, chatId, run.id, { status: 'completed' });
      expect(finished.status).toBe('completed');
    });
  });

  const overrides: [string, { args?: string[]; env?: NodeJS.ProcessEnv }][] = [
    ['CODER_CHAT_DEBUG_LOGGING_ENABLED=true', { env: { CODER_CHAT_DEBUG_LOGGING_ENABLED: 'true' } }],
    ['--chat-debug-logging-enabled', { args: ['--chat-debug-logging-enabled'] }],
  ];
  describe.each(overrides)('with the deployment override (%s)', (_name, options) => {
    let server: TestServer;
    let users: Users;
    beforeAll(async () => {
      server = await startTestServer(backend, { ...options });
      users = await createUsers(server.api);
    });
    afterAll(async () => server?.close());

    it.each(combos)('gate (override on): allow_users=$allow owner opt-in=$ownerOptIn reader opt-in=$readerOptIn → recorded', async ({ allow, ownerOptIn, readerOptIn }) => {
      await seedSettings(server, allow, [
        [users.member, ownerOptIn],
        [users.member2, readerOptIn],
      ]);
      await tryRecord(server, users, { open: true });
    });

    it('TestService_IsEnabled: the override turns recording on regardless of the stored settings', async () => {
      await seedSettings(server, false, [[users.member, false]]);
      const chatId = await createChat(server.api, users.member.token);
      const res = await server.api.post(runsPath(chatId), { token: users.member.token, body: { kind: 'compaction' } });
      expect(res.status, res.text).toBe(201);
      expect(res.body.kind).toBe('compaction');
    });
  });
});

describe.each(BACKENDS)('who may write debug data on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let chatId: string;
  let runId: string;
  let stepId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    await enableRecording(server, users);
    // Opted in too, so that a refusal is about access, never about the gate.
    await enableRecording(server, users, users.member2);
    chatId = await createChat(server.api, users.member.token);
    await share(server.api, users.member.token, chatId, users.member2.id);
    const w = ingest(server);
    runId = (await w.startRun(users.member.token, chatId)).id;
    stepId = (await w.addStep(users.member.token, chatId, runId)).id;
  });
  afterAll(async () => server?.close());

  const writes = () =>
    [
      ['POST runs', 'post', runsPath(chatId), { kind: 'chat_turn' }],
      ['POST steps', 'post', stepsPath(chatId, runId), { operation: 'generate' }],
      ['PATCH step', 'patch', stepPath(chatId, runId, stepId), { status: 'completed' }],
      ['PATCH run', 'patch', runPath(chatId, runId), { status: 'completed' }],
    ] as const;

  it('the chat owner writes: run, step, step update, run update', async () => {
    const w = ingest(server);
    const run = await w.startRun(users.member.token, chatId);
    const step = await w.addStep(users.member.token, chatId, run.id);
    expect((await w.patchStep(users.member.token, chatId, run.id, step.id, { status: 'completed' })).status).toBe('completed');
    expect((await w.patchRun(users.member.token, chatId, run.id, { status: 'completed' })).status).toBe('completed');
  });

  it('a key the chat owner made with POST /api/v2/users/me/keys writes like the owner', async () => {
    const key = await server.api.post('/api/v2/users/me/keys', { token: users.member.token });
    expect(key.status, key.text).toBe(201);
    const w = ingest(server);
    const run = await w.startRun(key.body.key, chatId, { kind: 'title_generation' });
    const step = await w.addStep(key.body.key, chatId, run.id, { operation: 'generate' });
    await w.patchStep(key.body.key, chatId, run.id, step.id, { status: 'completed', usage: { input_tokens: 1, output_tokens: 2 } });
    const done = await w.patchRun(key.body.key, chatId, run.id, { status: 'completed' });
    expect(done.summary).toEqual({ step_count: 1, total_input_tokens: 1, total_output_tokens: 2 });
  });

  it('a reader (read share) → 403 Forbidden body on every write; nothing changes', async () => {
    for (const [name, method, path, body] of writes()) {
      const before = await snapshotDebug(server);
      const res = await server.api[method](path, { token: users.member2.token, body });
      expectForbidden(res);
      expect(await snapshotDebug(server), name).toBe(before);
    }
  });

  it('a stranger, the site owner and an auditor → 404 on every write; nothing changes', async () => {
    const stranger = await server.api.post('/api/v2/users', {
      token: users.owner.token,
      body: { email: 'stranger@example.com', username: 'stranger', password: 'correct-horse-battery' },
    });
    expect(stranger.status).toBe(201);
    const login = await server.api.post('/api/v2/users/login', { body: { email: 'stranger@example.com', password: 'correct-horse-battery' } });
    for (const token of [login.body.session_token, users.owner.token, users.auditor.token]) {
      for (const [name, method, path, body] of writes()) {
        const before = await snapshotDebug(server);
        expectNotFound(await server.api[method](path, { token, body }));
        expect(await snapshotDebug(server), name).toBe(before);
      }
    }
  });

  it('no token → 401 on every write', async () => {
    for (const [, method, path, body] of writes()) expectNoToken(await server.api[method](path, { body }));
  });

  it('after the share is removed, the former reader gets 404 instead of 403', async () => {
    const own = await createChat(server.api, users.member.token);
    await share(server.api, users.member.token, own, users.member2.id);
    expectForbidden(await server.api.post(runsPath(own), { token: users.member2.token, body: { kind: 'chat_turn' } }));
    await share(server.api, users.member.token, own, users.member2.id, '');
    expectNotFound(await server.api.post(runsPath(own), { token: users.member2.token, body: { kind: 'chat_turn' } }));
  });

  it('subagent chats: the root owner writes; a reader of the root gets 403; the gate is the root owner’s', async () => {
    const sub = await createChat(server.api, users.member.token, { parent_chat_id: chatId });
    const w = ingest(server);
    const run = await w.startRun(users.member.token, sub, { kind: 'chat_turn', parent_chat_id: chatId, root_chat_id: chatId });
    expect(run).toMatchObject({ chat_id: sub, root_chat_id: chatId, parent_chat_id: chatId });
    expectForbidden(await server.api.post(runsPath(sub), { token: users.member2.token, body: { kind: 'chat_turn' } }));
  });
});
