import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { Prisma } from '../../server/generated/prisma/client.ts';
import type { Users } from './fixtures.ts';
import type { ApiResponse, TestServer } from './server.ts';

/** Shared helpers for the debug-run tests (rest-api.md 11–14, product.md 4). */

export const CHATS = '/api/experimental/chats';
export const runsPath = (chatId: string) => `${CHATS}/${chatId}/debug/runs`;
export const runPath = (chatId: string, runId: string) => `${runsPath(chatId)}/${runId}`;
export const stepsPath = (chatId: string, runId: string) => `${runPath(chatId, runId)}/steps`;
export const stepPath = (chatId: string, runId: string, stepId: string) => `${stepsPath(chatId, runId)}/${stepId}`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const NOT_ENABLED_MESSAGE = 'Chat debug logging is not enabled for this chat.';
export const ADMIN_LAYER_DETAIL = 'An administrator has not enabled user-controlled chat debug logging.';
export const USER_LAYER_DETAIL = 'The chat owner has not turned on debug logging for their chats.';
export const RUN_FINISHED = { message: 'Debug run is already finished.' };
export const TRUNCATED_B64 = 'W1RSVU5DQVRFRF0='; // base64("[TRUNCATED]")
export const NOT_JSON_BODY = '{"error":"chatdebug: body is not valid JSON, redacted for safety"}';
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** Key order of the wire shapes (rest-api.md 11.3); optional keys are filtered out by `keysIn`. */
export const RUN_SUMMARY_KEYS = ['id', 'chat_id', 'kind', 'status', 'provider', 'model', 'summary', 'started_at', 'updated_at', 'finished_at'];
export const RUN_DETAIL_KEYS = [
  'id', 'chat_id', 'root_chat_id', 'parent_chat_id', 'model_config_id', 'trigger_message_id', 'history_tip_message_id',
  'kind', 'status', 'provider', 'model', 'summary', 'started_at', 'updated_at', 'finished_at', 'steps',
];
export const STEP_KEYS = [
  'id', 'run_id', 'chat_id', 'step_number', 'operation', 'status', 'history_tip_message_id', 'assistant_message_id',
  'normalized_request', 'normalized_response', 'usage', 'attempts', 'error', 'metadata', 'started_at', 'updated_at', 'finished_at',
];

/** Asserts that `object`'s keys are exactly `present`, in the contract order given by `order`. */
export function expectKeys(object: Record<string, unknown>, order: string[], present: string[]): void {
  expect(Object.keys(object)).toEqual(order.filter((k) => present.includes(k)));
}

export const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
export const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** Turns recording on for `owner`'s chats through the settings API (admin allows, owner opts in). */
export async function enableRecording(server: TestServer, users: Users, owner = users.member): Promise<void> {
  const allow = await server.api.put(`${CHATS}/config/debug-logging`, { token: users.owner.token, body: { allow_users: true } });
  expect(allow.status, allow.text).toBe(204);
  const optIn = await server.api.put(`${CHATS}/config/user-debug-logging`, { token: owner.token, body: { debug_logging_enabled: true } });
  expect(optIn.status, optIn.text).toBe(204);
}

/** Ingestion helpers: each asserts the success status and returns the parsed body. */
export function ingest(server: TestServer) {
  const ok = (res: ApiResponse, status: number) => {
    expect(res.status, res.text).toBe(status);
    return res.body;
  };
  return {
    startRun: async (token: string, chatId: string, body: Record<string, unknown> = { kind: 'chat_turn' }) =>
      ok(await server.api.post(runsPath(chatId), { token, body }), 201),
    addStep: async (token: string, chatId: string, runId: string, body: Record<string, unknown> = { operation: 'stream' }) =>
      ok(await server.api.post(stepsPath(chatId, runId), { token, body }), 201),
    patchStep: async (token: string, chatId: string, runId: string, stepId: string, body: unknown) =>
      ok(await server.api.patch(stepPath(chatId, runId, stepId), { token, body }), 200),
    patchRun: async (token: string, chatId: string, runId: string, body: unknown) =>
      ok(await server.api.patch(runPath(chatId, runId), { token, body }), 200),
    detail: async (token: string, chatId: string, runId: string) => ok(await server.api.get(runPath(chatId, runId), { token }), 200),
    list: async (token: string, chatId: string) => ok(await server.api.get(runsPath(chatId), { token }), 200),
  };
}

