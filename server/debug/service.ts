import { randomUUID } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import type { ChatService, ChatView } from '../chats/service.ts';
import type { ServiceDeps } from '../context.ts';
import { conflict, invalid, notFound, storage } from '../errors.ts';
import { Prisma, type DebugRun, type DebugStep } from '../generated/prisma/client.ts';
import type { SettingsService } from '../settings/service.ts';
import { isPlainObject } from '../util/json.ts';
import { appendEvent, debugTopic, nextEventSeq, type DebugEventKind } from './events.ts';
import { STEP_OPERATIONS, aggregateSummary, isDebugStatus, isTerminal, statusUpdateApplies } from './lifecycle.ts';
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

type Tx = Prisma.TransactionClient;

const requireObject = (field: string, value: unknown) => {
  if (!isPlainObject(value)) throw invalid('Invalid debug payload.', `${field} must be a JSON object.`);
  return value;
};

/** Sensitive keys are redacted in every free-form payload, not only in attempt bodies. */
const redacted = (value: Record<string, unknown>) => redactJsonValue(value).value as Prisma.InputJsonObject;

/** Prisma JSON input for an optional payload: null clears it (SQL NULL, omitted on read). */
function optionalJson(field: string, value: unknown, transform: (v: Record<string, unknown>) => unknown = (v) => v) {
  if (value === undefined) return undefined;
  if (value === null) return Prisma.DbNull;
  return redacted(transform(requireObject(field, value)) as Record<string, unknown>);
}

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
  constructor(
    private readonly deps: ServiceDeps,
    private readonly chats: ChatService,
    private readonly settings: SettingsService,
  ) {}

  private get db() {
    return this.deps.db;
  }

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  private publish(chatId: string, seq: bigint) {
    this.deps.events.publish(debugTopic(chatId), { chatId, seq: seq.toString() });
  }

  /** Writes run in one transaction that starts by taking the chat's event sequence (and row lock). */
  private async write<T>(message: string, chatId: string, work: (tx: Tx, seq: bigint) => Promise<T>): Promise<T> {
    let seq = 0n;
    const result = await storage(message, () =>
      this.db.$transaction(async (tx) => {
        seq = await nextEventSeq(tx, chatId);
        return work(tx, seq);
      }),
    );
    this.publish(chatId, seq);
    return result;
  }

  /** Whether recording is on for the chat: the gate of its owner. */
  async recordingGateFor(chat: ChatView) {
    return this.settings.recordingGate(chat.access.rootOwnerId);
  }

  async startRun(actor: Actor, chatId: string, input: () => StartRunInput): Promise<DebugRun> {
    const chat = await this.chats.getWritable(actor, chatId);
    const gate = await this.recordingGateFor(chat);
    if (!gate.open) throw conflict(NOT_ENABLED_MESSAGE, gate.reason);
    const body = input();
    const kind = (body.kind ?? '').trim();
    if (!kind) throw invalid('Debug run kind is required.', 'Expected one of: chat_turn, title_generation, quickgen, compaction.');
    if (!/^[a-z0-9_]{1,64}$/.test(kind)) throw invalid('Invalid debug run kind.', `Got ${JSON.stringify(kind)}.`);
    const label = body.first_message === undefined ? '' : normalizeLabel(body.first_message);
    const id = randomUUID();
    return this.write('Internal error creating debug run.', chat.id, async (tx, seq) => {
      const run = await tx.debugRun.create({
        data: {
          id,
          chatId: chat.id,
          rootChatId: body.root_chat_id ?? null,
          parentChatId: body.parent_chat_id ?? null,
          modelConfigId: body.model_config_id ?? null,
          triggerMessageId: body.trigger_message_id === undefined ? null : BigInt(body.trigger_message_id),
          historyTipMessageId: body.history_tip_message_id === undefined ? null : BigInt(body.history_tip_message_id),
          kind,
          status: 'in_progress',
          provider: body.provider ?? null,
          model: body.model ?? null,
          summary: label ? { first_message: label } : {},
          startedAt: this.now(),
          updatedAt: this.now(),
        },
      });
      await appendEvent(tx, { chatId: chat.id, seq, kind: 'RUN_STARTED', runId: run.id });
      return run;
    });
  }

  /** The run, locked for this transaction, if it belongs to the chat. */
  private async lockRun(tx: Tx, chatId: string, runId: string): Promise<DebugRun> {
    const run = await tx.debugRun.findFirst({ where: { id: runId, chatId } });
    if (!run) throw notFound();
    return run;
  }

  async addStep(actor: Actor, chatId: string, runId: () => string, input: () => AddStepInput): Promise<DebugStep> {
    const chat = await this.chats.getWritable(actor, chatId);
    const id = runId();
    const body = input();
    const operation = body.operation ?? '';
    if (!(STEP_OPERATIONS as readonly string[]).includes(operation)) {
      throw invalid('Invalid debug step operation.', `Expected one of: stream, generate. Got ${JSON.stringify(operation)}.`);
    }
    const request = body.normalized_request === undefined || body.normalized_request === null ? {} : requireObject('normalized_request', body.normalized_request);
    const normalizedRequest = redacted(capRequestText(request) as Record<string, unknown>);
    return this.write('Internal error creating debug step.', chat.id, async (tx, seq) => {
      const run = await this.lockRun(tx, chat.id, id);
      if (run.finishedAt) throw conflict(RUN_FINISHED_MESSAGE);
      const last = await tx.debugStep.aggregate({ where: { runId: run.id }, _max: { stepNumber: true } });
      const now = this.now();
      const step = await tx.debugStep.create({
        data: {
          id: randomUUID(),
          runId: run.id,
          chatId: run.chatId,
          stepNumber: (last._max.stepNumber ?? 0) + 1,
          operation,
          status: 'in_progress',
          historyTipMessageId: body.history_tip_message_id === undefined ? null : BigInt(body.history_tip_message_id),
          normalizedRequest,
          attempts: [],
          metadata: {},
          startedAt: now,
          updatedAt: now,
        },
      });
      await tx.debugRun.update({ where: { id: run.id }, data: { updatedAt: now } });
      await appendEvent(tx, { chatId: chat.id, seq, kind: 'STEP_STARTED', runId: run.id, stepId: step.id });
      return step;
    });
  }

  async updateStep(actor: Actor, chatId: string, ids: () => { runId: string; stepId: string }, input: () => UpdateStepInput): Promise<DebugStep> {
    const chat = await this.chats.getWritable(actor, chatId);
    const { runId, stepId } = ids();
    const body = input();
    validateStatus(body.status);
    if (body.attempts !== undefined && body.attempts !== null && !Array.isArray(body.attempts)) {
      throw invalid('Invalid debug payload.', 'attempts must be a JSON array.');
    }
    const data: Prisma.DebugStepUpdateInput = {
      normalizedResponse: optionalJson('normalized_response', body.normalized_response, (v) => capResponseText(v)),
      usage: optionalJson('usage', body.usage),
      error: optionalJson('error', body.error),
      metadata: body.metadata === undefined || body.metadata === null ? undefined : redacted(requireObject('metadata', body.metadata)),
      attempts: body.attempts === undefined || body.attempts === null ? undefined : (sanitizeAttempts(body.attempts) as Prisma.InputJsonArray),
      assistantMessageId: body.assistant_message_id === undefined ? undefined : BigInt(body.assistant_message_id),
    };
    return this.write('Internal error updating debug step.', chat.id, async (tx, seq) => {
      const run = await this.lockRun(tx, chat.id, runId);
      const step = await tx.debugStep.findFirst({ where: { id: stepId, runId: run.id, chatId: chat.id } });
      if (!step) throw notFound();
      // A lower-priority status on a terminal step is ignored as a whole (13.3).
      if (!statusUpdateApplies(step.status, body.status)) return step;
      const now = this.now();
      const becomesTerminal = body.status !== undefined && isTerminal(body.status);
      const updated = await tx.debugStep.update({
        where: { id: step.id },
        data: {
          ...data,
          ...(body.status !== undefined ? { status: body.status } : {}),
          ...(becomesTerminal && !step.finishedAt ? { finishedAt: now } : {}),
          updatedAt: now,
        },
      });
      await tx.debugRun.update({ where: { id: run.id }, data: { updatedAt: now } });
      await appendEvent(tx, { chatId: chat.id, seq, kind: 'STEP_UPDATED', runId: run.id, stepId: step.id });
      return updated;
    });
  }

  async updateRun(actor: Actor, chatId: string, runId: () => string, input: () => UpdateRunInput): Promise<DebugRun> {
    const chat = await this.chats.getWritable(actor, chatId);
    const id = runId();
    const body = input();
    validateStatus(body.status);
    const writerSummary = body.summary === undefined || body.summary === null ? undefined : redacted(requireObject('summary', body.summary));
    return this.write('Internal error updating debug run.', chat.id, async (tx, seq) => {
      const run = await this.lockRun(tx, chat.id, id);
      if (!statusUpdateApplies(run.status, body.status)) return run;
      const now = this.now();
      const firstTerminal = body.status !== undefined && isTerminal(body.status) && !run.finishedAt;
      let summary: Record<string, unknown> | undefined = writerSummary
        ? { ...(isPlainObject(run.summary) ? run.summary : {}), ...writerSummary }
        : undefined;
      if (firstTerminal) {
        const steps = await tx.debugStep.findMany({ where: { runId: run.id } });
        summary = aggregateSummary(summary ?? run.summary, steps);
      }
      const updated = await tx.debugRun.update({
        where: { id: run.id },
        data: {
          ...(body.status !== undefined ? { status: body.status } : {}),
          ...(body.provider !== undefined ? { provider: body.provider } : {}),
          ...(body.model !== undefined ? { model: body.model } : {}),
          ...(summary ? { summary: summary as Prisma.InputJsonObject } : {}),
          ...(firstTerminal ? { finishedAt: now } : {}),
          updatedAt: now,
        },
      });
      const kind: DebugEventKind = firstTerminal ? 'RUN_FINISHED' : 'RUN_UPDATED';
      await appendEvent(tx, { chatId: chat.id, seq, kind, runId: run.id });
      return updated;
    });
  }

  // Reads: every path checks the chat first, with the same 404 for "missing" and "no access".

  async listRuns(actor: Actor, chatId: string, limit = MAX_LISTED_RUNS): Promise<DebugRun[]> {
    const chat = await this.chats.getReadable(actor, chatId);
    const take = Math.max(0, Math.min(MAX_LISTED_RUNS, Math.trunc(limit)));
    return storage('Internal error fetching debug runs.', () =>
      this.db.debugRun.findMany({ where: { chatId: chat.id }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take }),
    );
  }

  async getRun(actor: Actor, chatId: string, runId: () => string): Promise<RunWithSteps> {
    const chat = await this.chats.getReadable(actor, chatId);
    const id = runId();
    const run = await storage('Internal error fetching debug run.', () => this.db.debugRun.findFirst({ where: { id, chatId: chat.id } }));
    if (!run) throw notFound();
    const steps = await storage('Internal error fetching debug steps.', () => this.stepsOf(run.id));
    return { run, steps };
  }

  /** Steps of a run in step order; callers have checked access. */
  stepsOf(runId: string): Promise<DebugStep[]> {
    return this.db.debugStep.findMany({ where: { runId }, orderBy: [{ stepNumber: 'asc' }, { startedAt: 'asc' }] });
  }

  /** Whether the chat has at least one stored run (one condition for showing the Debug tab). */
  async hasRuns(actor: Actor, chatId: string): Promise<boolean> {
    const chat = await this.chats.getReadable(actor, chatId);
    return (await this.db.debugRun.count({ where: { chatId: chat.id }, take: 1 })) > 0;
  }
}

