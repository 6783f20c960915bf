import { randomUUID } from 'node:crypto';
import type { Actor, Role } from '../auth/actor.ts';
import { ROLES } from '../auth/actor.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { canCreateKeyFor, canManageUsers } from '../auth/policy.ts';
import { KeyCache, type KeyRecord } from '../auth/key-cache.ts';
import { LoginThrottle } from '../auth/rate-limit.ts';
import { hashSecret, newToken, parseToken, secretMatches } from '../auth/tokens.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { DEBUG_RESYNC_TOPIC } from '../debug/events.ts';
import { DomainError, RateLimitedError, conflict, forbidden, notFound, storage, type FieldValidation } from '../errors.ts';
import type { User } from '../generated/prisma/client.ts';

export const SIGNED_OUT_MESSAGE = 'You are signed out or your session has expired. Please sign in again to continue.';
export const NO_TOKEN_DETAIL = 'Cookie "coder_session_token" or query parameter must be provided.';
export const INVALID_KEY_DETAIL = 'API key is invalid.';

const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
const KEY_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;
const USERNAME_PATTERN = /^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 8;

export interface NewUserInput {
  email: string;
  username: string;
  password: string;
  name?: string;
  role?: string;
}

export const unauthenticated = (detail: string) => new DomainError('Unauthenticated', SIGNED_OUT_MESSAGE, detail);

export const tooManySignIns = (seconds: number) =>
  new RateLimitedError(`Too many sign-in attempts. Try again in ${seconds} seconds.`, seconds);

export class UserService {
  private readonly loginThrottle: LoginThrottle;
  private readonly keys: KeyCache;

