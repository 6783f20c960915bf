// The real server as a child process (`node --import tsx server/main.ts`), for tests of the data
// directory, restarts and crashes. Every process started here is killed by `killServerProcesses`.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVING = /Experiments is serving (http:\/\/\S+)/;
export const START_TIMEOUT_MS = 90_000;

/** Environment that would change what the child serves; tests pass what they need explicitly. */
const INHERITED_CONFIG = ['DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST', 'SECRETS_KEY', 'CODER_CHAT_DEBUG_LOGGING_ENABLED', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'];

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ServerProcess[] = [];

/** Starts the server on a data directory (and PostgreSQL when `databaseUrl` is set); killed after a timeout in any case. */
export function spawnServer(options: { dataDir: string; databaseUrl?: string; args?: string[] }): ServerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_CONFIG) delete env[name];
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--port', '0', '--host', '127.0.0.1', '--data-dir', options.dataDir, '--no-background-jobs', ...(options.args ?? [])],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  started.push(proc);
  return proc;
}

/** Resolves with the base URL from the "serving" line; fails if the process exits or stalls first. */
export function servingUrl(proc: ServerProcess): Promise<string> {
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

/** Bounded wait on a promise. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))),
  ]);
}

/** For afterAll: SIGKILLs every process still running. */
export async function killServerProcesses(): Promise<void> {
  for (const proc of started) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await within(proc.exited, 10_000, 'child exit').catch(() => undefined);
    }
  }
}
