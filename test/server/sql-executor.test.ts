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

  it('carries multi-byte text, empty strings and NULLs both ways, and names the violated constraint', async () => {
    const text = `héllo — 日本語 🙂 ${'x'.repeat(20_000)}`;
    for (let i = 0; i < 3; i++) {
      const [row] = await db.sql.query('SELECT $1::text AS t, length($1::text) AS n, $2::text AS empty, $3::text AS none', [text, '', null]);
      expect(row).toEqual({ t: text, n: [...text].length, empty: '', none: null });
    }
    await db.sql.query('CREATE TABLE wire_probe (id int CONSTRAINT wire_probe_key PRIMARY KEY)');
    await db.sql.query('INSERT INTO wire_probe (id) VALUES ($1::int)', [1]);
    await expect(db.sql.write('INSERT INTO wire_probe (id) VALUES ($1::int)', [1])).rejects.toMatchObject({
      code: '23505',
      constraint: 'wire_probe_key',
      table: 'wire_probe',
      detail: 'Key (id)=(1) already exists.',
      message: 'duplicate key value violates unique constraint "wire_probe_key"',
    });
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

describe.each(BACKENDS)('SQL executor on %s: group commit of writes', (backend) => {
  let db: TestDatabase;
  /** Reads on a connection of their own (PostgreSQL), so a row seen there is committed. */
  let read: (text: string, params?: unknown[]) => Promise<unknown[]>;
  let reader: pg.Pool | undefined;
  const insert = 'INSERT INTO group_probe (id, note) VALUES ($1::int, $2::text) RETURNING id, txid_current()::text AS tx';
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    await db.sql.query('CREATE TABLE group_probe (id int PRIMARY KEY, note text)');
    if (db.connectionString) {
      reader = new pg.Pool({ connectionString: db.connectionString, max: 4 });
      read = async (text, params) => (await reader!.query(text, params)).rows;
    } else {
      read = (text, params) => db.sql.query(text, params);
    }
  });
  afterAll(async () => {
    await reader?.end();
    await db?.destroy();
  });

  it('commits the writes of one turn together, and each sees its row committed when it resolves', async () => {
    const seen: unknown[][] = [];
    const rows = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const [row] = await db.sql.write<{ id: number; tx: string }>(insert, [1000 + i, `g${i}`]);
        seen.push(await read('SELECT note FROM group_probe WHERE id = $1::int', [1000 + i]));
        return row;
      }),
    );
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    expect(new Set(rows.map((row) => row.tx)).size).toBe(1); // one transaction for all fifty
    expect(seen.every((found) => found.length === 1)).toBe(true);
  });

  it('gives each write its own result or error when some fail: the others are stored, nothing else is', async () => {
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        db.sql.write<{ id: number }>(insert, [i % 100, `n${i}`]).then(
          (rows) => ({ i, rows }),
          (error: { code?: string }) => ({ i, code: error.code }),
        ),
      ),
    );
    for (const result of results) {
      if ('rows' in result) expect(result.rows[0].id).toBe(result.i % 100);
      else expect(result.code).toBe('23505');
    }
    expect(results.filter((r) => 'rows' in r)).toHaveLength(100);
    expect(await read('SELECT count(*)::int AS n FROM group_probe WHERE id < 100')).toEqual([{ n: 100 }]);
    // A failure of another kind in a group: only that write fails.
    const mixed = await Promise.all(
      [1, 1, 0, 1].map((divisor, i) =>
        db.sql.write<{ q: number }>('INSERT INTO group_probe (id, note) VALUES ($1::int, (1 / $2::int)::text) RETURNING note', [2000 + i, divisor]).then(
          (rows) => rows[0],
          (error: { code?: string }) => error.code,
        ),
      ),
    );
    expect(mixed).toEqual([{ note: '1' }, { note: '1' }, '22012', { note: '1' }]);
    expect(await read('SELECT id FROM group_probe WHERE id >= 2000 ORDER BY id')).toEqual([{ id: 2000 }, { id: 2001 }, { id: 2003 }]);
  });

  it('joins the transaction it is called in, and waits for a transaction holding its row', async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.write(insert, [3000, 'rolled back']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await read('SELECT id FROM group_probe WHERE id = 3000')).toEqual([]);

    await db.sql.write(insert, [3001, 'before']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const hasLock = new Promise<void>((resolve) => (locked = resolve));
    const tx = db.sql.transaction(async (t) => {
      await t.query(`UPDATE group_probe SET note = 'by transaction' WHERE id = 3001`);
      locked();
      await held;
    });
    await hasLock;
    const writes = Promise.all([
      db.sql.write(`UPDATE group_probe SET note = note || ', then by write' WHERE id = $1::int RETURNING note`, [3001]),
      db.sql.write(insert, [3002, 'beside']),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    release();
    await tx;
    const [[updated], [inserted]] = await writes;
    expect(updated).toEqual({ note: 'by transaction, then by write' });
    expect(inserted).toMatchObject({ id: 3002 });
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

  it('stores the large step JSON compressed with lz4, set when the database is opened', async () => {
    const columns = await db.sql.query<{ attname: string; attcompression: string }>(
      `SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'chat_debug_steps'::regclass
       AND attname IN ('normalized_request', 'normalized_response', 'attempts') ORDER BY attname`,
    );
    expect(columns).toEqual([
      { attname: 'attempts', attcompression: 'l' },
      { attname: 'normalized_request', attcompression: 'l' },
      { attname: 'normalized_response', attcompression: 'l' },
    ]);
    // Opening again, with nothing left to change, succeeds.
    const again = await openDatabase({ databaseUrl: db.connectionString! });
    await again.close();
    const [user] = await db.sql.query<{ id: string }>(`INSERT INTO users (id, email, username, password_hash) VALUES (gen_random_uuid(), 'z@z', 'z', 'x') RETURNING id::text`);
    const [chat] = await db.sql.query<{ id: string }>(`INSERT INTO chats (id, owner_id, root_chat_id) SELECT g, $1::uuid, g FROM gen_random_uuid() g RETURNING id::text`, [user.id]);
    const [run] = await db.sql.query<{ id: string }>(
      `INSERT INTO chat_debug_runs (id, chat_id, kind, status) VALUES (gen_random_uuid(), $1::uuid, 'chat_turn', 'in_progress') RETURNING id::text`,
      [chat.id],
    );
    const request = JSON.stringify({ messages: Array.from({ length: 400 }, (_, i) => ({ role: 'user', text: `message ${i}` })) });
    await db.sql.query(
      `INSERT INTO chat_debug_steps (id, run_id, chat_id, step_number, operation, status, normalized_request)
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, 1, 'stream', 'in_progress', $3::jsonb)`,
      [run.id, chat.id, request],
    );
    expect(await db.sql.query('SELECT pg_column_compression(normalized_request) AS method FROM chat_debug_steps')).toEqual([{ method: 'lz4' }]);
  });

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
      const outcome = (promise: Promise<unknown>) => promise.then(() => 'answered', (error: { code?: string }) => error.code ?? 'connection lost');
      const slow = outcome(db.sql.query('SELECT pg_sleep(0.5)'));
      // A group of two writes in flight on the group commit connection.
      const group = [1, 2].map((n) => outcome(db.sql.write('INSERT INTO pipe_probe (id, note) SELECT $1::int, pg_sleep(0.5)::text', [900 + n])));
      await new Promise((r) => setTimeout(r, 100));
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [new URL(db.connectionString!).pathname.slice(1)]);
      expect(await slow).toBe('57P01'); // admin_shutdown
      // The outcome is unknown to the client, so neither write is run again; the database rolled them back.
      expect(await Promise.all(group)).not.toContain('answered');
      expect(await db.sql.query('SELECT id FROM pipe_probe WHERE id > 900').catch(() => db.sql.query('SELECT id FROM pipe_probe WHERE id > 900'))).toEqual([]);
    } finally {
      await admin.end();
    }
    for (let attempt = 0; ; attempt++) {
      try {
        expect(await db.sql.query<{ n: number }>('SELECT $1::int AS n', [7])).toEqual([{ n: 7 }]);
        expect(await db.sql.write<{ id: number }>('INSERT INTO pipe_probe (id, note) VALUES ($1::int, $2::text) RETURNING id', [950 + attempt, 'after'])).toEqual([{ id: 950 + attempt }]);
        break;
      } catch (error) {
        // A statement sent on a connection whose termination has not been noticed yet fails too.
        if (attempt >= 3) throw error;
      }
    }
    expect(await db.sql.query('SELECT note FROM pipe_probe WHERE id = $1::int', [3])).toEqual([{ note: 'n3' }]);
  });
});
