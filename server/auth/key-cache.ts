/** What a key lookup found: enough to check the secret and the expiry, and the caller it stands for. */
export interface KeyRecord {
  secretHash: Uint8Array;
  expiresAt: Date;
  userId: string;
  username: string;
  email: string;
  role: string;
}

interface Entry {
  record: KeyRecord;
  loadedAt: number;
}

/**
 * Recently looked-up keys, by key id. Agent runtimes send every debug write with the same key, so
 * the key lookup was one of the two database statements of each write. An entry holds the stored
 * secret hash (the secret is still checked on every request, in constant time) and the expiry
 * (still compared with the clock on every request); it is dropped when the key is revoked here or
 * in another process (logout publishes an `auth` event on the bus), when the bus may have missed
 * events, and after `ttlMs`, which bounds how long a change made outside the server (an operator
 * editing the database) goes unseen.
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Counts deletions: a lookup that overlapped one is not remembered (it may predate a revocation). */
  private invalidations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get(keyId: string): KeyRecord | undefined {
    const entry = this.entries.get(keyId);
    if (!entry) return undefined;
    if (this.clock() - entry.loadedAt >= this.ttlMs) {
      this.entries.delete(keyId);
      return undefined;
    }
    return entry.record;
  }

  /** Call before looking a key up; pass the result to `set`. */
  startLookup(): number {
    return this.invalidations;
  }

  set(keyId: string, record: KeyRecord, lookupStartedAt: number): void {
    if (this.ttlMs <= 0 || lookupStartedAt !== this.invalidations) return;
    this.entries.delete(keyId);
    // Maps iterate in insertion order: the first key is the one loaded longest ago.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(keyId, { record, loadedAt: this.clock() });
  }

  delete(keyId: string): void {
    this.invalidations++;
    this.entries.delete(keyId);
  }

  clear(): void {
    this.invalidations++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
