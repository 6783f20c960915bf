// Sign-in throttling (product.md 3): repeated failed sign-ins for one email, or from one client
// address, get 429 with Retry-After for the rest of a bounded window; a success resets the email's
// count; known and unknown emails are treated alike; every process on one database shares the
// count. Time moves through the services' clock (deps.now), never by waiting.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { LoginThrottle } from '../../server/auth/rate-limit.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { expectJson } from '../support/assertions.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitUntil } from '../support/debug-stream.ts';
import { PASSWORD, createUsers, type Users } from '../support/fixtures.ts';
import { Api, startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

const WRONG = { message: 'Incorrect email or password.' };
const tooMany = (seconds: number) => ({ message: `Too many sign-in attempts. Try again in ${seconds} seconds.` });

describe.each(BACKENDS)('LoginThrottle on %s', (backend) => {
  let db: TestDatabase;
  let clock = 0;
  const now = () => clock;
  /** Sorted here, not by the database, whose collation may order these characters otherwise. */
  const sortedByKey = (rows: { key: string; count: number }[]) => [...rows].sort((a, b) => (a.key < b.key ? -1 : 1));
  const windows = async () => sortedByKey(await db.sql.query<{ key: string; count: number }>('SELECT key, count FROM login_attempt_windows'));
  /** A stored key: the kind and the SHA-256 of the email or address, never the text itself. */
  const key = (kind: 'email' | 'address', text: string) => `${kind}:${createHash('sha256').update(text).digest('base64url')}`;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    clock = 1_000_000;
    await db.sql.query('DELETE FROM login_attempt_windows');
  });

  it('allows `limit` attempts per window, then reports the seconds left; the window ends on time', async () => {
    const throttle = new LoginThrottle(db.sql, { perEmail: 2, perAddress: 0, windowMs: 60_000, now });
    expect(await throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: true });
    clock += 10_000;
    expect(await throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: true });
    expect(await throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 50 });
    expect(await throttle.begin('b@x', '1.2.3.4')).toEqual({ ok: true }); // keys are independent
    // Attempts during the lock-out do not extend it.
    clock += 49_500;
    expect(await throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock += 500;
    expect(await throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: true });
    expect(await windows()).toEqual(sortedByKey([{ key: key('email', 'a@x'), count: 1 }, { key: key('email', 'b@x'), count: 1 }])); // the address is not counted at 0
  });

  it('counts the email and the address; success resets the email and refunds the address', async () => {
    const throttle = new LoginThrottle(db.sql, { perEmail: 2, perAddress: 3, windowMs: 60_000, now });
    expect((await throttle.begin('a@x', '1.2.3.4')).ok).toBe(true);
    await throttle.succeeded('a@x', '1.2.3.4');
    expect(await windows()).toEqual([{ key: key('address', '1.2.3.4'), count: 0 }]);
    expect((await throttle.begin('a@x', '1.2.3.4')).ok).toBe(true);
    expect((await throttle.begin('a@x', '1.2.3.4')).ok).toBe(true);
    expect(await throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect((await throttle.begin('b@x', '1.2.3.4')).ok).toBe(true); // the address's third failure
    expect(await throttle.begin('c@x', '1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect((await windows()).find((w) => w.key === key('email', 'c@x'))?.count ?? 0).toBe(0); // refused: neither key used
    expect((await throttle.begin('c@x', '5.6.7.8')).ok).toBe(true); // another address, another email
    const off = new LoginThrottle(db.sql, { perEmail: 0, perAddress: 0, windowMs: 60_000, now });
    for (let i = 0; i < 20; i++) expect((await off.begin('off@x', '9.9.9.9')).ok).toBe(true);
    expect((await windows()).map((w) => w.key)).not.toContain(key('email', 'off@x'));
  });

  it('refuses a spent key without a transaction (a flood of refused attempts takes no pooled connection)', async () => {
    const throttle = new LoginThrottle(db.sql, { perEmail: 1, perAddress: 0, windowMs: 60_000, now });
    expect((await throttle.begin('flood@x', undefined)).ok).toBe(true);
    const transaction = vi.spyOn(db.sql, 'transaction');
    for (let i = 0; i < 5; i++) expect(await throttle.begin('flood@x', undefined)).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(transaction).not.toHaveBeenCalled();
    transaction.mockRestore();
  });

  it('is one count for every process on the database, also under concurrent attempts', async () => {
    const options = { perEmail: 5, perAddress: 0, windowMs: 60_000, now };
    const processes = [new LoginThrottle(db.sql, options), new LoginThrottle(db.sql, options)];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => processes[i % 2].begin('shared@x', undefined)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(await windows()).toEqual([{ key: key('email', 'shared@x'), count: 5 }]);
  });

  it('deletes expired windows as new attempts arrive, so the table stays small', async () => {
    const throttle = new LoginThrottle(db.sql, { perEmail: 3, perAddress: 0, windowMs: 60_000, now });
    for (let i = 0; i < 10; i++) await throttle.begin(`scan${i}@x`, undefined);
    expect(await windows()).toHaveLength(10);
    clock += 60_000;
    await throttle.begin('later@x', undefined);
    // The deletion runs after the answer, off the sign-in's path.
    await waitUntil(async () => (await windows()).length === 1, 'the expired windows to be deleted');
    expect(await windows()).toEqual([{ key: key('email', 'later@x'), count: 1 }]);
  });

});

describe('sign-in throttle configuration', () => {
  it('is configured by flags or environment, and refuses nonsense', () => {
    const config = loadConfig(['--login-rate-limit-email', '3', '--login-rate-limit-window=90'], { LOGIN_RATE_LIMIT_ADDRESS: '7', LOGIN_RATE_LIMIT_EMAIL: '9' });
    expect(config.loginThrottle).toEqual({ perEmail: 3, perAddress: 7, windowMs: 90_000 });
    expect(loadConfig([], {}).loginThrottle).toEqual({ perEmail: 10, perAddress: 50, windowMs: 300_000 });
    expect(() => loadConfig(['--login-rate-limit-email', '-1'], {})).toThrow(ConfigError);
    expect(() => loadConfig([], { LOGIN_RATE_LIMIT_WINDOW_SECONDS: 'soon' })).toThrow(ConfigError);
  });
});

describe('POST /api/v2/users/login throttling', () => {
  let server: TestServer;
  let users: Users;
  let offset = 0;
  /** Moves the server's (frozen) clock forward. */
  const advance = (seconds: number) => {
    offset += seconds * 1000;
  };

  beforeAll(async () => {
    server = await startTestServer('pglite', {
      args: ['--login-rate-limit-email', '3', '--login-rate-limit-address', '6', '--login-rate-limit-window', '60'],
    });
    // A frozen clock that only `advance` moves: Retry-After values do not depend on how long requests take.
    const start = Date.now();
    server.app.services.deps.now = () => new Date(start + offset);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  // Every test starts after all earlier windows have ended.
  beforeEach(() => advance(61));

  const signIn = (email: string, password: string) => server.api.post('/api/v2/users/login', { body: { email, password } });

  /** 429 with the message and a Retry-After of `seconds` (1–60 when not given), no cookie, no token. */
  function expectThrottled(res: ApiResponse, seconds?: number): number {
    const retryAfter = Number(res.headers.get('retry-after'));
    if (seconds === undefined) {
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    } else {
      expect(retryAfter).toBe(seconds);
    }
    expectJson(res, 429, tooMany(retryAfter));
    expect(res.headers.getSetCookie()).toEqual([]);
    return retryAfter;
  }

  it('refuses the attempt after 3 failures for an email with 429, even with the right password; known and unknown emails alike', async () => {
    for (let i = 0; i < 3; i++) expectJson(await signIn('owner@example.com', 'wrong-password'), 401, WRONG);
    expectThrottled(await signIn('owner@example.com', PASSWORD), 60);
    expectThrottled(await signIn('OWNER@example.com ', 'wrong-password'), 60); // the same email, normalised

    // Another email is not affected by owner's count.
    expect((await signIn('member@example.com', PASSWORD)).status).toBe(201);

    // An email nobody has answers exactly the same way.
    for (let i = 0; i < 3; i++) expectJson(await signIn('ghost@example.com', PASSWORD), 401, WRONG);
    expectThrottled(await signIn('ghost@example.com', PASSWORD), 60);
  });

  it('ends the lock-out with its window, whatever is tried meanwhile, and reports the time left', async () => {
    for (let i = 0; i < 3; i++) expectJson(await signIn('auditor@example.com', 'wrong-password'), 401, WRONG);
    advance(20);
    expectThrottled(await signIn('auditor@example.com', PASSWORD), 40);
    advance(39);
    expectThrottled(await signIn('auditor@example.com', PASSWORD), 1);
    advance(1);
    const after = await signIn('auditor@example.com', PASSWORD);
    expect(after.status, after.text).toBe(201);
    expect(after.body).toEqual({ session_token: expect.any(String) });
  });

  it("resets an email's count on a successful sign-in", async () => {
    for (let i = 0; i < 2; i++) expectJson(await signIn('member2@example.com', 'wrong-password'), 401, WRONG);
    expect((await signIn('member2@example.com', PASSWORD)).status).toBe(201);
    for (let i = 0; i < 3; i++) expectJson(await signIn('member2@example.com', 'wrong-password'), 401, WRONG);
    expectThrottled(await signIn('member2@example.com', PASSWORD));
  });

  it('counts any email the same way, however long or strange (keys are digests)', async () => {
    for (const email of [randomBytes(50_000).toString('hex') + '@example.com', '🙂@example.com']) {
      for (let i = 0; i < 3; i++) expectJson(await signIn(email, 'wrong-password'), 401, WRONG);
      expectThrottled(await signIn(email, 'wrong-password'), 60);
      advance(61);
    }
  });

  it('refuses every email from one client address after 6 failures from it; successes do not count', async () => {
    expect((await signIn('owner@example.com', PASSWORD)).status).toBe(201);
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com', 'f@example.com']) {
      expectJson(await signIn(email, 'wrong-password'), 401, WRONG);
    }
    expectThrottled(await signIn('member@example.com', PASSWORD), 60);
    expectThrottled(await signIn('g@example.com', 'wrong-password'), 60);
    // Sessions already signed in are not affected.
    expect((await server.api.get('/api/v2/users/me', { token: users.member.token })).status).toBe(200);
    advance(60);
    expect((await signIn('member@example.com', PASSWORD)).status).toBe(201);
  });
});

describe('sign-in throttling across two server processes on one PostgreSQL', () => {
  let db: TestDatabase;
  const apps: App[] = [];
  const apis: Api[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'experiments-data-'));
      const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--no-background-jobs', '--login-rate-limit-email', '4'], {});
      const app = await buildApp({ config, database: db, secrets: SecretBox.fromPassphrase('test-secrets-key') });
      apps.push(app);
      apis.push(new Api(await app.start(0, '127.0.0.1')));
    }
    await createUsers(apis[0]);
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await db?.destroy();
  });

  it('counts failures sent to either process against one limit', async () => {
    const signIn = (api: Api, password: string) => api.post('/api/v2/users/login', { body: { email: 'owner@example.com', password } });
    for (let i = 0; i < 4; i++) expectJson(await signIn(apis[i % 2], 'wrong-password'), 401, WRONG);
    for (const api of apis) {
      const refused = await signIn(api, PASSWORD);
      expect(refused.status, refused.text).toBe(429);
      expect(refused.body).toEqual(tooMany(Number(refused.headers.get('retry-after'))));
    }
  });
});
