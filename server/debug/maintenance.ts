import type { ServiceDeps } from '../context.ts';
import { CHAT_TOPIC } from '../chats/service.ts';
import type { SettingsService } from '../settings/service.ts';
import { appendEvent, debugTopic, nextEventSeq, recordRunDeletions } from './events.ts';
import { aggregateSummary, type StepForSummary } from './lifecycle.ts';

export const STALE_AFTER_MS = 10 * 60 * 1000;
export const STALE_CHECK_INTERVAL_MS = 60 * 1000;
export const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const PURGE_BATCH = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Stale finalisation scans every step once an hour; the passes between use indexes only. */
const FULL_SCAN_EVERY = 60;
const OPEN_STEP_WINDOW_MARGIN_MS = 10 * 60 * 1000;

/**
 * Where the next pass starts looking at finished runs: at the oldest finished run that still has an
 * open step, and at least OPEN_STEP_WINDOW_MARGIN_MS before this pass (a run finished by a
 * transaction still in flight, or by another process whose clock runs a little behind).
 */
function nextOpenStepWindow(passStartedAt: Date, runsFinishedAt: (Date | string | null)[]): Date {
  let window = passStartedAt.getTime() - OPEN_STEP_WINDOW_MARGIN_MS;
  for (const finishedAt of runsFinishedAt) if (finishedAt !== null) window = Math.min(window, new Date(finishedAt).getTime());
  return new Date(window);
}

export interface PurgeResult {
  chats: number;
  debugRuns: number;
}

/** Background lifecycle of debug data (rest-api.md 13.7, 14.3, 14.4). */
export class DebugMaintenance {
  /** Runs finished before this had no open step at the last pass; undefined until a full scan. */
  private openStepWindow?: Date;
  private passesSinceFullScan = 0;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly settings: SettingsService,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** Finalises runs and steps idle for longer than `staleMs` as `interrupted`. */
  async finalizeStale(staleMs = STALE_AFTER_MS): Promise<{ runs: number; steps: number }> {
    const now = this.now().toISOString();
    const cutoff = new Date(this.now().getTime() - staleMs).toISOString();
    const sql = this.deps.sql;
    const staleRuns = await sql.query<{ id: string; chat_id: string }>(
      `SELECT id::text, chat_id::text FROM chat_debug_runs WHERE status = 'in_progress' AND finished_at IS NULL AND updated_at < $1::timestamptz`,
      [cutoff],
    );
    const staleSteps = await this.findStaleSteps(cutoff);
    const chatIds = new Set([...staleRuns.map((r) => r.chat_id), ...staleSteps.map((s) => s.chat_id)]);
    let runs = 0;
    let steps = 0;
    for (const chatId of chatIds) {
      const lastSeq = await sql.transaction(async (tx) => {
        let last = 0n;
        const event = async (kind: 'RUN_FINISHED' | 'STEP_UPDATED', runId: string, stepId?: string) => {
          last = await nextEventSeq(tx, chatId);
          await appendEvent(tx, { chatId, seq: last, kind, runId, stepId });
        };
        for (const run of staleRuns.filter((r) => r.chat_id === chatId)) {
          // Re-checked under the chat's lock: a writer may have finished it meanwhile.
          const [current] = await tx.query<{ summary: unknown }>(
            `SELECT summary FROM chat_debug_runs WHERE id = $1::uuid AND status = 'in_progress' AND finished_at IS NULL FOR UPDATE`,
            [run.id],
          );
          if (!current) continue;
          // Steps of a run finalised in this pass go with it, whatever their updated_at.
          const closed = await tx.query<{ id: string }>(
            `UPDATE chat_debug_steps SET status = 'interrupted', finished_at = $2::timestamptz, updated_at = $2::timestamptz
             WHERE run_id = $1::uuid AND status = 'in_progress' AND finished_at IS NULL RETURNING id::text`,
            [run.id, now],
          );
          const all = await tx.query<StepForSummary>(
            'SELECT step_number AS "stepNumber", status, usage, error, attempts, metadata FROM chat_debug_steps WHERE run_id = $1::uuid',
            [run.id],
          );
          await tx.query(
            `UPDATE chat_debug_runs SET status = 'interrupted', finished_at = $2::timestamptz, updated_at = $2::timestamptz, summary = $3::jsonb
             WHERE id = $1::uuid`,
            [run.id, now, JSON.stringify(aggregateSummary(current.summary, all))],
          );
          await event('RUN_FINISHED', run.id);
          for (const step of closed) await event('STEP_UPDATED', run.id, step.id);
          runs++;
          steps += closed.length;
        }
        for (const step of staleSteps.filter((s) => s.chat_id === chatId)) {
          const changed = await tx.query(
            `UPDATE chat_debug_steps SET status = 'interrupted', finished_at = $2::timestamptz, updated_at = $2::timestamptz
             WHERE id = $1::uuid AND status = 'in_progress' AND finished_at IS NULL AND updated_at < $3::timestamptz RETURNING id`,
            [step.id, now, cutoff],
          );
          if (changed.length === 0) continue;
          await event('STEP_UPDATED', step.run_id, step.id);
          steps++;
        }
        return last;
      });
      if (lastSeq > 0n) this.deps.events.publish(debugTopic(chatId), { chatId, seq: lastSeq.toString() });
    }
    return { runs, steps };
  }

