import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MALFORMED_BODIES,
  expectBadJson,
  expectForbidden,
  expectJson,
  expectNoContent,
  expectNoToken,
  expectStored,
} from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DESKTOP = '/api/experimental/chats/config/desktop-enabled';
const PROVIDER = '/api/experimental/chats/config/computer-use-provider';

const invalidProvider = (value: string) => ({
  message: 'Invalid computer use provider.',
  detail: `Expected one of: anthropic, openai. Got ${JSON.stringify(value)}.`,
});

describe.each(BACKENDS)('virtual desktop settings on %s (rest-api.md 6, 15.2)', (backend) => {
  let server: TestServer;
  let users: Users;

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    await server.db.prisma.siteSetting.deleteMany({ where: { key: { in: ['desktop_enabled', 'computer_use_provider'] } } });
  });

  const putDesktop = (body: unknown, token = users.owner.token) => server.api.put(DESKTOP, { token, body });
  const putProvider = (body: unknown, token = users.owner.token) => server.api.put(PROVIDER, { token, body });
  const desktopIs = (enabled: boolean, token = users.owner.token) => expectStored(server.api, DESKTOP, token, { enable_desktop: enabled });
  const providerIs = (provider: string, token = users.owner.token) => expectStored(server.api, PROVIDER, token, { provider });

  describe('desktop-enabled', () => {
    it('ReturnsFalseWhenUnset: GET → {"enable_desktop":false} for every role', async () => {
      for (const user of [users.owner, users.auditor, users.member]) await desktopIs(false, user.token);
    });

    it('AdminCanSetTrue: owner PUT true → 204 empty body; GET → true', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      await desktopIs(true);
    });

    it('AdminCanSetFalse: true then false → GET false', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      await desktopIs(true);
      expectNoContent(await putDesktop({ enable_desktop: false }));
      await desktopIs(false);
    });

    it('NonAdminCanRead: owner sets true; member and auditor GET → true', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      await desktopIs(true, users.member.token);
      await desktopIs(true, users.auditor.token);
    });

    it('NonAdminWriteFails: member PUT → 403; auditor PUT → 403; value unchanged', async () => {
      expectForbidden(await putDesktop({ enable_desktop: true }, users.member.token));
      expectForbidden(await putDesktop({ enable_desktop: true }, users.auditor.token));
      await desktopIs(false);
      expectNoContent(await putDesktop({ enable_desktop: true }));
      expectForbidden(await putDesktop({ enable_desktop: false }, users.member.token));
      expectForbidden(await putDesktop({ enable_desktop: false }, users.auditor.token));
      await desktopIs(true);
    });

    it('NonAdminWriteFails (authorization before decoding): member with a malformed body → 403', async () => {
      expectForbidden(await putDesktop('{not json', users.member.token));
      await desktopIs(false);
    });

    it('UnauthenticatedFails: GET and PUT without a token → 401; value unchanged', async () => {
      expectNoToken(await server.api.get(DESKTOP));
      expectNoToken(await server.api.put(DESKTOP, { body: { enable_desktop: true } }));
      expectNoToken(await server.api.put(DESKTOP, { body: '{not json' }));
      await desktopIs(false);
    });

    it('Product/UnknownKeyWithNul: a NUL under a key the route ignores is ignored (rest-api.md 1.2)', async () => {
      const res = await server.api.request('PUT', DESKTOP, { token: users.owner.token, body: '{"enable_desktop":true,"note":"\\u0000"}' });
      expect(res.status, res.text).toBe(204);
      expect((await server.api.get(DESKTOP, { token: users.owner.token })).body).toEqual({ enable_desktop: true });
    });

    it('Product/EmptyBodySetsFalse: PUT {} after true → 204; GET → false', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      expectNoContent(await putDesktop({}));
      await desktopIs(false);
    });

    it('Product/NullBodyAndNullField: the literal null and {"enable_desktop":null} set false', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      expectNoContent(await putDesktop('null'));
      await desktopIs(false);
      expectNoContent(await putDesktop({ enable_desktop: true }));
      expectNoContent(await putDesktop('{"enable_desktop":null}'));
      await desktopIs(false);
    });

    it('Product/MalformedInput: malformed JSON and wrong types → 400; value unchanged', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      const bodies = [...MALFORMED_BODIES, '{"enable_desktop":"yes"}', '{"enable_desktop":"true"}', '{"enable_desktop":1}', '{"enable_desktop":0}', '{"enable_desktop":[]}', '{"enable_desktop":{}}'];
      for (const body of bodies) {
        expectBadJson(await putDesktop(body));
        await desktopIs(true);
      }
    });

    it('Product/UnknownKeysAndDuplicates: unknown keys ignored; the last duplicate wins; whitespace allowed', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true, enabled: false, unknown: [1, 2] }));
      await desktopIs(true);
      expectNoContent(await putDesktop('{"enable_desktop":true,"enable_desktop":false}'));
      await desktopIs(false);
      expectNoContent(await putDesktop(' \n\t{"enable_desktop":false,"enable_desktop":true}\r\n '));
      await desktopIs(true);
    });

    it('Product/ContentTypeNotChecked: a text/plain body is decoded', async () => {
      expectNoContent(await server.api.put(DESKTOP, { token: users.owner.token, body: '{"enable_desktop":true}', headers: { 'Content-Type': 'text/plain' } }));
      await desktopIs(true);
    });
  });

  describe('computer-use-provider', () => {
    it('ReturnsAnthropicWhenUnset: GET → {"provider":"anthropic"}', async () => {
      for (const user of [users.owner, users.auditor, users.member]) await providerIs('anthropic', user.token);
    });

    it('AdminCanSetAnthropic: PUT anthropic → 204; GET → anthropic', async () => {
      expectNoContent(await putProvider({ provider: 'anthropic' }));
      await providerIs('anthropic');
    });

    it('AdminCanSetOpenAI: PUT openai → 204; GET → openai', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      await providerIs('openai');
    });

    it('AdminCanSwitchProviders: openai then anthropic → GET anthropic', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      await providerIs('openai');
      expectNoContent(await putProvider({ provider: 'anthropic' }));
      await providerIs('anthropic');
    });

    it('InvalidProviderRejected: "", "invalid", "Anthropic" → 400 each; value unchanged', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      // A NUL is one more value outside the set.
      for (const value of ['', 'invalid', 'Anthropic', 'OPENAI', ' openai', 'openai ', 'say "hi"\\', 'open\u0000ai']) {
        expectJson(await putProvider({ provider: value }), 400, invalidProvider(value));
        await providerIs('openai');
      }
    });

    it('InvalidProviderRejected: absent, null and the literal null body are "" → 400 Got ""', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      for (const body of ['{}', 'null', '{"provider":null}', '{"other":"openai"}']) {
        expectJson(await putProvider(body), 400, invalidProvider(''));
        await providerIs('openai');
      }
    });

    it('NonAdminCanRead: member and auditor GET see the owner\'s openai', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      await providerIs('openai', users.member.token);
      await providerIs('openai', users.auditor.token);
    });

    it('NonAdminWriteFails: member and auditor PUT → 403 (even with an invalid value); value unchanged', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      expectForbidden(await putProvider({ provider: 'anthropic' }, users.member.token));
      expectForbidden(await putProvider({ provider: 'anthropic' }, users.auditor.token));
      expectForbidden(await putProvider({ provider: 'Anthropic' }, users.member.token));
      expectForbidden(await putProvider('{not json', users.member.token));
      await providerIs('openai');
    });

    it('UnauthenticatedReadFails: GET and PUT without a token → 401', async () => {
      expectNoToken(await server.api.get(PROVIDER));
      expectNoToken(await server.api.put(PROVIDER, { body: { provider: 'openai' } }));
      await providerIs('anthropic');
    });

    it('Product/ProviderWithoutDesktop: PUT openai while the desktop is off → 204', async () => {
      await desktopIs(false);
      expectNoContent(await putProvider({ provider: 'openai' }));
      await providerIs('openai');
      await desktopIs(false);
    });

    it('Product/MalformedInput: malformed JSON and wrong types → 400; value unchanged', async () => {
      expectNoContent(await putProvider({ provider: 'openai' }));
      for (const body of [...MALFORMED_BODIES, '{"provider":1}', '{"provider":true}', '{"provider":["openai"]}', '{"provider":{"name":"openai"}}']) {
        expectBadJson(await putProvider(body));
        await providerIs('openai');
      }
    });

    it('Product/UnknownKeysAndDuplicates: unknown keys ignored; the last duplicate wins', async () => {
      expectNoContent(await putProvider({ provider: 'openai', model: 'x' }));
      await providerIs('openai');
      expectNoContent(await putProvider('{"provider":"openai","provider":"anthropic"}'));
      await providerIs('anthropic');
      expectJson(await putProvider('{"provider":"openai","provider":"nope"}'), 400, invalidProvider('nope'));
      await providerIs('anthropic');
    });

    it('Product/SettingsAreIndependent: the provider write does not touch enable_desktop and vice versa', async () => {
      expectNoContent(await putDesktop({ enable_desktop: true }));
      expectNoContent(await putProvider({ provider: 'openai' }));
      await desktopIs(true);
      expectNoContent(await putDesktop({ enable_desktop: false }));
      await providerIs('openai');
      expect((await server.db.prisma.siteSetting.findUnique({ where: { key: 'computer_use_provider' } }))?.value).toBe('"openai"');
    });
  });
});
