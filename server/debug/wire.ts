import type { DebugRun, DebugStep } from '../generated/prisma/client.ts';
import { JsonText, isPlainObject, serialisedText, sortKeysDeep, stringifyJson } from '../util/json.ts';
import { isoTimestamp as iso } from '../util/time.ts';

/** Rows → the REST wire shapes of rest-api.md 11.3, with the fallbacks of 11.4. Keys in contract order. */

export type Json = Record<string, unknown>;

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

const malformed = (value: unknown, reason: string) => ({
  error: 'malformed debug payload',
  parse_error: reason,
  raw: JSON.stringify(value),
});

/** summary, normalized_request, metadata: always present; null → {}. */
export function requiredObject(value: unknown): Json {
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) return malformed(value, `expected a JSON object, got ${jsonKind(value)}`);
  return serialisedText(value) === undefined ? (sortKeysDeep(value) as Json) : value;
}

/** normalized_response, usage, error: omitted when null, JSON null or {}. */
export function optionalObject(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isPlainObject(value)) return malformed(value, `expected a JSON object, got ${jsonKind(value)}`);
  if (Object.keys(value).length === 0) return undefined;
  return sortKeysDeep(value) as Json;
}

/** attempts: always an array; anything but an array of objects becomes one fallback entry. */
export function attemptsArray(value: unknown): Json[] {
  if (value === null || value === undefined) return [];
  const fallback = (kind: string) => [
    { error: 'malformed attempts payload', parse_error: `expected a JSON array of objects, got ${kind}`, raw: JSON.stringify(value) },
  ];
  if (!Array.isArray(value)) return fallback(jsonKind(value));
  const bad = value.find((item) => !isPlainObject(item));
  if (bad !== undefined) return fallback(jsonKind(bad));
  return value.map((item) => sortKeysDeep(item) as Json);
}

const num = (value: bigint | null) => (value === null ? undefined : Number(value));

/** Builds an object from ordered entries, omitting undefined values (keys marked `?`). */
function ordered(entries: [string, unknown][]): Json {
  const out: Json = {};
  for (const [key, value] of entries) if (value !== undefined && value !== null) out[key] = value;
  return out;
}

/** The keys a run's list item and its detail share, from `kind` on, in contract order. */
function runCommonEntries(run: DebugRun): [string, unknown][] {
  return [
    ['kind', run.kind],
    ['status', run.status],
    ['provider', run.provider],
    ['model', run.model],
    ['summary', requiredObject(run.summary)],
    ['started_at', iso(run.startedAt)],
    ['updated_at', iso(run.updatedAt)],
    ['finished_at', run.finishedAt ? iso(run.finishedAt) : undefined],
  ];
}

export function runSummaryJson(run: DebugRun): Json {
  return ordered([['id', run.id], ['chat_id', run.chatId], ...runCommonEntries(run)]);
}

export function stepJson(step: DebugStep): Json {
  return ordered([
    ['id', step.id],
    ['run_id', step.runId],
    ['chat_id', step.chatId],
    ['step_number', step.stepNumber],
    ['operation', step.operation],
    ['status', step.status],
    ['history_tip_message_id', num(step.historyTipMessageId)],
    ['assistant_message_id', num(step.assistantMessageId)],
    ['normalized_request', requiredObject(step.normalizedRequest)],
    ['normalized_response', optionalObject(step.normalizedResponse)],
    ['usage', optionalObject(step.usage)],
    ['attempts', attemptsArray(step.attempts)],
    ['error', optionalObject(step.error)],
    ['metadata', requiredObject(step.metadata)],
    ['started_at', iso(step.startedAt)],
    ['updated_at', iso(step.updatedAt)],
    ['finished_at', step.finishedAt ? iso(step.finishedAt) : undefined],
  ]);
}

/**
 * stepJson as text. A normalized_request serialised when it was written is spliced in: it is the
 * first object-valued key of the shape, so its empty stand-in is the first `"normalized_request":{}`.
 */
export function stepJsonText(step: DebugStep): JsonText {
  const request = serialisedText(step.normalizedRequest);
  if (request === undefined) return new JsonText(stringifyJson(stepJson(step)));
  const text = stringifyJson(stepJson({ ...step, normalizedRequest: {} }));
  const standIn = '"normalized_request":{}';
  const at = text.indexOf(standIn) + standIn.length - 2;
  return new JsonText(`${text.slice(0, at)}${request}${text.slice(at + 2)}`);
}

export function runDetailJson(run: DebugRun, steps: DebugStep[]): Json {
  return ordered([
    ['id', run.id],
    ['chat_id', run.chatId],
    ['root_chat_id', run.rootChatId],
    ['parent_chat_id', run.parentChatId],
    ['model_config_id', run.modelConfigId],
    ['trigger_message_id', num(run.triggerMessageId)],
    ['history_tip_message_id', num(run.historyTipMessageId)],
    ...runCommonEntries(run),
    ['steps', steps.map(stepJson)],
  ]);
}
