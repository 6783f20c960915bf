import type { Actor } from '../auth/actor.ts';
import { canReadDeploymentGate, canUpdateDeploymentConfig } from '../auth/policy.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { DomainError, conflict, forbidden, invalid, notFound, storage } from '../errors.ts';
import { quoteJson } from '../util/json.ts';
import { SETTINGS_TOPIC } from '../events/iterate.ts';
import { SITE_KEYS, SettingsStore, USER_KEYS, isBoolean, isInteger, parseStored } from './store.ts';

export const COMPUTER_USE_PROVIDERS = ['anthropic', 'openai'] as const;
export type ComputerUseProvider = (typeof COMPUTER_USE_PROVIDERS)[number];
export const COMPUTER_USE_MODELS: Record<ComputerUseProvider, string> = {
  anthropic: 'claude-opus-4-6',
  openai: 'gpt-5.5',
};
export const isComputerUseProvider = (v: unknown): v is ComputerUseProvider =>
  typeof v === 'string' && (COMPUTER_USE_PROVIDERS as readonly string[]).includes(v);

export const FORCED_BY_DEPLOYMENT_MESSAGE = 'Chat debug logging is already forced on by deployment configuration.';
export const USER_TOGGLE_NOT_ALLOWED_MESSAGE = 'An administrator has not enabled user-controlled chat debug logging.';
export const MAX_RETENTION_DAYS = 3650;

export interface UserDebugLogging {
  debugLoggingEnabled: boolean;
  userToggleAllowed: boolean;
  forcedByDeployment: boolean;
}

export interface DebugLoggingAdmin {
  allowUsers: boolean;
  forcedByDeployment: boolean;
}

export type RecordingGate =
  | { open: true; layer: 'deployment' | 'user' }
  | { open: false; layer: 'admin' | 'user'; reason: string };

/**
 * Deployment settings. Setters take the decoded input as a thunk so that the documented order holds
 * on every transport: authorization and state checks first, body decoding after.
 */
export class SettingsService {
  readonly store: SettingsStore;

  constructor(private readonly deps: ServiceDeps) {
    this.store = new SettingsStore(deps.db, deps.sql, (key, userId) => deps.events.publish(SETTINGS_TOPIC, { key, userId: userId ?? null }));
  }

  get forcedByDeployment(): boolean {
    return this.deps.config.chatDebugLoggingEnabled;
  }

  private requireOwner(actor: Actor) {
    if (!canUpdateDeploymentConfig(actor)) throw forbidden();
  }

  // Virtual desktop

  async getDesktopEnabled(_actor: Actor): Promise<boolean> {
    return storage('Internal error fetching desktop setting.', async () =>
      parseStored(await this.store.readSite(SITE_KEYS.desktopEnabled), isBoolean, false),
    );
  }

  async setDesktopEnabled(actor: Actor, input: Lazy<{ enable_desktop: boolean }>): Promise<void> {
    this.requireOwner(actor);
    const { enable_desktop } = (await input());
    await storage('Internal error updating desktop setting.', () => this.store.writeSite(SITE_KEYS.desktopEnabled, enable_desktop));
  }

  /** The stored provider as written; "anthropic" when nothing is stored. Throws when unreadable. */
  async getComputerUseProvider(_actor: Actor): Promise<string> {
    return storage('Internal error fetching computer use provider.', async () => {
      const raw = await this.store.readSite(SITE_KEYS.computerUseProvider);
      if (raw === null) return 'anthropic';
      const value: unknown = JSON.parse(raw);
      if (typeof value !== 'string') throw new Error('stored provider is not a string');
      return value === '' ? 'anthropic' : value;
    });
  }

  async setComputerUseProvider(actor: Actor, input: Lazy<{ provider: string }>): Promise<void> {
    this.requireOwner(actor);
    const { provider } = (await input());
    if (!isComputerUseProvider(provider)) {
      throw invalid('Invalid computer use provider.', `Expected one of: ${COMPUTER_USE_PROVIDERS.join(', ')}. Got ${quoteJson(provider)}.`);
    }
    await storage('Internal error updating computer use provider.', () => this.store.writeSite(SITE_KEYS.computerUseProvider, provider));
  }

  // Chat debug logging

  private async readAllowUsers(): Promise<boolean> {
    return storage('Internal error fetching chat debug logging setting.', async () =>
      parseStored(await this.store.readSite(SITE_KEYS.debugLoggingAllowUsers), isBoolean, false),
    );
  }

