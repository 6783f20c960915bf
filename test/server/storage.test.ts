// The embedded data directory (stack.md 3): an exclusive lock so that a second server process is
// refused, stale locks taken over, and data persisting across restarts. Real server processes on
// PGlite only: these test the embedded data directory itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/server.ts';
import { SERVING, START_TIMEOUT_MS, killServerProcesses, servingUrl, spawnServer, type ServerProcess } from '../support/server-process.ts';

const PASSWORD = 'correct-horse-battery';
const API_KEY = 'sk-ant-persisted-key-ABCD';

const dirs: string[] = [];

async function stopProcess(proc: ServerProcess, signal: NodeJS.Signals) {
  proc.child.kill(signal);
  return proc.exited;
}

/** A PID that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const newDataDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'experiments-storage-'));
  dirs.push(dir);
  return path.join(dir, 'data');
};

afterAll(async () => {
  await killServerProcesses();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('data directory lock (pglite)', () => {
  let dataDir: string;
  let first: ServerProcess;
  let url: string;

  beforeAll(async () => {
    dataDir = await newDataDir();
  }, START_TIMEOUT_MS);

  it('takes over a stale lock file left by a dead process', async () => {
    await mkdir(dataDir, { recursive: true });
    const stale = await deadPid();
    await writeFile(path.join(dataDir, 'server.lock'), String(stale));

    first = spawnServer({ dataDir });
    url = await servingUrl(first);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(first.pid));
    // The lock sits beside the PGlite directory, not inside it.
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'pglite', 'server.lock'))).toBe(false);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"status":"ok"}\n');
  }, START_TIMEOUT_MS);

  it('refuses a second server process on the same directory with a clear error', async () => {
    const second = spawnServer({ dataDir });
    const { code, signal } = await second.exited;
    expect(signal).toBeNull();
    expect(code).not.toBe(0);
    expect(code).toBe(1);
    const output = second.output();
    expect(output).toContain('in use by another server process');
    expect(output).toContain(`(pid ${first.pid})`);
    expect(output).toMatch(/^error: The data directory is in use by another server process/m);
    expect(output).not.toMatch(SERVING);

    // The first server is untouched: still serving, still holding the lock.
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(first.pid));
  }, START_TIMEOUT_MS);

  it('releases the lock on SIGTERM, so the next server starts', async () => {
    const { code } = await stopProcess(first, 'SIGTERM');
    expect(code).toBe(0);
    expect(first.output()).toContain('SIGTERM received: shutting down.');
    expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(false);

    const next = spawnServer({ dataDir });
    await servingUrl(next);
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(next.pid));
    expect((await stopProcess(next, 'SIGTERM')).code).toBe(0);
  }, 2 * START_TIMEOUT_MS);
});

describe('restart persistence (pglite)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await newDataDir();
  });

  it('keeps users, settings and provider keys across a SIGTERM restart and a kill -9', async () => {
    const first = spawnServer({ dataDir });
    const firstApi = new Api(await servingUrl(first));

    const created = await firstApi.post('/api/v2/users/first', { body: { email: 'owner@example.com', username: 'owner', password: PASSWORD } });
    expect(created.status).toBe(201);
    const login = await firstApi.post('/api/v2/users/login', { body: { email: 'owner@example.com', password: PASSWORD } });
    expect(login.status).toBe(201);
    const token: string = login.body.session_token;
    const desktop = await firstApi.put('/api/experimental/chats/config/desktop-enabled', { token, body: { enable_desktop: true } });
    expect(desktop.status).toBe(204);
    const retention = await firstApi.put('/api/experimental/chats/config/retention-days', { token, body: { retention_days: 90 } });
    expect(retention.status).toBe(204);
    const key = await firstApi.put('/api/experimental/chats/providers/anthropic', { token, body: { api_key: API_KEY } });
    expect(key.status).toBe(204);
    const chat = await firstApi.post('/api/experimental/chats', { token, body: { title: 'kept', workspace_template_modules: ['portabledesktop'] } });
    expect(chat.status).toBe(201);

    // The secrets key file is generated in the data directory, readable by the owner only.
    const keyFile = await stat(path.join(dataDir, 'secrets.key'));
    expect(keyFile.mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dataDir, 'secrets.key'), 'utf8')).not.toContain(API_KEY);

    expect((await stopProcess(first, 'SIGTERM')).code).toBe(0);
    expect(first.output()).not.toContain(API_KEY);

    const readBack = async (api: Api) => {
      // The session token survives too: it is stored, not held in memory.
      const me = await api.get('/api/v2/users/me', { token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: created.body.id, username: 'owner', role: 'owner' });
      const again = await api.post('/api/v2/users/login', { body: { email: 'owner@example.com', password: PASSWORD } });
      expect(again.status).toBe(201);
      const firstUser = await api.post('/api/v2/users/first', { body: { email: 'x@example.com', username: 'x', password: PASSWORD } });
      expect(firstUser.status).toBe(409);
      expect(firstUser.body).toEqual({ message: 'The initial user has already been created.' });
      const desktopNow = await api.get('/api/experimental/chats/config/desktop-enabled', { token });
      expect(desktopNow.status).toBe(200);
      expect(desktopNow.body).toEqual({ enable_desktop: true });
      const retentionNow = await api.get('/api/experimental/chats/config/retention-days', { token });
      expect(retentionNow.body).toEqual({ retention_days: 90 });
      const providers = await api.get('/api/experimental/chats/providers', { token });
      expect(providers.body).toEqual([
        { provider: 'anthropic', display_name: 'Anthropic', has_api_key: true, api_key_hint: 'ABCD' },
        { provider: 'openai', display_name: 'OpenAI', has_api_key: false, api_key_hint: '' },
      ]);
      const chatNow = await api.get(`/api/experimental/chats/${chat.body.id}`, { token });
      expect(chatNow.status).toBe(200);
      expect(chatNow.body).toEqual(chat.body);
      // The desktop is available for it: setting, decryptable key and template all survived.
      const available = await api.get(`/api/experimental/chats/${chat.body.id}/desktop`, { token });
      expect(available.body).toEqual({ available: true, provider: 'anthropic', model: 'claude-opus-4-6' });
    };

    const second = spawnServer({ dataDir });
    await readBack(new Api(await servingUrl(second)));

    // kill -9 leaves the lock file behind with a dead PID; the next start takes it over.
    const killed = await stopProcess(second, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(second.pid));

    const third = spawnServer({ dataDir });
    await readBack(new Api(await servingUrl(third)));
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(third.pid));
    expect((await stopProcess(third, 'SIGTERM')).code).toBe(0);
    for (const proc of [first, second, third]) expect(proc.output()).not.toContain(API_KEY);
  }, 4 * START_TIMEOUT_MS);
});
