import type { Sql } from '../db/sql.ts';

export const DEBUG_EVENT_KINDS = ['RUN_STARTED', 'RUN_UPDATED', 'STEP_STARTED', 'STEP_UPDATED', 'RUN_FINISHED', 'DEBUG_DATA_DELETED'] as const;
export type DebugEventKind = (typeof DEBUG_EVENT_KINDS)[number];

/** Bus topic that wakes this process's subscribers of a chat; payloads carry only the sequence number. */
export const debugTopic = (chatId: string) => `debug:${chatId}`;
/** Emitted when events may have been missed (e.g. the LISTEN connection was re-established). */
export const DEBUG_RESYNC_TOPIC = 'debug-resync';


/**
 * Takes the chat's row lock and the next sequence number. Called first in every debug write
 * transaction, so concurrent writers of one chat commit in sequence order and a reader that has
 * seen sequence n has seen every earlier one.
 */
export async function nextEventSeq(sql: Sql, chatId: string): Promise<bigint> {
  const rows = await sql.query<{ seq: string }>(
    'UPDATE chats SET debug_event_seq = debug_event_seq + 1 WHERE id = $1::uuid RETURNING debug_event_seq::text AS seq',
    [chatId],
  );
  if (rows.length === 0) throw new Error('chat vanished during a debug write');
  return BigInt(rows[0].seq);
}

export async function appendEvent(
  sql: Sql,
  event: { chatId: string; seq: bigint; kind: DebugEventKind; runId?: string | null; stepId?: string | null; data?: Record<string, unknown> },
): Promise<void> {
  await sql.query(
    'INSERT INTO chat_debug_events (chat_id, seq, kind, run_id, step_id, data) VALUES ($1::uuid, $2::bigint, $3, $4::uuid, $5::uuid, $6::jsonb)',
    [event.chatId, event.seq.toString(), event.kind, event.runId ?? null, event.stepId ?? null, event.data ? JSON.stringify(event.data) : null],
  );
}

/** Cursors are opaque strings; inside they are the decimal sequence number. */
export const encodeCursor = (seq: bigint) => seq.toString();
const MAX_SEQ = 2n ** 63n - 1n; // PostgreSQL bigint

export function decodeCursor(cursor: string): bigint | undefined {
  if (!/^\d{1,19}$/.test(cursor)) return undefined;
  const seq = BigInt(cursor);
  return seq <= MAX_SEQ ? seq : undefined;
}

/** Appends one DEBUG_DATA_DELETED event per chat for deleted runs; returns the wake-ups to publish after commit. */
export async function recordRunDeletions(sql: Sql, deleted: { id: string; chat_id: string }[]): Promise<[string, bigint][]> {
  const byChat = new Map<string, string[]>();
  for (const row of deleted) byChat.set(row.chat_id, [...(byChat.get(row.chat_id) ?? []), row.id]);
  const wakeups: [string, bigint][] = [];
  for (const [chatId, runIds] of byChat) {
    const seq = await nextEventSeq(sql, chatId);
    await appendEvent(sql, { chatId, seq, kind: 'DEBUG_DATA_DELETED', data: { run_ids: runIds } });
    wakeups.push([chatId, seq]);
  }
  return wakeups;
}
