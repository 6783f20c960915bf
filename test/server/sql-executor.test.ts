// The driver-level SQL executor (server/db/sql.ts): prepared statements on both backends, their
// failure paths, and transactions around them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/database.ts';

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
