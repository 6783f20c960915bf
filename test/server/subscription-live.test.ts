// Subscription.chatDebugEvents, live delivery (product.md 5; stack.md 4, 6): a real graphql-ws
// client over a real socket sees each write of its chat, in order, with the data as it is now;
// other chats' events never reach it; one event fans out once to every subscriber.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import {
  DebugStream,
  DebugWriter,
  expectStrictlyIncreasing,
  storedEvents,
  subscriberCount,
  waitForLiveSubscribers,
  waitUntil,
} from '../support/debug-stream.ts';
import { createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(BACKENDS)('chatDebugEvents live delivery on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let streams: DebugStream[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend, { args: ['--chat-debug-logging-enabled'] });
    users = await createUsers(server.api);
  });
  afterEach(async () => {
    await Promise.all(streams.map((s) => s.dispose()));
    streams = [];
  });
  afterAll(async () => server?.close());

  const hub = () => server.app.services.debugFeeds;
  const open = (token: string) => {
    const stream = new DebugStream(server.url, token);
    streams.push(stream);
    return stream;
  };

  it('delivers RUN_STARTED, STEP_STARTED, STEP_UPDATED, RUN_FINISHED in order with the current run and step', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const stream = open(users.member.token).subscribe(chat);
    await waitForLiveSubscribers(hub(), chat, 1);

    const runId = await writer.startRun();
    const [started] = await stream.take(1);
    expect(started).toMatchObject({ kind: 'RUN_STARTED', chatId: chat, chatDeleted: false, deletedRunIds: [], step: null });
    expect(started.run).toMatchObject({ id: runId, chatId: chat, status: 'in_progress', finishedAt: null });

    const stepId = await writer.addStep(runId);
    const [stepStarted] = await stream.take(1);
    expect(stepStarted).toMatchObject({ kind: 'STEP_STARTED', chatId: chat });
    expect(stepStarted.run).toMatchObject({ id: runId, status: 'in_progress' });
    expect(stepStarted.step).toEqual({ id: stepId, runId, stepNumber: 1, status: 'in_progress', finishedAt: null });

    await writer.completeStep(runId, stepId);
    const [stepUpdated] = await stream.take(1);
    expect(stepUpdated).toMatchObject({ kind: 'STEP_UPDATED', chatId: chat });
    expect(stepUpdated.step).toMatchObject({ id: stepId, runId, stepNumber: 1, status: 'completed' });
    expect(stepUpdated.step?.finishedAt).toEqual(expect.any(String));

    await writer.finishRun(runId);
    const [finished] = await stream.take(1);
    expect(finished).toMatchObject({ kind: 'RUN_FINISHED', chatId: chat, step: null });
    expect(finished.run).toMatchObject({ id: runId, status: 'completed', summary: expect.objectContaining({ step_count: 1 }) });
    expect(finished.run?.finishedAt).toEqual(expect.any(String));

    expectStrictlyIncreasing(stream.events);
    // Exactly the persisted events, each once: the cursors are the table's.
    expect(stream.events.map((e) => ({ cursor: e.cursor, kind: e.kind }))).toEqual(await storedEvents(server.db.prisma, chat));
    expect(stream.ended).toBe(false);
  });

  it('delivers writes made back to back (coalesced pulls) in order, each once', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const stream = open(users.member.token).subscribe(chat);
    await waitForLiveSubscribers(hub(), chat, 1);

    const runId = await writer.startRun();
    for (let i = 0; i < 5; i++) await writer.completeStep(runId, await writer.addStep(runId));
    await writer.finishRun(runId);

    const stored = await storedEvents(server.db.prisma, chat);
    expect(stored).toHaveLength(12);
    const events = await stream.take(12);
    expect(events.map((e) => ({ cursor: e.cursor, kind: e.kind }))).toEqual(stored);
    expect(events.filter((e) => e.kind === 'STEP_STARTED').map((e) => e.step?.stepNumber)).toEqual([1, 2, 3, 4, 5]);
    expectStrictlyIncreasing(events);
    // Nothing after the last one: a sentinel write arrives next.
    await writer.startRun();
    const [sentinel] = await stream.take(1);
    expect(sentinel.kind).toBe('RUN_STARTED');
    expect(stream.events).toHaveLength(13);
  });

  it("never delivers chat B's events to a subscriber of chat A", async () => {
    const chatA = await createChat(server.api, users.member.token, { title: 'A' });
    const chatB = await createChat(server.api, users.member.token, { title: 'B' });
    // Chat C belongs to someone else entirely.
    const chatC = await createChat(server.api, users.member2.token, { title: 'C' });
    const a = new DebugWriter(server.api, users.member.token, chatA);
    const b = new DebugWriter(server.api, users.member.token, chatB);
    const c = new DebugWriter(server.api, users.member2.token, chatC);
    const streamA = open(users.member.token).subscribe(chatA);
    const streamB = open(users.member.token).subscribe(chatB);
    await waitForLiveSubscribers(hub(), chatA, 1);
    await waitForLiveSubscribers(hub(), chatB, 1);

    // Interleave writes to the three chats.
    const runB = await b.startRun();
    const runC = await c.startRun();
    const runA = await a.startRun();
    await b.addStep(runB);
    await c.addStep(runC);
    await b.finishRun(runB);
    await a.addStep(runA);
    await c.finishRun(runC);
    await a.finishRun(runA);

    const eventsA = await streamA.take(3);
    const eventsB = await streamB.take(3);
    expect(eventsA.map((e) => [e.chatId, e.kind, e.run?.id])).toEqual([
      [chatA, 'RUN_STARTED', runA],
      [chatA, 'STEP_STARTED', runA],
      [chatA, 'RUN_FINISHED', runA],
    ]);
    expect(eventsB.map((e) => [e.chatId, e.kind, e.run?.id])).toEqual([
      [chatB, 'RUN_STARTED', runB],
      [chatB, 'STEP_STARTED', runB],
      [chatB, 'RUN_FINISHED', runB],
    ]);

    // A later write to A arrives after everything above, and B's stream still has only its own 3.
    await a.startRun();
    await streamA.take(1);
    await b.startRun();
    await streamB.take(1);
    expect(streamA.events.every((e) => e.chatId === chatA)).toBe(true);
    expect(streamB.events.every((e) => e.chatId === chatB)).toBe(true);
    expect(streamA.events.map((e) => e.cursor)).toEqual((await storedEvents(server.db.prisma, chatA)).map((e) => e.cursor));
    expect(streamB.events.map((e) => e.cursor)).toEqual((await storedEvents(server.db.prisma, chatB)).map((e) => e.cursor));
  });

  it('fans one event out to 200 subscribers of one chat, once each', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const many = Array.from({ length: 200 }, () => open(users.member.token).subscribe(chat));
    await waitForLiveSubscribers(hub(), chat, 200, 30_000);

    const runId = await writer.startRun();
    const first = await Promise.all(many.map((s) => s.take(1)));
    const cursor = first[0][0].cursor;
    for (const [event] of first) expect(event).toMatchObject({ cursor, kind: 'RUN_STARTED', chatId: chat, run: { id: runId } });

    // A second event arrives next everywhere: no subscriber got the first one twice.
    await writer.addStep(runId);
    const second = await Promise.all(many.map((s) => s.take(1)));
    for (const [event] of second) expect(event).toMatchObject({ kind: 'STEP_STARTED', run: { id: runId } });
    for (const stream of many) {
      expect(stream.events).toHaveLength(2);
      expect(stream.events[1].cursor).not.toBe(cursor);
      expect(stream.ended).toBe(false);
    }
    expect(await storedEvents(server.db.prisma, chat)).toHaveLength(2);
  });

  it('gives one user subscribed with and without a resume cursor, and a shared reader, the same live events', async () => {
    // The owner's two subscriptions differ only in `after`, so each live event is executed once for
    // both (shared-events.ts); the reader's is executed on its own.
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    await share(server.api, users.member.token, chat, users.auditor.id);
    const firstRun = await writer.startRun();
    const live = open(users.member.token).subscribe(chat);
    const resumed = open(users.member.token).subscribe(chat, (await storedEvents(server.db.prisma, chat))[0].cursor);
    const reader = open(users.auditor.token).subscribe(chat);
    await waitForLiveSubscribers(hub(), chat, 3);

    const stepId = await writer.addStep(firstRun);
    await writer.completeStep(firstRun, stepId);
    const [liveEvents, resumedEvents, readerEvents] = await Promise.all([live.take(2), resumed.take(2), reader.take(2)]);
    expect(liveEvents.map((e) => e.kind)).toEqual(['STEP_STARTED', 'STEP_UPDATED']);
    expect(liveEvents[1].step).toMatchObject({ id: stepId, status: 'completed' });
    expect(resumedEvents).toEqual(liveEvents);
    expect(readerEvents).toEqual(liveEvents);
    expect(await storedEvents(server.db.prisma, chat)).toHaveLength(3);
  });

  it('delivers an event committed while the feed was reading an empty page', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const stream = open(users.member.token).subscribe(chat);
    await waitForLiveSubscribers(hub(), chat, 1);

    // The feed's next read finds nothing new; before that read returns, a write commits and
    // publishes its wake-up (which lands while the feed is still pulling).
    const sql = server.app.services.deps.sql;
    const realQuery = sql.query.bind(sql);
    let runId: string | undefined;
    const spy = vi.spyOn(sql, 'query').mockImplementation((async (text: string, params?: unknown[]) => {
      const rows = await realQuery(text, params);
      if (runId === undefined && text.includes('FROM chat_debug_events') && rows.length === 0) {
        spy.mockRestore();
        runId = await writer.startRun();
      }
      return rows;
    }) as never);
    try {
      server.app.services.deps.events.publish(`debug:${chat}`, { chatId: chat });
      await waitUntil(() => runId !== undefined, 'the write during the read');
    } finally {
      spy.mockRestore();
    }
    const [event] = await stream.take(1);
    expect(event).toMatchObject({ kind: 'RUN_STARTED', run: { id: runId } });
  });

  it('drops the server-side subscriber when the client unsubscribes or disconnects', async () => {
    const chat = await createChat(server.api, users.member.token);
    const kept = open(users.member.token).subscribe(chat);
    const leaving = new DebugStream(server.url, users.member.token).subscribe(chat);
    await waitForLiveSubscribers(hub(), chat, 2);
    // No event is written in between: the stream must end while it waits for one.
    await leaving.dispose();
    await waitUntil(async () => (await subscriberCount(hub(), chat)) === 1, 'the disconnected subscriber to be removed');
    await kept.dispose();
    await waitUntil(() => hub().activeFeeds === 0, 'the chat feed to be released');
  });
});
