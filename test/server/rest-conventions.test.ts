import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_BODY_BYTES,
  ROUTE_NOT_FOUND,
  TOO_LARGE_BODY,
  expectInvalidKey,
  expectJson,
  expectMethodNotAllowed,
  expectNoContent,
  expectNoToken,
  paddedBody,
} from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { PASSWORD, SIGNED_OUT, createUsers, login, type Users } from '../support/fixtures.ts';
import { HttpConnection } from '../support/http-connection.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

const CHATS = '/api/experimental/chats';
const CONFIG = `${CHATS}/config`;

/** Every route of rest-api.md section 5. */
const SECTION_5_ROUTES = (chat: string, run: string, modelConfig: string): [string, string][] => [
  ['GET', `${CONFIG}/desktop-enabled`],
  ['PUT', `${CONFIG}/desktop-enabled`],
  ['GET', `${CONFIG}/computer-use-provider`],
  ['PUT', `${CONFIG}/computer-use-provider`],
  ['GET', `${CONFIG}/advisor`],
  ['PUT', `${CONFIG}/advisor`],
  ['GET', `${CHATS}/model-configs`],
  ['POST', `${CHATS}/model-configs`],
  ['DELETE', `${CHATS}/model-configs/${modelConfig}`],
  ['GET', `${CONFIG}/debug-logging`],
  ['PUT', `${CONFIG}/debug-logging`],
  ['GET', `${CONFIG}/user-debug-logging`],
  ['PUT', `${CONFIG}/user-debug-logging`],
  ['GET', `${CONFIG}/debug-retention-days`],
  ['PUT', `${CONFIG}/debug-retention-days`],
  ['GET', `${CONFIG}/retention-days`],
  ['PUT', `${CONFIG}/retention-days`],
  ['GET', `${CHATS}/${chat}/debug/runs`],
  ['GET', `${CHATS}/${chat}/debug/runs/${run}`],
  ['DELETE', `${CHATS}/${chat}`],
];

/** Each settings write with a valid body, the GET that reads it back, and the key it is stored under. */
const WRITES = [
  { path: `${CONFIG}/desktop-enabled`, fields: { enable_desktop: true }, key: 'desktop_enabled' },
  { path: `${CONFIG}/computer-use-provider`, fields: { provider: 'openai' }, key: 'computer_use_provider' },
  { path: `${CONFIG}/advisor`, fields: { enabled: true, max_uses_per_run: 3 }, key: 'advisor' },
  { path: `${CONFIG}/debug-logging`, fields: { allow_users: true }, key: 'debug_logging_allow_users' },
  { path: `${CONFIG}/debug-retention-days`, fields: { debug_retention_days: 7 }, key: 'debug_retention_days' },
  { path: `${CONFIG}/retention-days`, fields: { retention_days: 7 }, key: 'retention_days' },
] as const;

