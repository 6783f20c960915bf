// The embedded data directory (stack.md 3): an exclusive lock so that a second server process is
// refused, stale locks taken over, and data persisting across restarts. Real server processes on
// PGlite only: these test the embedded data directory itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVING = /Experiments is serving (http:\/\/\S+)/;
const START_TIMEOUT_MS = 90_000;
const PASSWORD = 'correct-horse-battery';
const API_KEY = 'sk-ant-persisted-key-ABCD';

interface ServerProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const processes: ServerProcess[] = [];
const dirs: string[] = [];

/** Starts `node --import tsx server/main.ts` on a data directory; killed after a timeout in any case. */
function startProcess(dataDir: string): ServerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST', 'SECRETS_KEY', 'CODER_CHAT_DEBUG_LOGGING_ENABLED', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--no-background-jobs'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 3 * START_TIMEOUT_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  const proc = { child, pid: child.pid!, output: () => output, exited };
  processes.push(proc);
  return proc;
}

/** Resolves with the base URL from the "serving" line; fails if the process exits or stalls first. */
function servingUrl(proc: ServerProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving" line within ${START_TIMEOUT_MS} ms:\n${proc.output()}`)), START_TIMEOUT_MS);
    const check = () => {
      const match = SERVING.exec(proc.output());
      if (match) {
        clearTimeout(timer);
        proc.child.stdout!.off('data', check);
        resolve(match[1]);
      }
    };
    proc.child.stdout!.on('data', check);
    check();
    void proc.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before serving:\n${proc.output()}`));
    });
  });
}

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
  for (const proc of processes) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  }
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

    first = startProcess(dataDir);
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
    const second = startProcess(dataDir);
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

    const next = startProcess(dataDir);
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
    const first = startProcess(dataDir);
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

    const second = startProcess(dataDir);
    await readBack(new Api(await servingUrl(second)));

    // kill -9 leaves the lock file behind with a dead PID; the next start takes it over.
    const killed = await stopProcess(second, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(second.pid));

    const third = startProcess(dataDir);
    await readBack(new Api(await servingUrl(third)));
    expect((await readFile(path.join(dataDir, 'server.lock'), 'utf8')).trim()).toBe(String(third.pid));
    expect((await stopProcess(third, 'SIGTERM')).code).toBe(0);
    for (const proc of [first, second, third]) expect(proc.output()).not.toContain(API_KEY);
  }, 4 * START_TIMEOUT_MS);
});
