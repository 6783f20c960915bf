import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import { canReadChat } from '../auth/policy.ts';
import type { ChatService, ChatView } from '../chats/service.ts';
import type { Lazy, ServiceDeps } from '../context.ts';
import { conflict, invalid, notFound, storage } from '../errors.ts';
import type { Sql } from '../db/sql.ts';
import type { DebugRun, DebugStep } from '../generated/prisma/client.ts';
import type { SettingsService } from '../settings/service.ts';
import { isPlainObject, serialiseSorted, sortKeysDeep } from '../util/json.ts';
import { appendEvent, debugTopic, nextEventSeq, type DebugEventKind } from './events.ts';
import { RUN_KINDS, STEP_OPERATIONS, aggregateSummary, isDebugStatus, isTerminal, statusUpdateApplies, type StepForSummary } from './lifecycle.ts';
import { RUN_COLUMNS, STEP_COLUMNS, toRun, toStep, type RawRun, type RawStep } from './rows.ts';
import { RecentRequests } from './recent-requests.ts';
import { ADD_STEP_SQL, START_RUN_SQL, UPDATE_STEP_SQL, retryOnStepNumberRace } from './write-statements.ts';
import { capRequestText, capResponseText, normalizeLabel, redactJsonValue, sanitizeAttempts } from './redaction.ts';

export const NOT_ENABLED_MESSAGE = 'Chat debug logging is not enabled for this chat.';
export const RUN_FINISHED_MESSAGE = 'Debug run is already finished.';
export const MAX_LISTED_RUNS = 100;

export interface StartRunInput {
  kind?: string;
  provider?: string;
  model?: string;
  model_config_id?: string;
  root_chat_id?: string;
  parent_chat_id?: string;
  trigger_message_id?: number;
  history_tip_message_id?: number;
  first_message?: string;
}

export interface AddStepInput {
  operation?: string;
  normalized_request?: unknown;
  history_tip_message_id?: number;
}

/** `undefined` keeps the stored value; `null` clears normalized_response, usage and error (13.2). */
export interface UpdateStepInput {
  status?: string;
  normalized_response?: unknown;
  usage?: unknown;
  attempts?: unknown;
  error?: unknown;
  metadata?: unknown;
  assistant_message_id?: number;
}

export interface UpdateRunInput {
  status?: string;
  provider?: string;
  model?: string;
  summary?: unknown;
}

export interface RunWithSteps {
  run: DebugRun;
  steps: DebugStep[];
}

/** A step as the write statements return it: no normalized_request, plus the event sequence. */
type WrittenStep = Omit<RawStep, 'normalizedRequest'> & { seq: string };

const requireObject = (field: string, value: unknown) => {
  if (!isPlainObject(value)) throw invalid('Invalid debug payload.', `${field} must be a JSON object.`);
  return value;
};

/** Sensitive keys are redacted in every free-form payload, not only in attempt bodies. */
const redacted = (value: Record<string, unknown>) => redactJsonValue(value).value as Record<string, unknown>;

function validateStatus(status: string | undefined) {
  if (status !== undefined && !isDebugStatus(status)) {
    throw invalid('Invalid debug status.', `Expected one of: in_progress, completed, error, interrupted. Got ${JSON.stringify(status)}.`);
  }
}

/**
 * Chat debug runs and steps: the recording gate, stored-data rules, lifecycle, reads. Every write
 * appends an event in the same transaction and wakes subscribers after commit.
 */
export class DebugService {
  private readonly recentRequests = new RecentRequests<DebugStep['normalizedRequest']>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly chats: ChatService,
    private readonly settings: SettingsService,
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  private publish(chatId: string, seq: bigint) {
    this.deps.events.publish(debugTopic(chatId), { chatId, seq: seq.toString() });
  }

  /** Writes run in one transaction that starts by taking the chat's event sequence (and row lock). */
  private async write<T>(message: string, chatId: string, work: (sql: Sql, seq: bigint) => Promise<T>): Promise<T> {
    let seq = 0n;
    const result = await storage(message, () =>
      this.deps.sql.transaction(async (sql) => {
        seq = await nextEventSeq(sql, chatId);
        return work(sql, seq);
      }),
    );
    this.publish(chatId, seq);
    return result;
  }

  /** Whether recording is on for the chat: the gate of its owner. */
  async recordingGateFor(chat: ChatView) {
    return this.settings.recordingGate(chat.access.rootOwnerId);
  }

