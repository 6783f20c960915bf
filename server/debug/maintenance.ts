import type { ServiceDeps } from '../context.ts';
import { CHAT_TOPIC } from '../chats/service.ts';
import type { SettingsService } from '../settings/service.ts';
import { appendEvent, debugTopic, nextEventSeq, recordRunDeletions } from './events.ts';
import { aggregateSummary } from './lifecycle.ts';

export const STALE_AFTER_MS = 10 * 60 * 1000;
export const STALE_CHECK_INTERVAL_MS = 60 * 1000;
export const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const PURGE_BATCH = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurgeResult {
  chats: number;
  debugRuns: number;
}

/** Background lifecycle of debug data (rest-api.md 13.7, 14.3, 14.4). */
export class DebugMaintenance {
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
    const now = this.now();
    const cutoff = new Date(now.getTime() - staleMs);
    const staleRuns = await this.db.debugRun.findMany({
      where: { status: 'in_progress', finishedAt: null, updatedAt: { lt: cutoff } },
      select: { id: true, chatId: true },
    });
    const staleSteps = await this.db.debugStep.findMany({
      where: { status: 'in_progress', finishedAt: null, updatedAt: { lt: cutoff }, runId: { notIn: staleRuns.map((r) => r.id) } },
      select: { id: true, chatId: true, runId: true },
    });
    const chatIds = new Set([...staleRuns.map((r) => r.chatId), ...staleSteps.map((s) => s.chatId)]);
    let runs = 0;
    let steps = 0;
    for (const chatId of chatIds) {
      let lastSeq = 0n;
      await this.db.$transaction(async (tx) => {
        for (const run of staleRuns.filter((r) => r.chatId === chatId)) {
          // Re-check under the chat lock: a writer may have finished it meanwhile.
          const seq = await nextEventSeq(tx, chatId);
          const current = await tx.debugRun.findUnique({ where: { id: run.id } });
          if (!current || current.finishedAt || current.status !== 'in_progress') continue;
          const open = await tx.debugStep.findMany({ where: { runId: run.id, finishedAt: null, status: 'in_progress' }, select: { id: true } });
          await tx.debugStep.updateMany({
            where: { runId: run.id, finishedAt: null, status: 'in_progress' },
            data: { status: 'interrupted', finishedAt: now, updatedAt: now },
          });
          const all = await tx.debugStep.findMany({ where: { runId: run.id } });
          await tx.debugRun.update({
            where: { id: run.id },
            data: { status: 'interrupted', finishedAt: now, updatedAt: now, summary: aggregateSummary(current.summary, all) as object },
          });
          await appendEvent(tx, { chatId, seq, kind: 'RUN_FINISHED', runId: run.id });
          lastSeq = seq;
          for (const step of open) {
            lastSeq = await nextEventSeq(tx, chatId);
            await appendEvent(tx, { chatId, seq: lastSeq, kind: 'STEP_UPDATED', runId: run.id, stepId: step.id });
          }
          runs++;
          steps += open.length;
        }
        for (const step of staleSteps.filter((s) => s.chatId === chatId)) {
          const changed = await tx.debugStep.updateMany({
            where: { id: step.id, finishedAt: null, status: 'in_progress', updatedAt: { lt: cutoff } },
            data: { status: 'interrupted', finishedAt: now, updatedAt: now },
          });
          if (changed.count === 0) continue;
          lastSeq = await nextEventSeq(tx, chatId);
          await appendEvent(tx, { chatId, seq: lastSeq, kind: 'STEP_UPDATED', runId: step.runId, stepId: step.id });
          steps++;
        }
      });
      if (lastSeq > 0n) this.deps.events.publish(debugTopic(chatId), { chatId, seq: lastSeq.toString() });
    }
    return { runs, steps };
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
      const { count, wakeups } = await this.db.$transaction(async (tx) => {
        const deleted = await tx.$queryRaw<{ id: string; chat_id: string }[]>`
          DELETE FROM chat_debug_runs WHERE id IN (
            SELECT id FROM chat_debug_runs WHERE updated_at < ${cutoff} ORDER BY updated_at ASC, id ASC LIMIT ${PURGE_BATCH})
          RETURNING id, chat_id`;
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
