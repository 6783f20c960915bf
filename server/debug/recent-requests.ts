/**
 * The normalized requests of recently appended steps, so that the update that completes a step
 * (usually the next write of its run) can answer with the full step without reading 5–20 KB back
 * from the database. A step's normalized_request never changes after the append, so an entry can
 * only be missing, never stale. Bounded by count and by approximate bytes; oldest entries go first.
 */
export class RecentRequests<T> {
  private readonly entries = new Map<string, { request: T; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly maxEntries = 4096,
  ) {}

  /** `bytes`: the size of the stored JSON text, which the caller has already computed. */
  remember(stepId: string, request: T, bytes: number): void {
    if (bytes > this.maxBytes / 4) return;
    this.forget(stepId);
    this.entries.set(stepId, { request, bytes });
    this.bytes += bytes;
    for (const [id] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.forget(id);
    }
  }

  get(stepId: string): T | undefined {
    return this.entries.get(stepId)?.request;
  }

  forget(stepId: string): void {
    const entry = this.entries.get(stepId);
    if (!entry) return;
    this.entries.delete(stepId);
    this.bytes -= entry.bytes;
  }

  get size(): number {
    return this.entries.size;
  }
}