  /**
   * Open steps idle since before `cutoff`. A step is open in an unfinished run, or in a run a writer
   * finished while the step was still open. Between full scans both are found through indexes (runs
   * by finished_at, steps by run) instead of reading every step: unfinished runs, plus runs finished
   * since `openStepWindow`. A full scan runs on the first pass and every FULL_SCAN_EVERY passes
   * after it, for rows whose timestamps were moved back from outside (a restore, a clock change).
   */
  private async findStaleSteps(cutoff: string): Promise<{ id: string; chat_id: string; run_id: string }[]> {
    const passStartedAt = this.now();
    const since = this.passesSinceFullScan < FULL_SCAN_EVERY ? this.openStepWindow : undefined;
    if (since === undefined) {
      this.passesSinceFullScan = 0;
      const open = await this.deps.sql.query<{ id: string; chat_id: string; run_id: string; stale: boolean; run_finished_at: Date | string | null }>(
        `SELECT s.id::text, s.chat_id::text, s.run_id::text, s.updated_at < $1::timestamptz AS stale, r.finished_at AS run_finished_at
         FROM chat_debug_steps s JOIN chat_debug_runs r ON r.id = s.run_id
         WHERE s.status = 'in_progress' AND s.finished_at IS NULL`,
        [cutoff],
      );
      this.openStepWindow = nextOpenStepWindow(passStartedAt, open.map((step) => step.run_finished_at));
      return open.filter((step) => step.stale);
    }
    this.passesSinceFullScan++;
    const stale = await this.deps.sql.query<{ id: string; chat_id: string; run_id: string }>(
      `SELECT s.id::text, s.chat_id::text, s.run_id::text
       FROM chat_debug_runs r JOIN chat_debug_steps s ON s.run_id = r.id
       WHERE (r.finished_at IS NULL OR r.finished_at >= $2::timestamptz)
         AND s.status = 'in_progress' AND s.finished_at IS NULL AND s.updated_at < $1::timestamptz`,
      [cutoff, since.toISOString()],
    );
    // Counted before this pass finalises anything: the window may hold one pass longer than needed.
    const [oldest] = await this.deps.sql.query<{ finished_at: Date | string | null }>(
      `SELECT MIN(r.finished_at) AS finished_at FROM chat_debug_runs r
       WHERE r.finished_at >= $1::timestamptz
         AND EXISTS (SELECT 1 FROM chat_debug_steps s WHERE s.run_id = r.id AND s.status = 'in_progress' AND s.finished_at IS NULL)`,
      [since.toISOString()],
    );
    this.openStepWindow = nextOpenStepWindow(passStartedAt, [oldest?.finished_at ?? null]);
    return stale;
  }