  constructor(private readonly deps: ServiceDeps) {
    this.loginThrottle = new LoginThrottle(deps.sql, { ...deps.config.loginThrottle, now: () => this.now().getTime() });
    this.keys = new KeyCache(deps.config.keyCacheMs);
    // Revocations from any process reach every process's cache; after a gap in events, start over.
    deps.events.on('auth', (payload) => {
      if (typeof payload.keyId === 'string') this.keys.delete(payload.keyId);
    });
    deps.events.on(DEBUG_RESYNC_TOPIC, () => this.keys.clear());
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** Resolves a session token or key into the caller; every transport uses this one function. */
  async authenticate(token: string | undefined): Promise<Actor> {
    if (!token) throw unauthenticated(NO_TOKEN_DETAIL);
    const parsed = parseToken(token);
    if (!parsed) throw unauthenticated(INVALID_KEY_DETAIL);
    const key = this.keys.get(parsed.id) ?? (await this.loadKey(parsed.id));
    if (!key || !secretMatches(parsed.secret, key.secretHash)) throw unauthenticated(INVALID_KEY_DETAIL);
    if (key.expiresAt.getTime() <= this.now().getTime()) {
      throw unauthenticated(`API key expired at "${key.expiresAt.toISOString()}".`);
    }
    return { userId: key.userId, username: key.username, email: key.email, role: key.role as Role, keyId: parsed.id };
  }

  /** A key that exists and is not revoked (one raw query; remembered for a few seconds). */
  private async loadKey(keyId: string): Promise<KeyRecord | undefined> {
    const lookup = this.keys.startLookup();
    const [row] = await this.deps.sql.query<{
      secret_hash: Uint8Array;
      expires_at: Date | string;
      revoked: boolean;
      user_id: string;
      username: string;
      email: string;
      role: string;
    }>(
      `SELECT k.secret_hash, k.expires_at, k.revoked_at IS NOT NULL AS revoked, u.id::text AS user_id, u.username, u.email, u.role
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`,
      [keyId],
    );
    if (!row || row.revoked) return undefined;
    const record: KeyRecord = {
      secretHash: row.secret_hash,
      expiresAt: new Date(row.expires_at),
      userId: row.user_id,
      username: row.username,
      email: row.email,
      role: row.role,
    };
    this.keys.set(keyId, record, lookup);
    return record;
  }

  async hasAnyUser(): Promise<boolean> {
    return (await this.deps.db.user.count()) > 0;
  }

  async createFirstUser(input: NewUserInput): Promise<User> {
    const fields = await this.validateNewUser({ ...input, role: 'owner' });
    // Serialise against a concurrent first-user request: the count is checked in the same transaction.
    return this.deps.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('LOCK TABLE "users" IN EXCLUSIVE MODE');
      if ((await tx.user.count()) > 0) throw conflict('The initial user has already been created.');
      return tx.user.create({ data: fields });
    });
  }

  async createUser(actor: Actor, input: Lazy<NewUserInput>): Promise<User> {
    if (!canManageUsers(actor)) throw forbidden();
    const fields = await this.validateNewUser((await input()));
    try {
      return await this.deps.db.user.create({ data: fields });
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') throw conflict('User already exists.');
      throw error;
    }
  }

  private async validateNewUser(input: NewUserInput) {
    const validations: FieldValidation[] = [];
    const email = input.email.trim().toLowerCase();
    const username = input.username.trim();
    if (!EMAIL_PATTERN.test(email)) validations.push({ field: 'email', detail: 'Must be a valid email address.' });
    if (!USERNAME_PATTERN.test(username) || username.length > 32) {
      validations.push({ field: 'username', detail: 'Must be 1-32 letters, digits or single dashes, not starting or ending with a dash.' });
    }
    if ([...input.password].length < MIN_PASSWORD_LENGTH) {
      validations.push({ field: 'password', detail: `Must be at least ${MIN_PASSWORD_LENGTH} characters.` });
    }
    const role = input.role || 'member';
    if (!ROLES.includes(role as Role)) validations.push({ field: 'role', detail: 'Must be one of: owner, auditor, member.' });
    if (validations.length) throw new DomainError('Validation', 'Validation failed.', undefined, validations);
    const existing = await this.deps.db.user.findFirst({ where: { OR: [{ email }, { username }] } });
    if (existing) throw conflict('User already exists.');
    return {
      id: randomUUID(),
      email,
      username,
      name: (input.name ?? '').trim(),
      role,
      passwordHash: await hashPassword(input.password),
    };
  }

  /**
   * Same answer and similar timing for an unknown email and a wrong password. Attempts are
   * throttled per email and per client address (`clientAddress`, from the transport) before any
   * lookup, for known and unknown emails alike; a success resets the email's count.
   */
  async login(email: string, password: string, clientAddress?: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    const normalized = email.trim().toLowerCase();
    const attempt = await this.loginThrottle.begin(normalized, clientAddress);
    if (!attempt.ok) throw tooManySignIns(attempt.retryAfterSeconds);
    const user = await this.deps.db.user.findUnique({ where: { email: normalized } });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok) throw new DomainError('Unauthenticated', 'Incorrect email or password.');
    await this.loginThrottle.succeeded(normalized, clientAddress);
    const { token, expiresAt } = await this.issueKey(user.id, 'session', SESSION_LIFETIME_MS);
    return { token, expiresAt, user };
  }

  async logout(actor: Actor): Promise<void> {
    await this.deps.db.apiKey.update({ where: { id: actor.keyId }, data: { revokedAt: this.now() } });
    this.keys.delete(actor.keyId);
    this.deps.events.publish('auth', { keyId: actor.keyId, kind: 'REVOKED' });
  }

  async createKey(actor: Actor, userRef: string): Promise<string> {
    const userId = userRef === 'me' ? actor.userId : userRef;
    if (!canCreateKeyFor(actor, userId)) throw notFound();
    const user = await this.deps.db.user.findUnique({ where: { id: userId } }).catch(() => null);
    if (!user) throw notFound();
    return (await this.issueKey(user.id, 'key', KEY_LIFETIME_MS)).token;
  }

  private async issueKey(userId: string, kind: 'session' | 'key', lifetimeMs: number) {
    const { id, secret, token } = newToken();
    const expiresAt = new Date(this.now().getTime() + lifetimeMs);
    await this.deps.db.apiKey.create({ data: { id, userId, secretHash: hashSecret(secret), kind, expiresAt } });
    return { token, expiresAt };
  }

  async me(actor: Actor): Promise<User> {
    return storage('Internal error fetching user.', async () => {
      const user = await this.deps.db.user.findUnique({ where: { id: actor.userId } });
      if (!user) throw notFound();
      return user;
    });
  }

  async getUser(id: string): Promise<User | null> {
    return this.deps.db.user.findUnique({ where: { id } });
  }

  async listUsers(actor: Actor): Promise<User[]> {
    if (!canManageUsers(actor)) throw forbidden();
    return this.deps.db.user.findMany({ orderBy: { username: 'asc' } });
  }
}
