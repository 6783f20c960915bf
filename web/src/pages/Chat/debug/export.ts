// Export of debug runs, entirely in the browser (web-ui.md section 5): the same envelope as the
// docs' curl + jq recipe, each run deep-equal to GET /api/experimental/chats/{chat}/debug/runs/{id}.
import { isTerminalStatus, type Json } from './utils.ts';

export const EXPORT_LIMIT = 100;
export const EXPORT_CONCURRENCY = 5;

export interface DebugRunExport {
  version: 1;
  scope: 'run';
  exported_at: string;
  chat_id: string;
  run_id: string;
  run: Json;
}

export interface FailedRun {
  run_id: string;
  message: string;
}

export interface DebugChatExport {
  version: 1;
  scope: 'chat';
  exported_at: string;
  chat_id: string;
  run_count: number;
  requested_run_count: number;
  limited_to_most_recent: 100;
  failed_runs?: FailedRun[];
  runs: Json[];
}

/** `coder-agents-debug-{chat|run}-{first 8 characters of the id}-{exported_at with ":" and "." as "-"}.json` */
export function exportFileName(scope: 'chat' | 'run', id: string, exportedAt: string): string {
  return `coder-agents-debug-${scope}-${id.slice(0, 8)}-${exportedAt.replace(/[:.]/g, '-')}.json`;
}

/** Keys in the order of web-ui.md 5.1. */
export function runEnvelope(chatId: string, run: Json, exportedAt: string): DebugRunExport {
  return { version: 1, scope: 'run', exported_at: exportedAt, chat_id: chatId, run_id: String(run.id), run };
}

export function chatEnvelope(chatId: string, requested: number, runs: Json[], failed: FailedRun[], exportedAt: string): DebugChatExport {
  return {
    version: 1,
    scope: 'chat',
    exported_at: exportedAt,
    chat_id: chatId,
    run_count: runs.length,
    requested_run_count: requested,
    limited_to_most_recent: EXPORT_LIMIT,
    ...(failed.length > 0 ? { failed_runs: failed } : {}),
    runs,
  };
}

/** Runs `task` over `items` with at most `limit` running at once; results keep the items' order. */
export async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await task(items[index]) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface ChatExportSource {
  chatId: string;
  /** The listed runs, newest first. */
  runIds: string[];
  /** A loaded, current detail (reused when its run is terminal). */
  loadedDetail(runId: string): Json | undefined;
  fetchDetail(runId: string, signal?: AbortSignal): Promise<Json>;
}

export type ChatExportOutcome =
  | { kind: 'exported'; envelope: DebugChatExport }
  | { kind: 'all-failed'; failed: FailedRun[] }
  | { kind: 'aborted' };

/** Collects the detail of every listed run (at most 100), at most 5 requests at a time. */
export async function collectChatExport(source: ChatExportSource, signal?: AbortSignal, now: () => Date = () => new Date()): Promise<ChatExportOutcome> {
  const runIds = source.runIds.slice(0, EXPORT_LIMIT);
  const settled = await mapLimited(runIds, EXPORT_CONCURRENCY, async (runId) => {
    const cached = source.loadedDetail(runId);
    // A finished run no longer changes; one still in progress is always fetched fresh.
    if (cached && isTerminalStatus(cached.status)) return cached;
    return source.fetchDetail(runId, signal);
  });
  if (signal?.aborted) return { kind: 'aborted' };
  const runs: Json[] = [];
  const failed: FailedRun[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'fulfilled') runs.push(result.value);
    else failed.push({ run_id: runIds[i], message: messageOf(result.reason) });
  });
  if (runs.length === 0 && failed.length > 0) return { kind: 'all-failed', failed };
  return { kind: 'exported', envelope: chatEnvelope(source.chatId, runIds.length, runs, failed, now().toISOString()) };
}

export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'Unknown error';
}

/** The description of a failed download: the error's detail, else a pointer to the console. */
export function downloadErrorDescription(error: unknown): string {
  const detail = (error as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' && detail.trim() !== '' ? detail : 'Please check the developer console for more details.';
}

/** Saves `value` as pretty JSON (a Blob of type application/json) under `fileName`. */
export function downloadJson(value: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    // Revoked after the click has been handled, so the download can start.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