  /** Deletes debug runs not updated within the retention period, oldest first, in batches. */
  async purgeDebugRuns(): Promise<number> {
    let days: number;
    try {
      days = await this.settings.getDebugRetentionDays();
    } catch (error) {
      console.error('debug retention purge skipped: the retention setting could not be read:', (error as Error).message);
      return 0;
    }
    if (days <= 0) return 0;
    const cutoff = new Date(this.now().getTime() - days * DAY_MS);
    let total = 0;
    for (;;) {
      // Deletion and its events commit together.
      const { count, wakeups } = await this.deps.sql.transaction(async (tx) => {
        const deleted = await tx.query<{ id: string; chat_id: string }>(
          // A run's finished_at is never after its updated_at, so the finished_at index finds them.
          `DELETE FROM chat_debug_runs WHERE id IN (
             (SELECT id FROM chat_debug_runs WHERE finished_at IS NULL AND updated_at < $1::timestamptz LIMIT ${PURGE_BATCH})
             UNION ALL
             (SELECT id FROM chat_debug_runs WHERE finished_at < $1::timestamptz AND updated_at < $1::timestamptz
              ORDER BY finished_at ASC, id ASC LIMIT ${PURGE_BATCH})
             LIMIT ${PURGE_BATCH})
           RETURNING id::text, chat_id::text`,
          [cutoff.toISOString()],
        );
        return { count: deleted.length, wakeups: await recordRunDeletions(tx, deleted) };
      });
      for (const [chatId, seq] of wakeups) this.deps.events.publish(debugTopic(chatId), { chatId, seq: seq.toString() });
      total += count;
      if (count < PURGE_BATCH) break;
    }
    // Events are kept as long as the data they describe.
    await this.db.debugEvent.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return total;
  }

  /** Deletes archived chats (with everything they own) not updated within chat retention. */
  async purgeArchivedChats(): Promise<number> {
    const days = await this.settings.getRetentionDays();
    if (days <= 0) return 0;
    const cutoff = new Date(this.now().getTime() - days * DAY_MS);
    let total = 0;
    for (;;) {
      const deleted = await this.db.$queryRaw<{ id: string }[]>`
        DELETE FROM chats WHERE id IN (
          SELECT id FROM chats WHERE archived AND updated_at < ${cutoff} ORDER BY updated_at ASC, id ASC LIMIT ${PURGE_BATCH})
        RETURNING id`;
      total += deleted.length;
      for (const { id } of deleted) this.deps.events.publish(CHAT_TOPIC(id), { chatId: id, kind: 'DELETED' });
      if (deleted.length < PURGE_BATCH) break;
    }
    return total;
  }

  /** One pass of both purges; a failing debug-retention read does not stop the chat purge. */
  async purgeNow(): Promise<PurgeResult> {
    const debugRuns = await this.purgeDebugRuns();
    const chats = await this.purgeArchivedChats();
    return { chats, debugRuns };
  }

  /** Purge at start and every 10 minutes; stale finalisation every minute. Returns a stop function. */
  startTimers(): () => void {
    const guard = (name: string, work: () => Promise<unknown>) => () =>
      work().catch((error) => console.error(`${name} failed:`, error instanceof Error ? error.message : error));
    const purge = guard('debug purge', () => this.purgeNow());
    const stale = guard('stale debug finalisation', () => this.finalizeStale());
    void purge();
    const timers = [setInterval(purge, PURGE_INTERVAL_MS), setInterval(stale, STALE_CHECK_INTERVAL_MS)];
    for (const t of timers) t.unref();
    return () => timers.forEach(clearInterval);
  }
}
