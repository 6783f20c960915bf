// Accounts, sessions and keys (product.md 3; rest-api.md 2, 3, 15.1) and WebSocket authentication.
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BACKENDS } from '../support/database.ts';
import { FORBIDDEN_BODY, NOT_FOUND_BODY, NO_TOKEN, PASSWORD, SIGNED_OUT, login } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TOKEN = /^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/;
const USER_KEYS = ['id', 'username', 'email', 'name', 'created_at', 'updated_at', 'status', 'role', 'roles'];
const INVALID_KEY = { message: SIGNED_OUT, detail: 'API key is invalid.' };
const NO_TOKEN_BODY = { message: SIGNED_OUT, detail: NO_TOKEN };

const userBody = (username: string, role: string, name = '') => ({
  id: expect.stringMatching(UUID),
  username,
  email: `${username}@example.com`,
  name,
  created_at: expect.stringMatching(TIMESTAMP),
  updated_at: expect.stringMatching(TIMESTAMP),
  status: 'active',
  role,
  roles: role === 'member' ? [] : [{ name: role, display_name: role === 'owner' ? 'Owner' : 'Auditor' }],
});

/** A small async queue for subscription results and close events. */
class Inbox<T> {
  private items: T[] = [];
  private waiters: ((item: T) => void)[] = [];
  push(item: T) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(timeoutMs = 5000): Promise<T> {
    if (this.items.length) return Promise.resolve(this.items.shift()!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing arrived within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((item) => {
        clearTimeout(timer);
        resolve(item);
      });
    });
  }
  get pending() {
    return this.items.length;
  }
}

