// The Debug tab's live data (web-ui.md 4.2): the newest runs from one query, then
// Subscription.chatDebugEvents merged into a keyed store. Subscriptions never update urql's
// document cache, so everything the panel shows lives here. Nothing polls: details of expanded
// runs are reloaded only when an event says their run changed.
import { batch, createEffect, createMemo, createSignal, onCleanup, type Accessor } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import {
  ChatDebugEventsSubscription,
  ChatDebugRunsQuery,
  DebugRunDetailQuery,
  errorCode,
  serverMessage,
  type Client,
  type CombinedError,
  type DebugEvent,
  type DebugRunFields,
  type LiveConnection,
  type ResumableContext,
} from '../../../graphql/index.ts';
import { lastActiveTabKey } from '../../../components/RightPanel.tsx';
import { compareRuns, isRecord, summaryStepCount, type Json } from './utils.ts';

export const MAX_RUNS = 100;
export const NOT_FOUND_MESSAGE = 'Resource not found or you do not have access to this resource';

/** A run of the list, as GET /chats/{chat}/debug/runs returns it (snake_case, optional keys omitted). */
export interface RunSummary {
  id: string;
  chat_id: string;
  kind: string;
  status: string;
  provider?: string;
  model?: string;
  summary: unknown;
  started_at: string;
  updated_at: string;
  finished_at?: string;
}

export interface DetailState {
  status: 'loading' | 'ready' | 'error';
  /** The run exactly as the REST detail endpoint returns it. */
  run?: Json;
  error?: string;
  /** An event changed the run since this detail was loaded (it was collapsed meanwhile). */
  stale?: boolean;
}

/** live: subscribed; paused: the socket dropped and reconnects; signed-out: 4403; ended: the server ended the stream. */
export type ConnectionStatus = 'live' | 'paused' | 'signed-out' | 'ended';

interface FeedState {
  phase: 'loading' | 'ready' | 'error';
  error?: string;
  loggingActive: boolean;
  hasRuns: boolean;
  runs: Record<string, RunSummary>;
  /** Highest step number seen in events, per run: the step count of a run still in progress. */
  liveStepCounts: Record<string, number>;
  details: Record<string, DetailState>;
  expanded: Record<string, boolean>;
  connection: ConnectionStatus;
  endedMessage?: string;
  chatDeleted: boolean;
}

export interface DebugFeed {
  chatId: string;
  state: FeedState;
  /** Newest first, at most 100. */
  runs: Accessor<RunSummary[]>;
  /** Whether the Debug tab exists (web-ui.md 4.1). */
  tabVisible: Accessor<boolean>;
  /** Ticks every second while a listed run is unfinished. */
  now: Accessor<number>;
  stepCount(runId: string): number | undefined;
  setExpanded(runId: string, open: boolean): void;
  /** Reloads an expanded run's detail after a failure. */
  retryDetail(runId: string): void;
  /** A loaded, current detail (as a plain object), or undefined. */
  loadedDetail(runId: string): Json | undefined;
  /** Fetches one run's detail from the server (never from a cache). */
  fetchDetail(runId: string, signal?: AbortSignal): Promise<Json>;
}

/** GraphQL run fields → the REST list shape (rest-api.md 11.3): contract key order, optional keys omitted. */
export function toRunSummary(run: DebugRunFields): RunSummary {
  return {
    id: run.id,
    chat_id: run.chatId,
    kind: run.kind,
    status: run.status,
    ...(run.provider != null ? { provider: run.provider } : {}),
    ...(run.model != null ? { model: run.model } : {}),
    summary: run.summary ?? {},
    started_at: run.startedAt,
    updated_at: run.updatedAt,
    ...(run.finishedAt != null ? { finished_at: run.finishedAt } : {}),
  };
}

