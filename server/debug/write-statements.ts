import { chatWritableSql } from '../auth/policy.ts';
import { RUN_COLUMNS, STEP_COLUMNS_WITHOUT_REQUEST } from './rows.ts';

/**
 * The hot debug writes as single statements: one round trip and one commit each. Appends and step
 * updates also decide access there (chatWritableSql, the SQL form of canWriteChat). Every statement
 * first takes the chat's row lock by moving its event sequence (the `seq` CTE is joined before any
 * other row is touched), so writers of one chat still commit in cursor order. When the guarded
 * write matches nothing (missing run, finished run, status that may not regress) the statement
 * writes no event and the caller asks why with a plain read. Step statements return every column
 * but normalized_request: the caller has it (the append) or remembers it (RecentRequests).
 */

const nextSeq = (chatParam: string, condition = 'TRUE') =>
  `UPDATE chats c SET debug_event_seq = c.debug_event_seq + 1 WHERE c.id = ${chatParam}::uuid AND ${condition} RETURNING c.debug_event_seq`;

/** $1 run id, $2 chat id, $3…$11 fields, $12 now. */
export const START_RUN_SQL = `
WITH seq AS (${nextSeq('$2')}),
run AS (
  INSERT INTO chat_debug_runs (id, chat_id, root_chat_id, parent_chat_id, model_config_id, trigger_message_id,
    history_tip_message_id, kind, status, provider, model, summary, started_at, updated_at)
  SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::bigint, $7::bigint, $8::text, 'in_progress', $9::text, $10::text,
    $11::jsonb, $12::timestamptz, $12::timestamptz
  FROM seq
  RETURNING *
),
event AS (
  INSERT INTO chat_debug_events (chat_id, seq, kind, run_id) SELECT $2::uuid, seq.debug_event_seq, 'RUN_STARTED', run.id FROM seq, run
)
SELECT ${RUN_COLUMNS}, seq.debug_event_seq::text AS seq FROM run, seq`;

/**
 * $1 step id, $2 run id, $3 chat id, $4 operation, $5 history tip, $6 normalized request, $7 now,
 * $8 the caller, who must be allowed to write to the chat.
 * Step numbers are MAX + 1 read under the chat lock; a writer that waited for that lock reads an
 * older snapshot and fails on the (run_id, step_number) unique index, and is retried.
 */
export const ADD_STEP_SQL = `
WITH seq AS (
  ${nextSeq('$3', `${chatWritableSql('c', '$8')}
    AND EXISTS (SELECT 1 FROM chat_debug_runs WHERE id = $2::uuid AND chat_id = $3::uuid AND finished_at IS NULL)`)}
),
touched AS (
  UPDATE chat_debug_runs r SET updated_at = $7::timestamptz FROM seq
  WHERE r.id = $2::uuid AND r.chat_id = $3::uuid AND r.finished_at IS NULL
  RETURNING r.id
),
step AS (
  INSERT INTO chat_debug_steps (id, run_id, chat_id, step_number, operation, status, history_tip_message_id,
    normalized_request, attempts, metadata, started_at, updated_at)
  SELECT $1::uuid, touched.id, $3::uuid,
    COALESCE((SELECT MAX(step_number) FROM chat_debug_steps WHERE run_id = $2::uuid), 0) + 1,
    $4::text, 'in_progress', $5::bigint, $6::json, '[]'::json, '{}'::jsonb, $7::timestamptz, $7::timestamptz
  FROM touched
  RETURNING *
),
event AS (
  INSERT INTO chat_debug_events (chat_id, seq, kind, run_id, step_id)
  SELECT $3::uuid, seq.debug_event_seq, 'STEP_STARTED', step.run_id, step.id FROM seq, step
)
SELECT ${STEP_COLUMNS_WITHOUT_REQUEST}, seq.debug_event_seq::text AS seq FROM step, seq`;

const PRIORITY = `ARRAY['in_progress', 'interrupted', 'error', 'completed']`;
/** statusUpdateApplies in SQL: no status, a non-terminal row, or a status of at least the same priority (13.3). */
const APPLIES = (row: string) =>
  `($4::text IS NULL OR ${row}.status = 'in_progress' OR array_position(${PRIORITY}, $4::text) >= array_position(${PRIORITY}, ${row}.status))`;

/**
 * $1 step id, $2 run id, $3 chat id, $4 status, then pairs (keep, value) for normalized_response
 * ($5, $6), usage ($7, $8) and error ($9, $10): keep leaves the column, else the value is written
 * (null clears it); $11 metadata, $12 attempts, $13 assistant message id (null keeps); $14 now;
 * $15 the caller, who must be allowed to write to the chat.
 */
export const UPDATE_STEP_SQL = `
WITH seq AS (
  ${nextSeq('$3', `${chatWritableSql('c', '$15')}
    AND EXISTS (SELECT 1 FROM chat_debug_steps s WHERE s.id = $1::uuid AND s.run_id = $2::uuid AND s.chat_id = $3::uuid AND ${APPLIES('s')})`)}
),
step AS (
  UPDATE chat_debug_steps s SET
    status = COALESCE($4::text, s.status),
    finished_at = CASE WHEN $4::text IS NOT NULL AND $4::text <> 'in_progress' THEN COALESCE(s.finished_at, $14::timestamptz) ELSE s.finished_at END,
    normalized_response = CASE WHEN $5::boolean THEN s.normalized_response ELSE $6::json END,
    usage = CASE WHEN $7::boolean THEN s.usage ELSE $8::jsonb END,
    error = CASE WHEN $9::boolean THEN s.error ELSE $10::jsonb END,
    metadata = COALESCE($11::jsonb, s.metadata),
    attempts = COALESCE($12::json, s.attempts),
    assistant_message_id = COALESCE($13::bigint, s.assistant_message_id),
    updated_at = $14::timestamptz
  FROM seq
  WHERE s.id = $1::uuid AND s.run_id = $2::uuid AND s.chat_id = $3::uuid AND ${APPLIES('s')}
  RETURNING s.*
),
touched AS (
  UPDATE chat_debug_runs r SET updated_at = $14::timestamptz FROM step WHERE r.id = step.run_id
),
event AS (
  INSERT INTO chat_debug_events (chat_id, seq, kind, run_id, step_id)
  SELECT $3::uuid, seq.debug_event_seq, 'STEP_UPDATED', step.run_id, step.id FROM seq, step
)
SELECT ${STEP_COLUMNS_WITHOUT_REQUEST}, seq.debug_event_seq::text AS seq FROM step, seq`;

const STEP_NUMBER_TAKEN = 'chat_debug_steps_run_id_step_number_key';

/**
 * Runs an append again when a concurrent append to the same run took its step number first. Each
 * failure means another append committed, so a burst of n parallel appends retries at most n - 1 times.
 */
export async function retryOnStepNumberRace<T>(write: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (attempt >= attempts || code !== '23505' || constraint !== STEP_NUMBER_TAKEN) throw error;
    }
  }
}
