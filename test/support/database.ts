import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { createPostgresDatabase, dropPostgresDatabase, openDatabase, type Database } from '../../server/db/database.ts';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends Database {
  backend: Backend;
  /** Closes the database and removes it (PostgreSQL: DROP DATABASE … WITH (FORCE)). */
  destroy(): Promise<void>;
}

/** A fresh, migrated database per test file: never shared between files. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const template = await readFile(inject('pgliteTemplate'));
    const pglite = new PGlite({ loadDataDir: new Blob([template]) });
    await pglite.waitReady;
    const db = await openDatabase({ pglite, migrate: false });
    return {
      ...db,
      backend,
      async destroy() {
        await db.close();
        await pglite.close();
      },
    };
  }
  const name = `exp_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  let url: string;
  try {
    url = await createPostgresDatabase(POSTGRES_ADMIN_URL, name);
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for these tests and is not reachable at ${POSTGRES_ADMIN_URL} (${(error as Error).message}). ` +
        'Start it (pg_ctlcluster 15 main start) or set TEST_POSTGRES_URL.',
    );
  }
  const db = await openDatabase({ databaseUrl: url });
  return {
    ...db,
    backend,
    async destroy() {
      await db.close();
      await dropPostgresDatabase(POSTGRES_ADMIN_URL, name);
    },
  };
}
