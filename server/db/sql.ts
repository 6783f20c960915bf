import { protocol, type PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { GroupCommit, commitPgGroup, type GroupOutcome } from './group-commit.ts';
import { DESCRIBE_PORTAL, EXECUTE_AND_SYNC, bindMessage, execRaw, readAnswers, rowObjects, type Field, type StatementAnswer } from './pglite-wire.ts';

/**
 * A thin driver-level SQL executor for the hot paths (debug ingestion, auth), where Prisma's
 * per-statement overhead dominates (~3 ms per statement on PGlite against ~0.3 ms raw).
 * Parameters are positional ($1…); pass JSON as a string cast with ::json or ::jsonb (as the column is) and bigints as text.
 *
 * Statements with scalar parameters run as named prepared statements, parsed and planned once per
 * connection: on PGlite that halves the cost of a statement (parsing and planning run in the same
 * thread as everything else).
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * A single write statement that may commit together with concurrent ones (group commit); it
   * resolves once committed. Inside a transaction it is `query`.
   */
  write<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction; nested calls reuse the outer one. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/** Distinct statement texts kept prepared; beyond this, statements run unnamed. */
const MAX_PREPARED = 500;

type Scalar = string | number | bigint | boolean | Date | null | undefined;
const isScalar = (value: unknown): value is Scalar =>
  value === null || value === undefined || value instanceof Date || ['string', 'number', 'bigint', 'boolean'].includes(typeof value);

/** Text-format wire value of a scalar parameter (the casts in the statement give it its type). */
function wireValue(value: Scalar): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

interface PreparedQuery {
  text: string;
  params: Scalar[];
}

/**
 * Per PGlite instance: statement names (two executors on one instance must not parse a name twice)
 * and the result columns of each statement once described, so later executions skip Describe.
 */
const pgliteStatements = new WeakMap<PGlite, { names: Map<string, string>; fields: Map<string, Field[]>; next: number }>();

const BEGIN = protocol.serialize.query('BEGIN');
const COMMIT = protocol.serialize.query('COMMIT');
const ROLLBACK = protocol.serialize.query('ROLLBACK');

export function pgliteSql(db: PGlite): Sql {
  let state = pgliteStatements.get(db);
  if (!state) pgliteStatements.set(db, (state = { names: new Map(), fields: new Map(), next: 0 }));
  const statements = state;

  /**
   * Parse (on first use), bind, describe (until the statement's columns are known), execute and
   * sync of one statement. Names given here are recorded in `named`, and kept only once the engine
   * has run them without error.
   */
  function statementMessages(text: string, params: Scalar[], named: Map<string, string>): Uint8Array[] {
    let name = statements.names.get(text) ?? named.get(text);
    const messages: Uint8Array[] = [];
    if (name === undefined) {
      name = `exp_${statements.next++}`;
      named.set(text, name);
      messages.push(protocol.serialize.parse({ name, text }));
    }
    messages.push(bindMessage(name, params.map(wireValue)));
    if (!statements.fields.has(name)) messages.push(DESCRIBE_PORTAL);
    messages.push(EXECUTE_AND_SYNC);
    return messages;
  }
  const keepNames = (named: Map<string, string>) => named.forEach((name, text) => statements.names.set(text, name));

  /** A successful statement's rows; the first answer that describes a statement teaches its columns. */
  function rowsOf<T>(text: string, answer: StatementAnswer): T[] {
    const name = statements.names.get(text)!;
    if (answer.fields) statements.fields.set(name, answer.fields);
    return rowObjects<T>(db, statements.fields.get(name) ?? [], answer.rows);
  }

  /** One statement in one round trip into the engine; the caller holds PGlite's query lock. */
  async function runPrepared<T>(text: string, params: Scalar[]): Promise<T[]> {
    const named = new Map<string, string>();
    try {
      const [answer] = readAnswers(await execRaw(db, Buffer.concat(statementMessages(text, params, named))));
      if (!answer) throw new Error('The embedded database gave no answer.');
      if (answer.error) throw answer.error;
      keepNames(named);
      return rowsOf<T>(text, answer);
    } catch (error) {
      // A failed first use may or may not have left the statement behind; that name is never reused.
      throw Object.assign(error as Error, { query: text, params });
    }
  }

  /** A group in one round trip into the engine: BEGIN, each statement up to its own sync, COMMIT. */
  async function commitGroup(queries: PreparedQuery[]): Promise<GroupOutcome<unknown[]>> {
    const named = new Map<string, string>();
    const request = Buffer.concat([BEGIN, ...queries.flatMap((q) => statementMessages(q.text, q.params, named)), COMMIT]);
    // One answer per ReadyForQuery: BEGIN, each statement, COMMIT.
    const answers = readAnswers(await execRaw(db, request));
    const committed = answers.length === queries.length + 2 && answers[queries.length + 1].command === 'COMMIT' && answers.every((a) => !a.error);
    if (!committed) {
      // COMMIT of a failed transaction answers ROLLBACK; make sure nothing is left open either way.
      if (answers.at(-1)?.status !== 'I') await db.execProtocol(ROLLBACK, { syncToFs: false, throwOnError: false });
      return { committed: false };
    }
    keepNames(named);
    return { committed: true, results: queries.map((q, i) => rowsOf(q.text, answers[i + 1])) };
  }

  const preparable = (text: string, params: unknown[]): params is Scalar[] =>
    params.every(isScalar) && (statements.names.has(text) || statements.names.size < MAX_PREPARED);

  const inTx = (tx: Transaction): Sql => {
    const query = async <T>(text: string, params: unknown[] = []) =>
      preparable(text, params) ? db._runExclusiveQuery(() => runPrepared<T>(text, params)) : (await tx.query<T>(text, params)).rows;
    return { query, write: query, transaction: (work) => work(inTx(tx)) };
  };
  /** Outside a transaction: waits for any open transaction to end, as PGlite's own query() does. */
  async function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = await db._runExclusiveTransaction(() => db._runExclusiveQuery(work));
    await db.syncToFs();
    return result;
  }
  async function query<T>(text: string, params: unknown[] = []) {
    if (!preparable(text, params)) return (await db.query<T>(text, params)).rows;
    return exclusive(() => runPrepared<T>(text, params));
  }
  const groupCommit = new GroupCommit<PreparedQuery, unknown[]>(
    (queries) => exclusive(() => commitGroup(queries)),
    ({ text, params }) => query(text, params),
  );
  return {
    query,
    write: async <T>(text: string, params: unknown[] = []) =>
      preparable(text, params) ? ((await groupCommit.write({ text, params })) as T[]) : query<T>(text, params),
    transaction: (work) => db.transaction((tx) => work(inTx(tx))),
  };
}

