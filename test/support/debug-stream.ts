// Helpers for Subscription.chatDebugEvents tests: a real graphql-ws client over a real socket, and
// debug writes through REST. Every wait is bounded (10 s by default); nothing asserts on speed.
import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { Db } from '../../server/db/database.ts';
import type { Api } from './server.ts';

export const WAIT_MS = 10_000;

export const DEBUG_EVENTS = `subscription Debug($chatId: ID!, $after: String) {
  chatDebugEvents(chatId: $chatId, after: $after) {
    cursor kind chatId chatDeleted deletedRunIds
    run { id chatId status finishedAt summary }
    step { id runId stepNumber status finishedAt }
  }
}`;

export interface DebugEvent {
  cursor: string;
  kind: string;
  chatId: string;
  chatDeleted: boolean;
  deletedRunIds: string[];
  run: { id: string; chatId: string; status: string; finishedAt: string | null; summary: Record<string, unknown> } | null;
  step: { id: string; runId: string; stepNumber: number; status: string; finishedAt: string | null } | null;
}

export const wsUrl = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws')}/graphql`;

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One graphql-ws client (one socket) with one chatDebugEvents subscription; records everything it sees. */
export class DebugStream {
  readonly client: Client;
  readonly events: DebugEvent[] = [];
  /** GraphQL errors (from `next` results or the `error` sink) and close events given to `error`. */
  readonly errors: unknown[] = [];
  readonly closeCodes: number[] = [];
  completed = false;
  private read = 0;
  private unsubscribe?: () => void;

  constructor(baseUrl: string, token: string) {
    this.client = createClient({
      url: wsUrl(baseUrl),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: { sessionToken: token },
      on: { closed: (event) => this.closeCodes.push((event as { code: number }).code) },
    });
  }

  subscribe(chatId: string, after?: string): this {
    this.unsubscribe = this.client.subscribe<{ chatDebugEvents: DebugEvent }>(
      { query: DEBUG_EVENTS, variables: after === undefined ? { chatId } : { chatId, after } },
      {
        next: (result) => {
          if (result.errors?.length) this.errors.push(...result.errors);
          if (result.data?.chatDebugEvents) this.events.push(result.data.chatDebugEvents);
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(...error);
          else this.errors.push(error);
        },
        complete: () => {
          this.completed = true;
        },
      },
    );
    return this;
  }

  /** The next `n` events not yet taken, or a failure after the timeout. */
  async take(n: number, timeoutMs = WAIT_MS): Promise<DebugEvent[]> {
    const want = this.read + n;
    await waitUntil(() => this.events.length >= want || this.ended, `${n} debug event(s) (have ${this.events.length - this.read})`, timeoutMs);
    if (this.events.length < want) {
      throw new Error(`stream ended after ${this.events.length - this.read} of ${n} events: ${JSON.stringify(this.errors)}`);
    }
    const taken = this.events.slice(this.read, want);
    this.read = want;
    return taken;
  }

  /** Whether the operation is over: completed, errored, or the socket closed. */
  get ended(): boolean {
    return this.completed || this.errors.length > 0 || this.closeCodes.length > 0;
  }

  async waitEnded(timeoutMs = WAIT_MS): Promise<void> {
    await waitUntil(() => this.ended, 'the stream to end', timeoutMs);
  }

  /** The cursor of the last event received, to resume from. */
  get lastCursor(): string | undefined {
    return this.events.at(-1)?.cursor;
  }

  async dispose(): Promise<void> {
    this.unsubscribe?.();
    await this.client.dispose();
  }
}

/** Debug writes through REST with the chat owner's token. */
export class DebugWriter {
  constructor(
    private readonly api: Api,
    private readonly token: string,
    readonly chatId: string,
  ) {}

  private get runs() {
    return `/api/experimental/chats/${this.chatId}/debug/runs`;
  }

  async startRun(): Promise<string> {
    const res = await this.api.post(this.runs, { token: this.token, body: { kind: 'chat_turn' } });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  }

  async addStep(runId: string): Promise<string> {
    const res = await this.api.post(`${this.runs}/${runId}/steps`, { token: this.token, body: { operation: 'stream', normalized_request: {} } });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  }

  async completeStep(runId: string, stepId: string): Promise<void> {
    const res = await this.api.patch(`${this.runs}/${runId}/steps/${stepId}`, { token: this.token, body: { status: 'completed' } });
    expect(res.status, res.text).toBe(200);
  }

  async finishRun(runId: string): Promise<void> {
    const res = await this.api.patch(`${this.runs}/${runId}`, { token: this.token, body: { status: 'completed' } });
    expect(res.status, res.text).toBe(200);
  }
}

/** The chat's persisted events, in cursor order: what a complete subscriber must have seen. */
export async function storedEvents(db: Db, chatId: string): Promise<{ cursor: string; kind: string }[]> {
  const rows = await db.debugEvent.findMany({ where: { chatId }, orderBy: { seq: 'asc' } });
  return rows.map((r) => ({ cursor: r.seq.toString(), kind: r.kind }));
}

/** Cursors are opaque but strictly increasing; inside they are decimal sequence numbers. */
export function expectStrictlyIncreasing(events: DebugEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    expect(BigInt(events[i].cursor) > BigInt(events[i - 1].cursor), `cursor ${events[i].cursor} after ${events[i - 1].cursor}`).toBe(true);
  }
}

/**
 * Waits until the server holds `count` subscribers of the chat that have finished their replay,
 * i.e. every event committed from now on reaches them live. Peeks at DebugFeedHub's internals:
 * the protocol has no "subscription started" message, and without this a write could race the
 * subscribe and make a test flaky.
 */
export async function waitForLiveSubscribers(hub: unknown, chatId: string, count: number, timeoutMs = WAIT_MS): Promise<void> {
  await waitUntil(
    async () => {
      const pending = (hub as { feeds: Map<string, Promise<{ subscribers: Set<{ replaying: boolean }> }>> }).feeds.get(chatId);
      if (!pending) return false;
      const subscribers = [...(await pending).subscribers];
      return subscribers.length >= count && subscribers.every((s) => !s.replaying);
    },
    `${count} live subscriber(s) of chat ${chatId}`,
    timeoutMs,
  );
}

/** How many server-side subscribers the chat's feed holds now (0 when it has no feed). */
export async function subscriberCount(hub: unknown, chatId: string): Promise<number> {
  const pending = (hub as { feeds: Map<string, Promise<{ subscribers: Set<unknown> }>> }).feeds.get(chatId);
  return pending ? (await pending).subscribers.size : 0;
}
