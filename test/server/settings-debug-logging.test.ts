import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import {
  FORCED_BY_DEPLOYMENT,
  MALFORMED_BODIES,
  USER_TOGGLE_NOT_ALLOWED,
  expectBadJson,
  expectForbidden,
  expectJson,
  expectNoContent,
  expectNoToken,
  expectNotFound,
} from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { createUsers, type TestUser, type Users } from '../support/fixtures.ts';
import { Api, startTestServer, type TestServer } from '../support/server.ts';

const ADMIN = '/api/experimental/chats/config/debug-logging';
const USER = '/api/experimental/chats/config/user-debug-logging';
const ALLOW_KEY = 'debug_logging_allow_users';
const OPT_IN_KEY = 'debug_logging_enabled';

const admin = (allow_users: boolean, forced_by_deployment = false) => ({ allow_users, forced_by_deployment });
const mine = (debug_logging_enabled: boolean, user_toggle_allowed: boolean, forced_by_deployment = false) => ({
  debug_logging_enabled,
  user_toggle_allowed,
  forced_by_deployment,
});

/** Raw stored rows, to prove that rejected writes change nothing. */
async function snapshot(server: TestServer): Promise<string> {
  const site = await server.db.prisma.siteSetting.findMany({ where: { key: ALLOW_KEY }, select: { key: true, value: true } });
  const user = await server.db.prisma.userSetting.findMany({
    where: { key: OPT_IN_KEY },
    select: { userId: true, key: true, value: true },
    orderBy: { userId: 'asc' },
  });
  return JSON.stringify({ site, user });
}

async function resetDebugLogging(server: TestServer) {
  await server.db.prisma.siteSetting.deleteMany({ where: { key: ALLOW_KEY } });
  await server.db.prisma.userSetting.deleteMany({ where: { key: OPT_IN_KEY } });
}

async function seed(server: TestServer, allowUsers: boolean | null, optIns: [TestUser, boolean][]) {
  await resetDebugLogging(server);
  if (allowUsers !== null) await server.db.prisma.siteSetting.create({ data: { key: ALLOW_KEY, value: JSON.stringify(allowUsers) } });
  for (const [user, value] of optIns) {
    await server.db.prisma.userSetting.create({ data: { userId: user.id, key: OPT_IN_KEY, value: JSON.stringify(value) } });
  }
}

