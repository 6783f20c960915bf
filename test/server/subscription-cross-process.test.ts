// Subscription.chatDebugEvents across processes (product.md 2, 5; stack.md 4): two apps on one
// PostgreSQL database, each with its own PgEventBus (LISTEN/NOTIFY). A subscriber on app B sees
// what is written through app A, and keeps every event exactly once when B's LISTEN connection
// is killed and re-established (the bus publishes a resync after reconnecting).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { PgEventBus } from '../../server/events/pg-bus.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { DebugStream, DebugWriter, expectStrictlyIncreasing, storedEvents, waitForLiveSubscribers, waitUntil } from '../support/debug-stream.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { Api } from '../support/server.ts';

async function startApp(database: Database): Promise<{ app: App; url: string; api: Api }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'experiments-data-'));
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--no-background-jobs', '--chat-debug-logging-enabled'], {});
  const app = await buildApp({ config, database, secrets: SecretBox.fromPassphrase('test-secrets-key') });
  const url = await app.start(0, '127.0.0.1');
  return { app, url, api: new Api(url) };
}

describe('chatDebugEvents across two processes on postgres', () => {
  let db: TestDatabase;
  let dbB: Database;
  let a: { app: App; url: string; api: Api };
  let b: { app: App; url: string; api: Api };
  let users: Users;
  let streams: DebugStream[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dbB = await openDatabase({ databaseUrl: db.connectionString!, migrate: false });
    a = await startApp(db);
    b = await startApp(dbB);
    users = await createUsers(a.api);
  });
  afterEach(async () => {
    await Promise.all(streams.map((s) => s.dispose()));
    streams = [];
  });
  afterAll(async () => {
    await b?.app.stop();
    await a?.app.stop();
    await dbB?.close();
    await db?.destroy();
  });

  const busOf = (app: App) => {
    const bus = app.services.deps.events;
    expect(bus).toBeInstanceOf(PgEventBus);
    return bus as PgEventBus;
  };
  /** The pid of the bus's dedicated LISTEN connection, once connected. */
  const listenerPid = (bus: PgEventBus) => (bus as unknown as { listener?: { processID?: number } }).listener?.processID;
  const openOnB = (token: string) => {
    const stream = new DebugStream(b.url, token);
    streams.push(stream);
    return stream;
  };

  it('runs each app on its own LISTEN/NOTIFY bus', () => {
    expect(busOf(a.app)).not.toBe(busOf(b.app));
    expect(listenerPid(busOf(a.app))).toEqual(expect.any(Number));
    expect(listenerPid(busOf(b.app))).toEqual(expect.any(Number));
    expect(listenerPid(busOf(a.app))).not.toBe(listenerPid(busOf(b.app)));
  });

  it('delivers on app B what is written through app A, in order, once', async () => {
    const chat = await createChat(a.api, users.member.token);
    await share(a.api, users.member.token, chat, users.member2.id);
    const writer = new DebugWriter(a.api, users.member.token, chat);
    const owner = openOnB(users.member.token).subscribe(chat);
    const reader = openOnB(users.member2.token).subscribe(chat);
    await waitForLiveSubscribers(b.app.services.debugFeeds, chat, 2);

    const runId = await writer.startRun();
    const stepId = await writer.addStep(runId);
    await writer.completeStep(runId, stepId);
    await writer.finishRun(runId);

    const stored = await storedEvents(db.prisma, chat);
    for (const stream of [owner, reader]) {
      const events = await stream.take(4);
      expect(events.map((e) => ({ cursor: e.cursor, kind: e.kind }))).toEqual(stored);
      expect(events[3].run).toMatchObject({ id: runId, status: 'completed' });
    }

    // Revocation through A ends the reader's stream on B.
    const acl = await a.api.patch(`/api/experimental/chats/${chat}/acl`, { token: users.member.token, body: { user_roles: { [users.member2.id]: '' } } });
    expect(acl.status).toBe(204);
    await reader.waitEnded();
    expect(reader.errors.map((e) => (e as { extensions?: { code?: string } }).extensions?.code)).toEqual(['NOT_FOUND']);
    expect(owner.ended).toBe(false);

    // Deletion through A ends the owner's stream on B with one chatDeleted event.
    const deleted = await a.api.delete(`/api/experimental/chats/${chat}`, { token: users.member.token });
    expect(deleted.status).toBe(204);
    const [gone] = await owner.take(1);
    expect(gone).toMatchObject({ kind: 'DEBUG_DATA_DELETED', chatDeleted: true, chatId: chat });
    await waitUntil(() => owner.completed, 'the owner stream to complete');
  });

  it("keeps every event exactly once when B's LISTEN connection is terminated and re-established", async () => {
    const chat = await createChat(a.api, users.member.token);
    const writer = new DebugWriter(a.api, users.member.token, chat);
    const stream = openOnB(users.member.token).subscribe(chat);
    await waitForLiveSubscribers(b.app.services.debugFeeds, chat, 1);

    const runId = await writer.startRun();
    await stream.take(1);

    const busB = busOf(b.app);
    const oldPid = listenerPid(busB)!;
    // Hold B's reconnection until the writes below are done, so they certainly happen while B
    // is not listening (their NOTIFYs are lost to B; only the resync can recover them).
    const internals = busB as unknown as { connect: (isReconnect: boolean) => Promise<void> };
    const realConnect = internals.connect.bind(busB);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const connect = vi.spyOn(internals, 'connect').mockImplementation(async (isReconnect) => {
      await released;
      return realConnect(isReconnect);
    });
    const admin = new pg.Client({ connectionString: db.connectionString });
    await admin.connect();
    let killed: number[];
    try {
      const result = await admin.query<{ pid: number; terminated: boolean }>(
        `SELECT pid, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND datname = current_database()`,
      );
      killed = result.rows.filter((r) => r.terminated).map((r) => r.pid);
    } finally {
      await admin.end();
    }
    expect(killed).toContain(oldPid);

    await waitUntil(() => listenerPid(busB) === undefined, 'B to notice its LISTEN connection is gone');

    // Write through A while B is not listening.
    for (let i = 0; i < 4; i++) await writer.completeStep(runId, await writer.addStep(runId));
    expect(stream.events).toHaveLength(1);
    release();
    await waitUntil(() => listenerPid(busB) !== undefined, "B's LISTEN connection to be re-established");
    expect(connect).toHaveBeenCalledWith(true);
    expect(listenerPid(busB)).not.toBe(oldPid);
    connect.mockRestore();
    // The resync alone brings the 8 missed events.
    await stream.take(8);
    // And live again after.
    await writer.finishRun(runId);
    expect((await stream.take(1))[0].kind).toBe('RUN_FINISHED');

    const stored = await storedEvents(db.prisma, chat);
    expect(stored).toHaveLength(10);
    expect(stream.events.map((e) => ({ cursor: e.cursor, kind: e.kind }))).toEqual(stored);
    expectStrictlyIncreasing(stream.events);

    // Live again over the new connection.
    const run2 = await writer.startRun();
    const [next] = await stream.take(1);
    expect(next).toMatchObject({ kind: 'RUN_STARTED', run: { id: run2 } });
    expect(stream.events).toHaveLength(11);
    expect(stream.ended).toBe(false);
  });
});
