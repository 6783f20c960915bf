import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MALFORMED_BODIES,
  expectBadJson,
  expectForbidden,
  expectJson,
  expectNoContent,
  expectNoToken,
} from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Both retention settings share one contract (rest-api.md 10); only names and messages differ. */
const SETTINGS = [
  {
    name: 'TestChatDebugRetentionDays',
    path: '/api/experimental/chats/config/debug-retention-days',
    field: 'debug_retention_days',
    key: 'debug_retention_days',
    rangeMessage: 'Chat debug retention days must be between 0 and 3650.',
    sample: 14,
  },
  {
    name: 'TestChatRetentionDays',
    path: '/api/experimental/chats/config/retention-days',
    field: 'retention_days',
    key: 'retention_days',
    rangeMessage: 'Retention days must be between 0 and 3650.',
    sample: 90,
  },
] as const;

describe.each(BACKENDS)('retention settings on %s (rest-api.md 10, 15.11)', (backend) => {
  let server: TestServer;
  let users: Users;

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    await server.db.prisma.siteSetting.deleteMany({ where: { key: { in: SETTINGS.map((s) => s.key) } } });
  });

  describe.each(SETTINGS)('$path', (setting) => {
    const put = (body: unknown, token = users.owner.token) => server.api.put(setting.path, { token, body });
    const expectDays = async (days: number, token = users.owner.token) =>
      expectJson(await server.api.get(setting.path, { token }), 200, { [setting.field]: days });
    const storedRaw = async () => (await server.db.prisma.siteSetting.findUnique({ where: { key: setting.key } }))?.value ?? null;
    const other = SETTINGS.find((s) => s.key !== setting.key)!;
    const range = { message: setting.rangeMessage };

    it(`${setting.name}: default 30; owner sets ${setting.sample}; member reads it; member PUT → 403; owner sets 0; −1 and 3651 → 400`, async () => {
      for (const user of [users.owner, users.auditor, users.member]) await expectDays(30, user.token);

      expectNoContent(await put({ [setting.field]: setting.sample }));
      await expectDays(setting.sample);
      await expectDays(setting.sample, users.member.token);
      await expectDays(setting.sample, users.auditor.token);

      expectForbidden(await put({ [setting.field]: 7 }, users.member.token));
      expectForbidden(await put({ [setting.field]: 7 }, users.auditor.token));
      await expectDays(setting.sample);

      expectNoContent(await put({ [setting.field]: 0 }));
      await expectDays(0);

      for (const bad of [-1, 3651]) {
        expectJson(await put({ [setting.field]: bad }), 400, range);
        await expectDays(0);
      }
      // The other retention setting is untouched.
      const otherRes = await server.api.get(other.path, { token: users.owner.token });
      expectJson(otherRes, 200, { [other.field]: 30 });
    });

    it(`${setting.name}/Boundaries: 0 and 3650 accepted; int32 extremes get the range message; beyond int32 is a decode error`, async () => {
      expectNoContent(await put({ [setting.field]: 3650 }));
      await expectDays(3650);
      for (const bad of [-2147483648, 2147483647, 3651, -1]) {
        expectJson(await put({ [setting.field]: bad }), 400, range);
        await expectDays(3650);
      }
      for (const literal of ['2147483648', '-2147483649', '9007199254740991', '1e10']) {
        const raw = await storedRaw();
        expectBadJson(await put(`{"${setting.field}":${literal}}`));
        expect(await storedRaw()).toBe(raw);
      }
      await expectDays(3650);
    });

    it(`${setting.name}/IntegerForms: 5, 5.0 and 5e0 are 5; 1.5 is rejected`, async () => {
      for (const literal of ['5', '5.0', '5e0', '0.5e1']) {
        expectNoContent(await put({ [setting.field]: 1 }));
        expectNoContent(await put(`{"${setting.field}":${literal}}`));
        await expectDays(5);
      }
      for (const literal of ['1.5', '-0.5', '3650.1']) {
        expectBadJson(await put(`{"${setting.field}":${literal}}`));
        await expectDays(5);
      }
    });

    it(`${setting.name}/MalformedInput: malformed JSON and wrong types → 400; value unchanged`, async () => {
      expectNoContent(await put({ [setting.field]: 21 }));
      const bodies = [...MALFORMED_BODIES, `{"${setting.field}":"14"}`, `{"${setting.field}":true}`, `{"${setting.field}":[14]}`, `{"${setting.field}":{}}`];
      for (const body of bodies) {
        const raw = await storedRaw();
        expectBadJson(await put(body));
        expect(await storedRaw()).toBe(raw);
      }
      await expectDays(21);
    });

    it(`${setting.name}/ZeroValues: {}, null body and a null field store 0 (full replacement)`, async () => {
      for (const body of ['{}', 'null', `{"${setting.field}":null}`, '{"unknown":99}']) {
        expectNoContent(await put({ [setting.field]: 60 }));
        expectNoContent(await put(body));
        await expectDays(0);
      }
    });

    it(`${setting.name}/DuplicateKeys: the last one wins, before the range check`, async () => {
      expectNoContent(await put(`{"${setting.field}":9999,"${setting.field}":12}`));
      await expectDays(12);
      expectJson(await put(`{"${setting.field}":12,"${setting.field}":-3}`), 400, range);
      await expectDays(12);
    });

    it(`${setting.name}/AuthOrder: 401 before 403 before decode before range`, async () => {
      expectNoContent(await put({ [setting.field]: 45 }));
      expectNoToken(await server.api.get(setting.path));
      expectNoToken(await server.api.put(setting.path, { body: { [setting.field]: 5 } }));
      expectNoToken(await server.api.put(setting.path, { body: '{not json' }));
      expectForbidden(await put('{not json', users.member.token));
      expectForbidden(await put({ [setting.field]: -1 }, users.member.token));
      expectBadJson(await put(`{"${setting.field}":-1.5}`));
      await expectDays(45);
    });
  });
});
