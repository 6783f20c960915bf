// GET /api/experimental/chats/{chat}/debug/runs/{debugRun} (rest-api.md 11.2; cases 55–61).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJson, expectNoToken, expectNotFound } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { RUN_DETAIL_KEYS, STEP_KEYS, enableRecording, expectKeys, ingest, iso, runPath, seedRun, seedStep } from '../support/debug.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const T0 = Date.parse('2026-03-05T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe.each(BACKENDS)('fetching one debug run on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());

  const get = (chatId: string, runId: string, token = users.member.token) => server.api.get(runPath(chatId, runId), { token });

  /** A run of 15.6 with two completed stream steps (seeded out of order). */
  async function runWithSteps(chatId: string) {
    const run = await seedRun(server, { chatId, startedAt: at(0), updatedAt: at(3) });
    const second = await seedStep(server, { chatId, runId: run.id, stepNumber: 2, startedAt: at(2), finishedAt: at(3) });
    const first = await seedStep(server, { chatId, runId: run.id, stepNumber: 1, startedAt: at(1), finishedAt: at(2) });
    const step = (s: typeof first) => ({
      id: s.id,
      run_id: run.id,
      chat_id: chatId,
      step_number: s.stepNumber,
      operation: 'stream',
      status: 'completed',
      normalized_request: {},
      attempts: [],
      metadata: {},
      started_at: iso(s.startedAt),
      updated_at: iso(s.updatedAt),
      finished_at: iso(s.finishedAt!),
    });
    const body = {
      id: run.id,
      chat_id: chatId,
      kind: 'chat_turn',
      status: 'in_progress',
      provider: 'openai',
      model: 'gpt-4o-mini',
      summary: {},
      started_at: iso(at(0)),
      updated_at: iso(at(3)),
      steps: [step(first), step(second)],
    };
    return { run, body };
  }

  it('ReturnsRunWithSteps: two stream/completed steps in step order; run fields as seeded', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const { run, body } = await runWithSteps(chatId);
    const res = await get(chatId, run.id);
    expectJson(res, 200, body);
    expect(res.body.provider).toBe('openai');
    expect(res.body.steps.map((s: { step_number: number }) => s.step_number)).toEqual([1, 2]);
    expectKeys(res.body, RUN_DETAIL_KEYS, Object.keys(body));
    for (const step of res.body.steps) expectKeys(step, STEP_KEYS, Object.keys(body.steps[0]));
  });

  it('ReturnsRunWithSteps: steps come back in step_number order whatever the insert order', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const run = await seedRun(server, { chatId });
    const ids: string[] = [];
    for (const n of [3, 1, 2]) ids[n] = (await seedStep(server, { chatId, runId: run.id, stepNumber: n, startedAt: at(10 - n) })).id;
    const res = await get(chatId, run.id);
    expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual([ids[1], ids[2], ids[3]]);
  });

  it('ReturnsRunWithSteps: a run and steps written through the ingestion API read back as written', async () => {
    await enableRecording(server, users);
    const chatId = await createChat(server.api, users.member.token);
    const w = ingest(server);
    const run = await w.startRun(users.member.token, chatId, { kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini' });
    const s1 = await w.addStep(users.member.token, chatId, run.id, { operation: 'stream' });
    const s1done = await w.patchStep(users.member.token, chatId, run.id, s1.id, { status: 'completed' });
    const s2 = await w.addStep(users.member.token, chatId, run.id, { operation: 'stream' });
    const s2done = await w.patchStep(users.member.token, chatId, run.id, s2.id, { status: 'completed' });
    const res = await get(chatId, run.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...run, updated_at: res.body.updated_at, steps: [s1done, s2done] });
    expect(res.body.updated_at).toBe(s2done.updated_at);
  });

  it('ReturnsRunWithoutSteps: steps is []', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const run = await seedRun(server, { chatId, startedAt: at(0) });
    const res = await get(chatId, run.id);
    expectJson(res, 200, {
      id: run.id,
      chat_id: chatId,
      kind: 'chat_turn',
      status: 'in_progress',
      provider: 'openai',
      model: 'gpt-4o-mini',
      summary: {},
      started_at: iso(at(0)),
      updated_at: iso(at(0)),
      steps: [],
    });
    expect(res.text).toContain('"steps":[]}');
  });

  it('InvalidRunIDReturns400: /debug/runs/not-a-uuid → 400 Invalid debug run ID.', async () => {
    const chatId = await createChat(server.api, users.member.token);
    expectJson(await get(chatId, 'not-a-uuid'), 400, { message: 'Invalid debug run ID.', detail: 'invalid UUID length: 10' });
    expectJson(await get(chatId, 'x'.repeat(36)), 400, { message: 'Invalid debug run ID.', detail: 'invalid UUID format' });
  });

  it('NonExistentRunReturns404: a random run id → 404', async () => {
    const chatId = await createChat(server.api, users.member.token);
    expectNotFound(await get(chatId, randomUUID()));
  });

  it('RunOnOtherChatReturns404: a run of chat A through chat B’s URL (same owner) → 404', async () => {
    const chatA = await createChat(server.api, users.member.token);
    const chatB = await createChat(server.api, users.member.token);
    const { run, body } = await runWithSteps(chatA);
    expectNotFound(await get(chatB, run.id));
    expectJson(await get(chatA, run.id), 200, body);
    // Nor through a subagent chat of A.
    const sub = await createChat(server.api, users.member.token, { parent_chat_id: chatA });
    expectNotFound(await get(sub, run.id));
  });

  it('StrangerAndSiteOwnerGet404: member2 and owner → 404; a reader → 200', async () => {
    const chatId = await createChat(server.api, users.member.token);
    const { run, body } = await runWithSteps(chatId);
    expectNotFound(await get(chatId, run.id, users.member2.token));
    expectNotFound(await get(chatId, run.id, users.owner.token));
    expectNotFound(await get(chatId, run.id, users.auditor.token));
    await share(server.api, users.member.token, chatId, users.member2.id);
    expectJson(await get(chatId, run.id, users.member2.token), 200, body);
    // Revoked: 404 on the next request. Still 404 (never 403) with a malformed run id.
    await share(server.api, users.member.token, chatId, users.member2.id, '');
    expectNotFound(await get(chatId, run.id, users.member2.token));
    expectNotFound(await get(chatId, 'nope', users.member2.token));
  });

  it('SubagentInheritsRootACL: a reader of the root reads a subagent chat’s run', async () => {
    const root = await createChat(server.api, users.member.token);
    const sub = await createChat(server.api, users.member.token, { parent_chat_id: root });
    const { run, body } = await runWithSteps(sub);
    expectNotFound(await get(sub, run.id, users.member2.token));
    await share(server.api, users.member.token, root, users.member2.id);
    expectJson(await get(sub, run.id, users.member2.token), 200, body);
  });

  it('ChatCheckedFirst: random chat UUID with run id "nope" → 404; bad chat id → 400; no token → 401', async () => {
    expectNotFound(await get(randomUUID(), 'nope'));
    // A chat the caller may not read, with a malformed run id: still 404.
    const chatId = await createChat(server.api, users.member.token);
    expectNotFound(await get(chatId, 'nope', users.member2.token));
    expectJson(await get('not-a-uuid', 'nope'), 400, { message: 'Invalid UUID "not-a-uuid".', detail: 'invalid UUID length: 10' });
    expectNoToken(await server.api.get(runPath('not-a-uuid', 'nope')));
  });
});
