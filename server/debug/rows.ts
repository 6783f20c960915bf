import type { DebugRun, DebugStep } from '../generated/prisma/client.ts';

/** Column lists and mappers for raw SQL on the debug tables, yielding Prisma's row types. */

export const RUN_COLUMNS = `id::text AS id, chat_id::text AS "chatId", root_chat_id::text AS "rootChatId",
  parent_chat_id::text AS "parentChatId", model_config_id::text AS "modelConfigId",
  trigger_message_id::text AS "triggerMessageId", history_tip_message_id::text AS "historyTipMessageId",
  kind, status, provider, model, summary, started_at AS "startedAt", updated_at AS "updatedAt", finished_at AS "finishedAt"`;

/** Every step column but normalized_request, which writes already hold in memory. */
export const STEP_COLUMNS_WITHOUT_REQUEST = `id::text AS id, run_id::text AS "runId", chat_id::text AS "chatId", step_number AS "stepNumber",
  operation, status, history_tip_message_id::text AS "historyTipMessageId", assistant_message_id::text AS "assistantMessageId",
  normalized_response AS "normalizedResponse", usage, attempts, error, metadata,
  started_at AS "startedAt", updated_at AS "updatedAt", finished_at AS "finishedAt"`;

export const STEP_COLUMNS = `${STEP_COLUMNS_WITHOUT_REQUEST}, normalized_request AS "normalizedRequest"`;

type Raw<T> = { [K in keyof T]: T[K] extends bigint | null ? string | null : T[K] };

const big = (v: string | null) => (v === null ? null : BigInt(v));
const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: Date | string | null) => (v === null ? null : date(v));

export function toRun(row: Raw<DebugRun>): DebugRun {
  return {
    ...row,
    triggerMessageId: big(row.triggerMessageId),
    historyTipMessageId: big(row.historyTipMessageId),
    startedAt: date(row.startedAt),
    updatedAt: date(row.updatedAt),
    finishedAt: maybeDate(row.finishedAt),
  };
}

export function toStep(row: Raw<DebugStep>): DebugStep {
  return {
    ...row,
    stepNumber: Number(row.stepNumber),
    historyTipMessageId: big(row.historyTipMessageId),
    assistantMessageId: big(row.assistantMessageId),
    startedAt: date(row.startedAt),
    updatedAt: date(row.updatedAt),
    finishedAt: maybeDate(row.finishedAt),
  };
}

export type RawRun = Raw<DebugRun>;
export type RawStep = Raw<DebugStep>;
