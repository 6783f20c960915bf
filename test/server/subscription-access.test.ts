// Subscription.chatDebugEvents and access (product.md 3, 5; stack.md 4, 6): a denied subscribe is
// an error and no stream (the feed is never built); losing access ends the stream; deleting a
// chat ends it with one chatDeleted event; archiving appends a persisted DEBUG_DATA_DELETED event.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEBUG_RESYNC_TOPIC } from '../../server/debug/events.ts';
import { BACKENDS } from '../support/database.ts';
import { DebugStream, DebugWriter, sleep, storedEvents, subscriberCount, waitForLiveSubscribers, waitUntil } from '../support/debug-stream.ts';
import { NOT_FOUND_BODY, PASSWORD, createChat, createUsers, login, share, type TestUser, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const codeOf = (error: unknown) => (error as { extensions?: { code?: string } }).extensions?.code;

describe.each(BACKENDS)('chatDebugEvents access on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let streams: DebugStream[] = [];
  let counter = 0;

  beforeAll(async () => {
    // Key lookups remembered 1 s: open sockets' sessions are checked again every second.
    server = await startTestServer(backend, { args: ['--chat-debug-logging-enabled', '--key-cache-seconds', '1'] });
    users = await createUsers(server.api);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(streams.map((s) => s.dispose()));
    streams = [];
  });
  afterAll(async () => server?.close());

  const hub = () => server.app.services.debugFeeds;
  /** feedFor is private: it builds (or joins) a chat's feed, i.e. the stream's source. */
  const hubInternals = () => hub() as unknown as { feedFor: (chatId: string) => Promise<unknown> };
  const open = (token: string) => {
    const stream = new DebugStream(server.url, token);
    streams.push(stream);
    return stream;
  };

  async function newMember(): Promise<TestUser> {
    const username = `reader${++counter}`;
    const email = `${username}@example.com`;
    const created = await server.api.post('/api/v2/users', { token: users.owner.token, body: { email, username, password: PASSWORD } });
    expect(created.status, created.text).toBe(201);
    return { id: created.body.id, email, username, token: await login(server.api, email) };
  }

  describe('denied subscriptions', () => {
    /** Subscribes, expects exactly one error with `code` and no event, and proves no feed was built. */
    async function expectDenied(token: string, chatId: string, code: string, after?: string) {
      const feedFor = vi.spyOn(hubInternals(), 'feedFor');
      const feedsBefore = hub().activeFeeds;
      const stream = open(token).subscribe(chatId, after);
      await stream.waitEnded();
      await waitUntil(() => stream.completed || stream.closeCodes.length > 0, 'the operation to finish');
      expect(stream.events).toEqual([]);
      expect(stream.errors).toHaveLength(1);
      expect(codeOf(stream.errors[0])).toBe(code);
      expect(feedFor).not.toHaveBeenCalled();
      expect(hub().activeFeeds).toBe(feedsBefore);
      expect(await subscriberCount(hub(), chatId)).toBe(0);
      feedFor.mockRestore();
      return stream;
    }

    it('answers NOT_FOUND to a stranger, to a site owner without a share and for an unknown chat, with no stream', async () => {
      const chat = await createChat(server.api, users.member.token);
      const writer = new DebugWriter(server.api, users.member.token, chat);
      const runId = await writer.startRun();

      const stranger = await expectDenied(users.member2.token, chat, 'NOT_FOUND');
      expect((stranger.errors[0] as { message: string }).message).toBe(NOT_FOUND_BODY.message);
      await expectDenied(users.owner.token, chat, 'NOT_FOUND');
      await expectDenied(users.auditor.token, chat, 'NOT_FOUND');
      // Replaying history is no way in either.
      await expectDenied(users.member2.token, chat, 'NOT_FOUND', '0');
      const unknown = await expectDenied(users.member.token, randomUUID(), 'NOT_FOUND');
      // "No access" and "does not exist" look the same.
      expect(unknown.errors).toEqual(stranger.errors);

      // Nothing written later reaches them: their operations are over.
      await writer.addStep(runId);
      const control = open(users.member.token).subscribe(chat, '0');
      await control.take(2);
      for (const stream of streams.slice(0, 5)) expect(stream.events).toEqual([]);
    });

    it('the positive control: an allowed subscribe builds the feed (the spy sees it)', async () => {
      const chat = await createChat(server.api, users.member.token);
      const feedFor = vi.spyOn(hubInternals(), 'feedFor');
      open(users.member.token).subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 1);
      expect(feedFor).toHaveBeenCalledTimes(1);
    });

    it('answers BAD_USER_INPUT to an invalid `after` (and to a malformed chat id), with no stream', async () => {
      const chat = await createChat(server.api, users.member.token);
      for (const after of ['abc', '-1', '1.5', ' 1', '1'.repeat(25), '9223372036854775808', '9'.repeat(19)]) {
        await expectDenied(users.member.token, chat, 'BAD_USER_INPUT', after);
      }
      // A cursor this chat never issued (ahead of its events, say one from another chat) would
      // leave a silent gap until the chat caught up with it.
      const writer = new DebugWriter(server.api, users.member.token, chat);
      await writer.startRun();
      const ahead = await expectDenied(users.member.token, chat, 'BAD_USER_INPUT', '2');
      expect((ahead.errors[0] as { message: string }).message).toBe('Invalid cursor.');
      await expectDenied(users.member.token, chat, 'BAD_USER_INPUT', '9223372036854775807');
      // The head itself is a valid cursor: nothing to replay, then live events.
      const atHead = open(users.member.token).subscribe(chat, '1');
      await waitForLiveSubscribers(hub(), chat, 1);
      await writer.startRun();
      expect((await atHead.take(1)).map((e) => e.cursor)).toEqual(['2']);
      await expectDenied(users.member.token, 'not-a-uuid', 'BAD_USER_INPUT');
    });

    it('closes the socket with 4403 for a bad or missing token, before any subscription', async () => {
      const chat = await createChat(server.api, users.member.token);
      const feedFor = vi.spyOn(hubInternals(), 'feedFor');
      const subscribe = vi.spyOn(hub(), 'subscribe');
      for (const token of ['garbage', 'AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB', '']) {
        const stream = open(token).subscribe(chat, '0');
        await stream.waitEnded();
        await waitUntil(() => stream.closeCodes.length > 0, 'the close');
        expect(stream.closeCodes).toEqual([4403]);
        expect(stream.events).toEqual([]);
      }
      expect(subscribe).not.toHaveBeenCalled();
      expect(feedFor).not.toHaveBeenCalled();
    });

    it('closes the socket with 4403 when the session is revoked mid-stream', async () => {
      const reader = await newMember();
      const chat = await createChat(server.api, users.member.token);
      const stream = open(reader.token);
      await share(server.api, users.member.token, chat, reader.id);
      stream.subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 1);
      const logout = await server.api.post('/api/v2/users/logout', { token: reader.token });
      expect(logout.status).toBe(200);
      await waitUntil(() => stream.closeCodes.length > 0, 'the close');
      expect(stream.closeCodes).toEqual([4403]);
      await waitUntil(async () => (await subscriberCount(hub(), chat)) === 0, 'the subscriber to be removed');
    });
  });

  describe('sessions and missed notices', () => {
    it('closes the socket with 4403 when the session expires mid-stream', async () => {
      const reader = await newMember();
      const chat = await createChat(server.api, users.member.token);
      await share(server.api, users.member.token, chat, reader.id);
      const stream = open(reader.token).subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 1);
      await server.db.prisma.apiKey.update({ where: { id: reader.token.split('-')[0] }, data: { expiresAt: new Date(Date.now() + 500) } });
      await waitUntil(() => stream.closeCodes.length > 0, 'the close');
      expect(stream.closeCodes).toEqual([4403]);
    });

    it('after a gap in events, finds what it missed: a removed share ends that stream, a deleted chat ends with chatDeleted', async () => {
      const reader = await newMember();
      const chat = await createChat(server.api, users.member.token);
      const gone = await createChat(server.api, users.member.token);
      await share(server.api, users.member.token, chat, reader.id);
      const unshared = open(reader.token).subscribe(chat);
      const owner = open(users.member.token).subscribe(chat);
      const deleted = open(users.member.token).subscribe(gone);
      await waitForLiveSubscribers(hub(), chat, 2);
      await waitForLiveSubscribers(hub(), gone, 1);
      // Changes whose notices never arrived (as while the LISTEN connection was down).
      await server.db.sql.query('DELETE FROM chat_acl WHERE chat_id = $1::uuid AND user_id = $2::uuid', [chat, reader.id]);
      await server.db.sql.query('DELETE FROM chats WHERE id = $1::uuid', [gone]);
      server.app.services.deps.events.publish(DEBUG_RESYNC_TOPIC, { reason: 'test' });

      await unshared.waitEnded();
      expect(codeOf(unshared.errors[0])).toBe('NOT_FOUND');
      const [last] = await deleted.take(1);
      expect(last).toMatchObject({ kind: 'DEBUG_DATA_DELETED', chatDeleted: true });
      await waitUntil(() => deleted.completed, 'the deleted chat\'s stream to complete');
      // The owner's stream goes on.
      await new DebugWriter(server.api, users.member.token, chat).startRun();
      expect((await owner.take(1))[0].kind).toBe('RUN_STARTED');
      expect(unshared.events).toEqual([]);
    });

    it('after a gap in events, closes the socket of a session revoked meanwhile (long before its periodic check)', async () => {
      // A server remembering keys for 10 minutes: only the gap's own check can find the revocation.
      const patient = await startTestServer(backend, { args: ['--chat-debug-logging-enabled', '--key-cache-seconds', '600'] });
      try {
        const patientUsers = await createUsers(patient.api);
        const chat = await createChat(patient.api, patientUsers.member.token);
        const stream = new DebugStream(patient.url, patientUsers.member.token).subscribe(chat);
        streams.push(stream);
        await waitForLiveSubscribers(patient.app.services.debugFeeds, chat, 1);
        await patient.db.prisma.apiKey.update({ where: { id: patientUsers.member.token.split('-')[0] }, data: { revokedAt: new Date() } });
        await sleep(300);
        expect(stream.closeCodes).toEqual([]); // the revocation is not known yet
        patient.app.services.deps.events.publish(DEBUG_RESYNC_TOPIC, { reason: 'test' });
        await waitUntil(() => stream.closeCodes.length > 0, 'the revoked session to be closed');
        expect(stream.closeCodes).toEqual([4403]);
      } finally {
        await patient.close();
      }
    });
  });

  describe('revocation', () => {
    it('ends the stream of a reader whose share is removed; later events never reach them', async () => {
      const reader = await newMember();
      const stays = await newMember();
      const chat = await createChat(server.api, users.member.token);
      const writer = new DebugWriter(server.api, users.member.token, chat);
      await share(server.api, users.member.token, chat, reader.id);
      await share(server.api, users.member.token, chat, stays.id);

      const revoked = open(reader.token).subscribe(chat);
      const kept = open(stays.token).subscribe(chat);
      const owner = open(users.member.token).subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 3);
      const runId = await writer.startRun();
      for (const stream of [revoked, kept, owner]) expect((await stream.take(1))[0].kind).toBe('RUN_STARTED');

      // Remove the share and write at once, without waiting for the stream to end.
      const acl = await server.api.patch(`/api/experimental/chats/${chat}/acl`, { token: users.member.token, body: { user_roles: { [reader.id]: '' } } });
      expect(acl.status, acl.text).toBe(204);
      const step = await writer.addStep(runId);
      await writer.completeStep(runId, step);
      await writer.finishRun(runId);

      await revoked.waitEnded();
      // The owner and the remaining reader see everything; the removed reader nothing after the first.
      expect((await owner.take(3)).map((e) => e.kind)).toEqual(['STEP_STARTED', 'STEP_UPDATED', 'RUN_FINISHED']);
      expect((await kept.take(3)).map((e) => e.kind)).toEqual(['STEP_STARTED', 'STEP_UPDATED', 'RUN_FINISHED']);
      expect(revoked.events.map((e) => e.kind)).toEqual(['RUN_STARTED']);
      // The stream ends with the same error as "does not exist".
      expect(JSON.parse(JSON.stringify(revoked.errors))).toEqual([{ message: NOT_FOUND_BODY.message, extensions: { code: 'NOT_FOUND' } }]);
      expect(kept.ended).toBe(false);
      expect(owner.ended).toBe(false);
      await waitUntil(async () => (await subscriberCount(hub(), chat)) === 2, 'the revoked subscriber to be removed');

      // And resubscribing is denied.
      const again = open(reader.token).subscribe(chat, '0');
      await again.waitEnded();
      expect(again.events).toEqual([]);
      expect(codeOf(again.errors[0])).toBe('NOT_FOUND');
    });

    it('holds back events written after the share was removed while the access re-check is still running', async () => {
      const reader = await newMember();
      const chat = await createChat(server.api, users.member.token);
      const writer = new DebugWriter(server.api, users.member.token, chat);
      await share(server.api, users.member.token, chat, reader.id);
      const revoked = open(reader.token).subscribe(chat);
      const owner = open(users.member.token).subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 2);

      // Make the feed's access re-check slow (as a loaded database would), until released.
      const chats = server.app.services.chats;
      const realFindReadable = chats.findReadable.bind(chats);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let rechecks = 0;
      vi.spyOn(chats, 'findReadable').mockImplementation(async (actor, chatId) => {
        rechecks++;
        await released;
        return realFindReadable(actor, chatId);
      });

      const acl = await server.api.patch(`/api/experimental/chats/${chat}/acl`, { token: users.member.token, body: { user_roles: { [reader.id]: '' } } });
      expect(acl.status, acl.text).toBe(204);
      await waitUntil(() => rechecks > 0, 'the access re-check to start');
      const runId = await writer.startRun();
      // Give the event every chance to reach subscribers before the re-check completes (a
      // correct server holds it back, so the owner may see it only after the release).
      await waitUntil(() => owner.events.length > 0, 'the owner to see the event', 2000).catch(() => {});
      release();

      const [event] = await owner.take(1);
      expect(event).toMatchObject({ kind: 'RUN_STARTED', run: { id: runId } });
      await revoked.waitEnded();
      expect(revoked.events).toEqual([]);
    });

    it('never delivers events written after the share was removed, with writes racing the removal', async () => {
      // A burst written before the revocation may still be in flight; what was written after it
      // must not arrive. Many writes right after the PATCH make the race likely.
      const reader = await newMember();
      const chat = await createChat(server.api, users.member.token);
      const writer = new DebugWriter(server.api, users.member.token, chat);
      await share(server.api, users.member.token, chat, reader.id);
      const revoked = open(reader.token).subscribe(chat);
      const owner = open(users.member.token).subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 2);
      const runId = await writer.startRun();
      await revoked.take(1);
      await owner.take(1);

      const acl = server.api.patch(`/api/experimental/chats/${chat}/acl`, { token: users.member.token, body: { user_roles: { [reader.id]: '' } } });
      const revokedAt = Promise.resolve(acl).then(async (res) => {
        expect(res.status).toBe(204);
        return (await storedEvents(server.db.prisma, chat)).at(-1)!.cursor;
      });
      const writes = (async () => {
        for (let i = 0; i < 10; i++) await writer.addStep(runId);
      })();
      const cutoff = BigInt(await revokedAt);
      await writes;
      await revoked.waitEnded();
      await owner.take(10);
      // Events committed after the share was removed never reached the removed reader.
      for (const event of revoked.events) expect(BigInt(event.cursor) <= cutoff, `event ${event.cursor} after revocation at ${cutoff}`).toBe(true);
    });
  });

  describe('deletion and archiving', () => {
    it('ends the stream of every subscriber with one chatDeleted event when the chat is deleted', async () => {
      const reader = await newMember();
      const chat = await createChat(server.api, users.member.token);
      const child = await createChat(server.api, users.member.token, { parent_chat_id: chat });
      const writer = new DebugWriter(server.api, users.member.token, chat);
      await share(server.api, users.member.token, chat, reader.id);
      const runId = await writer.startRun();

      const owner = open(users.member.token).subscribe(chat, '0');
      const readerStream = open(reader.token).subscribe(chat);
      const childStream = open(users.member.token).subscribe(child);
      await waitForLiveSubscribers(hub(), chat, 2);
      await waitForLiveSubscribers(hub(), child, 1);
      expect((await owner.take(1))[0]).toMatchObject({ kind: 'RUN_STARTED', run: { id: runId } });

      const deleted = await server.api.delete(`/api/experimental/chats/${chat}`, { token: users.member.token });
      expect(deleted.status).toBe(204);

      for (const [stream, chatId] of [
        [owner, chat],
        [readerStream, chat],
        [childStream, child],
      ] as const) {
        const [event] = await stream.take(1);
        expect(event).toEqual({ cursor: expect.any(String), kind: 'DEBUG_DATA_DELETED', chatId, chatDeleted: true, deletedRunIds: [], run: null, step: null });
        await waitUntil(() => stream.completed, 'the stream to complete');
        expect(stream.errors).toEqual([]);
      }
      expect(owner.events).toHaveLength(2);
      expect(readerStream.events).toHaveLength(1);
      expect(childStream.events).toHaveLength(1);
      await waitUntil(async () => (await subscriberCount(hub(), chat)) + (await subscriberCount(hub(), child)) === 0, 'the feeds to be released');

      // Subscribing to the deleted chat is now NOT_FOUND.
      const late = open(users.member.token).subscribe(chat, '0');
      await late.waitEnded();
      expect(late.events).toEqual([]);
      expect(codeOf(late.errors[0])).toBe('NOT_FOUND');
    });

    it('sends a persisted DEBUG_DATA_DELETED event with the deleted run ids when the chat is archived', async () => {
      const chat = await createChat(server.api, users.member.token);
      const writer = new DebugWriter(server.api, users.member.token, chat);
      const run1 = await writer.startRun();
      await writer.finishRun(run1);
      const run2 = await writer.startRun();
      const before = (await storedEvents(server.db.prisma, chat)).at(-1)!.cursor;

      const stream = open(users.member.token).subscribe(chat);
      await waitForLiveSubscribers(hub(), chat, 1);
      const archived = await server.api.patch(`/api/experimental/chats/${chat}`, { token: users.member.token, body: { archived: true } });
      expect(archived.status, archived.text).toBe(200);

      const [event] = await stream.take(1);
      expect(event).toMatchObject({ kind: 'DEBUG_DATA_DELETED', chatId: chat, chatDeleted: false, run: null, step: null });
      expect([...event.deletedRunIds].sort()).toEqual([run1, run2].sort());
      expect(BigInt(event.cursor) > BigInt(before)).toBe(true);
      // Archiving does not end the stream.
      expect(stream.ended).toBe(false);

      // Persisted: a client resuming from before the archive gets it replayed.
      const stored = await storedEvents(server.db.prisma, chat);
      expect(stored.at(-1)).toEqual({ cursor: event.cursor, kind: 'DEBUG_DATA_DELETED' });
      const resumed = open(users.member.token).subscribe(chat, before);
      const [replayed] = await resumed.take(1);
      expect(replayed).toMatchObject({ cursor: event.cursor, kind: 'DEBUG_DATA_DELETED' });
      expect([...replayed.deletedRunIds].sort()).toEqual([run1, run2].sort());
    });
  });
});
