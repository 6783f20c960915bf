// Test support for the Debug tab: runs in the REST shapes (rest-api.md 11.3), the GraphQL run fields
// the list and events carry, and a chat page rendered over the mock client with a subscription
// subject and a controllable socket. Only tests import this module.
import { screen, within } from '@solidjs/testing-library';
import type { ChatDetail, DebugEvent, DebugRunFields, LiveConnection, LiveConnectionEvent } from '../../../graphql/index.ts';
import { createMockClient, createReplySubject, type MockHandler } from '../../../graphql/testing.ts';
import { OWNER, renderApp } from '../../../testing/render.tsx';
import type { User } from '../../../graphql/index.ts';
import type { Json } from './utils.ts';

export const CHAT_ID = 'abcdef12-0000-4000-8000-0000000000d1';
export const OTHER_CHAT_ID = 'abcdef12-0000-4000-8000-0000000000d2';
export const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

export const debugChat: ChatDetail = {
  id: CHAT_ID,
  title: 'Fix the flaky build',
  archived: false,
  createdAt: '2026-05-07T10:00:00.000Z',
  updatedAt: '2026-05-07T10:45:00.000Z',
  viewerIsOwner: true,
  parentChatId: null,
  owner: { id: OWNER.id, username: OWNER.username, name: OWNER.name },
  workspaceTemplateModules: [],
  desktopAvailability: null,
};

let counter = 0;
export const uuid = (prefix: string) => `${prefix.padEnd(8, '0').slice(0, 8)}-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

/** A step in the REST detail shape, keys in contract order. */
export function step(runId: string, stepNumber: number, overrides: Json = {}): Json {
  const startedAt = `2026-05-07T10:00:0${stepNumber}.000Z`;
  return {
    id: uuid(`5${stepNumber}e9`),
    run_id: runId,
    chat_id: CHAT_ID,
    step_number: stepNumber,
    operation: 'stream',
    status: 'completed',
    normalized_request: { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Fix the build' }] }], options: {}, provider_option_count: 0 },
    normalized_response: { content: [{ type: 'text', text: 'Done.' }], finish_reason: 'stop', usage: { input_tokens: 10, output_tokens: 2 } },
    usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 },
    attempts: [],
    metadata: {},
    started_at: startedAt,
    updated_at: startedAt.replace(/\.000Z$/, '.850Z'),
    finished_at: startedAt.replace(/\.000Z$/, '.850Z'),
    ...overrides,
  };
}

/** A run in the REST detail shape. */
export function detail(overrides: Json & { id: string }, steps: Json[] = []): Json {
  const { id, ...rest } = overrides;
  return {
    id,
    chat_id: CHAT_ID,
    kind: 'chat_turn',
    status: 'completed',
    provider: 'anthropic',
    model: 'claude-sonnet-4',
    summary: {},
    started_at: '2026-05-07T10:00:00.000Z',
    updated_at: '2026-05-07T10:00:04.210Z',
    finished_at: '2026-05-07T10:00:04.210Z',
    ...rest,
    steps,
  };
}

/** The GraphQL fields of a run (list items and event runs) matching a REST detail. */
export function fieldsOf(run: Json): DebugRunFields {
  return {
    id: String(run.id),
    chatId: String(run.chat_id ?? CHAT_ID),
    kind: String(run.kind ?? ''),
    status: String(run.status ?? ''),
    provider: (run.provider as string | undefined) ?? null,
    model: (run.model as string | undefined) ?? null,
    summary: run.summary ?? {},
    startedAt: String(run.started_at),
    updatedAt: String(run.updated_at),
    finishedAt: (run.finished_at as string | undefined) ?? null,
  };
}

export function event(kind: DebugEvent['kind'], cursor: number, run?: Json, stepInfo?: { id: string; runId: string; stepNumber: number; status?: string }): DebugEvent {
  return {
    cursor: String(cursor),
    kind,
    chatId: CHAT_ID,
    chatDeleted: false,
    deletedRunIds: [],
    run: run ? fieldsOf(run) : null,
    step: stepInfo
      ? { id: stepInfo.id, runId: stepInfo.runId, stepNumber: stepInfo.stepNumber, status: stepInfo.status ?? 'in_progress', startedAt: '2026-05-07T10:00:00.000Z', updatedAt: '2026-05-07T10:00:00.000Z', finishedAt: null }
      : null,
  };
}

/** A socket whose drops, reconnections and 4403 a test controls. */
export function fakeConnection() {
  const listeners = new Set<(event: LiveConnectionEvent) => void>();
  let signedOut = false;
  const connection: LiveConnection = {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signedOut: () => signedOut,
  };
  return {
    connection,
    emit(event: LiveConnectionEvent) {
      if (event === 'signed-out') signedOut = true;
      for (const listener of [...listeners]) listener(event);
    },
    listeners: () => listeners.size,
  };
}

export interface DebugChatOptions {
  runs?: Json[];
  /** REST details by run id; a function answers each detail request. */
  details?: Record<string, Json> | ((runId: string) => Json | 'pending' | { error: string });
  loggingActive?: boolean;
  hasRuns?: boolean;
  chat?: ChatDetail | null;
  user?: User;
  handlers?: Record<string, MockHandler>;
}

/** Renders /agents/{CHAT_ID} with the debug operations mocked; events are pushed through `events`. */
export function renderDebugChat(options: DebugChatOptions = {}) {
  const events = createReplySubject();
  const live = fakeConnection();
  const runs = options.runs ?? [];
  const details = options.details ?? Object.fromEntries(runs.map((r) => [String(r.id), r]));
  const mock = createMockClient({
    Chat: { data: { chat: options.chat === undefined ? debugChat : options.chat } },
    ChatDebugRuns: {
      data: {
        chat: {
          id: CHAT_ID,
          debugLoggingActive: options.loggingActive ?? true,
          hasDebugRuns: options.hasRuns ?? runs.length > 0,
          debugRuns: runs.map(fieldsOf),
        },
      },
    },
    DebugRunDetail: (op) => {
      const runId = String(op.variables.runId);
      const answer = typeof details === 'function' ? details(runId) : details[runId];
      if (answer === 'pending') return 'pending';
      if (answer && !('id' in answer)) return { data: { chat: { id: CHAT_ID, debugRun: null } }, errors: [{ message: String(answer.error) }] };
      return { data: { chat: { id: CHAT_ID, debugRun: answer ? { id: runId, status: String((answer as Json).status), detail: answer } : null } } };
    },
    ChatDebugEvents: { source: events.source },
    ...options.handlers,
  });
  const view = renderApp(`/agents/${CHAT_ID}`, { mock, user: options.user ?? OWNER, connection: live.connection });
  return {
    ...view,
    mock,
    live,
    push: (e: DebugEvent) => events.next({ data: { chatDebugEvents: e } }),
    pushError: (reply: { networkError: string } | { errors: { message: string; code?: string }[] }) => events.next(reply),
  };
}

/** The Debug tab's panel, once the tab exists. */
export async function debugPanel(): Promise<HTMLElement> {
  const tab = await screen.findByRole('tab', { name: 'Debug' });
  if (tab.getAttribute('aria-selected') !== 'true') tab.click();
  return document.getElementById(tab.getAttribute('aria-controls')!)!;
}

/** The run rows' trigger buttons, in order. */
export function runButtons(panel: HTMLElement): HTMLButtonElement[] {
  const list = within(panel).queryByRole('list', { name: 'Debug runs' });
  if (!list) return [];
  return Array.from(list.querySelectorAll<HTMLButtonElement>(':scope > li > button'));
}
