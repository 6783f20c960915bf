// GET /api/experimental/chats/{chat}/debug/runs (rest-api.md 11.1, 11.3; cases 45–54) and read access (section 4).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, expectNoToken, expectNotFound } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { RUN_SUMMARY_KEYS, enableRecording, expectKeys, ingest, iso, runsPath, seedRun, seedStep } from '../support/debug.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-05T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** The list item the contract expects for a run seeded with the defaults of 15.6. */
const summaryOf = (run: { id: string; chatId: string; startedAt: Date; updatedAt: Date }, extra: Record<string, unknown> = {}) => ({
  id: run.id,
  chat_id: run.chatId,
  kind: 'chat_turn',
  status: 'in_progress',
  provider: 'openai',
  model: 'gpt-4o-mini',
  summary: {},
  started_at: iso(run.startedAt),
  updated_at: iso(run.updatedAt),
  ...extra,
});

describe.each(BACKENDS)('listing debug runs on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());

  const list = (chatId: string, token = users.member.token) => server.api.get(runsPath(chatId), { token });

  it('ListReturnsRunsNewestFirst: two runs, the newer first, kind and status as seeded', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const older = await seedRun(server, { chatId, startedAt: at(0) });
    const newer = await seedRun(server, { chatId, startedAt: at(10) });
    expectJson(await list(chatId), 200, [summaryOf(newer), summaryOf(older)]);
  });

  it('ListReturnsRunsNewestFirst: equal started_at falls back to id descending', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const a = await seedRun(server, { chatId, id: '00000000-0000-4000-8000-00000000000a', startedAt: at(5) });
    const b = await seedRun(server, { chatId, id: '00000000-0000-4000-8000-00000000000b', startedAt: at(5) });
    expectJson(await list(chatId), 200, [summaryOf(b), summaryOf(a)]);
  });

  it('ListReturnsRunsNewestFirst: runs written through the ingestion API are listed newest first', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, users.member.token);
    const w = ingest(server);
    const first = await w.startRun(users.member.token, chatId, { kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini' });
    await new Promise((r) => setTimeout(r, 5));
    const second = await w.startRun(users.member.token, chatId, { kind: 'title_generation' });
    const res = await list(chatId);
    expect(res.status).toBe(200);
    expect(res.body.map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
    expect(res.body[1]).toEqual({
      id: first.id,
      chat_id: chatId,
      kind: 'chat_turn',
      status: 'in_progress',
      provider: 'openai',
      model: 'gpt-4o-mini',
      summary: {},
      started_at: first.started_at,
      updated_at: first.updated_at,
    });
  });

  it('ListCapsAt100: 101 runs → 100, [0] newest, [99] the second oldest, the oldest absent', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const ids = Array.from({ length: 101 }, () => randomUUID());
    await server.db.prisma.debugRun.createMany({
      data: ids.map((id, i) => ({
        id,
        chatId,
        kind: 'chat_turn',
        status: 'in_progress',
        provider: 'openai',
        model: 'gpt-4o-mini',
        summary: {},
        startedAt: at(i),
        updatedAt: at(i),
      })),
    });
    const res = await list(chatId);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(100);
    expect(res.body[0].id).toBe(ids[100]);
    expect(res.body[99].id).toBe(ids[1]);
    expect(res.body.map((r: { id: string }) => r.id)).not.toContain(ids[0]);
    expect(res.body.map((r: { id: string }) => r.id)).toEqual(ids.slice(1).reverse());
    // Query parameters are ignored.
    const paged = await server.api.get(`${runsPath(chatId)}?limit=5&offset=50&after=x`, { token: users.member.token });
    expect(paged.text).toBe(res.text);
  });

  it('ReturnsEmptyListWhenNoRuns: body is exactly []', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const res = await list(chatId);
    expectJson(res, 200, []);
    expect(res.text).toBe('[]\n');
  });

  it('NonExistentChatReturns404: a random chat UUID → 404', async () => {
    expectNotFound(await list(randomUUID()));
  });

  it('NonOwnerCannotList: member2 lists member’s chat → 404 standard body', async () => {
    const chatId = await createChat(server.api, users.member.token);
    await seedRun(server, { chatId });
    expectNotFound(await list(chatId, users.member2.token));
  });

  it('SiteOwnerWithoutShareGets404: owner and auditor list a member’s chat → 404', async () => {
    const chatId = await createChat(server.api, users.member.token);
    await seedRun(server, { chatId });
    expectNotFound(await list(chatId, users.owner.token));
    expectNotFound(await list(chatId, users.auditor.token));
  });

  it('SharedReaderCanList: reader → 200; after the share is removed → 404 on the next request', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const run = await seedRun(server, { chatId, startedAt: at(1) });
    await share(server.api, users.member.token, chatId, users.member2.id);
    expectJson(await list(chatId, users.member2.token), 200, [summaryOf(run)]);
    await share(server.api, users.member.token, chatId, users.member2.id, '');
    expectNotFound(await list(chatId, users.member2.token));
    // A site owner with a share reads like any reader.
    await share(server.api, users.member.token, chatId, users.owner.id);
    expectJson(await list(chatId, users.owner.token), 200, [summaryOf(run)]);
  });

  it('SubagentInheritsRootACL: a reader of the root lists a subagent chat’s runs; a share on the subagent alone grants nothing', async () => {
    const root = await createChat(server.api, users.member.token);
    const sub = await createChat(server.api, users.member.token, { parent_chat_id: root });
    const subsub = await createChat(server.api, users.member.token, { parent_chat_id: sub });
    const rootRun = await seedRun(server, { chatId: root, startedAt: at(1) });
    const subRun = await seedRun(server, { chatId: sub, startedAt: at(2), rootChatId: root, parentChatId: root });
    const deepRun = await seedRun(server, { chatId: subsub, startedAt: at(3) });

    // The share on the subagent chat alone: no access anywhere.
    await share(server.api, users.member.token, sub, users.member2.id);
    expectNotFound(await list(sub, users.member2.token));
    expectNotFound(await list(root, users.member2.token));

    await share(server.api, users.member.token, root, users.member2.id);
    // Runs of a subagent chat are listed under that chat only.
    expectJson(await list(root, users.member2.token), 200, [summaryOf(rootRun)]);
    expectJson(await list(sub, users.member2.token), 200, [summaryOf(subRun)]);
    expectJson(await list(subsub, users.member2.token), 200, [summaryOf(deepRun)]);
    expectJson(await list(sub), 200, [summaryOf(subRun)]);
    // Strangers and the site owner: 404 on the subagent chat too.
    expectNotFound(await list(sub, users.owner.token));

    await share(server.api, users.member.token, root, users.member2.id, '');
    expectNotFound(await list(sub, users.member2.token));
    expectNotFound(await list(subsub, users.member2.token));
  });

  it('InvalidChatID: /chats/not-a-uuid/debug/runs → 400 Invalid UUID', async () => {
    expectJson(await server.api.get(`${runsPath('not-a-uuid')}`, { token: users.member.token }), 400, {
      message: 'Invalid UUID "not-a-uuid".',
      detail: 'invalid UUID length: 10',
    });
    // Other accepted forms of the chat id reach the same chat.
    const chatId = await createChat(server.api, users.member.token);
    const run = await seedRun(server, { chatId, startedAt: at(1) });
    for (const form of [chatId.toUpperCase(), `{${chatId}}`, `urn:uuid:${chatId}`, chatId.replace(/-/g, '')]) {
      expectJson(await list(encodeURIComponent(form)), 200, [summaryOf(run)]);
    }
    expectJson(await server.api.get(runsPath('zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'), { token: users.member.token }), 400, {
      message: 'Invalid UUID "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz".',
      detail: 'invalid UUID format',
    });
  });

  it('AuthBeforePath: no token → 401 even for a malformed chat id', async () => {
    expectNoToken(await server.api.get(runsPath('not-a-uuid')));
    expectNoToken(await server.api.get(runsPath(randomUUID())));
  });

  it('ListShape: items carry no steps; null provider, model, finished_at are omitted (NullableFieldsNil)', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const bare = await seedRun(server, { chatId, provider: null, model: null, startedAt: at(1) });
    const finished = await seedRun(server, {
      chatId,
      status: 'completed',
      provider: '',
      model: '',
      startedAt: at(2),
      updatedAt: at(4),
      finishedAt: at(4),
      summary: { step_count: 1, first_message: 'hello', total_input_tokens: 3, total_output_tokens: 4 },
      rootChatId: chatId,
      triggerMessageId: 7n,
    });
    await seedStep(server, { chatId, runId: finished.id, stepNumber: 1 });
    const res = await list(chatId);
    expectJson(res, 200, [
      {
        id: finished.id,
        chat_id: chatId,
        kind: 'chat_turn',
        status: 'completed',
        provider: '',
        model: '',
        // Free-form objects: keys in ascending order.
        summary: { first_message: 'hello', step_count: 1, total_input_tokens: 3, total_output_tokens: 4 },
        started_at: iso(at(2)),
        updated_at: iso(at(4)),
        finished_at: iso(at(4)),
      },
      { id: bare.id, chat_id: chatId, kind: 'chat_turn', status: 'in_progress', summary: {}, started_at: iso(at(1)), updated_at: iso(at(1)) },
    ]);
    expectKeys(res.body[0], RUN_SUMMARY_KEYS, RUN_SUMMARY_KEYS);
    expectKeys(res.body[1], RUN_SUMMARY_KEYS, ['id', 'chat_id', 'kind', 'status', 'summary', 'started_at', 'updated_at']);
    for (const item of res.body) {
      expect(item).not.toHaveProperty('steps');
      expect(item).not.toHaveProperty('root_chat_id');
      expect(item).not.toHaveProperty('trigger_message_id');
    }
  });
});
