import type { Prisma } from '../generated/prisma/client.ts';

export const DEBUG_EVENT_KINDS = ['RUN_STARTED', 'RUN_UPDATED', 'STEP_STARTED', 'STEP_UPDATED', 'RUN_FINISHED', 'DEBUG_DATA_DELETED'] as const;
export type DebugEventKind = (typeof DEBUG_EVENT_KINDS)[number];

/** Bus topic that wakes this process's subscribers of a chat; payloads carry only the sequence number. */
export const debugTopic = (chatId: string) => `debug:${chatId}`;
/** Emitted when events may have been missed (e.g. the LISTEN connection was re-established). */
export const DEBUG_RESYNC_TOPIC = 'debug-resync';

type Tx = Prisma.TransactionClient;

/**
 * Takes the chat's row lock and the next sequence number. Called first in every debug write
 * transaction, so concurrent writers of one chat commit in sequence order and a reader that has
 * seen sequence n has seen every earlier one.
 */
export async function nextEventSeq(tx: Tx, chatId: string): Promise<bigint> {
  const rows = await tx.$queryRaw<{ seq: bigint }[]>`
    UPDATE chats SET debug_event_seq = debug_event_seq + 1 WHERE id = ${chatId}::uuid RETURNING debug_event_seq AS seq`;
  if (rows.length === 0) throw new Error('chat vanished during a debug write');
  return BigInt(rows[0].seq);
}

export async function appendEvent(
  tx: Tx,
  event: { chatId: string; seq: bigint; kind: DebugEventKind; runId?: string | null; stepId?: string | null; data?: Prisma.InputJsonValue },
): Promise<void> {
  await tx.debugEvent.create({
    data: { chatId: event.chatId, seq: event.seq, kind: event.kind, runId: event.runId ?? null, stepId: event.stepId ?? null, data: event.data },
  });
}

/** Cursors are opaque strings; inside they are the decimal sequence number. */
export const encodeCursor = (seq: bigint) => seq.toString();
export function decodeCursor(cursor: string): bigint | undefined {
  return /^\d{1,19}$/.test(cursor) ? BigInt(cursor) : undefined;
}

/** Appends one DEBUG_DATA_DELETED event per chat for deleted runs; returns the wake-ups to publish after commit. */
export async function recordRunDeletions(tx: Tx, deleted: { id: string; chat_id: string }[]): Promise<[string, bigint][]> {
  const byChat = new Map<string, string[]>();
  for (const row of deleted) byChat.set(row.chat_id, [...(byChat.get(row.chat_id) ?? []), row.id]);
  const wakeups: [string, bigint][] = [];
  for (const [chatId, runIds] of byChat) {
    const seq = await nextEventSeq(tx, chatId);
    await appendEvent(tx, { chatId, seq, kind: 'DEBUG_DATA_DELETED', data: { run_ids: runIds } });
    wakeups.push([chatId, seq]);
  }
  return wakeups;
}
