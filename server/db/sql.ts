import { parse as pgliteParse, protocol, type PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * A thin driver-level SQL executor for the hot paths (debug ingestion, auth), where Prisma's
 * per-statement overhead dominates (~3 ms per statement on PGlite against ~0.3 ms raw).
 * Parameters are positional ($1…); pass JSON as a string cast with ::jsonb and bigints as text.
 *
 * Statements with scalar parameters run as named prepared statements, parsed and planned once per
 * connection: on PGlite that halves the cost of a statement (parsing and planning run in the same
 * thread as everything else).
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
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

/** Statement names per PGlite instance: two executors on one instance must not parse a name twice. */
const pgliteNames = new WeakMap<PGlite, { names: Map<string, string>; next: number }>();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function pgliteSql(db: PGlite): Sql {
  let state = pgliteNames.get(db);
  if (!state) pgliteNames.set(db, (state = { names: new Map(), next: 0 }));
  const statements = state;

  /** Bind, describe, execute and sync in one round trip into the engine; the caller holds PGlite's query lock. */
  async function runPrepared<T>(text: string, params: Scalar[]): Promise<T[]> {
    let name = statements.names.get(text);
    const messages: Uint8Array[] = [];
    const fresh = name === undefined;
    if (fresh) {
      name = `exp_${statements.next++}`;
      messages.push(protocol.serialize.parse({ name, text }));
    }
    messages.push(
      protocol.serialize.bind({ statement: name, values: params.map(wireValue) }),
      protocol.serialize.describe({ type: 'P' }),
      protocol.serialize.execute({}),
      protocol.serialize.sync(),
    );
    try {
      const result = await db.execProtocol(concat(messages), { syncToFs: false });
      if (fresh) statements.names.set(text, name!);
      return pgliteParse.parseResults(result.messages, db.parsers)[0].rows as T[];
    } catch (error) {
      // A failed first use may or may not have left the statement behind; that name is never reused.
      throw Object.assign(error as Error, { query: text, params });
    }
  }

  const preparable = (text: string, params: unknown[]): params is Scalar[] =>
    params.every(isScalar) && (statements.names.has(text) || statements.names.size < MAX_PREPARED);

  const inTx = (tx: Transaction): Sql => ({
    query: async <T>(text: string, params: unknown[] = []) =>
      preparable(text, params) ? db._runExclusiveQuery(() => runPrepared<T>(text, params)) : (await tx.query<T>(text, params)).rows,
    transaction: (work) => work(inTx(tx)),
  });
  return {
    async query<T>(text: string, params: unknown[] = []) {
      if (!preparable(text, params)) return (await db.query<T>(text, params)).rows;
      // Outside a transaction: wait for any open transaction to end, as PGlite's own query() does.
      const rows = await db._runExclusiveTransaction(() => db._runExclusiveQuery(() => runPrepared<T>(text, params)));
      await db.syncToFs();
      return rows;
    },
    transaction: (work) => db.transaction((tx) => work(inTx(tx))),
  };
}

export function postgresSql(pool: pg.Pool): Sql {
  const names = new Map<string, string>();
  /** pg prepares a named statement once per connection and reuses it after. */
  const config = (text: string, params: unknown[]): pg.QueryConfig => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED && params.length > 0) names.set(text, (name = `exp_${names.size}`));
    return name === undefined ? { text, values: params } : { name, text, values: params };
  };
  const onClient = (client: pg.PoolClient): Sql => ({
    query: async <T>(text: string, params: unknown[] = []) => (await client.query(config(text, params))).rows as T[],
    transaction: (work) => work(onClient(client)),
  });
  return {
    query: async <T>(text: string, params: unknown[] = []) => (await pool.query(config(text, params))).rows as T[],
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
  };
}
