// Remembered key lookups (server/auth/key-cache.ts): a logout is seen at once in the process that
// served it and, over LISTEN/NOTIFY, in every other process on the same PostgreSQL; changes made
// to the database behind the server's back are seen within the cache's time to live.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { SIGNED_OUT_MESSAGE } from '../../server/users/service.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitUntil } from '../support/debug-stream.ts';
import { createUsers, login, type Users } from '../support/fixtures.ts';
import { Api } from '../support/server.ts';

const ME = '/api/v2/users/me';
const INVALID_KEY = { message: SIGNED_OUT_MESSAGE, detail: 'API key is invalid.' };

async function startApp(database: Database, keyCacheSeconds: number): Promise<{ app: App; api: Api }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'experiments-data-'));
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--no-background-jobs', '--key-cache-seconds', String(keyCacheSeconds)], {});
  const app = await buildApp({ config, database, secrets: SecretBox.fromPassphrase('test-secrets-key') });
  return { app, api: new Api(await app.start(0, '127.0.0.1')) };
}

describe.each(BACKENDS)('key cache on %s', (backend) => {
  let db: TestDatabase;
  let server: { app: App; api: Api };
  let users: Users;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
    server = await startApp(db, 1);
    users = await createUsers(server.api);
  });
  afterAll(async () => {
    await server?.app.stop();
    await db?.destroy();
  });

  it('refuses a logged-out session on the very next request, though it was just used', async () => {
    const token = await login(server.api, users.member.email);
    for (let i = 0; i < 3; i++) expect((await server.api.get(ME, { token })).status).toBe(200);
    expect((await server.api.post('/api/v2/users/logout', { token })).status).toBe(200);
    const after = await server.api.get(ME, { token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual(INVALID_KEY);
  });

  it('checks the secret of a remembered key on every request', async () => {
    const token = await login(server.api, users.member.email);
    expect((await server.api.get(ME, { token })).status).toBe(200);
    const wrongSecret = `${token.slice(0, 11)}${'x'.repeat(22)}`;
    const response = await server.api.get(ME, { token: wrongSecret });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_KEY);
    expect((await server.api.get(ME, { token })).status).toBe(200);
  });

  it('sees an expiry written to the database behind its back within the time to live (1 s here)', async () => {
    const token = await login(server.api, users.member.email);
    expect((await server.api.get(ME, { token })).status).toBe(200);
    const expiresAt = new Date(Date.now() - 60_000);
    await db.prisma.apiKey.update({ where: { id: token.split('-')[0] }, data: { expiresAt } });
    const started = Date.now();
    await waitUntil(async () => (await server.api.get(ME, { token })).status === 401, 'the expiry to be seen', 5000);
    expect(Date.now() - started).toBeLessThan(2500);
    const response = await server.api.get(ME, { token });
    expect(response.body).toEqual({ message: SIGNED_OUT_MESSAGE, detail: `API key expired at "${expiresAt.toISOString()}".` });
  });
});

describe('key cache across two processes on postgres', () => {
  let db: TestDatabase;
  let dbB: Database;
  let a: { app: App; api: Api };
  let b: { app: App; api: Api };
  let users: Users;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dbB = await openDatabase({ databaseUrl: db.connectionString!, migrate: false });
    // A time to live far longer than the test: only the revocation event can make B refuse.
    a = await startApp(db, 600);
    b = await startApp(dbB, 600);
    users = await createUsers(a.api);
  });
  afterAll(async () => {
    await b?.app.stop();
    await a?.app.stop();
    await dbB?.close();
    await db?.destroy();
  });

  it('refuses on process B a session logged out through process A', async () => {
    const token = await login(a.api, users.member.email);
    expect((await b.api.get(ME, { token })).status).toBe(200);
    expect((await b.api.get(ME, { token })).status).toBe(200);
    expect((await a.api.post('/api/v2/users/logout', { token })).status).toBe(200);
    await waitUntil(async () => (await b.api.get(ME, { token })).status === 401, 'process B to refuse the session', 3000);
    expect((await b.api.get(ME, { token })).body).toEqual(INVALID_KEY);
    expect((await b.api.get(ME, { token: users.member2.token })).status).toBe(200);
  });
});
