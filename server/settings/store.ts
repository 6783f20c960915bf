import type { Db } from '../db/database.ts';
import type { Sql } from '../db/sql.ts';

/** Raw JSON text per key; callers decide what an unreadable value means. */
export class SettingsStore {
  /** `onChange` runs after each committed write (events carry the key, never the value). */
  constructor(
    private readonly db: Db,
    private readonly sql: Sql,
    private readonly onChange: (key: string, userId?: string) => void = () => {},
  ) {}

  async readSite(key: string): Promise<string | null> {
    const [row] = await this.sql.query<{ value: string }>('SELECT value FROM site_settings WHERE key = $1', [key]);
    return row?.value ?? null;
  }

  async writeSite(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.db.siteSetting.upsert({
      where: { key },
      create: { key, value: text },
      update: { value: text, updatedAt: new Date() },
    });
    this.onChange(key);
  }

  async readUser(userId: string, key: string): Promise<string | null> {
    const [row] = await this.sql.query<{ value: string }>('SELECT value FROM user_settings WHERE user_id = $1::uuid AND key = $2', [userId, key]);
    return row?.value ?? null;
  }

  async writeUser(userId: string, key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.db.userSetting.upsert({
      where: { userId_key: { userId, key } },
      create: { userId, key, value: text },
      update: { value: text, updatedAt: new Date() },
    });
    this.onChange(key, userId);
  }
}

export const SITE_KEYS = {
  desktopEnabled: 'desktop_enabled',
  computerUseProvider: 'computer_use_provider',
  advisor: 'advisor',
  debugLoggingAllowUsers: 'debug_logging_allow_users',
  debugRetentionDays: 'debug_retention_days',
  retentionDays: 'retention_days',
} as const;

export const USER_KEYS = { debugLoggingEnabled: 'debug_logging_enabled' } as const;

/** Parses stored JSON; a value of the wrong type reads as `fallback` unless `strict`. */
export function parseStored<T>(raw: string | null, isValid: (v: unknown) => v is T, fallback: T): T {
  if (raw === null) return fallback;
  try {
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
