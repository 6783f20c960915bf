import pg from 'pg';

/** The most statements one group commits together. */
const MAX_GROUP = 100;

type Settled = { ok: true; result: pg.QueryResult } | { ok: false; error: unknown };
const settle = (promise: Promise<pg.QueryResult>): Promise<Settled> =>
  promise.then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );

/** The pg socket of a client, to send a whole group in one write (pg's own Query does the same). */
function socketOf(client: pg.Client): { cork(): void; uncork(): void } {
  // `connection` is not in pg's types; it has been a stable field of Client since pg 7.
  return (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
}

/**
 * What a database made of a group: committed with a result per statement; certainly rolled back
 * (the database rejected a statement; each then runs again on its own for its own result or
 * error); or unknown (the connection broke: every statement fails with `cause`, as one would alone).
 */
export type GroupOutcome<R> = { committed: true; results: R[] } | { committed: false; cause?: unknown };

/**
 * Group commit for single write statements. The writes that arrive in one turn of the event loop
 * (and while earlier groups run) are sent together as BEGIN, the statements, COMMIT: one message,
 * one wake of the backend and one WAL flush for all of them, instead of one each. A statement's
 * promise settles only after its group committed, so an acknowledged write is durable.
 */
export class GroupCommit<Q, R> {
  private queue: { query: Q; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly commitGroup: (queries: Q[]) => Promise<GroupOutcome<R>>,
    private readonly alone: (query: Q) => Promise<R>,
    /** Groups sent and not yet answered; another is gathered meanwhile. */
    private readonly maxInFlight = 1,
  ) {}

  write(query: Q): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ query, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const group = this.queue.splice(0, MAX_GROUP);
      this.inFlight++;
      this.run(group).finally(() => {
        this.inFlight--;
        this.schedule();
      });
      this.schedule();
    });
  }

  private async run(group: typeof this.queue): Promise<void> {
    const runAlone = (pending: (typeof group)[number]) => this.alone(pending.query).then(pending.resolve, pending.reject);
    if (group.length === 1) return runAlone(group[0]);
    let outcome: GroupOutcome<R>;
    try {
      outcome = await this.commitGroup(group.map((pending) => pending.query));
    } catch (cause) {
      outcome = { committed: false, cause };
    }
    if (outcome.committed) {
      const { results } = outcome;
      group.forEach((pending, i) => pending.resolve(results[i]));
    } else if ('cause' in outcome) {
      for (const pending of group) pending.reject(outcome.cause);
    } else {
      await Promise.all(group.map(runAlone));
    }
  }
}

/**
 * A group on a pipelined pg connection. One connection carries every group and its backend runs
 * them one after another, so two groups never wait on each other's row locks.
 */
export async function commitPgGroup(client: pg.Client, queries: pg.QueryConfig[]): Promise<GroupOutcome<pg.QueryResult>> {
  const socket = socketOf(client);
  socket.cork();
  const begin = settle(client.query('BEGIN'));
  const statements = queries.map((query) => settle(client.query(query)));
  const commit = settle(client.query('COMMIT'));
  socket.uncork();
  const [began, done, committed] = await Promise.all([begin, Promise.all(statements), commit]);
  // COMMIT of a transaction that failed answers ROLLBACK, without an error.
  if (began.ok && committed.ok && committed.result.command === 'COMMIT' && done.every((s) => s.ok)) {
    return { committed: true, results: done.map((settled) => (settled as { result: pg.QueryResult }).result) };
  }
  const failures = [began, ...done, committed].filter((s): s is { ok: false; error: unknown } => !s.ok);
  // When the database answered every message, the group certainly rolled back.
  const broken = failures.find((failure) => !(failure.error instanceof pg.DatabaseError));
  return broken ? { committed: false, cause: broken.error } : { committed: false };
}