  async startRun(actor: Actor, chatId: string, input: Lazy<StartRunInput>): Promise<DebugRun> {
    const chat = await this.chats.getWritable(actor, chatId);
    const gate = await this.recordingGateFor(chat);
    if (!gate.open) throw conflict(NOT_ENABLED_MESSAGE, gate.reason);
    const body = (await input());
    const kind = (body.kind ?? '').trim();
    if (!kind) throw invalid('Debug run kind is required.', 'Expected one of: chat_turn, title_generation, quickgen, compaction.');
    if (!(RUN_KINDS as readonly string[]).includes(kind)) {
      throw invalid('Invalid debug run kind.', `Expected one of: chat_turn, title_generation, quickgen, compaction. Got ${JSON.stringify(kind)}.`);
    }
    const label = body.first_message === undefined ? '' : normalizeLabel(body.first_message);
    const now = this.now().toISOString();
    const [row] = await storage('Internal error creating debug run.', () =>
      this.deps.sql.write<RawRun & { seq: string }>(START_RUN_SQL, [
        randomUUID(),
        chat.id,
        body.root_chat_id ?? null,
        body.parent_chat_id ?? null,
        body.model_config_id ?? null,
        body.trigger_message_id?.toString() ?? null,
        body.history_tip_message_id?.toString() ?? null,
        kind,
        body.provider ?? null,
        body.model ?? null,
        JSON.stringify(label ? { first_message: label } : {}),
        now,
      ]),
    );
    if (!row) throw notFound(); // the chat was deleted meanwhile
    this.publish(chat.id, BigInt(row.seq));
    return toRun(row);
  }

  /** A step's normalized_request (it never changes after the append). */
  private async storedRequest(stepId: string): Promise<RawStep['normalizedRequest']> {
    const [row] = await this.deps.sql.query<Pick<RawStep, 'normalizedRequest'>>(
      'SELECT normalized_request AS "normalizedRequest" FROM chat_debug_steps WHERE id = $1::uuid',
      [stepId],
    );
    return row?.normalizedRequest ?? null;
  }

  /** The run, if it belongs to the chat. */
  private async findRun(sql: Sql, chatId: string, runId: string): Promise<DebugRun> {
    const [row] = await sql.query<RawRun>(`SELECT ${RUN_COLUMNS} FROM chat_debug_runs WHERE id = $1::uuid AND chat_id = $2::uuid`, [runId, chatId]);
    if (!row) throw notFound();
    return toRun(row);
  }

  /**
   * The input of a write decided in its statement (appends, step updates): when decoding fails, an
   * access error (404, 403) still comes first, as when access is checked before the body is read.
   */
  private async decodeWrite<T>(actor: Actor, chatId: string, decode: () => Promise<T>): Promise<T> {
    try {
      return await decode();
    } catch (error) {
      await this.chats.getWritable(actor, chatId);
      throw error;
    }
  }

  /**
   * Appends a step. Access (canWriteChat, in its SQL form), the run's state and the write are one
   * statement; only when it writes nothing do the plain reads below say why.
   */
  async addStep(actor: Actor, chatId: string, runId: () => string, input: Lazy<AddStepInput>): Promise<DebugStep> {
    const { id, body, operation } = await this.decodeWrite(actor, chatId, async () => {
      const id = runId();
      const body = await input();
      const operation = body.operation ?? '';
      if (!(STEP_OPERATIONS as readonly string[]).includes(operation)) {
        throw invalid('Invalid debug step operation.', `Expected one of: stream, generate. Got ${JSON.stringify(operation)}.`);
      }
      if (body.normalized_request !== undefined && body.normalized_request !== null) requireObject('normalized_request', body.normalized_request);
      return { id, body, operation };
    });
    const request = body.normalized_request === undefined || body.normalized_request === null ? {} : (body.normalized_request as Record<string, unknown>);
    // Sorted once here, as replies show it: the append's and later updates' replies reuse the text.
    const normalizedRequest = sortKeysDeep(redacted(capRequestText(request) as Record<string, unknown>)) as Record<string, unknown>;
    const requestJson = serialiseSorted(normalizedRequest);
    // Decoded from JSON and rebuilt from its parts: a JSON value, as Prisma's type wants.
    const storedRequest = normalizedRequest as DebugStep['normalizedRequest'];
    const params = [randomUUID(), id, chatId, operation, body.history_tip_message_id?.toString() ?? null, requestJson, this.now().toISOString(), actor.userId];
    const message = 'Internal error creating debug step.';
    const [row] = await storage(message, () => retryOnStepNumberRace(() => this.deps.sql.write<WrittenStep>(ADD_STEP_SQL, params)));
    if (!row) {
      // Nothing was written: no access (404, 403), the run is missing (404) or finished (409).
      const chat = await this.chats.getWritable(actor, chatId);
      const run = await storage(message, () => this.findRun(this.deps.sql, chat.id, id));
      throw run.finishedAt ? conflict(RUN_FINISHED_MESSAGE) : notFound();
    }
    this.publish(chatId, BigInt(row.seq));
    this.recentRequests.remember(row.id, storedRequest, requestJson.length);
    return toStep({ ...row, normalizedRequest: storedRequest });
  }

