import { createHash } from 'node:crypto';
import type { Sql } from '../db/sql.ts';

/**
 * Sign-in throttling with fixed windows kept in the database, so every server process on one
 * database counts the same attempts (a client spreading guesses over several processes gets no
 * more of them).
 *
 * Each key (an email, a client address) gets `limit` attempts per window; the window starts at the
 * key's first attempt and ends `windowMs` later, whatever happens meanwhile, so a lock-out never
 * outlasts one window and attempts made while locked out do not extend it. Expired windows are
 * deleted as attempts arrive (at most once per window per process), so the table stays small.
 */
export interface LoginThrottleOptions {
  /** Failed sign-ins allowed per email per window (0 disables). */
  perEmail: number;
  /** Failed sign-ins allowed per client address per window (0 disables). */
  perAddress: number;
  windowMs: number;
  now?: () => number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { perEmail: 10, perAddress: 50, windowMs: 5 * 60 * 1000 };

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

interface WindowRow {
  key: string;
  started_at: Date | string;
  count: number;
}

/** Keys are digests: fixed length whatever the client sends, and no stored list of tried emails. */
const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
const emailKey = (email: string) => `email:${digest(email)}`;
const addressKey = (address: string) => `address:${digest(address)}`;

/**
 * Every attempt uses one attempt of the email's and of the address's window; a success gives the
 * address's back and resets the email's. The email is counted whether or not a user has it, so
 * the answer never tells which emails exist.
 */
export class LoginThrottle {
  private readonly now: () => number;
  private lastCleanup = -Infinity;

  constructor(
    private readonly sql: Sql,
    private readonly options: LoginThrottleOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  private limits(email: string, address: string | undefined): Map<string, number> {
    const limits = new Map<string, number>();
    if (this.options.windowMs <= 0) return limits;
    if (this.options.perEmail > 0) limits.set(emailKey(email), this.options.perEmail);
    if (address !== undefined && this.options.perAddress > 0) limits.set(addressKey(address), this.options.perAddress);
    return limits;
  }

  /**
   * Takes an attempt for both keys, or reports the longer wait when either is spent (using
   * neither). The keys' rows are locked for the decision, so concurrent attempts on any process
   * cannot all slip through.
   */
  async begin(email: string, address: string | undefined): Promise<TakeResult> {
    const limits = this.limits(email, address);
    if (limits.size === 0) return { ok: true };
    const now = this.now();
    const [first, second = null] = [...limits.keys()].sort();
    // A key already spent is refused with one plain read: a flood of refused attempts takes no
    // transaction, no pooled connection and no row lock.
    const spent = this.wait(await this.windows(this.sql, first, second, false), limits, now);
    if (spent) return spent;
    const result = await this.sql.transaction(async (sql): Promise<TakeResult> => {
      await sql.query(
        `INSERT INTO login_attempt_windows (key, started_at, count)
         SELECT k, $3::timestamptz, 0 FROM (VALUES ($1::text), ($2::text)) AS v(k) WHERE k IS NOT NULL
         ON CONFLICT (key) DO NOTHING`,
        [first, second, new Date(now)],
      );
      const windows = await this.windows(sql, first, second, true);
      const refused = this.wait(windows, limits, now);
      if (refused) return refused;
      for (const window of windows.map((w) => this.current(w, now))) {
        await sql.query('UPDATE login_attempt_windows SET started_at = $2::timestamptz, count = $3::int WHERE key = $1::text', [
          window.key,
          new Date(window.startedAt),
          window.count + 1,
        ]);
      }
      return { ok: true };
    });
    this.deleteExpired(now);
    return result;
  }

  private async windows(sql: Sql, first: string, second: string | null, lock: boolean): Promise<WindowRow[]> {
    return sql.query<WindowRow>(
      `SELECT key, started_at, count FROM login_attempt_windows WHERE key IN ($1::text, $2::text) ORDER BY key${lock ? ' FOR UPDATE' : ''}`,
      [first, second],
    );
  }

  /** The window as it stands at `now`: an expired one starts over. */
  private current(row: WindowRow, now: number): { key: string; startedAt: number; count: number } {
    const startedAt = new Date(row.started_at).getTime();
    const open = now - startedAt < this.options.windowMs;
    return { key: row.key, startedAt: open ? startedAt : now, count: open ? row.count : 0 };
  }

  /** The refusal when any key's window is spent: the longest wait. */
  private wait(rows: WindowRow[], limits: Map<string, number>, now: number): TakeResult | undefined {
    const waits = rows
      .map((row) => this.current(row, now))
      .filter((window) => window.count >= limits.get(window.key)!)
      .map((window) => Math.max(1, Math.ceil((window.startedAt + this.options.windowMs - now) / 1000)));
    return waits.length > 0 ? { ok: false, retryAfterSeconds: Math.max(...waits) } : undefined;
  }

  async succeeded(email: string, address: string | undefined): Promise<void> {
    await this.sql.query(
      `WITH reset AS (DELETE FROM login_attempt_windows WHERE key = $1::text)
       UPDATE login_attempt_windows SET count = count - 1 WHERE key = $2::text AND count > 0`,
      [emailKey(email), address === undefined ? null : addressKey(address)],
    );
  }

  /**
   * Best effort, after the answer is decided: rows another attempt holds are skipped (and taken in
   * key order, as attempts take them), and a failure costs nothing but a log line.
   */
  private deleteExpired(now: number): void {
    if (now - this.lastCleanup < this.options.windowMs) return;
    this.lastCleanup = now;
    this.sql
      .query(
        `DELETE FROM login_attempt_windows WHERE key IN (
           SELECT key FROM login_attempt_windows WHERE started_at <= $1::timestamptz ORDER BY key FOR UPDATE SKIP LOCKED)`,
        [new Date(now - this.options.windowMs)],
      )
      .catch((error: unknown) => console.error('sign-in throttling: expired windows not deleted:', (error as Error).message));
  }
}
