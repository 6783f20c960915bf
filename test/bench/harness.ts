import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Live memory after a full GC (heap + external), when started with `memoryProbe`. */
  liveBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** Stops a child process with SIGTERM and waits for it to exit. */
function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The URL a child process prints as "serving http://…" once it listens. */
function servingUrl(child: ChildProcess): Promise<string> {
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 120_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /serving (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

/** The store-and-echo floor (floor-server.ts) in its own process, on the given database. */
export async function startFloorProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/floor-server.ts', databaseUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await servingUrl(child);
  return {
    url,
    child,
    stop: () => stopChild(child),
  };
}

/** Starts the real server in its own process, so the load generator does not share its event loop. */
export async function startServerProcess(
  options: { databaseUrl?: string; dataDir?: string; extraArgs?: string[]; memoryProbe?: boolean } = {},
): Promise<ServerProcess & { startedInMs: number }> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'experiments-bench-')));
  const probeFile = path.join(dataDir, 'memory-probe.jsonl');
  // BENCH_SERVER_NODE_ARGS passes flags to the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  if (options.memoryProbe) nodeArgs.push('--expose-gc');
  const probe = options.memoryProbe ? ['--import', './test/bench/memory-probe.ts'] : [];
  const args = [...nodeArgs, '--import', 'tsx', ...probe, 'server/main.ts', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--chat-debug-logging-enabled', '--no-background-jobs', ...(options.extraArgs ?? [])];
  const env = { ...process.env, MEMORY_PROBE_FILE: probeFile, ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { DATABASE_URL: '' }) };
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await servingUrl(child);
  const startedInMs = performance.now() - started;
  return {
    url,
    child,
    startedInMs,
    async liveBytes() {
      const before = await readFile(probeFile, 'utf8').catch(() => '');
      child.kill('SIGUSR2');
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const text = await readFile(probeFile, 'utf8').catch(() => '');
        if (text.length > before.length) {
          const { heapUsed, external } = JSON.parse(text.trim().split('\n').pop()!) as { heapUsed: number; external: number };
          return heapUsed + external;
        }
      }
      throw new Error('memory probe did not answer (start the server with memoryProbe)');
    },
    stop: () => stopChild(child),
  };
}

export async function request(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- bench JSON
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { 'Coder-Session-Token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** First user, signed in, with one chat. */
export async function setupOwnerAndChat(base: string): Promise<{ token: string; chatId: string }> {
  await request(`${base}/api/v2/users/first`, 'POST', { email: 'bench@example.com', username: 'bench', password: 'bench-password-1' });
  const login = await request(`${base}/api/v2/users/login`, 'POST', { email: 'bench@example.com', password: 'bench-password-1' });
  const token = login.json.session_token as string;
  const chat = await request(`${base}/api/experimental/chats`, 'POST', { title: 'bench' }, token);
  return { token, chatId: chat.json.id as string };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A realistic normalized request of roughly `bytes` bytes. */
export function payload(bytes: number, seed: number) {
  const words = 'the quick brown fox jumps over the lazy dog while the build runs and tests pass'.split(' ');
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += words[(i * 7 + seed) % words.length] + ' ';
  return {
    messages: [
      { role: 'system', parts: [{ type: 'text', text: 'You are a careful coding agent.' }] },
      { role: 'user', parts: [{ type: 'text', text }] },
    ],
    tools: [{ type: 'function', name: 'run_code', description: 'Runs code', has_input_schema: true, input_schema: { type: 'object' } }],
    options: { max_output_tokens: 4096, temperature: 0.2 },
    provider_option_count: 0,
  };
}