  /** Updates a step; decided in one statement like addStep. */
  async updateStep(actor: Actor, chatId: string, ids: () => { runId: string; stepId: string }, input: Lazy<UpdateStepInput>): Promise<DebugStep> {
    const { runId, stepId, params } = await this.decodeWrite(actor, chatId, async () => {
      const { runId, stepId } = ids();
      const body = await input();
      validateStatus(body.status);
      if (body.attempts !== undefined && body.attempts !== null && !Array.isArray(body.attempts)) {
        throw invalid('Invalid debug payload.', 'attempts must be a JSON array.');
      }
      /** [keep, value]: keep the stored payload when absent; null clears it (13.2). */
      const clearable = (field: string, value: unknown, transform: (v: Record<string, unknown>) => unknown = (v) => v): [boolean, string | null] =>
        value === undefined ? [true, null] : value === null ? [false, null] : [false, JSON.stringify(redacted(transform(requireObject(field, value)) as Record<string, unknown>))];
      const params = [
        stepId,
        runId,
        chatId,
        body.status ?? null,
        ...clearable('normalized_response', body.normalized_response, (v) => capResponseText(v)),
        ...clearable('usage', body.usage),
        ...clearable('error', body.error),
        body.metadata === undefined || body.metadata === null ? null : JSON.stringify(redacted(requireObject('metadata', body.metadata))),
        body.attempts === undefined || body.attempts === null ? null : JSON.stringify(sanitizeAttempts(body.attempts)),
        body.assistant_message_id?.toString() ?? null,
        this.now().toISOString(),
        actor.userId,
      ];
      return { runId, stepId, params };
    });
    const message = 'Internal error updating debug step.';
    const [row] = await storage(message, () => this.deps.sql.write<WrittenStep>(UPDATE_STEP_SQL, params));
    if (row) {
      this.publish(chatId, BigInt(row.seq));
      const normalizedRequest = this.recentRequests.get(row.id) ?? (await storage(message, () => this.storedRequest(row.id)));
      // A finished step is rarely written again: its request leaves memory young (kept for seconds,
      // thousands of 5–20 KB requests were promoted to the old heap and doubled the GC time).
      if (row.finishedAt) this.recentRequests.forget(row.id);
      return toStep({ ...row, normalizedRequest });
    }
    // Nothing was written: no access (404, 403), a missing run or step (404), or a status that may
    // not regress, which leaves the step as it was (13.3).
    const chat = await this.chats.getWritable(actor, chatId);
    return storage(message, async () => {
      await this.findRun(this.deps.sql, chat.id, runId);
      const [current] = await this.deps.sql.query<RawStep>(
        `SELECT ${STEP_COLUMNS} FROM chat_debug_steps WHERE id = $1::uuid AND run_id = $2::uuid AND chat_id = $3::uuid`,
        [stepId, runId, chat.id],
      );
      if (!current) throw notFound();
      return toStep(current);
    });
  }

