import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * A thin driver-level SQL executor for the hot paths (debug ingestion, auth), where Prisma's
 * per-statement overhead dominates (~3 ms per statement on PGlite against ~0.3 ms raw).
 * Parameters are positional ($1…); pass JSON as a string cast with ::jsonb and bigints as text.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction; nested calls reuse the outer one. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

export function pgliteSql(db: PGlite): Sql {
  const inTx = (tx: Transaction): Sql => ({
    query: async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows,
    transaction: (work) => work(inTx(tx)),
  });
  return {
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    transaction: (work) => db.transaction((tx) => work(inTx(tx))),
  };
}

export function postgresSql(pool: pg.Pool): Sql {
  const onClient = (client: pg.PoolClient): Sql => ({
    query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
    transaction: (work) => work(onClient(client)),
  });
  return {
    query: async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[],
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
