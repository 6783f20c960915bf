import type { Actor } from '../auth/actor.ts';
import { CHAT_TOPIC, type ChatService } from '../chats/service.ts';
import type { ServiceDeps } from '../context.ts';
import { DomainError, NOT_FOUND_MESSAGE, invalid } from '../errors.ts';
import type { DebugRun, DebugStep } from '../generated/prisma/client.ts';
import { RUN_COLUMNS, STEP_COLUMNS, toRun, toStep, type RawRun, type RawStep } from './rows.ts';
import { DEBUG_RESYNC_TOPIC, debugTopic, decodeCursor, encodeCursor, type DebugEventKind } from './events.ts';

/** One event as subscribers receive it; built once per event and shared by every subscriber. */
export interface DebugEventView {
  seq: bigint;
  cursor: string;
  kind: DebugEventKind;
  chatId: string;
  run: DebugRun | null;
  step: DebugStep | null;
  deletedRunIds: string[];
  chatDeleted: boolean;
}

const PAGE = 200;
/** A subscriber this far behind is ended; its client resumes from its cursor. */
const MAX_QUEUE = 5000;

interface EventRow {
  chatId: string;
  seq: bigint;
  kind: string;
  runId: string | null;
  stepId: string | null;
  data: unknown;
}

/** Events after `afterSeq`, in order: one raw query (this runs once per event per process). */
async function eventsAfter(deps: ServiceDeps, chatId: string, afterSeq: bigint): Promise<EventRow[]> {
  const rows = await deps.sql.query<Omit<EventRow, 'seq'> & { seq: string }>(
    `SELECT chat_id::text AS "chatId", seq::text AS seq, kind, run_id::text AS "runId", step_id::text AS "stepId", data
     FROM chat_debug_events e WHERE e.chat_id = $1::uuid AND e.seq > $2::bigint ORDER BY e.seq ASC LIMIT ${PAGE}`,
    [chatId, afterSeq.toString()],
  );
  return rows.map((row) => ({ ...row, seq: BigInt(row.seq) }));
}

async function currentSeqOf(deps: ServiceDeps, chatId: string): Promise<bigint> {
  const [row] = await deps.sql.query<{ seq: string }>('SELECT debug_event_seq::text AS seq FROM chats WHERE id = $1::uuid', [chatId]);
  return row ? BigInt(row.seq) : 0n;
}

async function loadViews(deps: ServiceDeps, events: EventRow[]): Promise<DebugEventView[]> {
  const runIds = [...new Set(events.map((e) => e.runId).filter((id): id is string => id !== null))];
  const stepIds = [...new Set(events.map((e) => e.stepId).filter((id): id is string => id !== null))];
  const [runs, steps] = await Promise.all([
    runIds.length ? deps.sql.query<RawRun>(`SELECT ${RUN_COLUMNS} FROM chat_debug_runs WHERE id = ANY($1::uuid[])`, [runIds]).then((r) => r.map(toRun)) : [],
    stepIds.length ? deps.sql.query<RawStep>(`SELECT ${STEP_COLUMNS} FROM chat_debug_steps WHERE id = ANY($1::uuid[])`, [stepIds]).then((r) => r.map(toStep)) : [],
  ]);
  const runById = new Map(runs.map((r) => [r.id, r]));
  const stepById = new Map(steps.map((s) => [s.id, s]));
  return events.map((e) => {
    const data = (e.data ?? {}) as { run_ids?: string[] };
    return {
      seq: e.seq,
      cursor: encodeCursor(e.seq),
      kind: e.kind as DebugEventKind,
      chatId: e.chatId,
      run: e.runId ? (runById.get(e.runId) ?? null) : null,
      step: e.stepId ? (stepById.get(e.stepId) ?? null) : null,
      deletedRunIds: Array.isArray(data.run_ids) ? data.run_ids : [],
      chatDeleted: false,
    };
  });
}

class Subscriber {
  lastSeq: bigint;
  private queue: DebugEventView[] = [];
  private wake?: () => void;
  private ended = false;
  private failure?: Error;
  /** False once the replay is delivered; tests wait on it (there is no protocol message for it). */
  replaying = true;