/** Every stored debug row (runs, steps) in a stable order, to prove that a rejected write changed nothing. */
export async function snapshotDebug(server: TestServer): Promise<string> {
  const runs = await server.db.prisma.debugRun.findMany({ orderBy: { id: 'asc' } });
  const steps = await server.db.prisma.debugStep.findMany({ orderBy: { id: 'asc' } });
  return JSON.stringify({ runs, steps }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export async function countDebugRows(server: TestServer, chatId?: string): Promise<{ runs: number; steps: number }> {
  const where = chatId ? { chatId } : {};
  return {
    runs: await server.db.prisma.debugRun.count({ where }),
    steps: await server.db.prisma.debugStep.count({ where }),
  };
}

/** Moves a row's `updated_at` back by `ms` (SQL, so no application rule runs). */
export async function ageRow(server: TestServer, table: 'chat_debug_runs' | 'chat_debug_steps' | 'chats', id: string, ms: number): Promise<void> {
  const aged = `now() - ($1::bigint * interval '1 millisecond')`;
  // A finished row's finished_at is never after its updated_at; aging keeps that true.
  const finished = table === 'chats' ? '' : `, finished_at = CASE WHEN finished_at IS NOT NULL THEN LEAST(finished_at, ${aged}) END`;
  const changed = await server.db.prisma.$executeRawUnsafe(
    `UPDATE ${table} SET updated_at = ${aged}${finished} WHERE id = $2::uuid`,
    ms,
    id,
  );
  expect(changed).toBe(1);
}

export interface SeedRun {
  id?: string;
  chatId: string;
  kind?: string;
  status?: string;
  provider?: string | null;
  model?: string | null;
  summary?: Prisma.InputJsonValue | typeof Prisma.JsonNull | typeof Prisma.DbNull;
  startedAt?: Date;
  updatedAt?: Date;
  finishedAt?: Date | null;
  rootChatId?: string | null;
  parentChatId?: string | null;
  modelConfigId?: string | null;
  triggerMessageId?: bigint | null;
  historyTipMessageId?: bigint | null;
}

/** A run written straight into the database (for stored-shape cases); defaults of 15.6. */
export async function seedRun(server: TestServer, run: SeedRun) {
  const startedAt = run.startedAt ?? new Date();
  return server.db.prisma.debugRun.create({
    data: {
      id: run.id ?? randomUUID(),
      chatId: run.chatId,
      kind: run.kind ?? 'chat_turn',
      status: run.status ?? 'in_progress',
      provider: run.provider === undefined ? 'openai' : run.provider,
      model: run.model === undefined ? 'gpt-4o-mini' : run.model,
      summary: run.summary ?? {},
      startedAt,
      updatedAt: run.updatedAt ?? startedAt,
      finishedAt: run.finishedAt ?? null,
      rootChatId: run.rootChatId ?? null,
      parentChatId: run.parentChatId ?? null,
      modelConfigId: run.modelConfigId ?? null,
      triggerMessageId: run.triggerMessageId ?? null,
      historyTipMessageId: run.historyTipMessageId ?? null,
    },
  });
}

type JsonInput = Prisma.InputJsonValue | typeof Prisma.JsonNull | typeof Prisma.DbNull;

export interface SeedStep {
  id?: string;
  runId: string;
  chatId: string;
  stepNumber: number;
  operation?: string;
  status?: string;
  normalizedRequest?: JsonInput;
  normalizedResponse?: JsonInput;
  usage?: JsonInput;
  attempts?: JsonInput;
  error?: JsonInput;
  metadata?: JsonInput;
  historyTipMessageId?: bigint | null;
  assistantMessageId?: bigint | null;
  startedAt?: Date;
  updatedAt?: Date;
  finishedAt?: Date | null;
}

export async function seedStep(server: TestServer, step: SeedStep) {
  const startedAt = step.startedAt ?? new Date();
  return server.db.prisma.debugStep.create({
    data: {
      id: step.id ?? randomUUID(),
      runId: step.runId,
      chatId: step.chatId,
      stepNumber: step.stepNumber,
      operation: step.operation ?? 'stream',
      status: step.status ?? 'completed',
      normalizedRequest: step.normalizedRequest ?? {},
      normalizedResponse: step.normalizedResponse ?? Prisma.DbNull,
      usage: step.usage ?? Prisma.DbNull,
      attempts: step.attempts ?? [],
      error: step.error ?? Prisma.DbNull,
      metadata: step.metadata ?? {},
      historyTipMessageId: step.historyTipMessageId ?? null,
      assistantMessageId: step.assistantMessageId ?? null,
      startedAt,
      updatedAt: step.updatedAt ?? startedAt,
      finishedAt: step.finishedAt === undefined ? null : step.finishedAt,
    },
  });
}

/** ISO text of a Date, as the wire emits it. */
export const iso = (d: Date) => d.toISOString();
