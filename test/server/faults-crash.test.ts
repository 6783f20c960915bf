// Crash safety of debug ingestion: a server process killed with SIGKILL while steps are being
// appended keeps every step whose 201 response reached the client, step numbers stay unique, and a
// restarted server on the same storage (PGlite data directory with a stale lock, or the same
// PostgreSQL database) serves them. Real server processes; every wait is bounded.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, dropPostgresDatabase } from '../../server/db/database.ts';
import { BACKENDS, POSTGRES_ADMIN_URL, type Backend } from '../support/database.ts';
import { runPath, stepsPath } from '../support/debug.ts';
import { Api } from '../support/server.ts';
import { START_TIMEOUT_MS, killServerProcesses, servingUrl, spawnServer, within, type ServerProcess } from '../support/server-process.ts';

const REQUEST_TIMEOUT_MS = 15_000;
const ACKED_BEFORE_KILL = 150;
const WRITERS = 4;
const PASSWORD = 'correct-horse-battery';

const dirs: string[] = [];
const databases: string[] = [];

afterAll(async () => {
  await killServerProcesses();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  for (const name of databases) await dropPostgresDatabase(POSTGRES_ADMIN_URL, name).catch(() => undefined);
}, 60_000);

describe.each(BACKENDS)('SIGKILL during step ingestion (%s)', (backend: Backend) => {
  it('keeps every acknowledged step, with unique step numbers, after a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'experiments-crash-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'data');
    let databaseUrl: string | undefined;
    if (backend === 'postgres') {
      const name = `exp_crash_${Date.now()}_${randomBytes(4).toString('hex')}`;
      databaseUrl = await createPostgresDatabase(POSTGRES_ADMIN_URL, name);
      databases.push(name);
    }

    const first = spawnServer({ dataDir, databaseUrl, args: ['--chat-debug-logging-enabled'] });
    const api = new Api(await servingUrl(first));
    const created = await api.post('/api/v2/users/first', { body: { email: 'owner@example.com', username: 'owner', password: PASSWORD } });
    expect(created.status, created.text).toBe(201);
    const login = await api.post('/api/v2/users/login', { body: { email: 'owner@example.com', password: PASSWORD } });
    expect(login.status, login.text).toBe(201);
    const token: string = login.body.session_token;
    const chat = await api.post('/api/experimental/chats', { token, body: { title: 'crash' } });
    expect(chat.status, chat.text).toBe(201);
    const chatId: string = chat.body.id;
    const run = await api.post(`/api/experimental/chats/${chatId}/debug/runs`, { token, body: { kind: 'chat_turn' } });
    expect(run.status, run.text).toBe(201);
    const runId: string = run.body.id;

    // Concurrent writers append steps until the connection fails; only 201s count as acknowledged.
    const acked: { id: string; stepNumber: number }[] = [];
    const unexpected: string[] = [];
    let stop = false;
    let reachedTarget!: () => void;
    const target = new Promise<void>((resolve) => (reachedTarget = resolve));
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        let response: Response;
        let text: string;
        try {
          response = await fetch(api.baseUrl + stepsPath(chatId, runId), {
            method: 'POST',
            headers: { 'Coder-Session-Token': token, 'Content-Type': 'application/json' },
            body: JSON.stringify({ operation: 'stream', normalized_request: { writer: w, i } }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          text = await response.text();
        } catch {
          return; // connection refused / reset / aborted: the server is gone
        }
        if (response.status !== 201) {
          unexpected.push(`${response.status} ${text}`);
          return;
        }
        const body = JSON.parse(text);
        acked.push({ id: body.id, stepNumber: body.step_number });
        if (acked.length >= ACKED_BEFORE_KILL) reachedTarget();
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    const allDone = Promise.all(writers);
    await within(Promise.race([target, allDone]), 120_000, `${ACKED_BEFORE_KILL} acknowledged steps`);
    expect(unexpected).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);

    // Kill while the writers are still sending.
    first.child.kill('SIGKILL');
    const killed = await within(first.exited, 30_000, 'the killed server to exit');
    expect(killed.signal).toBe('SIGKILL');
    await within(allDone, REQUEST_TIMEOUT_MS + 10_000, 'the writers to notice the dead server');
    stop = true;
    expect(unexpected).toEqual([]);
    const ackedIds = acked.map((s) => s.id);
    expect(new Set(ackedIds).size).toBe(ackedIds.length);

    if (backend === 'pglite') {
      // The lock file is left behind with the dead PID: the next server must take it over.
      expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(first.pid));
    }

    const second = spawnServer({ dataDir, databaseUrl, args: ['--chat-debug-logging-enabled'] });
    const api2 = new Api(await servingUrl(second));
    if (backend === 'pglite') expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(second.pid));

    const detail = await api2.get(runPath(chatId, runId), { token });
    expect(detail.status, detail.text).toBe(200);
    const steps: { id: string; step_number: number }[] = detail.body.steps;
    const stored = new Map(steps.map((s) => [s.id, s.step_number]));
    const missing = ackedIds.filter((id) => !stored.has(id));
    expect(missing, `${missing.length} of ${ackedIds.length} acknowledged steps lost`).toEqual([]);
    for (const s of acked) expect(stored.get(s.id)).toBe(s.stepNumber);
    console.log(`${backend}: ${acked.length} steps acknowledged before the kill, ${steps.length} stored after the restart`);
    const numbers = steps.map((s) => s.step_number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);

    // The restarted server keeps appending after the highest number it has.
    const after = await api2.post(stepsPath(chatId, runId), { token, body: { operation: 'stream', normalized_request: {} } });
    expect(after.status, after.text).toBe(201);
    expect(after.body.step_number).toBeGreaterThan(Math.max(...numbers));

    second.child.kill('SIGTERM');
    expect((await within(second.exited, 30_000, 'graceful stop')).code).toBe(0);
  }, 5 * START_TIMEOUT_MS);
});