  constructor(
    readonly actor: Actor,
    startSeq: bigint,
  ) {
    this.lastSeq = startSeq;
  }

  push(view: DebugEventView) {
    if (this.ended) return;
    this.queue.push(view);
    if (this.queue.length > MAX_QUEUE) this.end(new DomainError('Conflict', 'Too many undelivered debug events; resubscribe from your last cursor.'));
    this.wake?.();
  }

  end(error?: Error) {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    // Ended by a failure (access lost, too far behind): undelivered events are dropped, not sent.
    if (error) this.queue = [];
    this.wake?.();
  }

  /** Ended by a failure; the stream stops before its next event, replayed or live. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Next event not yet delivered, in sequence order; undefined when the stream is over. */
  async next(): Promise<DebugEventView | undefined> {
    for (;;) {
      while (this.queue.length > 0) {
        const view = this.queue.shift()!;
        if (view.chatDeleted || view.seq > this.lastSeq) {
          if (!view.chatDeleted) this.lastSeq = view.seq;
          return view;
        }
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return undefined;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/** Per chat and process: pulls new events once and hands them to every subscriber. */
class ChatFeed {
  readonly subscribers = new Set<Subscriber>();
  private lastSeq: bigint;
  private pulling = false;
  private again = false;
  private readonly offs: (() => void)[];
  /** The running access re-check after a sharing change; deliveries wait for it. */
  private accessCheck: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly chats: ChatService,
    readonly chatId: string,
    startSeq: bigint,
    private readonly onEmpty: () => void,
  ) {
    this.lastSeq = startSeq;
    this.offs = [
      deps.events.on(debugTopic(chatId), () => void this.pull()),
      // Notifications were lost while the event bus was away: a share removed or the chat deleted
      // meanwhile is found by checking again, before anything read from the database is delivered.
      deps.events.on(DEBUG_RESYNC_TOPIC, () => {
        this.accessCheck = this.accessCheck.then(() => this.recheckAccess());
        void this.pull();
      }),
      deps.events.on(CHAT_TOPIC(chatId), (payload) => {
        if (payload.kind === 'DELETED') this.chatDeleted();
        else if (payload.kind === 'ACL_CHANGED') this.accessCheck = this.accessCheck.then(() => this.recheckAccess());
      }),
    ];
  }

  async pull(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    try {
      do {
        this.again = false;
        const events = await eventsAfter(this.deps, this.chatId, this.lastSeq);
        // `continue` re-tests `again`: a wake-up that arrived during this (empty) read must pull again.
        if (events.length === 0) continue;
        const views = await loadViews(this.deps, events);
        this.lastSeq = events[events.length - 1].seq;
        // While sharing is re-checked, hold delivery: a reader whose share was removed must not
        // receive what was written after the removal.
        for (let check = this.accessCheck; ; check = this.accessCheck) {
          await check;
          if (check === this.accessCheck) break;
        }
        for (const sub of this.subscribers) for (const view of views) sub.push(view);
        if (events.length === PAGE) this.again = true;
      } while (this.again);
    } catch (error) {
      console.error('debug feed pull failed:', (error as Error).message);
    } finally {
      this.pulling = false;
    }
  }

  private chatDeleted() {
    const view: DebugEventView = {
      seq: this.lastSeq + 1n,
      cursor: encodeCursor(this.lastSeq + 1n),
      kind: 'DEBUG_DATA_DELETED',
      chatId: this.chatId,
      run: null,
      step: null,
      deletedRunIds: [],
      chatDeleted: true,
    };
    for (const sub of this.subscribers) {
      sub.push(view);
      sub.end();
    }
  }

  /**
   * Access is re-checked when sharing changes (or changes may have been missed): a reader whose
   * share was removed loses the stream; a chat that is gone ends every stream as its deletion does.
   */
  private async recheckAccess() {
    const exists = await this.deps.sql.query('SELECT 1 FROM chats WHERE id = $1::uuid', [this.chatId]).catch(() => [1]);
    if (exists.length === 0) return this.chatDeleted();
    await Promise.all(
      [...this.subscribers].map(async (sub) => {
        // A failed lookup (the database away) keeps the stream: only a known "no access" ends it.
        const chat = await this.chats.findReadable(sub.actor, this.chatId).catch(() => 'unknown' as const);
        if (chat === null) sub.end(new DomainError('NotFound', NOT_FOUND_MESSAGE));
      }),
    );
  }

  /** Set once the last subscriber left: the feed no longer listens and must not be joined. */
  closed = false;

  remove(sub: Subscriber) {
    if (!this.subscribers.delete(sub)) return;
    if (this.subscribers.size === 0) {
      this.closed = true;
      for (const off of this.offs) off();
      this.onEmpty();
    }
  }
}

export class DebugFeedHub {
  private readonly feeds = new Map<string, Promise<ChatFeed>>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly chats: ChatService,
  ) {}

  private async currentSeq(chatId: string): Promise<bigint> {
    return currentSeqOf(this.deps, chatId);
  }

  private feedFor(chatId: string): Promise<ChatFeed> {
    let feed = this.feeds.get(chatId);
    if (!feed) {
      feed = this.currentSeq(chatId).then((seq) => new ChatFeed(this.deps, this.chats, chatId, seq, () => this.feeds.delete(chatId)));
      this.feeds.set(chatId, feed);
    }
    return feed;
  }

  /**
   * Authorises first (an unknown or unreadable chat throws before any stream exists), then returns
   * the events after `after` from the database followed by live ones: no gap, no duplicate.
   */
  async subscribe(actor: Actor, chatId: string, after: string | undefined): Promise<AsyncIterableIterator<DebugEventView>> {
    const chat = await this.chats.getReadable(actor, chatId);
    let afterSeq: bigint | undefined;
    if (after !== undefined && after !== '') {
      afterSeq = decodeCursor(after);
      if (afterSeq === undefined) throw invalid('Invalid cursor.', 'Pass a cursor received from chatDebugEvents.');
      // Every cursor handed out is at most the chat's sequence as committed: one beyond it was never
      // issued for this chat, and waiting for the sequence to reach it would drop events silently.
      if (afterSeq > chat.debugEventSeq) throw invalid('Invalid cursor.', 'This chat has no event with that cursor yet: pass a cursor received from chatDebugEvents for this chat.');
    }
    let feed = await this.feedFor(chat.id);
    // A feed whose last subscriber left while we waited has stopped listening: take a fresh one.
    while (feed.closed) feed = await this.feedFor(chat.id);
    // Join before reading, so nothing committed from now on can be missed.
    const sub = new Subscriber(actor, afterSeq ?? 0n);
    feed.subscribers.add(sub);
    const deps = this.deps;
    const replay = async function* (): AsyncGenerator<DebugEventView> {
      if (afterSeq === undefined) {
        sub.lastSeq = await currentSeqOf(deps, chat.id);
        return;
      }
      for (;;) {
        const events = await eventsAfter(deps, chat.id, sub.lastSeq);
        for (const view of await loadViews(deps, events)) {
          if (sub.failed) return;
          sub.lastSeq = view.seq;
          yield view;
        }
        if (events.length < PAGE) return;
      }
    };
    const stream = async function* (): AsyncGenerator<DebugEventView> {
      try {
        yield* replay();
        sub.replaying = false;
        for (;;) {
          const view = await sub.next();
          if (!view) return;
          yield view;
        }
      } finally {
        feed.remove(sub);
      }
    };
    // Ensure events committed while the feed was idle reach it.
    void feed.pull();
    const generator = stream();
    const leave = () => {
      // Wakes a generator parked in sub.next(): an async generator handles return() only once it
      // reaches a yield, so without this a closed socket kept its subscriber until the chat's next
      // event. remove() also covers a stream that is returned before it was ever started.
      sub.end();
      feed.remove(sub);
    };
    const iterator: AsyncIterableIterator<DebugEventView> = {
      next: () => generator.next(),
      return: (value?: unknown) => {
        leave();
        return generator.return(value as undefined);
      },
      throw: (error?: unknown) => {
        leave();
        return generator.throw(error);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  get activeFeeds(): number {
    return this.feeds.size;
  }
}