/** The list fields of a REST detail. */
function summaryOfDetail(detail: Json): RunSummary | undefined {
  if (typeof detail.id !== 'string' || typeof detail.started_at !== 'string' || typeof detail.updated_at !== 'string') return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    id: detail.id,
    chat_id: text(detail.chat_id) ?? '',
    kind: text(detail.kind) ?? '',
    status: text(detail.status) ?? '',
    ...(text(detail.provider) !== undefined ? { provider: text(detail.provider) } : {}),
    ...(text(detail.model) !== undefined ? { model: text(detail.model) } : {}),
    summary: detail.summary ?? {},
    started_at: detail.started_at,
    updated_at: detail.updated_at,
    ...(text(detail.finished_at) !== undefined ? { finished_at: text(detail.finished_at) } : {}),
  };
}

const isNewer = (incoming: { updated_at: string }, existing: { updated_at: string } | undefined) =>
  !existing || !(Date.parse(incoming.updated_at) < Date.parse(existing.updated_at));

/** Cursors are opaque, but when both are decimal numbers an old one is recognised and skipped. */
function cursorIsOld(cursor: string, last: string | undefined): boolean {
  if (last === undefined || !/^\d+$/.test(cursor) || !/^\d+$/.test(last)) return false;
  return BigInt(cursor) <= BigInt(last);
}

export function errorMessageOf(error: CombinedError | undefined, fallback: string): string {
  return serverMessage(error) ?? fallback;
}

const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15_000, 30_000];

/**
 * Creates the feed for a chat the viewer can read. Call inside a reactive owner: everything
 * (subscription, timers, listeners) stops when that owner is disposed.
 */