/** Sends a body without Content-Length (chunked), which the server must cap while streaming. */
function putChunked(url: string, path: string, token: string, chunks: string[]): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method: 'PUT', headers: { 'Coder-Session-Token': token, 'Transfer-Encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      // The server may close the connection once it has answered; the answer is what counts.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE' && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

describe.each(BACKENDS)('REST conventions on %s (rest-api.md 1–3, 15.1)', (backend) => {
  let server: TestServer;
  let users: Users;

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    await server.db.prisma.siteSetting.deleteMany();
    await server.db.prisma.userSetting.deleteMany();
    await server.db.prisma.modelConfig.deleteMany();
  });

  const storedSettings = async () => JSON.stringify(await server.db.prisma.siteSetting.findMany({ orderBy: { key: 'asc' } }));

  it('a client that leaves halfway through its body: nothing stored, nothing logged, others served', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const chatsBefore = await server.db.prisma.chat.count();
      const socket = new HttpConnection(new URL(server.url));
      socket.write(`POST /api/experimental/chats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCoder-Session-Token: ${users.member.token}\r\nContent-Length: 1000\r\n\r\n{"title":`);
      await new Promise((r) => setTimeout(r, 50));
      socket.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(errors).not.toHaveBeenCalled();
      expect(await server.db.prisma.chat.count()).toBe(chatsBefore);
      expect((await server.api.get('/api/v2/users/me', { token: users.member.token })).status).toBe(200);
    } finally {
      errors.mockRestore();
    }
  });

  describe('authentication (section 2)', () => {
    it('Product/Unauthenticated401: every route of section 5 without a token → 401 with the no-token detail', async () => {
      const before = await storedSettings();
      for (const [method, path] of SECTION_5_ROUTES(randomUUID(), randomUUID(), randomUUID())) {
        const res = await server.api.request(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: '{}' });
        expectNoToken(res);
      }
      expect(await storedSettings()).toBe(before);
      expect(await server.db.prisma.modelConfig.count()).toBe(0);
    });

    it('Product/Unauthenticated401: a malformed, unknown or wrong-secret token → 401 API key is invalid.', async () => {
      const [id] = users.member.token.split('-');
      const tokens = ['garbage', `${id}-${'x'.repeat(22)}`, `abcdefghij-${'y'.repeat(22)}`, `${users.member.token}x`, ' '];
      for (const token of tokens) {
        for (const [method, path] of SECTION_5_ROUTES(randomUUID(), randomUUID(), randomUUID())) {
          const res = await server.api.request(method, path, { headers: { 'Coder-Session-Token': token } });
          if (token === ' ') expectNoToken(res);
          else expectInvalidKey(res);
        }
      }
    });

    it('Product/TokenSources: the header and the cookie each authenticate; the cookie comes first; an empty cookie falls through', async () => {
      const path = `${CONFIG}/desktop-enabled`;
      const ok = { enable_desktop: false };
      expectJson(await server.api.get(path, { headers: { 'Coder-Session-Token': users.member.token } }), 200, ok);
      expectJson(await server.api.get(path, { headers: { Cookie: `coder_session_token=${users.member.token}` } }), 200, ok);
      expectJson(await server.api.get(path, { headers: { Cookie: `other=1; coder_session_token=${users.member.token}; x=y` } }), 200, ok);
      // The first non-empty of cookie, then header.
      expectJson(await server.api.get(path, { headers: { Cookie: `coder_session_token=${users.member.token}`, 'Coder-Session-Token': 'garbage' } }), 200, ok);
      expectInvalidKey(await server.api.get(path, { headers: { Cookie: 'coder_session_token=garbage', 'Coder-Session-Token': users.member.token } }));
      expectJson(await server.api.get(path, { headers: { Cookie: 'coder_session_token=', 'Coder-Session-Token': users.member.token } }), 200, ok);
      // Identity comes from the token: a member's cookie cannot write an owner setting.
      const put = await server.api.put(path, { headers: { Cookie: `coder_session_token=${users.member.token}`, 'Coder-Session-Token': users.owner.token }, body: { enable_desktop: true } });
      expect(put.status).toBe(403);
      expectNoContent(await server.api.put(path, { headers: { Cookie: `coder_session_token=${users.owner.token}` }, body: { enable_desktop: true } }));
    });

    it('Product/TokenSources: a revoked token → 401 API key is invalid.; other sessions keep working', async () => {
      const token = await login(server.api, users.member2.email, PASSWORD);
      const path = `${CONFIG}/retention-days`;
      expectJson(await server.api.get(path, { token }), 200, { retention_days: 30 });
      expectJson(await server.api.post('/api/v2/users/logout', { token }), 200, { message: 'Logged out!' });
      expectInvalidKey(await server.api.get(path, { token }));
      expectInvalidKey(await server.api.get(path, { headers: { Cookie: `coder_session_token=${token}` } }));
      expectInvalidKey(await server.api.put(`${CONFIG}/user-debug-logging`, { token, body: { debug_logging_enabled: true } }));
      expectJson(await server.api.get(path, { token: users.member2.token }), 200, { retention_days: 30 });
    });

    it('Product/TokenSources: a long-lived key authenticates; an expired one → 401 naming the expiry', async () => {
      const newKey = async () => {
        const created = await server.api.post('/api/v2/users/me/keys', { token: users.member2.token });
        expect(created.status, created.text).toBe(201);
        return created.body.key as string;
      };
      const path = `${CONFIG}/debug-retention-days`;
      expectJson(await server.api.get(path, { token: await newKey() }), 200, { debug_retention_days: 30 });
      // Expired before its first use: a key already in use is remembered for a few seconds (auth/key-cache.ts).
      const key = await newKey();
      const expiresAt = new Date(Date.now() - 60_000);
      await server.db.prisma.apiKey.update({ where: { id: key.split('-')[0] }, data: { expiresAt } });
      const detail = `API key expired at "${expiresAt.toISOString()}".`;
      expectJson(await server.api.get(path, { token: key }), 401, { message: SIGNED_OUT, detail });
      expectJson(await server.api.put(path, { token: key, body: { debug_retention_days: 1 } }), 401, { message: SIGNED_OUT, detail });
    });

    it('Product/AuthBeforePath: GET /chats/not-a-uuid/debug/runs without a token → 401, not 400', async () => {
      expectNoToken(await server.api.get(`${CHATS}/not-a-uuid/debug/runs`));
      expectNoToken(await server.api.get(`${CHATS}/not-a-uuid/debug/runs/also-not`));
      expectNoToken(await server.api.delete(`${CHATS}/not-a-uuid`));
      expectNoToken(await server.api.delete(`${CHATS}/model-configs/nope`));
      expectInvalidKey(await server.api.get(`${CHATS}/not-a-uuid/debug/runs`, { token: 'garbage' }));
    });

    it('Product/AuthBeforeBody: a malformed body without a token → 401, not 400', async () => {
      for (const { path } of WRITES) expectNoToken(await server.api.put(path, { body: '{not json' }));
      expectNoToken(await server.api.put(`${CONFIG}/user-debug-logging`, { body: '{not json' }));
      expectNoToken(await server.api.post(`${CHATS}/model-configs`, { body: '{not json' }));
      expect(await storedSettings()).toBe('[]');
    });
  });

  describe('routing (section 1.1)', () => {
    it('Product/UnknownRoute: an unknown path under /api/experimental/chats/ → 404 Route not found. when authenticated, 401 when not', async () => {
      const paths = [
        `${CONFIG}/nope`,
        `${CONFIG}/desktop-enabled/extra`,
        `${CONFIG}/advisor/x/y`,
        `${CHATS}/model-configs/${randomUUID()}/extra`,
        `${CHATS}/${randomUUID()}/debug/runs/${randomUUID()}/steps/extra/more`,
        `${CHATS}/a/b/c/d/e/f/g`,
      ];
      for (const path of paths) {
        for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']) {
          expectJson(await server.api.request(method, path, { token: users.member.token }), 404, ROUTE_NOT_FOUND);
          expectJson(await server.api.request(method, path, { token: users.owner.token }), 404, ROUTE_NOT_FOUND);
          expectNoToken(await server.api.request(method, path));
          expectInvalidKey(await server.api.request(method, path, { token: 'garbage' }));
        }
      }
    });

    it('Product/MethodNotAllowed: a known path with a wrong method → 405, Allow header, empty body; nothing stored', async () => {
      const cases: [string, string, string[]][] = [
        ['POST', `${CONFIG}/desktop-enabled`, ['GET', 'HEAD', 'PUT']],
        ['DELETE', `${CONFIG}/desktop-enabled`, ['GET', 'HEAD', 'PUT']],
        ['PATCH', `${CONFIG}/computer-use-provider`, ['GET', 'HEAD', 'PUT']],
        ['POST', `${CONFIG}/advisor`, ['GET', 'HEAD', 'PUT']],
        ['DELETE', `${CONFIG}/debug-logging`, ['GET', 'HEAD', 'PUT']],
        ['POST', `${CONFIG}/user-debug-logging`, ['GET', 'HEAD', 'PUT']],
        ['PATCH', `${CONFIG}/debug-retention-days`, ['GET', 'HEAD', 'PUT']],
        ['POST', `${CONFIG}/retention-days`, ['GET', 'HEAD', 'PUT']],
        ['PUT', `${CHATS}/model-configs`, ['GET', 'HEAD', 'POST']],
        ['DELETE', `${CHATS}/model-configs`, ['GET', 'HEAD', 'POST']],
        ['GET', `${CHATS}/model-configs/${randomUUID()}`, ['DELETE']],
        ['PUT', `${CHATS}/model-configs/${randomUUID()}`, ['DELETE']],
      ];
      for (const [method, path, allow] of cases) {
        for (const user of [users.owner, users.member]) {
          const body = method === 'GET' ? undefined : '{"enable_desktop":true,"provider":"openai"}';
          expectMethodNotAllowed(await server.api.request(method, path, { token: user.token, body }), allow);
        }
        expectNoToken(await server.api.request(method, path));
      }
      expect(await storedSettings()).toBe('[]');
    });
  });

  describe('request body limit (section 1.1)', () => {
    it('Product/BodyTooLarge: every settings write with a body over 4 MiB → 413 with the contract body; nothing stored', async () => {
      for (const { path, fields } of WRITES) {
        const res = await server.api.put(path, { token: users.owner.token, body: paddedBody(fields, MAX_BODY_BYTES + 1) });
        expectJson(res, 413, TOO_LARGE_BODY);
      }
      const res = await server.api.post(`${CHATS}/model-configs`, {
        token: users.owner.token,
        body: paddedBody({ provider: 'p', model: 'm', context_limit: 1 }, MAX_BODY_BYTES + 1),
      });
      expectJson(res, 413, TOO_LARGE_BODY);
      expect(await storedSettings()).toBe('[]');
      expect(await server.db.prisma.modelConfig.count()).toBe(0);
      // The per-user toggle, with the gate open.
      expectNoContent(await server.api.put(`${CONFIG}/debug-logging`, { token: users.owner.token, body: { allow_users: true } }));
      expectJson(
        await server.api.put(`${CONFIG}/user-debug-logging`, { token: users.member.token, body: paddedBody({ debug_logging_enabled: true }, MAX_BODY_BYTES + 1) }),
        413,
        TOO_LARGE_BODY,
      );
      expect(await server.db.prisma.userSetting.count()).toBe(0);
    });

    it('Product/BodyAtLimit: a body of exactly 4,194,304 bytes is accepted', async () => {
      for (const { path, fields, key } of WRITES) {
        const body = paddedBody(fields, MAX_BODY_BYTES);
        expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
        expectNoContent(await server.api.put(path, { token: users.owner.token, body }));
        expect(await server.db.prisma.siteSetting.findUnique({ where: { key } })).not.toBeNull();
      }
      expectJson(await server.api.get(`${CONFIG}/advisor`, { token: users.member.token }), 200, {
        enabled: true,
        max_uses_per_run: 3,
        max_output_tokens: 0,
        model_config_id: '00000000-0000-0000-0000-000000000000',
        reasoning_effort: '',
      });
    });

    it('Product/BodyTooLargeChunked: a chunked body that grows past 4 MiB → 413; nothing stored', async () => {
      const chunk = 'x'.repeat(256 * 1024);
      const chunks = ['{"enable_desktop":true,"padding":"', ...Array.from({ length: 17 }, () => chunk), '"}'];
      const res = await putChunked(server.url, `${CONFIG}/desktop-enabled`, users.owner.token, chunks);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.text).toBe(`${JSON.stringify(TOO_LARGE_BODY)}\n`);
      expect(await storedSettings()).toBe('[]');
      // A small chunked body is fine.
      const small = await putChunked(server.url, `${CONFIG}/desktop-enabled`, users.owner.token, ['{"enable_desktop"', ':true}']);
      expect(small.status).toBe(204);
      expect(small.text).toBe('');
      expectJson(await server.api.get(`${CONFIG}/desktop-enabled`, { token: users.member.token }), 200, { enable_desktop: true });
    });

    it('Product/BodyTooLargeUnauthenticated: authentication still comes first → 401', async () => {
      const res: ApiResponse = await server.api.put(`${CONFIG}/desktop-enabled`, { body: paddedBody({ enable_desktop: true }, MAX_BODY_BYTES + 1) });
      expectNoToken(res);
      expect(await storedSettings()).toBe('[]');
    });
  });

  describe('responses (section 1.1, 1.3)', () => {
    it('Product/ResponseFormat: GET bodies are compact JSON plus a newline with the JSON content type; PUTs are bare 204s', async () => {
      const gets: [string, string][] = [
        [`${CONFIG}/desktop-enabled`, '{"enable_desktop":false}\n'],
        [`${CONFIG}/computer-use-provider`, '{"provider":"anthropic"}\n'],
        [`${CONFIG}/advisor`, '{"enabled":false,"max_uses_per_run":0,"max_output_tokens":0,"model_config_id":"00000000-0000-0000-0000-000000000000","reasoning_effort":""}\n'],
        [`${CONFIG}/debug-logging`, '{"allow_users":false,"forced_by_deployment":false}\n'],
        [`${CONFIG}/user-debug-logging`, '{"debug_logging_enabled":false,"user_toggle_allowed":false,"forced_by_deployment":false}\n'],
        [`${CONFIG}/debug-retention-days`, '{"debug_retention_days":30}\n'],
        [`${CONFIG}/retention-days`, '{"retention_days":30}\n'],
        [`${CHATS}/model-configs`, '[]\n'],
      ];
      for (const [path, text] of gets) {
        const res = await server.api.get(path, { token: users.owner.token });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(res.text).toBe(text);
      }
      for (const { path, fields } of WRITES) expectNoContent(await server.api.put(path, { token: users.owner.token, body: fields }));
    });
  });
});
