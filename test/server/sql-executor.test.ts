// The driver-level SQL executor (server/db/sql.ts): prepared statements on both backends, their
// failure paths, and transactions around them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import pg from 'pg';
import { BACKENDS, POSTGRES_ADMIN_URL, createTestDatabase, type TestDatabase } from '../support/database.ts';

describe.each(BACKENDS)('SQL executor on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    await db.sql.query('CREATE TABLE exec_probe (id int PRIMARY KEY, note text)');
  });
  afterAll(async () => db?.destroy());

  it('runs a statement many times with different parameters and types', async () => {
    for (let i = 0; i < 5; i++) {
      const [row] = await db.sql.query<{ n: number; t: string; b: boolean; j: unknown; z: string | null }>(
        'SELECT $1::int AS n, $2::text AS t, $3::boolean AS b, $4::jsonb AS j, $5::text AS z',
        [i, `x${i}`, i % 2 === 0, JSON.stringify({ i }), null],
      );
      expect(row).toEqual({ n: i, t: `x${i}`, b: i % 2 === 0, j: { i }, z: null });
    }
    const [dated] = await db.sql.query<{ iso: string }>(`SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS iso`, [new Date('2026-01-02T03:04:05Z')]);
    expect(dated.iso).toBe('2026-01-02');
    const [big] = await db.sql.query<{ v: string }>('SELECT ($1::bigint + 1)::text AS v', [9007199254740993n]);
    expect(big.v).toBe('9007199254740994');
  });

  it('keeps working after a statement fails to parse and after one fails to execute', async () => {
    await expect(db.sql.query('SELEC $1::int', [1])).rejects.toThrow();
    await expect(db.sql.query('SELEC $1::int', [1])).rejects.toThrow(); // the same broken text again
    await expect(db.sql.query('SELECT 1 / $1::int AS q', [0])).rejects.toMatchObject({ code: '22012' });
    expect(await db.sql.query('SELECT 1 / $1::int AS q', [1])).toEqual([{ q: 1 }]);
    await db.sql.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [1, 'first']);
    await expect(db.sql.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [1, 'again'])).rejects.toMatchObject({ code: '23505' });
    expect(await db.sql.query('SELECT note FROM exec_probe WHERE id = $1::int', [1])).toEqual([{ note: 'first' }]);
  });

  it('runs prepared statements inside transactions: commit keeps, a throw rolls back', async () => {
    await db.sql.transaction(async (tx) => {
      await tx.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [2, 'kept']);
    });
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [3, 'rolled back']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [4, 'rolled back too']);
        await tx.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [1, 'duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const rows = await db.sql.query<{ id: number }>('SELECT id FROM exec_probe WHERE id = ANY($1::int[]) ORDER BY id', [[2, 3, 4]]);
    expect(rows).toEqual([{ id: 2 }]);
  });

  it('lets a statement outside a transaction wait for the open transaction instead of joining it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tx = db.sql.transaction(async (t) => {
      await t.query('INSERT INTO exec_probe (id, note) VALUES ($1::int, $2::text)', [5, 'in tx']);
      await held;
      throw new Error('roll back');
    });
    await new Promise((r) => setTimeout(r, 20));
    const outside = db.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM exec_probe WHERE id = $1::int', [5]);
    release();
    await expect(tx).rejects.toThrow('roll back');
    expect(await outside).toEqual([{ n: '0' }]);
  });
});

describe('SQL executor: two executors on one PGlite instance', () => {
  it('share statement names instead of preparing a name twice', async () => {
    const first = await createTestDatabase('pglite');
    try {
      const second = await openDatabase({ pglite: first.pglite!, migrate: false });
      const text = 'SELECT $1::int + 1 AS n';
      expect(await first.sql.query(text, [1])).toEqual([{ n: 2 }]);
      expect(await second.sql.query(text, [2])).toEqual([{ n: 3 }]);
      expect(await second.sql.query('SELECT $1::int * 3 AS n', [3])).toEqual([{ n: 9 }]);
      expect(await first.sql.query('SELECT $1::int * 3 AS n', [4])).toEqual([{ n: 12 }]);
      await second.close();
    } finally {
      await first.destroy();
    }
  });
});

describe('SQL executor on postgres: pipelined connections', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await db.sql.query('CREATE TABLE pipe_probe (id int PRIMARY KEY, note text)');
  });
  afterAll(async () => db?.destroy());

  it('gives each of many concurrent statements its own result, and a failure only to the one that failed', async () => {
    const writes = Array.from({ length: 200 }, (_, i) =>
      db.sql.query<{ id: number }>('INSERT INTO pipe_probe (id, note) VALUES ($1::int, $2::text) RETURNING id', [i % 150, `n${i}`]).then(
        (rows) => ({ i, rows }),
        (error: { code?: string }) => ({ i, code: error.code }),
      ),
    );
    const results = await Promise.all(writes);
    for (const result of results) {
      // Ids 0-149 are inserted once each, by whichever statement came first; 150 of 200 succeed.
      if ('rows' in result) expect(result.rows).toEqual([{ id: result.i % 150 }]);
      else expect(result.code).toBe('23505');
    }
    expect(results.filter((r) => 'rows' in r)).toHaveLength(150);
    expect(await db.sql.query('SELECT count(*)::int AS n FROM pipe_probe')).toEqual([{ n: 150 }]);
    const reads = await Promise.all(Array.from({ length: 50 }, (_, i) => db.sql.query<{ note: string }>('SELECT note FROM pipe_probe WHERE id = $1::int', [i])));
    expect(reads.map((rows) => rows[0].note)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
  });

  it('replaces a connection the server terminated: in-flight statements fail, the next ones succeed', async () => {
    await Promise.all(Array.from({ length: 20 }, () => db.sql.query('SELECT 1')));
    // Terminate every other backend of this database from an admin connection, pipelines included.
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      const slow = db.sql.query('SELECT pg_sleep(0.5)').then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
      await new Promise((r) => setTimeout(r, 100));
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [new URL(db.connectionString!).pathname.slice(1)]);
      expect(await slow).toBe('57P01'); // admin_shutdown
    } finally {
      await admin.end();
    }
    for (let attempt = 0; ; attempt++) {
      try {
        expect(await db.sql.query<{ n: number }>('SELECT $1::int AS n', [7])).toEqual([{ n: 7 }]);
        break;
      } catch (error) {
        // A statement sent on a connection whose termination has not been noticed yet fails too.
        if (attempt >= 3) throw error;
      }
    }
    expect(await db.sql.query('SELECT note FROM pipe_probe WHERE id = $1::int', [3])).toEqual([{ note: 'n3' }]);
  });
});