/**
 * A connection in pg's pipeline mode: statements are sent as they come, without waiting for the
 * answer to the one before, and each is still its own implicit transaction with its own result or
 * error. Many concurrent single statements then share one server backend and a few round trips,
 * instead of waking one backend each (on a 2-core machine that halved PostgreSQL's CPU per write).
 * A broken connection fails what it had in flight and is replaced on the next statement.
 */
class PipelinedConnection {
  private ready?: Promise<pg.Client>;
  private closed = false;
  /** Statements sent and not yet answered: the executor picks the least busy connection. */
  pending = 0;

  constructor(private readonly config: pg.ClientConfig) {}

  async query(query: pg.QueryConfig): Promise<pg.QueryResult> {
    this.pending++;
    try {
      return await (await this.client()).query(query);
    } finally {
      this.pending--;
    }
  }

  client(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('The database connection is closed.'));
    if (this.ready) return this.ready;
    const client = new pg.Client({ ...this.config, pipeline: true } as pg.ClientConfig);
    const drop = () => {
      if (this.ready === ready) this.ready = undefined;
    };
    client.on('error', (error) => {
      console.error('database connection lost:', error.message);
      drop();
      client.end().catch(() => {});
    });
    client.on('end', drop);
    const ready: Promise<pg.Client> = client.connect().then(
      () => client,
      (error: unknown) => {
        drop();
        throw error;
      },
    );
    this.ready = ready;
    return ready;
  }

  async end(): Promise<void> {
    this.closed = true;
    const ready = this.ready;
    this.ready = undefined;
    const client = await ready?.catch(() => undefined);
    await client?.end().catch(() => {});
  }
}

export interface PostgresSql extends Sql {
  close(): Promise<void>;
}

/**
 * Statements outside a transaction run on `pipelines` pipelined connections; transactions take a
 * connection of their own from the pool, since a pipelined connection interleaves statements.
 * A transaction must therefore never wait for a statement of the outer executor (it would queue
 * behind statements that may wait for the transaction's locks): inside, use the `sql` it is given.
 */
export function postgresSql(pool: pg.Pool, connection: pg.ClientConfig, pipelines = 2): PostgresSql {
  const names = new Map<string, string>();
  /** pg prepares a named statement once per connection and reuses it after. */
  const config = (text: string, params: unknown[]): pg.QueryConfig => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED && params.length > 0) names.set(text, (name = `exp_${names.size}`));
    return name === undefined ? { text, values: params } : { name, text, values: params };
  };
  const connections = Array.from({ length: Math.max(1, pipelines) }, () => new PipelinedConnection(connection));
  const leastBusy = () => connections.reduce((best, next) => (next.pending < best.pending ? next : best));
  const groups = new PipelinedConnection(connection);
  const groupCommit = new GroupCommit<pg.QueryConfig, pg.QueryResult>(
    async (queries) => commitPgGroup(await groups.client(), queries),
    (query) => leastBusy().query(query),
    2,
  );
  const onClient = (client: pg.PoolClient): Sql => {
    const query = async <T>(text: string, params: unknown[] = []) => (await client.query(config(text, params))).rows as T[];
    return { query, write: query, transaction: (work) => work(onClient(client)) };
  };
  return {
    query: async <T>(text: string, params: unknown[] = []) => (await leastBusy().query(config(text, params))).rows as T[],
    write: async <T>(text: string, params: unknown[] = []) => (await groupCommit.write(config(text, params))).rows as T[],
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(onClient(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await Promise.all([...connections, groups].map((c) => c.end()));
    },
  };
}