export function createDebugFeed(options: { client: Client; connection: LiveConnection; chatId: string }): DebugFeed {
  const { client, connection, chatId } = options;
  const [state, setState] = createStore<FeedState>({
    phase: 'loading',
    loggingActive: false,
    hasRuns: false,
    runs: {},
    liveStepCounts: {},
    details: {},
    expanded: {},
    connection: 'live',
    chatDeleted: false,
  });
  let disposed = false;
  let lastCursor: string | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retries = 0;
  const inflight = new Map<string, { again: boolean }>();

  const runs = createMemo(() => Object.values(state.runs).sort(compareRuns).slice(0, MAX_RUNS));

  const [now, setNow] = createSignal(Date.now());
  createEffect(() => {
    if (!runs().some((run) => run.finished_at === undefined)) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    onCleanup(() => clearInterval(timer));
  });

  const storedTab = (() => {
    try {
      return window.localStorage.getItem(lastActiveTabKey(chatId));
    } catch {
      return null;
    }
  })();
  const tabVisible = createMemo(() => {
    if (state.chatDeleted) return true;
    // While loading (or after the list failed), keep the tab a viewer last had open, so it shows
    // its loading state or its error in place.
    if (state.phase === 'loading') return storedTab === 'debug';
    if (state.phase === 'error' && storedTab === 'debug') return true;
    return state.loggingActive || state.hasRuns || runs().length > 0;
  });

  /** Keeps the 100 newest runs; older ones leave the store with their details. */
  function prune() {
    const all = Object.values(state.runs);
    if (all.length <= MAX_RUNS) return;
    const keep = new Set(all.sort(compareRuns).slice(0, MAX_RUNS).map((r) => r.id));
    for (const run of all) if (!keep.has(run.id)) removeRun(run.id);
  }

  function removeRun(runId: string) {
    batch(() => {
      setState('runs', runId, undefined!);
      setState('details', runId, undefined!);
      setState('expanded', runId, undefined!);
      setState('liveStepCounts', runId, undefined!);
    });
  }

  function upsertRun(run: RunSummary) {
    if (!isNewer(run, state.runs[run.id])) return;
    setState('runs', run.id, reconcile(run));
    if (!state.hasRuns) setState('hasRuns', true);
    prune();
  }

  function applyDetail(runId: string, detail: Json) {
    const copy = structuredClone(detail);
    const current = state.details[runId];
    batch(() => {
      if (current?.run) {
        setState('details', runId, 'run', reconcile(copy, { key: 'id', merge: true }));
        setState('details', runId, { status: 'ready', error: undefined, stale: false });
      } else setState('details', runId, { status: 'ready', run: copy, error: undefined, stale: false });
      const summary = summaryOfDetail(copy);
      if (summary) upsertRun(summary);
    });
  }

  /** One run's detail from the server, never from a cache; aborting tears the request down. */
  function fetchDetail(runId: string, signal?: AbortSignal): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      if (signal?.aborted) return reject(new DOMException('Aborted', 'AbortError'));
      let settled = false;
      let handle: { unsubscribe(): void } | undefined;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        handle?.unsubscribe();
        reject(new DOMException('Aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      handle = client.query(DebugRunDetailQuery, { chatId, runId }, { requestPolicy: 'network-only' }).subscribe((result) => {
        // Only the network's answer counts (the cache exchange may replay an older one first).
        if (settled || result.stale) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        queueMicrotask(() => handle?.unsubscribe());
        if (result.error) return reject(new Error(serverMessage(result.error) ?? result.error.message));
        const detail = result.data?.chat?.debugRun?.detail;
        if (!isRecord(detail)) return reject(new Error(NOT_FOUND_MESSAGE));
        resolve(detail);
      });
      if (settled) handle.unsubscribe();
    });
  }

  /** Loads (or reloads) a run's detail; concurrent requests for one run collapse into one more. */
  function refreshDetail(runId: string) {
    const running = inflight.get(runId);
    if (running) {
      running.again = true;
      return;
    }
    const token = { again: false };
    inflight.set(runId, token);
    const current = state.details[runId];
    if (!current?.run) setState('details', runId, { status: 'loading', error: undefined });
    void (async () => {
      do {
        token.again = false;
        try {
          const detail = await fetchDetail(runId);
          if (disposed || !state.runs[runId]) break;
          applyDetail(runId, detail);
        } catch (error) {
          if (disposed || !state.runs[runId]) break;
          // A reload failing after a success keeps what is shown.
          if (!state.details[runId]?.run) setState('details', runId, { status: 'error', error: (error as Error).message || 'Unable to load debug run details.' });
        }
      } while (token.again && !disposed);
      inflight.delete(runId);
    })();
  }

  /** After an event changed a run: reload it when expanded, otherwise note that its detail is old. */
  function runChanged(runId: string) {
    if (state.expanded[runId]) refreshDetail(runId);
    else if (state.details[runId]) setState('details', runId, 'stale', true);
  }

  function applyEvent(event: DebugEvent) {
    if (cursorIsOld(event.cursor, lastCursor)) return;
    lastCursor = event.cursor;
    batch(() => {
      if (state.connection === 'paused') setState('connection', 'live');
      if (event.chatDeleted) {
        setState({ chatDeleted: true, connection: 'ended' });
        stopSubscription();
        return;
      }
      if (event.kind === 'DEBUG_DATA_DELETED') {
        for (const id of event.deletedRunIds ?? []) removeRun(id);
        if (Object.keys(state.runs).length === 0) setState('hasRuns', false);
        return;
      }
      if (event.step && typeof event.step.stepNumber === 'number') {
        const previous = state.liveStepCounts[event.step.runId] ?? 0;
        if (event.step.stepNumber > previous) setState('liveStepCounts', event.step.runId, event.step.stepNumber);
      }
      if (event.run) {
        upsertRun(toRunSummary(event.run));
        runChanged(event.run.id);
      } else if (event.step) runChanged(event.step.runId);
    });
  }

  function stopSubscription() {
    subscription?.unsubscribe();
    subscription = undefined;
    clearTimeout(retryTimer);
    retryTimer = undefined;
  }

  function scheduleResubscribe() {
    clearTimeout(retryTimer);
    const delay = RETRY_DELAYS[Math.min(retries, RETRY_DELAYS.length - 1)];
    retries++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!disposed && state.connection !== 'signed-out' && state.connection !== 'ended') startSubscription();
    }, delay);
  }

  function startSubscription() {
    // The new operation starts before the old one ends, so the lazy socket is never left without
    // a subscription (graphql-ws would close it and reconnect).
    const previous = subscription;
    // graphql-ws re-sends this subscription after a reconnection: it then asks for what followed
    // the last applied event, so nothing written meanwhile is missed or repeated.
    const context: ResumableContext = { resumeVariables: () => (lastCursor !== undefined ? { after: lastCursor } : {}) };
    const source = client.subscription(ChatDebugEventsSubscription, { chatId, after: lastCursor ?? null }, context as never);
    subscription = source.subscribe((result) => {
      if (disposed) return;
      if (result.error) {
        const code = errorCode(result.error);
        if (connection.signedOut() || code === 'UNAUTHENTICATED') {
          setState('connection', 'signed-out');
          stopSubscription();
        } else if (result.error.networkError || code === 'CONFLICT') {
          // The socket gave up (or the server asked us to resubscribe): try again from the cursor.
          setState('connection', 'paused');
          scheduleResubscribe();
        } else {
          // NOT_FOUND: the chat is gone or no longer shared. Keep what is shown.
          setState({ connection: 'ended', endedMessage: serverMessage(result.error) ?? NOT_FOUND_MESSAGE });
          stopSubscription();
        }
        return;
      }
      const event = result.data?.chatDebugEvents;
      if (!event) return;
      retries = 0;
      applyEvent(event);
    });
    previous?.unsubscribe();
  }

  async function loadRuns() {
    const result = await client.query(ChatDebugRunsQuery, { id: chatId }, { requestPolicy: 'network-only' }).toPromise();
    if (disposed) return;
    const chat = result.data?.chat;
    batch(() => {
      if (chat) setState({ loggingActive: Boolean(chat.debugLoggingActive), hasRuns: Boolean(chat.hasDebugRuns) });
      if (chat?.debugRuns) {
        for (const run of chat.debugRuns) upsertRun(toRunSummary(run));
        setState({ phase: 'ready', error: undefined });
      } else if (result.error) {
        // Data already shown (a reload after reconnecting) stays; a first load shows the error.
        if (state.phase !== 'ready') setState({ phase: 'error', error: errorMessageOf(result.error, 'Unable to load debug panel data.') });
      } else setState({ phase: 'ready', error: undefined });
    });
  }

  const offConnection = connection.on((event) => {
    if (disposed) return;
    if (event === 'signed-out') {
      setState('connection', 'signed-out');
      stopSubscription();
    } else if (event === 'lost') {
      if (subscription && state.connection === 'live') setState('connection', 'paused');
    } else if (event === 'restored') {
      if (state.connection === 'paused') setState('connection', 'live');
      retries = 0;
      // Without a cursor nothing can be replayed: read the list again, and every loaded detail,
      // which may have changed meanwhile too.
      if (lastCursor === undefined) {
        void loadRuns();
        for (const runId of Object.keys(state.details)) runChanged(runId);
      }
    }
  });

  // Subscribe first, so a run written while the list loads arrives as an event.
  if (connection.signedOut()) setState('connection', 'signed-out');
  else startSubscription();
  void loadRuns();

  onCleanup(() => {
    disposed = true;
    offConnection();
    stopSubscription();
  });

  return {
    chatId,
    state,
    runs,
    tabVisible,
    now,
    stepCount(runId) {
      const detail = state.details[runId]?.run;
      if (detail && Array.isArray(detail.steps)) return detail.steps.length;
      const fromSummary = summaryStepCount({ id: runId, summary: state.runs[runId]?.summary });
      return fromSummary ?? state.liveStepCounts[runId];
    },
    setExpanded(runId, open) {
      setState('expanded', runId, open);
      if (!open) return;
      const detail = state.details[runId];
      if (!detail || detail.stale || detail.status === 'error') refreshDetail(runId);
    },
    retryDetail: (runId) => refreshDetail(runId),
    loadedDetail(runId) {
      const detail = state.details[runId];
      if (!detail || detail.status !== 'ready' || detail.stale || !detail.run) return undefined;
      return unwrap(detail.run);
    },
    fetchDetail,
  };
}

