/**
 * A small in-process fixed-window counter, used to slow down password guessing at sign-in.
 *
 * Each key (an email, a client address) gets `limit` attempts per window; the window starts at the
 * key's first attempt and ends `windowMs` later, whatever happens meanwhile, so a lock-out never
 * outlasts one window and attempts made while locked out do not extend it. Memory is bounded:
 * expired windows are dropped, and past `maxKeys` the oldest window is evicted.
 */
export interface FixedWindowOptions {
  /** Attempts allowed per window; 0 disables the limiter. */
  limit: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Window {
  startedAt: number;
  count: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: FixedWindowOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.limit > 0 && this.options.windowMs > 0;
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && now - window.startedAt >= this.options.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /** Seconds until the key's window ends (at least 1). */
  private retryAfter(window: Window, now: number): number {
    return Math.max(1, Math.ceil((window.startedAt + this.options.windowMs - now) / 1000));
  }

  /** Whether the key has attempts left, without using one. */
  check(key: string): TakeResult {
    if (!this.enabled) return { ok: true };
    const now = this.now();
    const window = this.current(key, now);
    return window && window.count >= this.options.limit ? { ok: false, retryAfterSeconds: this.retryAfter(window, now) } : { ok: true };
  }

  /** Uses one attempt (synchronously, so concurrent requests cannot all slip through). */
  take(key: string): TakeResult {
    if (!this.enabled) return { ok: true };
    const now = this.now();
    let window = this.current(key, now);
    if (window && window.count >= this.options.limit) return { ok: false, retryAfterSeconds: this.retryAfter(window, now) };
    if (!window) {
      this.evict(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    return { ok: true };
  }

  /** Gives one attempt back (an attempt that turned out not to count, e.g. a successful sign-in). */
  refund(key: string): void {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count--;
  }

  /** Forgets the key: its next attempt starts a new window. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get size(): number {
    return this.windows.size;
  }

  private evict(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.options.windowMs) this.windows.delete(key);
    }
    // Still full: drop the oldest windows (Map keeps insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

export interface LoginThrottleOptions {
  /** Failed sign-ins allowed per email per window (0 disables). */
  perEmail: number;
  /** Failed sign-ins allowed per client address per window (0 disables). */
  perAddress: number;
  windowMs: number;
  now?: () => number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { perEmail: 10, perAddress: 50, windowMs: 5 * 60 * 1000 };

/**
 * Sign-in throttling: every attempt uses one attempt of the email's and of the address's window; a
 * success gives the address's back and resets the email's. The email is counted whether or not a
 * user has it, so the answer never tells which emails exist.
 */
export class LoginThrottle {
  private readonly byEmail: FixedWindowLimiter;
  private readonly byAddress: FixedWindowLimiter;

  constructor(options: LoginThrottleOptions) {
    this.byEmail = new FixedWindowLimiter({ limit: options.perEmail, windowMs: options.windowMs, now: options.now });
    this.byAddress = new FixedWindowLimiter({ limit: options.perAddress, windowMs: options.windowMs, now: options.now });
  }

  /** Takes an attempt for both keys, or reports the longer wait when either is spent (using neither). */
  begin(email: string, address: string | undefined): TakeResult {
    const emailCheck = this.byEmail.check(email);
    const addressCheck = address === undefined ? ({ ok: true } as const) : this.byAddress.check(address);
    if (!emailCheck.ok || !addressCheck.ok) {
      const waits = [emailCheck, addressCheck].map((r) => (r.ok ? 0 : r.retryAfterSeconds));
      return { ok: false, retryAfterSeconds: Math.max(...waits) };
    }
    this.byEmail.take(email);
    if (address !== undefined) this.byAddress.take(address);
    return { ok: true };
  }

  succeeded(email: string, address: string | undefined): void {
    this.byEmail.reset(email);
    if (address !== undefined) this.byAddress.refund(address);
  }
}