  async updateRun(actor: Actor, chatId: string, runId: () => string, input: Lazy<UpdateRunInput>): Promise<DebugRun> {
    const chat = await this.chats.getWritable(actor, chatId);
    const id = runId();
    const body = (await input());
    validateStatus(body.status);
    const writerSummary = body.summary === undefined || body.summary === null ? undefined : redacted(requireObject('summary', body.summary));
    const now = this.now().toISOString();
    return this.write('Internal error updating debug run.', chat.id, async (sql, seq) => {
      const run = await this.findRun(sql, chat.id, id);
      if (!statusUpdateApplies(run.status, body.status)) return run;
      const firstTerminal = body.status !== undefined && isTerminal(body.status) && !run.finishedAt;
      let summary: Record<string, unknown> | undefined = writerSummary
        ? { ...(isPlainObject(run.summary) ? run.summary : {}), ...writerSummary }
        : undefined;
      if (firstTerminal) {
        const steps = await sql.query<StepForSummary & { id: string }>(
          'SELECT id::text AS id, step_number AS "stepNumber", status, usage, error, attempts, metadata FROM chat_debug_steps WHERE run_id = $1::uuid',
          [run.id],
        );
        summary = aggregateSummary(summary ?? run.summary, steps);
        // A finished run's steps are rarely written again (see updateStep).
        for (const step of steps) this.recentRequests.forget(step.id);
      }
      const [row] = await sql.query<RawRun>(
        `UPDATE chat_debug_runs SET
           status = COALESCE($2, status), provider = CASE WHEN $3::boolean THEN $4 ELSE provider END,
           model = CASE WHEN $5::boolean THEN $6 ELSE model END, summary = COALESCE($7::jsonb, summary),
           finished_at = CASE WHEN $8::boolean THEN COALESCE(finished_at, $9::timestamptz) ELSE finished_at END,
           updated_at = $9::timestamptz
         WHERE id = $1::uuid RETURNING ${RUN_COLUMNS}`,
        [
          run.id,
          body.status ?? null,
          body.provider !== undefined,
          body.provider ?? null,
          body.model !== undefined,
          body.model ?? null,
          summary ? JSON.stringify(summary) : null,
          firstTerminal,
          now,
        ],
      );
      const kind: DebugEventKind = firstTerminal ? 'RUN_FINISHED' : 'RUN_UPDATED';
      await appendEvent(sql, { chatId: chat.id, seq, kind, runId: run.id });
      return toRun(row);
    });
  }

  // Reads: every path checks the chat first, with the same 404 for "missing" and "no access".

  /**
   * A chat the caller reads: loaded by id, or a view loaded earlier in the same request (GraphQL's
   * nested fields), whose access facts are checked again here.
   */
  private async readable(actor: Actor, chat: string | ChatView): Promise<ChatView> {
    if (typeof chat === 'string') return this.chats.getReadable(actor, chat);
    if (!canReadChat(actor, chat.access)) throw notFound();
    return chat;
  }

  async listRuns(actor: Actor, chatOrId: string | ChatView, limit = MAX_LISTED_RUNS): Promise<DebugRun[]> {
    const chat = await this.readable(actor, chatOrId);
    if (limit < 0) throw invalid('first must not be negative.');
    const take = Math.min(MAX_LISTED_RUNS, Math.trunc(limit));
    const rows = await storage('Internal error fetching debug runs.', () =>
      this.deps.sql.query<RawRun>(
        `SELECT ${RUN_COLUMNS} FROM chat_debug_runs WHERE chat_id = $1::uuid ORDER BY started_at DESC, id DESC LIMIT ${take}`,
        [chat.id],
      ),
    );
    return rows.map(toRun);
  }

  async getRun(actor: Actor, chatOrId: string | ChatView, runId: () => string): Promise<RunWithSteps> {
    const chat = await this.readable(actor, chatOrId);
    const id = runId();
    const [row] = await storage('Internal error fetching debug run.', () =>
      this.deps.sql.query<RawRun>(`SELECT ${RUN_COLUMNS} FROM chat_debug_runs WHERE id = $1::uuid AND chat_id = $2::uuid`, [id, chat.id]),
    );
    if (!row) throw notFound();
    const steps = await storage('Internal error fetching debug steps.', () => this.stepsOf(row.id));
    return { run: toRun(row), steps };
  }

  /** Steps of a run in step order; callers have checked access. */
  async stepsOf(runId: string): Promise<DebugStep[]> {
    const rows = await this.deps.sql.query<RawStep>(
      `SELECT ${STEP_COLUMNS} FROM chat_debug_steps WHERE run_id = $1::uuid ORDER BY step_number ASC, started_at ASC`,
      [runId],
    );
    return rows.map(toStep);
  }

  /** Requests of unfinished steps held in memory for their updates' answers. */
  get heldStepRequests(): number {
    return this.recentRequests.size;
  }

  /** Whether the chat has at least one stored run (one condition for showing the Debug tab). */
  async hasRuns(actor: Actor, chatOrId: string | ChatView): Promise<boolean> {
    const chat = await this.readable(actor, chatOrId);
    const rows = await this.deps.sql.query('SELECT 1 FROM chat_debug_runs WHERE chat_id = $1::uuid LIMIT 1', [chat.id]);
    return rows.length > 0;
  }
}

