// Provider API keys (write-only, encrypted at rest, never logged) and virtual desktop availability
// in the documented order (product.md 1 "Providers and templates"; rest-api.md 6.3).
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { BACKENDS } from '../support/database.ts';
import { FORBIDDEN_BODY, NOT_FOUND_BODY, NO_TOKEN, SIGNED_OUT, createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CHATS = '/api/experimental/chats';
const PROVIDERS = `${CHATS}/providers`;
const SECRET = 'sk-ant-api03-Zq9xLmN0pQrStUvWxYz1234567890abcdEFGH-WXYZ';
const SECRET_2 = 'sk-proj-0123456789abcdefghijklmnopqrstuv-Q7r8';
const ENV_SECRET = 'sk-env-1234';

const REASONS = {
  DESKTOP_DISABLED: 'type "computer_use" is unavailable because desktop access is not enabled',
  PROVIDER_UNREADABLE: 'the computer use provider setting could not be read',
  NO_API_KEY: (provider: string) => `no API key is configured for the computer use provider "${provider}"`,
  MODULE_MISSING: 'the workspace template does not include the portabledesktop module',
  PLAN_MODE: 'computer use is not available in plan mode',
};

const provider = (name: 'anthropic' | 'openai', hint = '') => ({
  provider: name,
  display_name: name === 'anthropic' ? 'Anthropic' : 'OpenAI',
  has_api_key: hint !== '',
  api_key_hint: hint,
});

const CONSOLE_METHODS = ['log', 'error', 'warn', 'info', 'debug'] as const;

describe.each(BACKENDS)('providers and desktop availability on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  const spies: MockInstance[] = [];
  /** Every response text of the file, checked for secrets at the end. */
  const seen: string[] = [];

  beforeAll(async () => {
    for (const method of CONSOLE_METHODS) spies.push(vi.spyOn(console, method));
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => {
    await server?.close();
    for (const spy of spies) spy.mockRestore();
  });

  const api = () => server.api;
  const record = <T extends { text: string; headers: Headers }>(response: T): T => {
    seen.push(response.text, JSON.stringify([...response.headers]));
    return response;
  };
  const putKey = async (name: string, body: unknown, token = users.owner.token) => record(await api().put(`${PROVIDERS}/${name}`, { token, body }));
  const listProviders = async (token = users.member.token) => record(await api().get(PROVIDERS, { token }));
  const gql = async (query: string, variables: Record<string, unknown> = {}, token = users.member.token) => record(await api().graphql(query, variables, token));

  describe('providers', () => {
    it('lists both providers without keys to any signed-in user; 401 without a token', async () => {
      for (const token of [users.member.token, users.auditor.token, users.owner.token]) {
        const response = await listProviders(token);
        expect(response.status).toBe(200);
        expect(response.body).toEqual([provider('anthropic'), provider('openai')]);
        expect(Object.keys(response.body[0])).toEqual(['provider', 'display_name', 'has_api_key', 'api_key_hint']);
      }
      const anonymous = await api().get(PROVIDERS);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });
    });

    it('lets only the owner set a key (204); members and auditors get 403 and nothing is stored', async () => {
      for (const token of [users.member.token, users.auditor.token]) {
        const denied = await putKey('anthropic', { api_key: SECRET }, token);
        expect(denied.status).toBe(403);
        expect(denied.body).toEqual(FORBIDDEN_BODY);
        // Authorization comes first, even for an unknown provider.
        const unknown = await putKey('gemini', { api_key: SECRET }, token);
        expect(unknown.status).toBe(403);
        expect(unknown.body).toEqual(FORBIDDEN_BODY);
      }
      expect(await server.db.prisma.providerKey.count()).toBe(0);
      const anonymous = record(await api().put(`${PROVIDERS}/anthropic`, { body: { api_key: SECRET } }));
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });

      const stored = await putKey('anthropic', { api_key: `  ${SECRET}  ` });
      expect(stored.status).toBe(204);
      expect(stored.text).toBe('');
      expect(stored.headers.get('content-type')).toBeNull();
      const list = await listProviders();
      expect(list.status).toBe(200);
      expect(list.body).toEqual([provider('anthropic', 'WXYZ'), provider('openai')]);
    });

    it('encrypts the key at rest: the stored bytes do not contain it, the hint is its last 4 characters', async () => {
      const row = await server.db.prisma.providerKey.findUniqueOrThrow({ where: { provider: 'anthropic' } });
      expect(row.hint).toBe('WXYZ');
      const bytes = Buffer.from(row.encryptedKey);
      for (const encoding of ['utf8', 'utf16le', 'latin1'] as const) expect(bytes.includes(Buffer.from(SECRET, encoding))).toBe(false);
      for (const text of [bytes.toString('utf8'), bytes.toString('base64'), bytes.toString('hex'), bytes.toString('latin1')]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(SECRET.slice(0, 16));
      }
      expect(bytes.length).toBeGreaterThanOrEqual(1 + 12 + 16 + SECRET.length);
      // It is the secret, sealed with the server's key (AES-256-GCM).
      expect(SecretBox.fromPassphrase('test-secrets-key').decrypt(row.encryptedKey)).toBe(SECRET);
      expect(() => SecretBox.fromPassphrase('another-key').decrypt(row.encryptedKey)).toThrow();
    });

    it('answers 404 for an unknown provider and 400 for bad keys, changing nothing', async () => {
      for (const name of ['gemini', 'Anthropic', 'OPENAI']) {
        const response = await putKey(name, { api_key: SECRET_2 });
        expect(response.status, name).toBe(404);
        expect(response.body).toEqual(NOT_FOUND_BODY);
      }
      const whitespace = await putKey('openai', { api_key: 'sk-has a-space' });
      expect(whitespace.status).toBe(400);
      expect(whitespace.body).toEqual({ message: 'Invalid API key.', detail: 'An API key cannot contain whitespace.' });
      for (const body of [{ api_key: 42 }, '[]', '{']) {
        const response = await putKey('openai', body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ message: 'Request body must be valid JSON.', detail: expect.any(String) });
      }
      expect((await listProviders()).body).toEqual([provider('anthropic', 'WXYZ'), provider('openai')]);
      expect(await server.db.prisma.providerKey.count()).toBe(1);
    });

    it('never echoes a key from a malformed body', async () => {
      const bodies = [
        `{"api_key": ${SECRET_2}}`, // forgot the quotes
        `{"api_key": "${SECRET_2}"`, // truncated
        `{"api_key": "${SECRET_2}"}}`, // trailing junk
        SECRET_2, // the bare key
        `{"api_key": '${SECRET_2}'}`, // single quotes
      ];
      for (const body of bodies) {
        const response = await putKey('openai', body);
        expect(response.status, body).toBe(400);
        expect(response.body).toEqual({ message: 'Request body must be valid JSON.', detail: expect.any(String) });
        expect(response.text).not.toContain(SECRET_2.slice(0, 8));
      }
      expect((await listProviders()).body).toEqual([provider('anthropic', 'WXYZ'), provider('openai')]);
    });

    it('replaces a key, and "" removes it', async () => {
      const replaced = await putKey('openai', { api_key: SECRET_2 });
      expect(replaced.status).toBe(204);
      expect((await listProviders()).body).toEqual([provider('anthropic', 'WXYZ'), provider('openai', 'Q7r8')]);
      const removed = await putKey('openai', { api_key: '' });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expect((await listProviders()).body).toEqual([provider('anthropic', 'WXYZ'), provider('openai')]);
      expect(await server.db.prisma.providerKey.findUnique({ where: { provider: 'openai' } })).toBeNull();
      // Removing what is not there is fine; an absent api_key is "".
      const again = await putKey('openai', {});
      expect(again.status).toBe(204);
    });

    it('is mirrored by GraphQL, which never returns the key either', async () => {
      const query = '{ providers { provider displayName hasApiKey apiKeyHint source } }';
      const list = await gql(query);
      expect(list.body).toEqual({
        data: {
          providers: [
            { provider: 'anthropic', displayName: 'Anthropic', hasApiKey: true, apiKeyHint: 'WXYZ', source: 'database' },
            { provider: 'openai', displayName: 'OpenAI', hasApiKey: false, apiKeyHint: '', source: 'none' },
          ],
        },
      });
      const mutation = 'mutation($provider: String!, $apiKey: String!) { setProviderApiKey(provider: $provider, apiKey: $apiKey) { provider hasApiKey apiKeyHint source } }';
      const denied = await gql(mutation, { provider: 'openai', apiKey: SECRET_2 }, users.member.token);
      expect(denied.body).toEqual({
        data: { setProviderApiKey: null },
        errors: [
          {
            message: 'Forbidden.',
            locations: [{ line: 1, column: mutation.indexOf('setProviderApiKey(') + 1 }],
            path: ['setProviderApiKey'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
      const unknown = await gql(mutation, { provider: 'gemini', apiKey: SECRET_2 }, users.owner.token);
      expect(unknown.body).toEqual({
        data: { setProviderApiKey: null },
        errors: [
          {
            message: NOT_FOUND_BODY.message,
            locations: [{ line: 1, column: mutation.indexOf('setProviderApiKey(') + 1 }],
            path: ['setProviderApiKey'],
            extensions: { code: 'NOT_FOUND' },
          },
        ],
      });
      const set = await gql(mutation, { provider: 'openai', apiKey: SECRET_2 }, users.owner.token);
      expect(set.body).toEqual({
        data: {
          setProviderApiKey: [
            { provider: 'anthropic', hasApiKey: true, apiKeyHint: 'WXYZ', source: 'database' },
            { provider: 'openai', hasApiKey: true, apiKeyHint: 'Q7r8', source: 'database' },
          ],
        },
      });
      const cleared = await gql(mutation, { provider: 'openai', apiKey: '' }, users.owner.token);
      expect(cleared.body.data.setProviderApiKey[1]).toEqual({ provider: 'openai', hasApiKey: false, apiKeyHint: '', source: 'none' });
    });
  });

  describe('desktop availability, in the documented order', () => {
    let missingModule: string;
    let noModules: string;
    let withDesktop: string;
    const AVAILABILITY = 'available code reason provider model';

    beforeAll(async () => {
      await server.db.prisma.providerKey.deleteMany();
      missingModule = await createChat(api(), users.member.token, { workspace_template_modules: ['git', 'docker'] });
      noModules = await createChat(api(), users.member.token);
      withDesktop = await createChat(api(), users.member.token, { workspace_template_modules: ['portabledesktop', 'git'] });
      await share(api(), users.member.token, withDesktop, users.member2.id);
    });

    type Expected = { code?: keyof typeof REASONS; reason?: string; provider: string; model: string };

    /** REST for one chat, and the same through Chat.desktopAvailability. */
    async function expectChat(chatId: string, planMode: boolean, expected: Expected, token = users.member.token) {
      const rest = record(await api().get(`${CHATS}/${chatId}/desktop?plan_mode=${planMode}`, { token }));
      expect(rest.status).toBe(200);
      const body = expected.code
        ? { available: false, reason: expected.reason, provider: expected.provider, model: expected.model }
        : { available: true, provider: expected.provider, model: expected.model };
      expect(rest.body).toEqual(body);
      expect(Object.keys(rest.body)).toEqual(Object.keys(body));
      const graph = await gql(`query($id: ID!, $planMode: Boolean) { chat(id: $id) { desktopAvailability(planMode: $planMode) { ${AVAILABILITY} } } }`, { id: chatId, planMode }, token);
      expect(graph.body).toEqual({
        data: {
          chat: {
            desktopAvailability: {
              available: !expected.code,
              code: expected.code ?? null,
              reason: expected.reason ?? null,
              provider: expected.provider,
              model: expected.model,
            },
          },
        },
      });
    }

    /** Deployment-wide through GraphQL desktopSettings and experiments. */
    async function expectDeployment(enabled: boolean, expected: Expected) {
      const settings = await gql(`{ desktopSettings { enableDesktop availability { ${AVAILABILITY} } } }`);
      expect(settings.body).toEqual({
        data: {
          desktopSettings: {
            enableDesktop: enabled,
            availability: {
              available: !expected.code,
              code: expected.code ?? null,
              reason: expected.reason ?? null,
              provider: expected.provider,
              model: expected.model,
            },
          },
        },
      });
      const experiments = await gql('{ experiments { id enabled available state reason } }');
      expect(experiments.status).toBe(200);
      expect(experiments.body.errors).toBeUndefined();
      expect(experiments.body.data.experiments[0]).toEqual({
        id: 'VIRTUAL_DESKTOP',
        enabled,
        available: !expected.code,
        state: expected.code ? (enabled ? 'UNAVAILABLE' : 'OFF') : 'ON',
        reason: expected.reason ?? null,
      });
    }

    const setDesktop = async (enable: boolean) => {
      const response = await api().put(`${CHATS}/config/desktop-enabled`, { token: users.owner.token, body: { enable_desktop: enable } });
      expect(response.status).toBe(204);
    };
    const setProvider = async (name: string) => {
      const response = await api().put(`${CHATS}/config/computer-use-provider`, { token: users.owner.token, body: { provider: name } });
      expect(response.status).toBe(204);
    };
    const storeRawProvider = (value: string) =>
      server.db.prisma.siteSetting.upsert({ where: { key: 'computer_use_provider' }, create: { key: 'computer_use_provider', value }, update: { value } });

    const anthropic = { provider: 'anthropic', model: 'claude-opus-4-6' };
    const disabled = (p: { provider: string; model: string }): Expected => ({ code: 'DESKTOP_DISABLED', reason: REASONS.DESKTOP_DISABLED, ...p });
    const unreadable: Expected = { code: 'PROVIDER_UNREADABLE', reason: REASONS.PROVIDER_UNREADABLE, provider: '', model: '' };

    it('1. desktop off comes first, whatever else is missing', async () => {
      await expectDeployment(false, disabled(anthropic));
      for (const chat of [missingModule, noModules, withDesktop]) await expectChat(chat, true, disabled(anthropic));
      // Still first when the provider setting is unreadable too.
      await storeRawProvider('{"provider":"anthropic"}');
      await expectDeployment(false, disabled({ provider: '', model: '' }));
      await expectChat(withDesktop, true, disabled({ provider: '', model: '' }));
    });

    it('2. then an unreadable provider setting', async () => {
      await setDesktop(true);
      for (const raw of ['{"provider":"anthropic"}', '42', 'null', '["anthropic"]', 'not json']) {
        await storeRawProvider(raw);
        await expectDeployment(true, unreadable);
        await expectChat(withDesktop, true, unreadable);
        await expectChat(missingModule, true, unreadable);
      }
      // A stored string that names no provider cannot be used either.
      await storeRawProvider('"gemini"');
      await expectDeployment(true, { ...unreadable, provider: 'gemini' });
      await expectChat(withDesktop, false, { ...unreadable, provider: 'gemini' });
    });

    it('3. then no API key for the selected provider', async () => {
      await setProvider('anthropic');
      const noKey: Expected = { code: 'NO_API_KEY', reason: REASONS.NO_API_KEY('anthropic'), ...anthropic };
      await expectDeployment(true, noKey);
      await expectChat(withDesktop, true, noKey);
      await expectChat(missingModule, true, noKey);
      // A key for the other provider does not count.
      expect((await putKey('openai', { api_key: SECRET_2 })).status).toBe(204);
      await expectChat(withDesktop, true, noKey);
      await setProvider('openai');
      await expectDeployment(true, { provider: 'openai', model: 'gpt-5.5' });
      await expectChat(withDesktop, false, { provider: 'openai', model: 'gpt-5.5' });
      expect((await putKey('openai', { api_key: '' })).status).toBe(204);
      await expectChat(withDesktop, false, { code: 'NO_API_KEY', reason: REASONS.NO_API_KEY('openai'), provider: 'openai', model: 'gpt-5.5' });
      await setProvider('anthropic');
    });

    it('4. then a template without the portabledesktop module (per chat only)', async () => {
      expect((await putKey('anthropic', { api_key: SECRET })).status).toBe(204);
      await expectDeployment(true, anthropic);
      const missing: Expected = { code: 'MODULE_MISSING', reason: REASONS.MODULE_MISSING, ...anthropic };
      for (const chat of [missingModule, noModules]) {
        await expectChat(chat, true, missing);
        await expectChat(chat, false, missing);
      }
    });

    it('5. then plan mode; otherwise available', async () => {
      await expectChat(withDesktop, true, { code: 'PLAN_MODE', reason: REASONS.PLAN_MODE, ...anthropic });
      await expectChat(withDesktop, false, anthropic);
      // plan_mode defaults to false.
      const plain = record(await api().get(`${CHATS}/${withDesktop}/desktop`, { token: users.member.token }));
      expect(plain.status).toBe(200);
      expect(plain.body).toEqual({ available: true, ...anthropic });
      // A reader sees the same.
      await expectChat(withDesktop, true, { code: 'PLAN_MODE', reason: REASONS.PLAN_MODE, ...anthropic }, users.member2.token);
      await expectChat(withDesktop, false, anthropic, users.member2.token);
    });

    it('per chat, strangers and the site owner get 404 (GraphQL null); bad ids 400; no token 401', async () => {
      for (const token of [users.auditor.token, users.owner.token]) {
        const rest = record(await api().get(`${CHATS}/${withDesktop}/desktop?plan_mode=true`, { token }));
        expect(rest.status).toBe(404);
        expect(rest.body).toEqual(NOT_FOUND_BODY);
        const graph = await gql('query($id: ID!) { chat(id: $id) { desktopAvailability(planMode: true) { available } } }', { id: withDesktop }, token);
        expect(graph.body).toEqual({ data: { chat: null } });
      }
      const bad = record(await api().get(`${CHATS}/not-a-uuid/desktop`, { token: users.member.token }));
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ message: 'Invalid UUID "not-a-uuid".', detail: 'invalid UUID length: 10' });
      const anonymous = record(await api().get(`${CHATS}/${withDesktop}/desktop`));
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });
    });

    it('switching the desktop off makes everything unavailable again', async () => {
      await setDesktop(false);
      await expectDeployment(false, disabled(anthropic));
      await expectChat(withDesktop, false, disabled(anthropic));
    });
  });

  describe('an environment key', () => {
    let envServer: TestServer;
    let envUsers: Users;

    beforeAll(async () => {
      envServer = await startTestServer(backend, { env: { ANTHROPIC_API_KEY: ENV_SECRET } });
      envUsers = await createUsers(envServer.api);
    });
    afterAll(async () => envServer?.close());

    it('counts as configured, with its hint, and a stored key takes precedence until removed', async () => {
      const envApi = () => envServer.api;
      const list = async () => record(await envApi().get(PROVIDERS, { token: envUsers.member.token }));
      expect((await list()).body).toEqual([provider('anthropic', '1234'), provider('openai')]);
      const graph = record(await envApi().graphql('{ providers { provider hasApiKey apiKeyHint source } }', {}, envUsers.member.token));
      expect(graph.body.data.providers[0]).toEqual({ provider: 'anthropic', hasApiKey: true, apiKeyHint: '1234', source: 'environment' });

      const enable = await envApi().put(`${CHATS}/config/desktop-enabled`, { token: envUsers.owner.token, body: { enable_desktop: true } });
      expect(enable.status).toBe(204);
      const chat = await createChat(envApi(), envUsers.member.token, { workspace_template_modules: ['portabledesktop'] });
      const desktop = record(await envApi().get(`${CHATS}/${chat}/desktop?plan_mode=false`, { token: envUsers.member.token }));
      expect(desktop.status).toBe(200);
      expect(desktop.body).toEqual({ available: true, provider: 'anthropic', model: 'claude-opus-4-6' });

      expect((await envApi().put(`${PROVIDERS}/anthropic`, { token: envUsers.owner.token, body: { api_key: SECRET } })).status).toBe(204);
      expect((await list()).body).toEqual([provider('anthropic', 'WXYZ'), provider('openai')]);
      expect((await envApi().put(`${PROVIDERS}/anthropic`, { token: envUsers.owner.token, body: { api_key: '' } })).status).toBe(204);
      expect((await list()).body).toEqual([provider('anthropic', '1234'), provider('openai')]);
      expect(await envServer.db.prisma.providerKey.count()).toBe(0);
    });
  });

  it('never put a key in a response or in the console output', () => {
    const secrets = [SECRET, SECRET_2, ENV_SECRET, SECRET.slice(0, 20), SECRET_2.slice(0, 20)];
    expect(seen.length).toBeGreaterThan(50);
    for (const text of seen) for (const secret of secrets) expect(text).not.toContain(secret);
    const output = spies.flatMap((spy) => spy.mock.calls.map((args) => args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' ')));
    for (const line of output) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
