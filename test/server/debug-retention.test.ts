// Deletion and retention of debug data (rest-api.md 14.1–14.4; cases 86–91).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectForbidden, expectJson, expectNoContent, expectNotFound } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { CHATS, DAY, ageRow, countDebugRows, enableRecording, ingest, runPath, runsPath } from '../support/debug.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('debug deletion and retention on %s', (backend) => {
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
  afterEach(async () => {
    vi.restoreAllMocks();
    // Back to the defaults, and no eligible rows left over for the next case.
    await server.db.prisma.siteSetting.deleteMany({ where: { key: { in: ['debug_retention_days', 'retention_days'] } } });
    await server.db.prisma.debugRun.deleteMany({});
    await server.db.prisma.chat.deleteMany({ where: { archived: true } });
  });

  const maintenance = () => server.app.services.maintenance;
  const setDays = async (path: 'debug-retention-days' | 'retention-days', value: number) => {
    const key = path === 'debug-retention-days' ? 'debug_retention_days' : 'retention_days';
    expectNoContent(await server.api.put(`${CHATS}/config/${path}`, { token: users.owner.token, body: { [key]: value } }));
  };

  /** A run with `steps` steps, optionally finished, whose run row was last updated `ageDays` ago. */
  async function runAged(chatId: string, ageDays: number, options: { steps?: number; finished?: boolean } = {}) {
    const run = await w.startRun(token, chatId);
    for (let i = 0; i < (options.steps ?? 2); i++) await w.addStep(token, chatId, run.id);
    if (options.finished) await w.patchRun(token, chatId, run.id, { status: 'completed' });
    if (ageDays > 0) await ageRow(server, 'chat_debug_runs', run.id, ageDays * DAY);
    return run.id as string;
  }

  const exists = async (runId: string) => (await server.db.prisma.debugRun.count({ where: { id: runId } })) === 1;
  const stepsOf = (runId: string) => server.db.prisma.debugStep.count({ where: { runId } });

  it('DeletesOldRunsAndCascadedSteps: at 30 days a run updated 31 days ago (finished or not) goes with its steps; 29 days stays', async () => {
    const chatId = await createChat(server.api, token);
    const oldOpen = await runAged(chatId, 31);
    const oldDone = await runAged(chatId, 31, { finished: true });
    const young = await runAged(chatId, 29, { finished: true });
    const fresh = await runAged(chatId, 0);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 2 });
    expect(await exists(oldOpen)).toBe(false);
    expect(await exists(oldDone)).toBe(false);
    expect(await stepsOf(oldOpen)).toBe(0);
    expect(await stepsOf(oldDone)).toBe(0);
    expect(await exists(young)).toBe(true);
    expect(await stepsOf(young)).toBe(2);
    expect(await exists(fresh)).toBe(true);
    const list = await w.list(token, chatId);
    expect(list.map((r: { id: string }) => r.id).sort()).toEqual([young, fresh].sort());
    expectNotFound(await server.api.get(runPath(chatId, oldOpen), { token }));
  });

  it('DeletesOldRunsAndCascadedSteps: more than one batch (1,000) of eligible runs is purged in one pass', async () => {
    const chatId = await createChat(server.api, token);
    const old = new Date(Date.now() - 40 * DAY);
    await server.db.prisma.debugRun.createMany({
      data: Array.from({ length: 1_001 }, (_, i) => ({
        id: randomUUID(),
        chatId,
        kind: 'chat_turn',
        status: 'completed',
        summary: {},
        startedAt: new Date(old.getTime() + i),
        updatedAt: new Date(old.getTime() + i),
      })),
    });
    const keep = await runAged(chatId, 1);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 1_001 });
    expect(await countDebugRows(server, chatId)).toEqual({ runs: 1, steps: 2 });
    expect(await exists(keep)).toBe(true);
  });

  it('RetentionDisabledKeepsOldRuns: at 0 nothing is deleted; another value moves the cutoff', async () => {
    const chatId = await createChat(server.api, token);
    const ancient = await runAged(chatId, 3_000);
    const mid = await runAged(chatId, 15);
    const recent = await runAged(chatId, 13);
    await setDays('debug-retention-days', 0);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 0 });
    expect(await countDebugRows(server, chatId)).toEqual({ runs: 3, steps: 6 });
    await setDays('debug-retention-days', 14);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 2 });
    expect([await exists(ancient), await exists(mid), await exists(recent)]).toEqual([false, false, true]);
  });

  it('FailedChatDebugRetentionRead: the setting is unreadable → no debug run is deleted; the chat purge still runs', async () => {
    const chatId = await createChat(server.api, token);
    const old = await runAged(chatId, 31);
    const archived = await createChat(server.api, token);
    await server.db.prisma.$executeRawUnsafe(`UPDATE chats SET archived = true, updated_at = now() - interval '31 days' WHERE id = $1::uuid`, archived);
    const settings = server.app.services.settings;
    vi.spyOn(settings, 'getDebugRetentionDays').mockRejectedValue(new Error('connection reset'));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await maintenance().purgeNow()).toEqual({ chats: 1, debugRuns: 0 });
    expect(await exists(old)).toBe(true);
    expect(await stepsOf(old)).toBe(2);
    expect(await server.db.prisma.chat.count({ where: { id: archived } })).toBe(0);
    expect(logged).toHaveBeenCalled();
    expect(logged.mock.calls.flat().join(' ')).toContain('connection reset');
  });

  it('ChatRetentionPurge: an archived chat updated 31 days ago goes with its debug runs and subagent chats; an active chat of the same age stays', async () => {
    const archived = await createChat(server.api, token);
    const sub = await createChat(server.api, token, { parent_chat_id: archived });
    const active = await createChat(server.api, token);
    const archivedRun = await runAged(archived, 0);
    const subRun = await runAged(sub, 0);
    const activeRun = await runAged(active, 0);
    // Archive state set in SQL: archiving through the API would already remove the debug rows (14.2).
    await server.db.prisma.$executeRawUnsafe(`UPDATE chats SET archived = true WHERE id = $1::uuid`, archived);
    await ageRow(server, 'chats', archived, 31 * DAY);
    await ageRow(server, 'chats', active, 31 * DAY);
    expect(await maintenance().purgeNow()).toEqual({ chats: 1, debugRuns: 0 });
    expect(await server.db.prisma.chat.count({ where: { id: { in: [archived, sub] } } })).toBe(0);
    expect(await exists(archivedRun)).toBe(false);
    expect(await exists(subRun)).toBe(false);
    expect(await countDebugRows(server, archived)).toEqual({ runs: 0, steps: 0 });
    expect(await countDebugRows(server, sub)).toEqual({ runs: 0, steps: 0 });
    expect(await exists(activeRun)).toBe(true);
    expectNotFound(await server.api.get(runsPath(archived), { token }));
    expectNotFound(await server.api.get(runsPath(sub), { token }));
    expect((await w.list(token, active)).map((r: { id: string }) => r.id)).toEqual([activeRun]);
  });

  it('ChatRetentionPurge: archiving counts as an update; 29 days stays; retention 0 keeps every archived chat', async () => {
    const chat = await createChat(server.api, token);
    await ageRow(server, 'chats', chat, 60 * DAY);
    const archived = await server.api.patch(`${CHATS}/${chat}`, { token, body: { archived: true } });
    expect(archived.status, archived.text).toBe(200);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 0 });
    await ageRow(server, 'chats', chat, 29 * DAY);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 0 });
    await ageRow(server, 'chats', chat, 31 * DAY);
    await setDays('retention-days', 0);
    expect(await maintenance().purgeNow()).toEqual({ chats: 0, debugRuns: 0 });
    await setDays('retention-days', 30);
    expect(await maintenance().purgeNow()).toEqual({ chats: 1, debugRuns: 0 });
    expectNotFound(await server.api.get(`${CHATS}/${chat}`, { token }));
  });

  it('DeleteChat: member2 → 404; reader → 403; site owner → 404; owner → 204; then everything of the chat and its subagents is gone', async () => {
    const chat = await createChat(server.api, token);
    const sub = await createChat(server.api, token, { parent_chat_id: chat });
    const subsub = await createChat(server.api, token, { parent_chat_id: sub });
    const sibling = await createChat(server.api, token);
    const runs = { chat: await runAged(chat, 0), sub: await runAged(sub, 0), subsub: await runAged(subsub, 0), sibling: await runAged(sibling, 0) };
    const del = (id: string, as = token) => server.api.delete(`${CHATS}/${id}`, { token: as });

    expectNotFound(await del(chat, users.member2.token));
    await share(server.api, token, chat, users.member2.id);
    expectForbidden(await del(chat, users.member2.token));
    expectForbidden(await del(sub, users.member2.token));
    expectNotFound(await del(chat, users.owner.token));
    expectNotFound(await del(chat, users.auditor.token));
    expectJson(await del('not-a-uuid'), 400, { message: 'Invalid UUID "not-a-uuid".', detail: 'invalid UUID length: 10' });
    expect(await countDebugRows(server, chat)).toEqual({ runs: 1, steps: 2 });

    expectNoContent(await del(chat));
    for (const [id, runId] of [
      [chat, runs.chat],
      [sub, runs.sub],
      [subsub, runs.subsub],
    ]) {
      expectNotFound(await server.api.get(runsPath(id), { token }));
      expectNotFound(await server.api.get(runPath(id, runId), { token }));
      expectNotFound(await server.api.get(runsPath(id), { token: users.member2.token }));
      expectNotFound(await del(id));
      expect(await countDebugRows(server, id)).toEqual({ runs: 0, steps: 0 });
      expect(await exists(runId)).toBe(false);
    }
    expect(await server.db.prisma.chat.count({ where: { id: { in: [chat, sub, subsub] } } })).toBe(0);
    // Another chat of the same owner is untouched.
    expect((await w.list(token, sibling)).map((r: { id: string }) => r.id)).toEqual([runs.sibling]);
    expect(await countDebugRows(server, sibling)).toEqual({ runs: 1, steps: 2 });
  });

  it('ArchiveDeletesDebugRows: archiving removes the runs of the chat and its subagent chats; unarchiving does not restore them', async () => {
    const chat = await createChat(server.api, token);
    const sub = await createChat(server.api, token, { parent_chat_id: chat });
    const sibling = await createChat(server.api, token);
    await runAged(chat, 0, { finished: true });
    await runAged(chat, 0);
    await runAged(sub, 0);
    const siblingRun = await runAged(sibling, 0);

    const res = await server.api.patch(`${CHATS}/${chat}`, { token, body: { archived: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.archived).toBe(true);
    expectJson(await server.api.get(runsPath(chat), { token }), 200, []);
    expectJson(await server.api.get(runsPath(sub), { token }), 200, []);
    expect(await countDebugRows(server, chat)).toEqual({ runs: 0, steps: 0 });
    expect(await countDebugRows(server, sub)).toEqual({ runs: 0, steps: 0 });
    // The chat itself stays readable.
    expect((await server.api.get(`${CHATS}/${chat}`, { token })).status).toBe(200);

    const unarchived = await server.api.patch(`${CHATS}/${chat}`, { token, body: { archived: false } });
    expect(unarchived.status, unarchived.text).toBe(200);
    expectJson(await server.api.get(runsPath(chat), { token }), 200, []);
    expectJson(await server.api.get(runsPath(sub), { token }), 200, []);
    expect((await w.list(token, sibling)).map((r: { id: string }) => r.id)).toEqual([siblingRun]);

    // Archiving a subagent chat alone clears only its own subtree.
    const parentRun = await runAged(chat, 0);
    await runAged(sub, 0);
    expect((await server.api.patch(`${CHATS}/${sub}`, { token, body: { archived: true } })).status).toBe(200);
    expectJson(await server.api.get(runsPath(sub), { token }), 200, []);
    expect((await w.list(token, chat)).map((r: { id: string }) => r.id)).toEqual([parentRun]);
  });
});