describe.each(BACKENDS)('accounts on %s', (backend) => {
  let server: TestServer;
  let ownerId: string;
  let ownerToken: string;
  let memberId: string;
  let memberToken: string;
  let member2Id: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await server?.close();
  });

  const api = () => server.api;
  const wsUrl = () => `${server.url.replace(/^http/, 'ws')}/graphql`;

  describe('POST /api/v2/users/first', () => {
    it('rejects an invalid first user with 400 and field validations, storing nothing', async () => {
      const response = await api().post('/api/v2/users/first', { body: { email: 'not-an-email', username: '-bad-', password: 'short' } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        message: 'Validation failed.',
        validations: [
          { field: 'email', detail: 'Must be a valid email address.' },
          { field: 'username', detail: 'Must be 1-32 letters, digits or single dashes, not starting or ending with a dash.' },
          { field: 'password', detail: 'Must be at least 8 characters.' },
        ],
      });
      expect(await server.db.prisma.user.count()).toBe(0);
      const status = await api().get('/api/v2/users/first');
      expect(status.status).toBe(404);
      expect(status.body).toEqual({ message: 'The initial user has not been created!' });
    });

    it('creates the first user as owner (201), then answers 409 to every further attempt', async () => {
      const first = await api().post('/api/v2/users/first', {
        body: { email: 'Owner@Example.com', username: 'owner', password: PASSWORD, name: 'Olive Owner' },
      });
      expect(first.status).toBe(201);
      expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(first.body).toEqual(userBody('owner', 'owner', 'Olive Owner'));
      expect(Object.keys(first.body)).toEqual(USER_KEYS);
      expect(first.body).not.toHaveProperty('password');
      expect(first.text).not.toContain(PASSWORD);
      ownerId = first.body.id;

      const again = await api().post('/api/v2/users/first', { body: { email: 'other@example.com', username: 'other', password: PASSWORD } });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ message: 'The initial user has already been created.' });
      expect(await server.db.prisma.user.count()).toBe(1);

      const status = await api().get('/api/v2/users/first');
      expect(status.status).toBe(200);
      expect(status.body).toEqual({ message: 'The initial user has already been created.' });
    });

    it('lets exactly one of many concurrent first-user requests win', async () => {
      const fresh = await startTestServer(backend);
      try {
        const responses = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            fresh.api.post('/api/v2/users/first', { body: { email: `first${i}@example.com`, username: `first${i}`, password: PASSWORD } }),
          ),
        );
        const won = responses.filter((r) => r.status === 201);
        expect(won).toHaveLength(1);
        expect(won[0].body).toMatchObject({ role: 'owner' });
        for (const r of responses.filter((r) => r.status !== 201)) {
          expect(r.status).toBe(409);
          expect(r.body).toEqual({ message: 'The initial user has already been created.' });
        }
        expect(await fresh.db.prisma.user.count()).toBe(1);
      } finally {
        await fresh.close();
      }
    });

    it('stores a password hash, never the password', async () => {
      const stored = await server.db.prisma.user.findUniqueOrThrow({ where: { id: ownerId } });
      expect(stored.passwordHash).not.toContain(PASSWORD);
      expect(stored.passwordHash).toMatch(/^scrypt\$/);
    });
  });

  describe('POST /api/v2/users/login and logout', () => {
    it('signs in with 201, a session token and an HttpOnly SameSite=Lax cookie', async () => {
      const response = await api().post('/api/v2/users/login', { body: { email: 'owner@example.com', password: PASSWORD } });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ session_token: expect.stringMatching(TOKEN) });
      const cookies = response.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      const parts = cookies[0].split(';').map((p) => p.trim());
      expect(parts[0]).toBe(`coder_session_token=${response.body.session_token}`);
      expect(parts).toContain('HttpOnly');
      expect(parts).toContain('SameSite=Lax');
      expect(parts).toContain('Path=/');
      ownerToken = response.body.session_token;

      const me = await api().get('/api/v2/users/me', { token: ownerToken });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ ...userBody('owner', 'owner', 'Olive Owner'), id: ownerId });
    });

    it('answers a wrong password and an unknown email alike: 401 Incorrect email or password.', async () => {
      const wrong = await api().post('/api/v2/users/login', { body: { email: 'owner@example.com', password: 'wrong-password' } });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({ message: 'Incorrect email or password.' });
      expect(wrong.headers.getSetCookie()).toEqual([]);
      const unknown = await api().post('/api/v2/users/login', { body: { email: 'nobody@example.com', password: PASSWORD } });
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual({ message: 'Incorrect email or password.' });
      expect(unknown.headers.getSetCookie()).toEqual([]);
    });

    it('logs out with 200 and revokes that token only', async () => {
      const doomed = await login(api(), 'owner@example.com');
      const before = await api().get('/api/v2/users/me', { token: doomed });
      expect(before.status).toBe(200);

      const out = await api().post('/api/v2/users/logout', { token: doomed });
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ message: 'Logged out!' });
      expect(out.headers.getSetCookie()[0]).toMatch(/^coder_session_token=;.*Max-Age=0/);

      const after = await api().get('/api/v2/users/me', { token: doomed });
      expect(after.status).toBe(401);
      expect(after.body).toEqual(INVALID_KEY);
      const again = await api().post('/api/v2/users/logout', { token: doomed });
      expect(again.status).toBe(401);
      expect(again.body).toEqual(INVALID_KEY);
      // The other session of the same user still works.
      const other = await api().get('/api/v2/users/me', { token: ownerToken });
      expect(other.status).toBe(200);
    });

    it('requires a token to log out', async () => {
      const response = await api().post('/api/v2/users/logout');
      expect(response.status).toBe(401);
      expect(response.body).toEqual(NO_TOKEN_BODY);
    });
  });

  describe('POST /api/v2/users', () => {
    it('lets the owner create users (201) with a role', async () => {
      const member = await api().post('/api/v2/users', { token: ownerToken, body: { email: 'member@example.com', username: 'member', password: PASSWORD } });
      expect(member.status).toBe(201);
      expect(member.body).toEqual(userBody('member', 'member'));
      expect(Object.keys(member.body)).toEqual(USER_KEYS);
      memberId = member.body.id;
      memberToken = await login(api(), 'member@example.com');

      const auditor = await api().post('/api/v2/users', {
        token: ownerToken,
        body: { email: 'auditor@example.com', username: 'auditor', password: PASSWORD, role: 'auditor', name: 'Audrey' },
      });
      expect(auditor.status).toBe(201);
      expect(auditor.body).toEqual(userBody('auditor', 'auditor', 'Audrey'));

      const member2 = await api().post('/api/v2/users', { token: ownerToken, body: { email: 'member2@example.com', username: 'member2', password: PASSWORD } });
      expect(member2.status).toBe(201);
      member2Id = member2.body.id;
    });

    it('forbids members and auditors (403 Forbidden body), storing nothing', async () => {
      const auditorToken = await login(api(), 'auditor@example.com');
      for (const token of [memberToken, auditorToken]) {
        const response = await api().post('/api/v2/users', { token, body: { email: 'x@example.com', username: 'x', password: PASSWORD } });
        expect(response.status).toBe(403);
        expect(response.body).toEqual(FORBIDDEN_BODY);
      }
      expect(await server.db.prisma.user.count({ where: { username: 'x' } })).toBe(0);
    });

    it('answers 409 for a duplicate email (any case) or username', async () => {
      for (const body of [
        { email: 'MEMBER@example.com', username: 'someone', password: PASSWORD },
        { email: 'someone@example.com', username: 'member', password: PASSWORD },
      ]) {
        const response = await api().post('/api/v2/users', { token: ownerToken, body });
        expect(response.status).toBe(409);
        expect(response.body).toEqual({ message: 'User already exists.' });
      }
      expect(await server.db.prisma.user.count()).toBe(4);
    });

    it('validates fields (400) including the role', async () => {
      const response = await api().post('/api/v2/users', {
        token: ownerToken,
        body: { email: 'valid@example.com', username: 'valid', password: PASSWORD, role: 'admin' },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ message: 'Validation failed.', validations: [{ field: 'role', detail: 'Must be one of: owner, auditor, member.' }] });
    });

    it('requires authentication', async () => {
      const response = await api().post('/api/v2/users', { body: { email: 'y@example.com', username: 'y', password: PASSWORD } });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(NO_TOKEN_BODY);
    });
  });

  describe('GET /api/v2/users/me', () => {
    it('returns the caller', async () => {
      const response = await api().get('/api/v2/users/me', { token: memberToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...userBody('member', 'member'), id: memberId });
    });

    it('answers 401 without a token', async () => {
      const response = await api().get('/api/v2/users/me');
      expect(response.status).toBe(401);
      expect(response.body).toEqual(NO_TOKEN_BODY);
    });
  });

  describe('POST /api/v2/users/{user}/keys', () => {
    it('creates a key for oneself via "me" that authenticates as oneself', async () => {
      const response = await api().post('/api/v2/users/me/keys', { token: memberToken });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ key: expect.stringMatching(TOKEN) });
      const me = await api().get('/api/v2/users/me', { token: response.body.key });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(memberId);

      const byId = await api().post(`/api/v2/users/${memberId}/keys`, { token: memberToken });
      expect(byId.status).toBe(201);
      expect(byId.body).toEqual({ key: expect.stringMatching(TOKEN) });
    });

    it('lets the owner create a key for another user', async () => {
      const response = await api().post(`/api/v2/users/${member2Id}/keys`, { token: ownerToken });
      expect(response.status).toBe(201);
      const me = await api().get('/api/v2/users/me', { token: response.body.key });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ ...userBody('member2', 'member'), id: member2Id });
    });

    it('answers 404 to a member asking for someone else, and for an unknown user', async () => {
      const keysBefore = await server.db.prisma.apiKey.count();
      for (const target of [member2Id, ownerId]) {
        const response = await api().post(`/api/v2/users/${target}/keys`, { token: memberToken });
        expect(response.status).toBe(404);
        expect(response.body).toEqual(NOT_FOUND_BODY);
      }
      for (const target of ['6b1c2b7e-0000-4000-8000-000000000000', 'not-a-user']) {
        const response = await api().post(`/api/v2/users/${target}/keys`, { token: ownerToken });
        expect(response.status).toBe(404);
        expect(response.body).toEqual(NOT_FOUND_BODY);
      }
      expect(await server.db.prisma.apiKey.count()).toBe(keysBefore);
    });
  });

  describe('token sources and failures (rest-api.md 2)', () => {
    const SETTINGS = '/api/experimental/chats/config/desktop-enabled';

    it('authenticates with the header and with the cookie', async () => {
      const header = await api().get(SETTINGS, { headers: { 'Coder-Session-Token': memberToken } });
      expect(header.status).toBe(200);
      expect(header.body).toEqual({ enable_desktop: false });
      const cookie = await api().get(SETTINGS, { headers: { Cookie: `coder_session_token=${memberToken}` } });
      expect(cookie.status).toBe(200);
      expect(cookie.body).toEqual({ enable_desktop: false });
      const me = await api().get('/api/v2/users/me', { headers: { Cookie: `other=1; coder_session_token=${memberToken}` } });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(memberId);
    });

    it('prefers the cookie over the header', async () => {
      // A valid cookie wins over a bad header …
      const good = await api().get('/api/v2/users/me', { headers: { Cookie: `coder_session_token=${memberToken}`, 'Coder-Session-Token': 'garbage' } });
      expect(good.status).toBe(200);
      expect(good.body.id).toBe(memberId);
      // … and a bad cookie is not rescued by a valid header.
      const bad = await api().get('/api/v2/users/me', { headers: { Cookie: 'coder_session_token=garbage', 'Coder-Session-Token': memberToken } });
      expect(bad.status).toBe(401);
      expect(bad.body).toEqual(INVALID_KEY);
      // Between two valid tokens, the cookie's user is the caller.
      const both = await api().get('/api/v2/users/me', { headers: { Cookie: `coder_session_token=${memberToken}`, 'Coder-Session-Token': ownerToken } });
      expect(both.status).toBe(200);
      expect(both.body.id).toBe(memberId);
      // An empty cookie is skipped: the header applies.
      const empty = await api().get('/api/v2/users/me', { headers: { Cookie: 'coder_session_token=', 'Coder-Session-Token': ownerToken } });
      expect(empty.status).toBe(200);
      expect(empty.body.id).toBe(ownerId);
    });

    it('rejects malformed, unknown and wrong-secret tokens with 401 API key is invalid.', async () => {
      const [id] = memberToken.split('-');
      const tokens = [
        'garbage',
        `${memberToken}x`,
        'AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB', // well-formed, unknown id
        `${id}-${'A'.repeat(22)}`, // known id, wrong secret
      ];
      for (const token of tokens) {
        const response = await api().get(SETTINGS, { token });
        expect(response.status, token).toBe(401);
        expect(response.body).toEqual(INVALID_KEY);
      }
      const ok = await api().get(SETTINGS, { token: memberToken });
      expect(ok.status).toBe(200);
    });

    it('rejects an expired token with its expiry time', async () => {
      // Expired before its first use: a token already in use is remembered for a few seconds (auth/key-cache.ts).
      const token = await login(api(), 'member2@example.com');
      const expiresAt = new Date('2025-01-02T03:04:05.678Z');
      await server.db.prisma.apiKey.update({ where: { id: token.split('-')[0] }, data: { expiresAt } });
      const response = await api().get('/api/v2/users/me', { token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ message: SIGNED_OUT, detail: 'API key expired at "2025-01-02T03:04:05.678Z".' });
      const gql = await api().graphql('{ me { username } }', {}, token);
      expect(gql.status).toBe(200);
      expect(gql.body).toEqual({ data: { me: null } });
    });

    it('authenticates before looking at the path', async () => {
      const unauthenticated = await api().get('/api/experimental/chats/not-a-uuid/debug/runs');
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.body).toEqual(NO_TOKEN_BODY);
      const badToken = await api().get('/api/experimental/chats/not-a-uuid', { token: 'garbage' });
      expect(badToken.status).toBe(401);
      expect(badToken.body).toEqual(INVALID_KEY);
      const authenticated = await api().get('/api/experimental/chats/not-a-uuid', { token: memberToken });
      expect(authenticated.status).toBe(400);
      expect(authenticated.body).toEqual({ message: 'Invalid UUID "not-a-uuid".', detail: 'invalid UUID length: 10' });
    });
  });

  describe('WebSocket authentication', () => {
    const EXPERIMENTS = 'subscription { experimentsChanged { id enabled available state reason } }';

    function connect(connectionParams: Record<string, unknown>) {
      const closes = new Inbox<{ code: number; reason: string }>();
      const client = createClient({
        url: wsUrl(),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams,
        on: { closed: (event) => closes.push({ code: (event as CloseEvent).code, reason: (event as CloseEvent).reason }) },
      });
      clients.push(client);
      return { client, closes };
    }

    function subscribe(client: Client, query: string) {
      const results = new Inbox<unknown>();
      const errors = new Inbox<unknown>();
      const unsubscribe = client.subscribe({ query }, { next: (r) => results.push(r), error: (e) => errors.push(e), complete: () => {} });
      return { results, errors, unsubscribe };
    }

    const disabledDesktop = {
      id: 'VIRTUAL_DESKTOP',
      enabled: false,
      available: false,
      state: 'OFF',
      reason: 'type "computer_use" is unavailable because desktop access is not enabled',
    };
    const advisorOff = { id: 'ADVISOR', enabled: false, available: false, state: 'OFF', reason: 'The advisor is disabled.' };
    const debugNotAllowed = {
      id: 'DEBUG_LOGGING',
      enabled: false,
      available: false,
      state: 'NOT_ALLOWED',
      reason: 'An administrator has not enabled user-controlled chat debug logging.',
    };

    it('closes a connection with a bad or missing token with 4403', async () => {
      for (const params of [{ sessionToken: 'garbage' }, { sessionToken: 'AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB' }, {}]) {
        const { client, closes } = connect(params);
        const { results, errors } = subscribe(client, EXPERIMENTS);
        expect(await closes.next()).toMatchObject({ code: 4403, reason: 'Forbidden' });
        const error = (await errors.next()) as CloseEvent;
        expect(error.code).toBe(4403);
        expect(results.pending).toBe(0);
      }
    });

    it('delivers the caller’s experiments, then a new event after the owner changes a setting', async () => {
      const { client } = connect({ sessionToken: memberToken });
      const { results, unsubscribe } = subscribe(client, EXPERIMENTS);
      expect(await results.next()).toEqual({ data: { experimentsChanged: [disabledDesktop, advisorOff, debugNotAllowed] } });

      // A member may not change it; nothing is published.
      const denied = await api().put('/api/experimental/chats/config/desktop-enabled', { token: memberToken, body: { enable_desktop: true } });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(FORBIDDEN_BODY);

      const put = await api().put('/api/experimental/chats/config/desktop-enabled', { token: ownerToken, body: { enable_desktop: true } });
      expect(put.status).toBe(204);
      expect(put.text).toBe('');
      expect(await results.next()).toEqual({
        data: {
          experimentsChanged: [
            {
              id: 'VIRTUAL_DESKTOP',
              enabled: true,
              available: false,
              state: 'UNAVAILABLE',
              reason: 'no API key is configured for the computer use provider "anthropic"',
            },
            advisorOff,
            debugNotAllowed,
          ],
        },
      });
      expect(results.pending).toBe(0);
      unsubscribe();

      const reset = await api().put('/api/experimental/chats/config/desktop-enabled', { token: ownerToken, body: { enable_desktop: false } });
      expect(reset.status).toBe(204);
    });

    it('closes the socket with 4403 when its session logs out', async () => {
      const session = await login(api(), 'member@example.com');
      const { client, closes } = connect({ sessionToken: session });
      const { results, errors } = subscribe(client, EXPERIMENTS);
      expect(await results.next()).toEqual({ data: { experimentsChanged: [disabledDesktop, advisorOff, debugNotAllowed] } });

      // Another session's socket stays open.
      const { client: other } = connect({ sessionToken: memberToken });
      const otherSub = subscribe(other, EXPERIMENTS);
      await otherSub.results.next();

      const out = await api().post('/api/v2/users/logout', { token: session });
      expect(out.status).toBe(200);
      expect(await closes.next()).toMatchObject({ code: 4403, reason: 'Forbidden' });
      expect(((await errors.next()) as CloseEvent).code).toBe(4403);

      // The revoked token cannot reconnect; the other session still receives events.
      const again = connect({ sessionToken: session });
      subscribe(again.client, EXPERIMENTS);
      expect((await again.closes.next()).code).toBe(4403);
      const put = await api().put('/api/experimental/chats/config/desktop-enabled', { token: ownerToken, body: { enable_desktop: false } });
      expect(put.status).toBe(204);
      expect(await otherSub.results.next()).toEqual({ data: { experimentsChanged: [disabledDesktop, advisorOff, debugNotAllowed] } });
      otherSub.unsubscribe();
    });

    it('authenticates a socket by the session cookie too', async () => {
      const cookieSocket = (cookie: string) =>
        class extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, { headers: { Cookie: cookie } });
          }
        };
      const make = (cookie: string) => {
        const closes = new Inbox<{ code: number; reason: string }>();
        const client = createClient({
          url: wsUrl(),
          webSocketImpl: cookieSocket(cookie),
          retryAttempts: 0,
          on: { closed: (event) => closes.push({ code: (event as CloseEvent).code, reason: (event as CloseEvent).reason }) },
        });
        clients.push(client);
        return { client, closes };
      };
      const good = make(`coder_session_token=${memberToken}`);
      const sub = subscribe(good.client, EXPERIMENTS);
      expect(await sub.results.next()).toEqual({ data: { experimentsChanged: [disabledDesktop, advisorOff, debugNotAllowed] } });
      sub.unsubscribe();

      const bad = make('coder_session_token=garbage');
      subscribe(bad.client, EXPERIMENTS);
      expect((await bad.closes.next()).code).toBe(4403);
    });

    it('refuses an upgrade from a foreign Origin and accepts the same origin', async () => {
      const attempt = (origin: string) =>
        new Promise<number | 'open'>((resolve, reject) => {
          const socket = new WebSocket(wsUrl(), 'graphql-transport-ws', { headers: { Origin: origin } });
          socket.on('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            socket.terminate();
          });
          socket.on('open', () => {
            resolve('open');
            socket.close();
          });
          socket.on('error', reject);
        });
      expect(await attempt('https://evil.example')).toBe(403);
      expect(await attempt(new URL(server.url).origin)).toBe('open');
    });
  });
});
