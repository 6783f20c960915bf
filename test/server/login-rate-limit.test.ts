// Sign-in throttling (product.md 3): repeated failed sign-ins for one email, or from one client
// address, get 429 with Retry-After for the rest of a bounded window; a success resets the email's
// count; known and unknown emails are treated alike. Time moves through the services' clock
// (deps.now), never by waiting.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedWindowLimiter, LoginThrottle } from '../../server/auth/rate-limit.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { expectJson } from '../support/assertions.ts';
import { PASSWORD, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

const WRONG = { message: 'Incorrect email or password.' };
const tooMany = (seconds: number) => ({ message: `Too many sign-in attempts. Try again in ${seconds} seconds.` });

describe('FixedWindowLimiter and LoginThrottle', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('allows `limit` attempts per window, then reports the seconds left; the window ends on time', () => {
    const limiter = new FixedWindowLimiter({ limit: 2, windowMs: 60_000, now });
    expect(limiter.take('a')).toEqual({ ok: true });
    clock += 10_000;
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 50 });
    expect(limiter.take('b')).toEqual({ ok: true }); // keys are independent
    // Attempts during the lock-out do not extend it.
    clock += 49_500;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock += 500;
    expect(limiter.take('a')).toEqual({ ok: true });
  });

  it('refund gives one attempt back; reset starts over; 0 disables', () => {
    const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1000, now });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    limiter.refund('a');
    expect(limiter.take('a').ok).toBe(true);
    limiter.reset('a');
    expect(limiter.take('a').ok).toBe(true);
    const off = new FixedWindowLimiter({ limit: 0, windowMs: 1000, now });
    for (let i = 0; i < 100; i++) expect(off.take('a').ok).toBe(true);
    expect(off.size).toBe(0);
  });

  it('keeps memory bounded: expired windows go first, then the oldest', () => {
    const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 3, now });
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    clock += 1000;
    limiter.take('d'); // a, b, c expired: dropped
    expect(limiter.size).toBe(1);
    for (const key of ['e', 'f', 'g']) limiter.take(key);
    expect(limiter.size).toBe(3);
    expect(limiter.take('d').ok).toBe(true); // d was the oldest and was evicted
  });

  it('LoginThrottle counts the email and the address; success resets the email and refunds the address', () => {
    const throttle = new LoginThrottle({ perEmail: 2, perAddress: 3, windowMs: 60_000, now });
    expect(throttle.begin('a@x', '1.2.3.4').ok).toBe(true);
    throttle.succeeded('a@x', '1.2.3.4');
    expect(throttle.begin('a@x', '1.2.3.4').ok).toBe(true);
    expect(throttle.begin('a@x', '1.2.3.4').ok).toBe(true);
    expect(throttle.begin('a@x', '1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(throttle.begin('b@x', '1.2.3.4').ok).toBe(true); // the address's third failure
    expect(throttle.begin('c@x', '1.2.3.4')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(throttle.begin('c@x', '5.6.7.8').ok).toBe(true); // another address, another email
  });

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