describe.each(BACKENDS)('debug logging settings on %s (rest-api.md 9, 15.5)', (backend) => {
  describe('without the deployment override', () => {
    let server: TestServer;
    let users: Users;

    beforeAll(async () => {
      server = await startTestServer(backend);
      users = await createUsers(server.api);
    });
    afterAll(async () => server?.close());
    beforeEach(async () => resetDebugLogging(server));

    const putAdmin = (body: unknown, token = users.owner.token) => server.api.put(ADMIN, { token, body });
    const putMine = (body: unknown, token = users.member.token) => server.api.put(USER, { token, body });
    const expectAdmin = async (expected: ReturnType<typeof admin>, token = users.owner.token) =>
      expectJson(await server.api.get(ADMIN, { token }), 200, expected);
    const expectMine = async (expected: ReturnType<typeof mine>, token = users.member.token) =>
      expectJson(await server.api.get(USER, { token }), 200, expected);
    const storedOptIn = async (user: TestUser) =>
      (await server.db.prisma.userSetting.findUnique({ where: { userId_key: { userId: user.id, key: OPT_IN_KEY } } }))?.value ?? null;

    it('DefaultDisabled: owner GET debug-logging → {false,false}; every user GET user-debug-logging → all false', async () => {
      await expectAdmin(admin(false));
      await expectAdmin(admin(false), users.auditor.token);
      for (const user of [users.owner, users.auditor, users.member, users.member2]) await expectMine(mine(false, false), user.token);
    });

    it('AdminAllowsUsersToOptIn: allow → opt in → revoke hides it → re-allow restores it → opt out', async () => {
      // (1) owner allows
      expectNoContent(await putAdmin({ allow_users: true }));
      await expectAdmin(admin(true));
      await expectMine(mine(false, true));
      // (2) member opts in
      expectNoContent(await putMine({ debug_logging_enabled: true }));
      await expectMine(mine(true, true));
      await expectMine(mine(false, true), users.member2.token);
      // (3) owner revokes: hidden, though the stored opt-in is still true
      expectNoContent(await putAdmin({ allow_users: false }));
      await expectMine(mine(false, false));
      expect(await storedOptIn(users.member)).toBe('true');
      // (4) owner re-allows: in force again
      expectNoContent(await putAdmin({ allow_users: true }));
      await expectMine(mine(true, true));
      // (5) member opts out
      expectNoContent(await putMine({ debug_logging_enabled: false }));
      await expectMine(mine(false, true));
      expect(await storedOptIn(users.member)).toBe('false');
    });

    it('UserWriteFailsWhenAdminDisabled: gate off → 403 with the admin message, also for {bad, and for the owner', async () => {
      for (const gate of [null, false] as const) {
        await seed(server, gate, [[users.member, true]]);
        const before = await snapshot(server);
        for (const body of [{ debug_logging_enabled: true }, { debug_logging_enabled: false }, '{bad', '', '[]', '{"debug_logging_enabled":"yes"}']) {
          expectJson(await putMine(body), 403, USER_TOGGLE_NOT_ALLOWED);
          expectJson(await putMine(body, users.owner.token), 403, USER_TOGGLE_NOT_ALLOWED);
        }
        expect(await snapshot(server)).toBe(before);
        await expectMine(mine(false, false));
      }
    });

    it('NonAdminCannotManageAdminSetting: member GET debug-logging → 404; member PUT → 403; nothing changes', async () => {
      expectNoContent(await putAdmin({ allow_users: true }));
      const before = await snapshot(server);
      for (const user of [users.member, users.member2]) {
        expectNotFound(await server.api.get(ADMIN, { token: user.token }));
        expectForbidden(await putAdmin({ allow_users: false }, user.token));
        expectForbidden(await putAdmin('{bad', user.token));
      }
      expect(await snapshot(server)).toBe(before);
      await expectAdmin(admin(true));
    });

    it('Product/AuditorReadsAdminSetting: auditor GET → 200; auditor PUT → 403', async () => {
      await expectAdmin(admin(false), users.auditor.token);
      expectNoContent(await putAdmin({ allow_users: true }));
      await expectAdmin(admin(true), users.auditor.token);
      const before = await snapshot(server);
      expectForbidden(await putAdmin({ allow_users: false }, users.auditor.token));
      expectForbidden(await putAdmin('{bad', users.auditor.token));
      expect(await snapshot(server)).toBe(before);
      await expectAdmin(admin(true), users.auditor.token);
    });

    it('UnauthenticatedUserReadFails: both GETs and PUTs without a token → 401; nothing changes', async () => {
      expectNoToken(await server.api.get(USER));
      expectNoToken(await server.api.put(USER, { body: { debug_logging_enabled: true } }));
      expectNoToken(await server.api.get(ADMIN));
      expectNoToken(await server.api.put(ADMIN, { body: { allow_users: true } }));
      expectNoToken(await server.api.put(ADMIN, { body: '{bad' }));
      expect(await snapshot(server)).toBe(JSON.stringify({ site: [], user: [] }));
    });

    it('Product/AdminPutDecoding: {} and null set false; wrong types and malformed JSON → 400 unchanged; last duplicate wins', async () => {
      for (const body of ['{}', 'null', '{"allow_users":null}', '{"allowUsers":true}']) {
        expectNoContent(await putAdmin({ allow_users: true }));
        expectNoContent(await putAdmin(body));
        await expectAdmin(admin(false));
      }
      expectNoContent(await putAdmin({ allow_users: true }));
      for (const body of [...MALFORMED_BODIES, '{"allow_users":"yes"}', '{"allow_users":1}', '{"allow_users":"true"}']) {
        const before = await snapshot(server);
        expectBadJson(await putAdmin(body));
        expect(await snapshot(server)).toBe(before);
      }
      await expectAdmin(admin(true));
      expectNoContent(await putAdmin('{"allow_users":false,"allow_users":true,"extra":[1]}'));
      await expectAdmin(admin(true));
      expectNoContent(await putAdmin('{"allow_users":true,"allow_users":false}'));
      await expectAdmin(admin(false));
    });

    it('Product/UserPutDecoding: gate on: {} and null set false; wrong types and malformed JSON → 400 unchanged', async () => {
      await seed(server, true, []);
      for (const body of ['{}', 'null', '{"debug_logging_enabled":null}', '{"enabled":true}']) {
        expectNoContent(await putMine({ debug_logging_enabled: true }));
        await expectMine(mine(true, true));
        expectNoContent(await putMine(body));
        await expectMine(mine(false, true));
      }
      expectNoContent(await putMine({ debug_logging_enabled: true }));
      for (const body of [...MALFORMED_BODIES, '{"debug_logging_enabled":"yes"}', '{"debug_logging_enabled":0}']) {
        const before = await snapshot(server);
        expectBadJson(await putMine(body));
        expect(await snapshot(server)).toBe(before);
      }
      await expectMine(mine(true, true));
      expectNoContent(await putMine('{"debug_logging_enabled":true,"debug_logging_enabled":false}'));
      await expectMine(mine(false, true));
    });

    it('Product/OptInIsPerUser: each user reads and writes only their own opt-in; roles do not matter', async () => {
      await seed(server, true, []);
      expectNoContent(await putMine({ debug_logging_enabled: true }, users.member.token));
      expectNoContent(await putMine({ debug_logging_enabled: true }, users.auditor.token));
      await expectMine(mine(true, true), users.member.token);
      await expectMine(mine(true, true), users.auditor.token);
      await expectMine(mine(false, true), users.member2.token);
      await expectMine(mine(false, true), users.owner.token);
      expect(await storedOptIn(users.member2)).toBeNull();
    });

    it('Product/StoredValuesOfWrongTypeReadAsFalse: corrupt stored values read as unset', async () => {
      await resetDebugLogging(server);
      await server.db.prisma.siteSetting.create({ data: { key: ALLOW_KEY, value: '"yes"' } });
      await expectAdmin(admin(false));
      await expectMine(mine(false, false));
      expectJson(await putMine({ debug_logging_enabled: true }), 403, USER_TOGGLE_NOT_ALLOWED);
    });
  });

  /** Case 42, once per way of switching the override on. */
  describe.each([
    { how: 'CODER_CHAT_DEBUG_LOGGING_ENABLED=true', options: { env: { CODER_CHAT_DEBUG_LOGGING_ENABLED: 'true' } } },
    { how: '--chat-debug-logging-enabled', options: { args: ['--chat-debug-logging-enabled'] } },
    { how: '--chat-debug-logging-enabled=true with the variable false', options: { args: ['--chat-debug-logging-enabled=true'], env: { CODER_CHAT_DEBUG_LOGGING_ENABLED: 'false' } } },
  ])('with the deployment override ($how)', ({ options }) => {
    let server: TestServer;
    let users: Users;

    beforeAll(async () => {
      server = await startTestServer(backend, options);
      users = await createUsers(server.api);
    });
    afterAll(async () => server?.close());

    const expectAllRejected = async () => {
      const before = await snapshot(server);
      for (const body of [{ debug_logging_enabled: false }, { debug_logging_enabled: true }, '{bad', '', '[]']) {
        expectJson(await server.api.put(USER, { token: users.member.token, body }), 409, FORCED_BY_DEPLOYMENT);
        expectJson(await server.api.put(USER, { token: users.owner.token, body }), 409, FORCED_BY_DEPLOYMENT);
      }
      for (const body of [{ allow_users: false }, { allow_users: true }, '{bad', '', '"str"']) {
        expectJson(await server.api.put(ADMIN, { token: users.owner.token, body }), 409, FORCED_BY_DEPLOYMENT);
        expectForbidden(await server.api.put(ADMIN, { token: users.member.token, body }));
        expectForbidden(await server.api.put(ADMIN, { token: users.auditor.token, body }));
      }
      expectNoToken(await server.api.put(ADMIN, { body: { allow_users: false } }));
      expectNoToken(await server.api.put(USER, { body: { debug_logging_enabled: false } }));
      expect(await snapshot(server)).toBe(before);
    };

    it('DeploymentForceEnablesDebugLogging: reads report forced; both PUTs → 409 (also malformed); member admin PUT → 403; stored values unchanged', async () => {
      for (const stored of [true, false, null]) {
        await seed(server, stored, [[users.member, false], [users.member2, true]]);
        expectJson(await server.api.get(ADMIN, { token: users.owner.token }), 200, admin(stored === true, true));
        expectJson(await server.api.get(ADMIN, { token: users.auditor.token }), 200, admin(stored === true, true));
        expectNotFound(await server.api.get(ADMIN, { token: users.member.token }));
        for (const user of [users.member, users.member2, users.owner, users.auditor]) {
          expectJson(await server.api.get(USER, { token: user.token }), 200, mine(true, false, true));
        }
        await expectAllRejected();
      }
    });

    it('Product/StoredValuesApplyAgainWithoutOverride: a process on the same database without the override sees the stored layers', async () => {
      await seed(server, true, [[users.member, true]]);
      await expectAllRejected();
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'experiments-data-'));
      const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--no-background-jobs'], {});
      const plain = await buildApp({ config, database: server.db, secrets: SecretBox.fromPassphrase('test-secrets-key') });
      try {
        const api = new Api(await plain.start(0, '127.0.0.1'));
        expectJson(await api.get(ADMIN, { token: users.owner.token }), 200, admin(true, false));
        expectJson(await api.get(USER, { token: users.member.token }), 200, mine(true, true, false));
        expectJson(await api.get(USER, { token: users.member2.token }), 200, mine(false, true, false));
        // The forced process still reports the override.
        expectJson(await server.api.get(USER, { token: users.member2.token }), 200, mine(true, false, true));
      } finally {
        await plain.stop();
      }
    });
  });

  describe('with the flag off and the variable on (the flag wins)', () => {
    let server: TestServer;
    let users: Users;

    beforeAll(async () => {
      server = await startTestServer(backend, { args: ['--chat-debug-logging-enabled=false'], env: { CODER_CHAT_DEBUG_LOGGING_ENABLED: 'true' } });
      users = await createUsers(server.api);
    });
    afterAll(async () => server?.close());

    it('Product/FlagWinsOverVariable: not forced; the toggles are writable', async () => {
      expectJson(await server.api.get(ADMIN, { token: users.owner.token }), 200, admin(false, false));
      expectJson(await server.api.get(USER, { token: users.member.token }), 200, mine(false, false, false));
      expectNoContent(await server.api.put(ADMIN, { token: users.owner.token, body: { allow_users: true } }));
      expectNoContent(await server.api.put(USER, { token: users.member.token, body: { debug_logging_enabled: true } }));
      expectJson(await server.api.get(USER, { token: users.member.token }), 200, mine(true, true, false));
    });
  });
});