  private async readUserOptIn(userId: string): Promise<boolean> {
    return storage('Internal error fetching user chat debug logging setting.', async () =>
      parseStored(await this.store.readUser(userId, USER_KEYS.debugLoggingEnabled), isBoolean, false),
    );
  }

  async getDebugLoggingAdmin(actor: Actor): Promise<DebugLoggingAdmin> {
    if (!canReadDeploymentGate(actor)) throw notFound();
    return { allowUsers: await this.readAllowUsers(), forcedByDeployment: this.forcedByDeployment };
  }

  async setDebugLoggingAdmin(actor: Actor, input: Lazy<{ allow_users: boolean }>): Promise<void> {
    this.requireOwner(actor);
    if (this.forcedByDeployment) throw conflict(FORCED_BY_DEPLOYMENT_MESSAGE);
    const { allow_users } = (await input());
    await storage('Internal error updating chat debug logging setting.', () =>
      this.store.writeSite(SITE_KEYS.debugLoggingAllowUsers, allow_users),
    );
  }

  async getUserDebugLogging(actor: Actor): Promise<UserDebugLogging> {
    return this.debugLoggingFor(actor.userId);
  }

  /** The effective state for one user (9.1). */
  async debugLoggingFor(userId: string): Promise<UserDebugLogging> {
    if (this.forcedByDeployment) return { debugLoggingEnabled: true, userToggleAllowed: false, forcedByDeployment: true };
    const allowUsers = await this.readAllowUsers();
    if (!allowUsers) return { debugLoggingEnabled: false, userToggleAllowed: false, forcedByDeployment: false };
    return { debugLoggingEnabled: await this.readUserOptIn(userId), userToggleAllowed: true, forcedByDeployment: false };
  }

  async setUserDebugLogging(actor: Actor, input: Lazy<{ debug_logging_enabled: boolean }>): Promise<void> {
    if (this.forcedByDeployment) throw conflict(FORCED_BY_DEPLOYMENT_MESSAGE);
    if (!(await this.readAllowUsers())) throw new DomainError('Forbidden', USER_TOGGLE_NOT_ALLOWED_MESSAGE);
    const { debug_logging_enabled } = (await input());
    await storage('Internal error updating user chat debug logging setting.', () =>
      this.store.writeUser(actor.userId, USER_KEYS.debugLoggingEnabled, debug_logging_enabled),
    );
  }

  /** Whether debug data is recorded for a chat owned by `chatOwnerId`. The viewer plays no part. */
  async recordingGate(chatOwnerId: string): Promise<RecordingGate> {
    if (this.forcedByDeployment) return { open: true, layer: 'deployment' };
    if (!(await this.readAllowUsers())) {
      return { open: false, layer: 'admin', reason: 'An administrator has not enabled user-controlled chat debug logging.' };
    }
    if (!(await this.readUserOptIn(chatOwnerId))) {
      return { open: false, layer: 'user', reason: "The chat owner has not turned on debug logging for their chats." };
    }
    return { open: true, layer: 'user' };
  }

  // Retention

  async getDebugRetentionDays(_actor?: Actor): Promise<number> {
    return storage('Failed to get chat debug retention days.', async () =>
      parseStored(await this.store.readSite(SITE_KEYS.debugRetentionDays), isInteger, 30),
    );
  }

  async setDebugRetentionDays(actor: Actor, input: Lazy<{ debug_retention_days: number }>): Promise<void> {
    this.requireOwner(actor);
    const days = (await input()).debug_retention_days;
    if (days < 0 || days > MAX_RETENTION_DAYS) throw invalid(`Chat debug retention days must be between 0 and ${MAX_RETENTION_DAYS}.`);
    await storage('Failed to update chat debug retention days.', () => this.store.writeSite(SITE_KEYS.debugRetentionDays, days));
  }

  async getRetentionDays(_actor?: Actor): Promise<number> {
    return storage('Failed to get chat retention days.', async () =>
      parseStored(await this.store.readSite(SITE_KEYS.retentionDays), isInteger, 30),
    );
  }

  async setRetentionDays(actor: Actor, input: Lazy<{ retention_days: number }>): Promise<void> {
    this.requireOwner(actor);
    const days = (await input()).retention_days;
    if (days < 0 || days > MAX_RETENTION_DAYS) throw invalid(`Retention days must be between 0 and ${MAX_RETENTION_DAYS}.`);
    await storage('Failed to update chat retention days.', () => this.store.writeSite(SITE_KEYS.retentionDays, days));
  }
}
