// Chats: create, list, read, update, archive, delete, share, subagent inheritance (product.md 3;
// rest-api.md 4, 14.1, 14.2) over REST and GraphQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import { FORBIDDEN_BODY, NOT_FOUND_BODY, NO_TOKEN, PASSWORD, SIGNED_OUT, createUsers, login, share, type TestUser, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const CHATS = '/api/experimental/chats';
const BAD_UUID_BODY = { message: 'Invalid UUID "not-a-uuid".', detail: 'invalid UUID length: 10' };

describe.each(BACKENDS)('chats on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let counter = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());

  const api = () => server.api;

  /** A fresh member, so that list assertions see only what the test made. */
  async function newUser(prefix: string): Promise<TestUser> {
    const username = `${prefix}${++counter}`;
    const email = `${username}@example.com`;
    const created = await api().post('/api/v2/users', { token: users.owner.token, body: { email, username, password: PASSWORD } });
    expect(created.status, created.text).toBe(201);
    return { id: created.body.id, email, username, token: await login(api(), email) };
  }

  async function create(token: string, body: Record<string, unknown> = {}) {
    const response = await api().post(CHATS, { token, body: { title: 'A chat', ...body } });
    expect(response.status, response.text).toBe(201);
    return response.body;
  }

  async function get(token: string, id: string) {
    return api().get(`${CHATS}/${id}`, { token });
  }

  async function addDebugRun(chatId: string) {
    const runId = randomUUID();
    await server.db.prisma.debugRun.create({ data: { id: runId, chatId, kind: 'chat_turn', status: 'completed' } });
    await server.db.prisma.debugStep.create({ data: { id: randomUUID(), runId, chatId, stepNumber: 1, operation: 'stream', status: 'completed' } });
    return runId;
  }

  const expectNotFound = (response: { status: number; body: unknown }) => {
    expect(response.status).toBe(404);
    expect(response.body).toEqual(NOT_FOUND_BODY);
  };
  const expectForbidden = (response: { status: number; body: unknown }) => {
    expect(response.status).toBe(403);
    expect(response.body).toEqual(FORBIDDEN_BODY);
  };

  describe('POST /chats', () => {
    it('creates a chat owned by the caller (201) with the whole shape', async () => {
      const response = await api().post(CHATS, {
        token: users.member.token,
        body: { title: '  Fix the build  ', workspace_template_modules: ['portabledesktop', ' git ', 'git', ''], unknown: 1 },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const id = response.body.id;
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        owner_id: users.member.id,
        title: 'Fix the build',
        root_chat_id: id,
        archived: false,
        workspace_template_modules: ['portabledesktop', 'git'],
        created_at: expect.stringMatching(TIMESTAMP),
        updated_at: expect.stringMatching(TIMESTAMP),
      });
      expect(Object.keys(response.body)).toEqual(['id', 'owner_id', 'title', 'root_chat_id', 'archived', 'workspace_template_modules', 'created_at', 'updated_at']);
      const read = await get(users.member.token, id);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(response.body);
    });

    it('takes null as {} and keeps a model config id', async () => {
      const empty = await api().post(CHATS, { token: users.member.token, body: 'null' });
      expect(empty.status).toBe(201);
      expect(empty.body).toMatchObject({ title: '', archived: false, workspace_template_modules: [] });
      const config = await api().post('/api/experimental/chats/model-configs', {
        token: users.owner.token,
        body: { provider: 'openai', model: 'gpt-4o', context_limit: 128000 },
      });
      expect(config.status).toBe(201);
      const modelConfigId: string = config.body.id;
      const withModel = await api().post(CHATS, { token: users.member.token, body: { title: 'm', model_config_id: modelConfigId.toUpperCase() } });
      expect(withModel.status).toBe(201);
      expect(withModel.body.model_config_id).toBe(modelConfigId);
      expect(Object.keys(withModel.body)).toEqual(['id', 'owner_id', 'title', 'root_chat_id', 'model_config_id', 'archived', 'workspace_template_modules', 'created_at', 'updated_at']);
    });

    it('rejects an unknown model config, storing nothing', async () => {
      const before = await server.db.prisma.chat.count();
      const unknown = randomUUID();
      const response = await api().post(CHATS, { token: users.member.token, body: { title: 'm', model_config_id: unknown } });
      expect(response.status).toBe(400);
      expect(response.text).toBe(`${JSON.stringify({ message: `model_config_id "${unknown}" does not match any existing model config.` })}\n`);
      expect(await server.db.prisma.chat.count()).toBe(before);
    });

    it('rejects bad bodies and unauthenticated callers, storing nothing', async () => {
      const before = await server.db.prisma.chat.count();
      const unauthenticated = await api().post(CHATS, { body: { title: 'x' } });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });
      for (const body of ['{', '[]', { title: 5 }, { parent_chat_id: '' }, { workspace_template_modules: [1] }]) {
        const response = await api().post(CHATS, { token: users.member.token, body });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body).toEqual({ message: 'Request body must be valid JSON.', detail: expect.any(String) });
      }
      expect(await server.db.prisma.chat.count()).toBe(before);
    });
  });

  describe('GET /chats', () => {
    it('lists own chats and chats shared with the caller, never other people’s', async () => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const aliceChat = await create(alice.token, { title: 'alice own' });
      const bobShared = await create(bob.token, { title: 'bob shared' });
      const bobPrivate = await create(bob.token, { title: 'bob private' });
      await share(api(), bob.token, bobShared.id, alice.id);

      const byRecency = (chats: { updated_at: string; id: string }[]) =>
        [...chats].sort((a, b) => (a.updated_at === b.updated_at ? (a.id < b.id ? 1 : -1) : a.updated_at < b.updated_at ? 1 : -1));
      const aliceList = await api().get(CHATS, { token: alice.token });
      expect(aliceList.status).toBe(200);
      expect(aliceList.body).toEqual(byRecency([aliceChat, bobShared]));

      const bobList = await api().get(CHATS, { token: bob.token });
      expect(bobList.status).toBe(200);
      expect(bobList.body).toEqual(byRecency([bobShared, bobPrivate]));

      // The site owner is not shown other users' chats.
      const ownerList = await api().get(CHATS, { token: users.owner.token });
      expect(ownerList.status).toBe(200);
      expect(ownerList.body.map((c: { id: string }) => c.id)).not.toEqual(expect.arrayContaining([aliceChat.id]));
      expect(ownerList.body.map((c: { id: string }) => c.id)).not.toEqual(expect.arrayContaining([bobShared.id]));

      const stranger = await newUser('carol');
      const empty = await api().get(CHATS, { token: stranger.token });
      expect(empty.status).toBe(200);
      expect(empty.text).toBe('[]\n');

      // Unsharing takes effect on the next request.
      await share(api(), bob.token, bobShared.id, alice.id, '');
      const after = await api().get(CHATS, { token: alice.token });
      expect(after.body).toEqual([aliceChat]);

      const unauthenticated = await api().get(CHATS);
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });
    });

    it('is mirrored by GraphQL chats, and chat(id) is null for those who may not read it', async () => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const mine = await create(alice.token, { title: 'mine' });
      const shared = await create(bob.token, { title: 'shared' });
      await create(bob.token, { title: 'private' });
      await share(api(), bob.token, shared.id, alice.id);

      for (const user of [alice, bob]) {
        const rest = await api().get(CHATS, { token: user.token });
        const gql = await api().graphql('{ chats { id title ownerId rootChatId archived } }', {}, user.token);
        expect(gql.status).toBe(200);
        expect(gql.body).toEqual({
          data: {
            chats: rest.body.map((c: Record<string, unknown>) => ({ id: c.id, title: c.title, ownerId: c.owner_id, rootChatId: c.root_chat_id, archived: c.archived })),
          },
        });
      }

      const query = 'query($id: ID!) { chat(id: $id) { id title ownerId viewerIsOwner } }';
      const own = await api().graphql(query, { id: mine.id }, alice.token);
      expect(own.body).toEqual({ data: { chat: { id: mine.id, title: 'mine', ownerId: alice.id, viewerIsOwner: true } } });
      const asReader = await api().graphql(query, { id: shared.id }, alice.token);
      expect(asReader.body).toEqual({ data: { chat: { id: shared.id, title: 'shared', ownerId: bob.id, viewerIsOwner: false } } });
      for (const token of [bob.token, users.owner.token, users.auditor.token]) {
        const denied = await api().graphql(query, { id: mine.id }, token);
        expect(denied.status).toBe(200);
        expect(denied.body).toEqual({ data: { chat: null } });
      }
      const missing = await api().graphql(query, { id: randomUUID() }, alice.token);
      expect(missing.body).toEqual({ data: { chat: null } });

      const bad = await api().graphql(query, { id: 'not-a-uuid' }, alice.token);
      expect(bad.body).toEqual({
        data: { chat: null },
        errors: [
          {
            message: 'Invalid UUID "not-a-uuid".',
            locations: [{ line: 1, column: 19 }],
            path: ['chat'],
            extensions: { code: 'BAD_USER_INPUT', detail: 'invalid UUID length: 10' },
          },
        ],
      });
    });
  });

  describe('GET /chats/{chat}', () => {
    it('lets the owner and readers read; strangers, auditors and the site owner get 404', async () => {
      const chat = await create(users.member.token, { title: 'readable' });
      await share(api(), users.member.token, chat.id, users.auditor.id);
      for (const token of [users.member.token, users.auditor.token]) {
        const response = await get(token, chat.id);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(chat);
      }
      for (const token of [users.member2.token, users.owner.token]) expectNotFound(await get(token, chat.id));
      expectNotFound(await get(users.member.token, randomUUID()));
    });

    it('accepts every UUID form and rejects others with 400', async () => {
      const chat = await create(users.member.token);
      const hex = chat.id.replaceAll('-', '');
      for (const form of [chat.id.toUpperCase(), `{${chat.id}}`, `urn:uuid:${chat.id}`, hex]) {
        const response = await get(users.member.token, encodeURIComponent(form));
        expect(response.status, form).toBe(200);
        expect(response.body).toEqual(chat);
      }
      const bad = await get(users.member.token, 'not-a-uuid');
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual(BAD_UUID_BODY);
      expect(bad.text).toBe('{"message":"Invalid UUID \\"not-a-uuid\\".","detail":"invalid UUID length: 10"}\n');
      const format = await get(users.member.token, `${chat.id.slice(0, -1)}g`);
      expect(format.status).toBe(400);
      expect(format.body).toEqual({ message: `Invalid UUID "${chat.id.slice(0, -1)}g".`, detail: 'invalid UUID format' });
      for (const method of ['patch', 'delete'] as const) {
        const response = await api()[method](`${CHATS}/not-a-uuid`, { token: users.member.token, body: {} });
        expect(response.status).toBe(400);
        expect(response.body).toEqual(BAD_UUID_BODY);
      }
      const acl = await api().patch(`${CHATS}/not-a-uuid/acl`, { token: users.member.token, body: { user_roles: {} } });
      expect(acl.status).toBe(400);
      expect(acl.body).toEqual(BAD_UUID_BODY);
    });
  });

  describe('PATCH /chats/{chat}', () => {
    it('renames and archives for the owner; readers get 403 and strangers 404, changing nothing', async () => {
      const chat = await create(users.member.token, { title: 'before' });
      await share(api(), users.member.token, chat.id, users.auditor.id);

      expectForbidden(await api().patch(`${CHATS}/${chat.id}`, { token: users.auditor.token, body: { title: 'reader' } }));
      for (const token of [users.member2.token, users.owner.token]) {
        expectNotFound(await api().patch(`${CHATS}/${chat.id}`, { token, body: { title: 'stranger' } }));
      }
      expect((await get(users.member.token, chat.id)).body).toEqual(chat);

      const renamed = await api().patch(`${CHATS}/${chat.id}`, { token: users.member.token, body: { title: '  after  ' } });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ ...chat, title: 'after', updated_at: expect.stringMatching(TIMESTAMP) });
      expect(renamed.body.updated_at >= chat.updated_at).toBe(true);

      const archived = await api().patch(`${CHATS}/${chat.id}`, { token: users.member.token, body: { archived: true } });
      expect(archived.status).toBe(200);
      expect(archived.body).toEqual({ ...chat, title: 'after', archived: true, updated_at: expect.stringMatching(TIMESTAMP) });
      // Still readable, by the owner and the reader.
      for (const token of [users.member.token, users.auditor.token]) {
        const read = await get(token, chat.id);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(archived.body);
      }

      const unarchived = await api().patch(`${CHATS}/${chat.id}`, { token: users.member.token, body: { archived: false, title: null } });
      expect(unarchived.status).toBe(200);
      expect(unarchived.body).toEqual({ ...chat, title: 'after', archived: false, updated_at: expect.stringMatching(TIMESTAMP) });

      const badType = await api().patch(`${CHATS}/${chat.id}`, { token: users.member.token, body: { archived: 'yes' } });
      expect(badType.status).toBe(400);
      expect(badType.body).toEqual({ message: 'Request body must be valid JSON.', detail: expect.any(String) });
      expect((await get(users.member.token, chat.id)).body.archived).toBe(false);
    });

    it('archiving deletes the debug runs of the chat and of its subagent chats; unarchiving does not restore them', async () => {
      const root = await create(users.member.token);
      const child = await create(users.member.token, { parent_chat_id: root.id });
      const grandchild = await create(users.member.token, { parent_chat_id: child.id });
      const other = await create(users.member.token);
      for (const id of [root.id, child.id, grandchild.id, other.id]) await addDebugRun(id);

      const archived = await api().patch(`${CHATS}/${root.id}`, { token: users.member.token, body: { archived: true } });
      expect(archived.status).toBe(200);
      const tree = [root.id, child.id, grandchild.id];
      expect(await server.db.prisma.debugRun.count({ where: { chatId: { in: tree } } })).toBe(0);
      expect(await server.db.prisma.debugStep.count({ where: { chatId: { in: tree } } })).toBe(0);
      expect(await server.db.prisma.debugRun.count({ where: { chatId: other.id } })).toBe(1);

      await api().patch(`${CHATS}/${root.id}`, { token: users.member.token, body: { archived: false } });
      expect(await server.db.prisma.debugRun.count({ where: { chatId: { in: tree } } })).toBe(0);
      // The subagent chats themselves stay.
      for (const id of [child.id, grandchild.id]) expect((await get(users.member.token, id)).status).toBe(200);
    });
  });

  describe('DELETE /chats/{chat}', () => {
    it('deletes the chat and its subagent chats at any depth with their debug data (204), then 404 everywhere', async () => {
      const owner = await newUser('owner');
      const reader = await newUser('reader');
      const stranger = await newUser('stranger');
      const root = await create(owner.token, { title: 'root' });
      const child = await create(owner.token, { parent_chat_id: root.id, title: 'child' });
      const grandchild = await create(owner.token, { parent_chat_id: child.id, title: 'grandchild' });
      const great = await create(owner.token, { parent_chat_id: grandchild.id, title: 'great-grandchild' });
      const survivor = await create(owner.token, { title: 'survivor' });
      await share(api(), owner.token, root.id, reader.id);
      const runs = [await addDebugRun(root.id), await addDebugRun(grandchild.id), await addDebugRun(great.id)];
      const tree = [root.id, child.id, grandchild.id, great.id];

      expectNotFound(await api().delete(`${CHATS}/${root.id}`, { token: stranger.token }));
      expectNotFound(await api().delete(`${CHATS}/${root.id}`, { token: users.owner.token }));
      expectForbidden(await api().delete(`${CHATS}/${root.id}`, { token: reader.token }));
      expectForbidden(await api().delete(`${CHATS}/${grandchild.id}`, { token: reader.token }));
      expect(await server.db.prisma.chat.count({ where: { id: { in: tree } } })).toBe(4);
      expect(await server.db.prisma.debugRun.count({ where: { id: { in: runs } } })).toBe(3);

      const deleted = await api().delete(`${CHATS}/${root.id}`, { token: owner.token });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect(deleted.headers.get('content-type')).toBeNull();

      for (const id of tree) {
        for (const token of [owner.token, reader.token]) expectNotFound(await get(token, id));
        expectNotFound(await api().patch(`${CHATS}/${id}`, { token: owner.token, body: { title: 'x' } }));
        expectNotFound(await api().delete(`${CHATS}/${id}`, { token: owner.token }));
        expectNotFound(await api().patch(`${CHATS}/${id}/acl`, { token: owner.token, body: { user_roles: {} } }));
        expectNotFound(await api().get(`${CHATS}/${id}/advisor`, { token: owner.token }));
        expectNotFound(await api().get(`${CHATS}/${id}/desktop`, { token: owner.token }));
      }
      const list = await api().get(CHATS, { token: owner.token });
      expect(list.body).toEqual([survivor]);
      const readerList = await api().get(CHATS, { token: reader.token });
      expect(readerList.body).toEqual([]);
      expect(await server.db.prisma.chat.count({ where: { id: { in: tree } } })).toBe(0);
      expect(await server.db.prisma.chatAcl.count({ where: { chatId: { in: tree } } })).toBe(0);
      expect(await server.db.prisma.debugRun.count({ where: { id: { in: runs } } })).toBe(0);
      expect(await server.db.prisma.debugStep.count({ where: { runId: { in: runs } } })).toBe(0);
      expect((await get(owner.token, survivor.id)).status).toBe(200);

      const gql = await api().graphql('query($id: ID!) { chat(id: $id) { id } }', { id: grandchild.id }, owner.token);
      expect(gql.body).toEqual({ data: { chat: null } });
    });

    it('deleting a subagent chat removes its subtree only', async () => {
      const root = await create(users.member.token);
      const child = await create(users.member.token, { parent_chat_id: root.id });
      const grandchild = await create(users.member.token, { parent_chat_id: child.id });
      const sibling = await create(users.member.token, { parent_chat_id: root.id });
      const deleted = await api().delete(`${CHATS}/${child.id}`, { token: users.member.token });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      for (const id of [child.id, grandchild.id]) expectNotFound(await get(users.member.token, id));
      for (const chat of [root, sibling]) expect((await get(users.member.token, chat.id)).body).toEqual(chat);
    });

    it('is mirrored by GraphQL deleteChat with the same rules', async () => {
      const chat = await create(users.member.token);
      await share(api(), users.member.token, chat.id, users.auditor.id);
      const mutation = 'mutation($id: ID!) { deleteChat(id: $id) }';
      const asReader = await api().graphql(mutation, { id: chat.id }, users.auditor.token);
      expect(asReader.body).toEqual({
        data: { deleteChat: null },
        errors: [
          {
            message: 'Forbidden.',
            locations: [{ line: 1, column: 22 }],
            path: ['deleteChat'],
            extensions: { code: 'FORBIDDEN', detail: FORBIDDEN_BODY.detail },
          },
        ],
      });
      const asStranger = await api().graphql(mutation, { id: chat.id }, users.member2.token);
      expect(asStranger.body).toEqual({
        data: { deleteChat: null },
        errors: [{ message: NOT_FOUND_BODY.message, locations: [{ line: 1, column: 22 }], path: ['deleteChat'], extensions: { code: 'NOT_FOUND' } }],
      });
      const asOwner = await api().graphql(mutation, { id: chat.id }, users.member.token);
      expect(asOwner.body).toEqual({ data: { deleteChat: true } });
      expectNotFound(await get(users.member.token, chat.id));
    });
  });

  describe('PATCH /chats/{chat}/acl', () => {
    const aclOf = async (token: string, chatId: string) => {
      const response = await api().get(`${CHATS}/${chatId}/acl`, { token });
      expect(response.status, response.text).toBe(200);
      return response.body;
    };

    it('shares for read and removes with ""; owner only', async () => {
      const chat = await create(users.member.token);
      expectNotFound(await get(users.member2.token, chat.id));

      const shared = await api().patch(`${CHATS}/${chat.id}/acl`, { token: users.member.token, body: { user_roles: { [users.member2.id]: 'read' } } });
      expect(shared.status).toBe(204);
      expect(shared.text).toBe('');
      expect(await aclOf(users.member.token, chat.id)).toEqual({ user_roles: { [users.member2.id]: 'read' } });
      expect((await get(users.member2.token, chat.id)).body).toEqual(chat);

      // The reader may not re-share, nor may strangers or the site owner.
      expectForbidden(await api().patch(`${CHATS}/${chat.id}/acl`, { token: users.member2.token, body: { user_roles: { [users.auditor.id]: 'read' } } }));
      for (const token of [users.auditor.token, users.owner.token]) {
        expectNotFound(await api().patch(`${CHATS}/${chat.id}/acl`, { token, body: { user_roles: { [users.auditor.id]: 'read' } } }));
      }
      expect(await aclOf(users.member.token, chat.id)).toEqual({ user_roles: { [users.member2.id]: 'read' } });

      const removed = await api().patch(`${CHATS}/${chat.id}/acl`, { token: users.member.token, body: { user_roles: { [users.member2.id]: '' } } });
      expect(removed.status).toBe(204);
      expect(await aclOf(users.member.token, chat.id)).toEqual({ user_roles: {} });
      expectNotFound(await get(users.member2.token, chat.id));
      // Removing an absent share is not an error.
      const again = await api().patch(`${CHATS}/${chat.id}/acl`, { token: users.member.token, body: { user_roles: { [users.member2.id]: '' } } });
      expect(again.status).toBe(204);
    });

    it('rejects unknown users, invalid roles, bad ids and the owner with 400, storing nothing', async () => {
      const chat = await create(users.member.token);
      await share(api(), users.member.token, chat.id, users.auditor.id);
      const unknown = randomUUID();
      const cases: [unknown, unknown][] = [
        [{ user_roles: { [users.member2.id]: 'read', [unknown]: 'read' } }, { message: `User ${unknown} does not exist.` }],
        [{ user_roles: { [users.member2.id]: 'write' } }, { message: `Invalid role "write" for user ${users.member2.id}.`, detail: 'Expected "read" or "".' }],
        [{ user_roles: { [users.member2.id]: 'READ' } }, { message: `Invalid role "READ" for user ${users.member2.id}.`, detail: 'Expected "read" or "".' }],
        [{ user_roles: { bob: 'read' } }, { message: 'Invalid user ID.', detail: 'invalid UUID length: 3' }],
        [{ user_roles: { [users.member.id]: 'read' } }, { message: 'The chat owner cannot be added to the chat ACL.' }],
        [{ user_roles: { [users.member2.id]: true } }, { message: 'Request body must be valid JSON.', detail: expect.any(String) }],
        [{ user_roles: [] }, { message: 'Request body must be valid JSON.', detail: expect.any(String) }],
      ];
      for (const [body, expected] of cases) {
        const response = await api().patch(`${CHATS}/${chat.id}/acl`, { token: users.member.token, body });
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body).toEqual(expected);
      }
      expect(await aclOf(users.member.token, chat.id)).toEqual({ user_roles: { [users.auditor.id]: 'read' } });
      expectNotFound(await get(users.member2.token, chat.id));
      // Upper-case ids name the same user.
      const upper = await api().patch(`${CHATS}/${chat.id}/acl`, { token: users.member.token, body: { user_roles: { [users.member2.id.toUpperCase()]: 'read' } } });
      expect(upper.status).toBe(204);
      expect(await aclOf(users.member.token, chat.id)).toEqual({ user_roles: { [users.auditor.id]: 'read', [users.member2.id]: 'read' } });
    });
  });

  describe('subagent chats', () => {
    it('inherit the root chat’s owner and ACL', async () => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const carol = await newUser('carol');
      const root = await create(alice.token, { title: 'root' });
      await share(api(), alice.token, root.id, bob.id);

      const child = await api().post(CHATS, { token: alice.token, body: { title: 'child', parent_chat_id: root.id } });
      expect(child.status).toBe(201);
      expect(child.body).toEqual({
        id: expect.stringMatching(UUID),
        owner_id: alice.id,
        title: 'child',
        parent_chat_id: root.id,
        root_chat_id: root.id,
        archived: false,
        workspace_template_modules: [],
        created_at: expect.stringMatching(TIMESTAMP),
        updated_at: expect.stringMatching(TIMESTAMP),
      });
      expect(Object.keys(child.body)).toEqual(['id', 'owner_id', 'title', 'parent_chat_id', 'root_chat_id', 'archived', 'workspace_template_modules', 'created_at', 'updated_at']);
      const grandchild = await create(alice.token, { title: 'grandchild', parent_chat_id: child.body.id });
      expect(grandchild).toMatchObject({ owner_id: alice.id, parent_chat_id: child.body.id, root_chat_id: root.id });

      // A reader of the root reads every chat of the tree, but may not add to it.
      for (const chat of [child.body, grandchild]) {
        const read = await get(bob.token, chat.id);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(chat);
        expectForbidden(await api().patch(`${CHATS}/${chat.id}`, { token: bob.token, body: { title: 'x' } }));
        expectForbidden(await api().delete(`${CHATS}/${chat.id}`, { token: bob.token }));
      }
      expectForbidden(await api().post(CHATS, { token: bob.token, body: { parent_chat_id: root.id } }));
      const bobList = await api().get(CHATS, { token: bob.token });
      expect(bobList.body.map((c: { id: string }) => c.id).sort()).toEqual([root.id, child.body.id, grandchild.id].sort());

      // Strangers see nothing, and cannot attach to it either.
      for (const chat of [root, child.body, grandchild]) expectNotFound(await get(carol.token, chat.id));
      expectNotFound(await api().post(CHATS, { token: carol.token, body: { parent_chat_id: child.body.id } }));
      expectNotFound(await api().post(CHATS, { token: carol.token, body: { parent_chat_id: randomUUID() } }));

      // A share on a subagent chat alone grants nothing: access follows the root.
      const subShare = await api().patch(`${CHATS}/${child.body.id}/acl`, { token: alice.token, body: { user_roles: { [carol.id]: 'read' } } });
      expect(subShare.status).toBe(204);
      for (const chat of [root, child.body, grandchild]) expectNotFound(await get(carol.token, chat.id));
      const carolList = await api().get(CHATS, { token: carol.token });
      expect(carolList.body).toEqual([]);
      const carolGql = await api().graphql('query($id: ID!) { chat(id: $id) { id } }', { id: child.body.id }, carol.token);
      expect(carolGql.body).toEqual({ data: { chat: null } });

      // Unsharing the root revokes the whole tree.
      await share(api(), alice.token, root.id, bob.id, '');
      for (const chat of [root, child.body, grandchild]) expectNotFound(await get(bob.token, chat.id));
    });
  });
});
