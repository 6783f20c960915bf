// Subscription.chatDebugEvents with `after` (product.md 5): after a disconnect, resubscribing from
// the last cursor replays every missed event from the database, then continues live, with no gap
// and no duplicate — also while writes race the resubscription.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import {
  DebugStream,
  DebugWriter,
  expectStrictlyIncreasing,
  storedEvents,
  waitForLiveSubscribers,
  waitUntil,
  type DebugEvent,
} from '../support/debug-stream.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const summary = (events: DebugEvent[]) => events.map((e) => ({ cursor: e.cursor, kind: e.kind }));

describe.each(BACKENDS)('chatDebugEvents resume on %s', (backend) => {
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
  const open = (token = users.member.token) => {
    const stream = new DebugStream(server.url, token);
    streams.push(stream);
    return stream;
  };

  it('replays every event missed while disconnected exactly once, in order, then continues live', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const first = open().subscribe(chat);
    await waitForLiveSubscribers(hub(), chat, 1);

    const runId = await writer.startRun();
    const step1 = await writer.addStep(runId);
    const seen = await first.take(2);
    expect(seen.map((e) => e.kind)).toEqual(['RUN_STARTED', 'STEP_STARTED']);
    await first.dispose();
    const after = first.lastCursor!;

    // While away: the first step completes, a second step runs, the run finishes.
    await writer.completeStep(runId, step1);
    const step2 = await writer.addStep(runId);
    await writer.completeStep(runId, step2);
    await writer.finishRun(runId);
    const missed = (await storedEvents(server.db.prisma, chat)).filter((e) => BigInt(e.cursor) > BigInt(after));
    expect(missed.map((e) => e.kind)).toEqual(['STEP_UPDATED', 'STEP_STARTED', 'STEP_UPDATED', 'RUN_FINISHED']);

    const second = open().subscribe(chat, after);
    const replayed = await second.take(4);
    expect(summary(replayed)).toEqual(missed);
    // Replayed events carry the run and step as they are now.
    expect(replayed[0].step).toMatchObject({ id: step1, status: 'completed' });
    expect(replayed[1].step).toMatchObject({ id: step2, stepNumber: 2 });
    expect(replayed[3].run).toMatchObject({ id: runId, status: 'completed', summary: expect.objectContaining({ step_count: 2 }) });

    // Then live: one more write after the replay arrives next, once.
    await waitForLiveSubscribers(hub(), chat, 1);
    const run2 = await writer.startRun();
    const [live] = await second.take(1);
    expect(live).toMatchObject({ kind: 'RUN_STARTED', run: { id: run2 } });
    await writer.addStep(run2);
    await second.take(1);

    const all = [...first.events, ...second.events];
    expect(summary(all)).toEqual(await storedEvents(server.db.prisma, chat));
    expectStrictlyIncreasing(all);
  });

  it('replays from the very first event with after "0" and from nothing with the latest cursor', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const runId = await writer.startRun();
    await writer.addStep(runId);
    await writer.finishRun(runId);
    const stored = await storedEvents(server.db.prisma, chat);

    const fromStart = open().subscribe(chat, '0');
    expect(summary(await fromStart.take(3))).toEqual(stored);

    const fromLatest = open().subscribe(chat, stored.at(-1)!.cursor);
    await waitForLiveSubscribers(hub(), chat, 2);
    const run2 = await writer.startRun();
    const [next] = await fromLatest.take(1);
    expect(next).toMatchObject({ kind: 'RUN_STARTED', run: { id: run2 } });
    await fromStart.take(1);
    expect(fromLatest.events).toHaveLength(1);
    expect(fromStart.events).toHaveLength(4);
  });

  it('replays more than one page (over 200 events) without gap or duplicate', async () => {
    const chat = await createChat(server.api, users.member.token);
    // Seed 450 events straight into the table (the writes' REST path is covered above).
    const runId = await new DebugWriter(server.api, users.member.token, chat).startRun();
    await server.db.prisma.$transaction(async (tx) => {
      const data = Array.from({ length: 449 }, (_, i) => ({ chatId: chat, seq: BigInt(i + 2), kind: 'RUN_UPDATED', runId }));
      await tx.debugEvent.createMany({ data });
      await tx.chat.update({ where: { id: chat }, data: { debugEventSeq: 450n } });
    });
    const stream = open().subscribe(chat, '1');
    const replayed = await stream.take(449);
    expect(replayed.map((e) => e.cursor)).toEqual(Array.from({ length: 449 }, (_, i) => String(i + 2)));
    await waitForLiveSubscribers(hub(), chat, 1);
    await new DebugWriter(server.api, users.member.token, chat).addStep(runId);
    const [live] = await stream.take(1);
    expect(live).toMatchObject({ cursor: '451', kind: 'STEP_STARTED' });
  });

  it('loses and repeats nothing when writes race the resubscriptions', async () => {
    const chat = await createChat(server.api, users.member.token);
    const writer = new DebugWriter(server.api, users.member.token, chat);
    const runA = await writer.startRun();
    const runB = await writer.startRun();

    // Two writers on one chat, step after step, until told to stop.
    let stop = false;
    let written = 0;
    const loop = async (runId: string) => {
      while (!stop) {
        await writer.completeStep(runId, await writer.addStep(runId));
        written += 2;
      }
    };

    const seen: DebugEvent[][] = [];
    let current = open().subscribe(chat, '0');
    const writers = Promise.all([loop(runA), loop(runB)]);
    try {
      // Disconnect and resume five times mid-stream, each time after the stream made progress.
      for (let round = 0; round < 5; round++) {
        const target = current.events.length + 3;
        await waitUntil(() => current.events.length >= target, `round ${round} to receive events`);
        await current.dispose();
        seen.push(current.events);
        current = open().subscribe(chat, current.lastCursor!);
        const before = written;
        await waitUntil(() => written >= before + 2, 'writes during the resubscription');
      }
    } finally {
      stop = true;
      await writers;
    }
    await writer.finishRun(runA);
    await writer.finishRun(runB);

    const stored = await storedEvents(server.db.prisma, chat);
    const last = stored.at(-1)!.cursor;
    await waitUntil(() => current.lastCursor === last || current.ended, 'the last resumed stream to catch up');
    seen.push(current.events);

    const union = seen.flat();
    const cursors = union.map((e) => e.cursor);
    expect(new Set(cursors).size, 'no event twice').toBe(cursors.length);
    expect(summary(union)).toEqual(stored);
    expectStrictlyIncreasing(union);
    for (const events of seen) expect(events.length).toBeGreaterThan(0);
  });
});
