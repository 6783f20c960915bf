import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { acquireLock } from './lock.ts';
import { applyAllMigrations } from './schema-engine.ts';
import { pgliteSql, postgresSql, type Sql } from './sql.ts';

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  /** Raw SQL on the same database, for hot paths. */
  sql: Sql;
  kind: 'pglite' | 'postgres';
  /** Set for PostgreSQL: a pool for LISTEN/NOTIFY and raw work outside Prisma. */
  connectionString?: string;
  /** Set for PGlite: the embedded instance (LISTEN/NOTIFY in-process, dumps in tests). */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  /** Data directory for the embedded database; "memory://" keeps it in memory. */
  dataDir?: string;
  /** An already-open PGlite (tests load a migrated template). */
  pglite?: PGlite;
  migrate?: boolean;
}

const LARGE_STEP_COLUMNS = ['normalized_request', 'normalized_response', 'attempts'];

/**
 * lz4 compresses the large step JSON about twice as fast as PostgreSQL's default pglz (about 55 µs
 * less database CPU per 12 KB request here). It is set at start rather than in a migration: PGlite
 * is built without lz4, and Prisma's PostgreSQL adapter cannot run a guarded (DO) block. Existing
 * values stay as they are; a server built without lz4 keeps pglz.
 */
async function compressStepJsonWithLz4(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = 'chat_debug_steps'::regclass AND attname = ANY($1) AND attcompression <> 'l'`,
    [LARGE_STEP_COLUMNS],
  );
  if (rows.length === 0) return;
  try {
    await pool.query(`ALTER TABLE chat_debug_steps ${rows.map((r) => `ALTER COLUMN ${r.attname} SET COMPRESSION lz4`).join(', ')}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '0A000') throw error;
  }
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    if (options.migrate !== false) await applyAllMigrations(new PrismaPg({ connectionString: options.databaseUrl }));
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl, max: 10 }) });
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    pool.on('error', (error) => console.error('database pool error:', error.message));
    if (options.migrate !== false) await compressStepJsonWithLz4(pool);
    const sql = postgresSql(pool, { connectionString: options.databaseUrl });
    return {
      prisma,
      sql,
      kind: 'postgres',
      connectionString: options.databaseUrl,
      async close() {
        await prisma.$disconnect();
        await sql.close();
        await pool.end();
      },
    };
  }

  let release = async () => {};
  let pglite = options.pglite;
  if (!pglite) {
    const dataDir = options.dataDir ?? '.data';
    if (dataDir === 'memory://') {
      pglite = new PGlite('memory://');
    } else {
      await mkdir(dataDir, { recursive: true });
      // The lock sits beside the PGlite directory, which holds only PGlite's own files.
      release = await acquireLock(path.join(dataDir, 'server.lock'));
      try {
        pglite = new PGlite(path.join(dataDir, 'pglite'));
        await pglite.waitReady;
      } catch (error) {
        await release();
        throw error;
      }
    }
  }
  const instance = pglite;
  try {
    if (options.migrate !== false) await applyAllMigrations(new PrismaPGlite(instance));
  } catch (error) {
    await instance.close().catch(() => {});
    await release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(instance) });
  return {
    prisma,
    sql: pgliteSql(instance),
    kind: 'pglite',
    pglite: instance,
    async close() {
      await prisma.$disconnect();
      if (!options.pglite) await instance.close();
      await release();
    },
  };
}

/** Creates an empty PostgreSQL database (tests, benchmarks) and returns its URL. */
export async function createPostgresDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
