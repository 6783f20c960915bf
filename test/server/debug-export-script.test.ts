// The docs' curl + jq recipes run unchanged against the server (seeds/experiments.md "API access"),
// the `export` command (product.md 6, web-ui.md 5.1) and the `purge` command (rest-api.md 14.5, case 92).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { BACKENDS } from '../support/database.ts';
import { b64, enableRecording, ingest, runPath } from '../support/debug.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { Api, startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'server/main.ts');
// Absolute, so that the commands can run with a temporary directory as their working directory.
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** "Fetch a single run and save it as JSON", copied verbatim from the docs. */
const SINGLE_RUN_SNIPPET = `export CODER_URL="https://coder.example.com"
export CODER_SESSION_TOKEN="$(coder login token)"
export CHAT_ID="00000000-0000-0000-0000-000000000000"
export RUN_ID="11111111-1111-1111-1111-111111111111"
curl -fsS \\
-H "Coder-Session-Token: $CODER_SESSION_TOKEN" \\
"$CODER_URL/api/experimental/chats/$CHAT_ID/debug/runs/$RUN_ID" \\
| jq . > "coder-agents-debug-run-$RUN_ID.json"`;

/** The chat-level export loop, copied verbatim from the docs. */
const CHAT_EXPORT_SNIPPET = `RUN_IDS=$(curl -fsS \\
-H "Coder-Session-Token: $CODER_SESSION_TOKEN" \\
"$CODER_URL/api/experimental/chats/$CHAT_ID/debug/runs" \\
| jq -r '.[].id') || {
echo "Failed to list debug runs" >&2
exit 1
}
RUN_EXPORTS=$(mktemp)
trap 'rm -f "$RUN_EXPORTS"' EXIT
for RUN_ID in $RUN_IDS; do
curl -fsS \\
-H "Coder-Session-Token: $CODER_SESSION_TOKEN" \\
"$CODER_URL/api/experimental/chats/$CHAT_ID/debug/runs/$RUN_ID" \\
>> "$RUN_EXPORTS" || {
echo "Failed to fetch debug run $RUN_ID" >&2
exit 1
}
echo >> "$RUN_EXPORTS"
done
jq -s \\
--arg chat_id "$CHAT_ID" \\
--arg exported_at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \\
'{
version: 1,
scope: "chat",
exported_at: $exported_at,
chat_id: $chat_id,
run_count: length,
limited_to_most_recent: 100,
runs: .
}' "$RUN_EXPORTS" > "coder-agents-debug-chat-$CHAT_ID.json"`;

/**
 * The docs set the four variables with placeholder values (`export CODER_URL="https://coder.example.com"` …)
 * and tell readers to use their own; here the environment supplies them, so only those placeholder
 * lines are left out. Every other line runs exactly as published.
 */
const PLACEHOLDERS = /^export (CODER_URL|CODER_SESSION_TOKEN|CHAT_ID|RUN_ID)=.*$/;
function withoutPlaceholders(snippet: string): string {
  const lines = snippet.split('\n');
  const kept = lines.filter((line) => !PLACEHOLDERS.test(line));
  expect(lines.length - kept.length).toBe(snippet === SINGLE_RUN_SNIPPET ? 4 : 0);
  return kept.join('\n');
}

function requireTool(name: string, install: string) {
  const found = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`The docs recipe needs \`${name}\`, which is not installed. Install it (${install}) and re-run.`);
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME ?? os.tmpdir(), LANG: 'C.UTF-8' });
const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => run(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env: { ...baseEnv(), ...env } });

describe.each(BACKENDS)('export recipes and the export command on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let chatId: string;
  let emptyChatId: string;
  let runIds: string[];
  const dirs: string[] = [];
  beforeAll(async () => {
    requireTool('jq', 'apt-get install -y jq');
    requireTool('curl', 'apt-get install -y curl');
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    await enableRecording(server, users);
    chatId = await createChat(server.api, users.member.token);
    emptyChatId = await createChat(server.api, users.member.token);
    const w = ingest(server);
    const token = users.member.token;
    runIds = [];
    for (const [i, label] of ['Fix the build', 'Résumé “quotes” & <tags> 😀', 'third'].entries()) {
      const run = await w.startRun(token, chatId, { kind: i === 1 ? 'title_generation' : 'chat_turn', provider: 'openai', model: 'gpt-4o-mini', first_message: label, trigger_message_id: 10 + i });
      const step = await w.addStep(token, chatId, run.id, { operation: 'stream', normalized_request: { messages: [{ role: 'user', parts: [{ type: 'text', text: label }] }], provider_option_count: 0 } });
      await w.patchStep(token, chatId, run.id, step.id, {
        status: 'completed',
        usage: { input_tokens: 10 * (i + 1), output_tokens: i },
        attempts: [{ number: 1, status: 'completed', method: 'POST', path: '/v1/chat/completions', request_body: b64('{"model":"m"}'), response_status: 200, duration_ms: 12 }],
      });
      if (i !== 2) await w.patchRun(token, chatId, run.id, { status: 'completed' });
      runIds.unshift(run.id); // newest first, as the list returns them
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  afterAll(async () => {
    await server?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const tmp = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'debug-export-'));
    dirs.push(dir);
    return dir;
  };
  const restDetail = async (chat: string, runId: string) => {
    const res = await server.api.get(runPath(chat, runId), { token: users.member.token });
    expect(res.status).toBe(200);
    return JSON.parse(res.text);
  };
  const recipe = async (snippet: string, env: Record<string, string>) => {
    const cwd = await tmp();
    const result = await run('bash', ['-c', withoutPlaceholders(snippet)], {
      cwd,
      env: { ...baseEnv(), CODER_URL: server.url, CODER_SESSION_TOKEN: users.member.token, ...env },
    });
    return { ...result, cwd };
  };

  it('docs recipe: "Fetch a single run and save it as JSON" writes the REST detail body', async () => {
    const runId = runIds[1];
    const { code, stderr, cwd } = await recipe(SINGLE_RUN_SNIPPET, { CHAT_ID: chatId, RUN_ID: runId });
    expect(code, stderr).toBe(0);
    expect(await readdir(cwd)).toEqual([`coder-agents-debug-run-${runId}.json`]);
    const saved = JSON.parse(await readFile(path.join(cwd, `coder-agents-debug-run-${runId}.json`), 'utf8'));
    const detail = await restDetail(chatId, runId);
    expect(saved).toEqual(detail);
    expect(JSON.stringify(saved)).toBe(JSON.stringify(detail));
    expect(saved.summary.first_message).toBe('Résumé “quotes” & <tags> 😀');
  });

  it('docs recipe: the chat-level export loop writes the documented envelope; each run equals the REST detail body', async () => {
    const { code, stderr, cwd } = await recipe(CHAT_EXPORT_SNIPPET, { CHAT_ID: chatId, RUN_ID: '' });
    expect(code, stderr).toBe(0);
    const file = `coder-agents-debug-chat-${chatId}.json`;
    expect(await readdir(cwd)).toEqual([file]);
    const envelope = JSON.parse(await readFile(path.join(cwd, file), 'utf8'));
    expect(Object.keys(envelope)).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_count', 'limited_to_most_recent', 'runs']);
    expect(envelope).toMatchObject({ version: 1, scope: 'chat', chat_id: chatId, run_count: 3, limited_to_most_recent: 100 });
    expect(envelope.exported_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(envelope.runs.map((r: { id: string }) => r.id)).toEqual(runIds);
    for (const [i, runId] of runIds.entries()) {
      const detail = await restDetail(chatId, runId);
      expect(envelope.runs[i]).toEqual(detail);
      expect(JSON.stringify(envelope.runs[i])).toBe(JSON.stringify(detail));
    }
    // The same runs as the GraphQL `detail` field, which the browser export uses.
    const gql = await server.api.graphql('query($id: ID!) { chat(id: $id) { debugRuns { detail } } }', { id: chatId }, users.member.token);
    expect(gql.body.data.chat.debugRuns.map((r: { detail: unknown }) => r.detail)).toEqual(envelope.runs);
  });

  it('docs recipe: a chat without runs exports run_count 0 and runs []; a reader’s token works too', async () => {
    const empty = await recipe(CHAT_EXPORT_SNIPPET, { CHAT_ID: emptyChatId, RUN_ID: '' });
    expect(empty.code, empty.stderr).toBe(0);
    const envelope = JSON.parse(await readFile(path.join(empty.cwd, `coder-agents-debug-chat-${emptyChatId}.json`), 'utf8'));
    expect(envelope).toMatchObject({ version: 1, scope: 'chat', chat_id: emptyChatId, run_count: 0, limited_to_most_recent: 100, runs: [] });

    const share = await server.api.patch(`/api/experimental/chats/${chatId}/acl`, { token: users.member.token, body: { user_roles: { [users.member2.id]: 'read' } } });
    expect(share.status).toBe(204);
    const asReader = await recipe(SINGLE_RUN_SNIPPET, { CHAT_ID: chatId, RUN_ID: runIds[0], CODER_SESSION_TOKEN: users.member2.token });
    expect(asReader.code, asReader.stderr).toBe(0);
    const saved = JSON.parse(await readFile(path.join(asReader.cwd, `coder-agents-debug-run-${runIds[0]}.json`), 'utf8'));
    expect(saved).toEqual(await restDetail(chatId, runIds[0]));
    // A stranger's curl -f fails: the single-run recipe exits non-zero.
    const stranger = await recipe(SINGLE_RUN_SNIPPET, { CHAT_ID: chatId, RUN_ID: runIds[0], CODER_SESSION_TOKEN: users.owner.token });
    expect(stranger.stderr).toContain('404');
  });

  it('export --chat writes coder-agents-debug-chat-<8 chars>-<timestamp>.json with the envelope of web-ui.md 5.1', async () => {
    const cwd = await tmp();
    const result = await cli(['export', '--chat', chatId, '--url', server.url, '--token', users.member.token], cwd);
    expect(result.code, result.stderr).toBe(0);
    const files = await readdir(cwd);
    expect(files).toHaveLength(1);
    const match = /^coder-agents-debug-chat-([0-9a-f]{8})-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)\.json$/.exec(files[0]);
    expect(match, files[0]).not.toBeNull();
    expect(match![1]).toBe(chatId.slice(0, 8));
    const text = await readFile(path.join(cwd, files[0]), 'utf8');
    const envelope = JSON.parse(text);
    expect(text).toBe(JSON.stringify(envelope, null, 2));
    expect(Object.keys(envelope)).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_count', 'requested_run_count', 'limited_to_most_recent', 'runs']);
    expect(envelope).toMatchObject({ version: 1, scope: 'chat', chat_id: chatId, run_count: 3, requested_run_count: 3, limited_to_most_recent: 100 });
    expect(envelope.exported_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(envelope.exported_at.replace(/[:.]/g, '-')).toBe(match![2]);
    expect(envelope.runs).toEqual(await Promise.all(runIds.map((id) => restDetail(chatId, id))));
    expect(result.stdout).toContain(files[0]);
  });

  it('export --chat --run writes coder-agents-debug-run-<8 chars>-<timestamp>.json with the run envelope', async () => {
    const cwd = await tmp();
    const runId = runIds[2];
    const result = await cli(['export', '--chat', chatId, '--run', runId, '--url', server.url, '--token', users.member.token], cwd);
    expect(result.code, result.stderr).toBe(0);
    const files = await readdir(cwd);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^coder-agents-debug-run-${runId.slice(0, 8)}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z\\.json$`));
    const text = await readFile(path.join(cwd, files[0]), 'utf8');
    const envelope = JSON.parse(text);
    expect(text).toBe(JSON.stringify(envelope, null, 2));
    expect(Object.keys(envelope)).toEqual(['version', 'scope', 'exported_at', 'chat_id', 'run_id', 'run']);
    expect(envelope).toEqual({ version: 1, scope: 'run', exported_at: envelope.exported_at, chat_id: chatId, run_id: runId, run: await restDetail(chatId, runId) });
  });

  it('export ignores a RUN_ID left in the environment: only --run exports one run', async () => {
    const cwd = await tmp();
    const result = await cli(['export', '--chat', chatId, '--url', server.url, '--token', users.member.token], cwd, { RUN_ID: runIds[0] });
    expect(result.code, result.stderr).toBe(0);
    expect(await readdir(cwd)).toEqual([expect.stringMatching(/^coder-agents-debug-chat-/)]);
  });

  it('export --help prints the usage and exits 0; an unreachable server is named in the error', async () => {
    const cwd = await tmp();
    const help = await cli(['export', '--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run export -- --chat <chat id>');
    // A port nothing listens on: one just freed.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const freed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const down = await cli(['export', '--chat', chatId, '--url', freed, '--token', users.member.token], cwd);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain(`Cannot reach ${freed}: `);
    expect(down.stderr).toContain('ECONNREFUSED');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('export fails with a message and writes nothing when the caller may not read the chat', async () => {
    const cwd = await tmp();
    const result = await cli(['export', '--chat', chatId, '--url', server.url, '--token', users.owner.token], cwd);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('404');
    expect(result.stderr).toContain('Resource not found or you do not have access to this resource');
    expect(await readdir(cwd)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// purge (case 92)

const PURGE_OUTPUT = (chats: number, runs: number) =>
  `Deleted ${chats} archived ${chats === 1 ? 'chat' : 'chats'} and ${runs} debug ${runs === 1 ? 'run' : 'runs'}.`;

/** Data for the purge: an active chat with an old and a fresh run, an archived chat (aged later), a recently archived chat. */
async function seedForPurge(api: Api) {
  const first = await api.post('/api/v2/users/first', { body: { email: 'admin@example.com', username: 'admin', password: 'correct-horse-battery' } });
  expect(first.status, first.text).toBe(201);
  const login = await api.post('/api/v2/users/login', { body: { email: 'admin@example.com', password: 'correct-horse-battery' } });
  const token: string = login.body.session_token;
  expect((await api.put('/api/experimental/chats/config/debug-logging', { token, body: { allow_users: true } })).status).toBe(204);
  expect((await api.put('/api/experimental/chats/config/user-debug-logging', { token, body: { debug_logging_enabled: true } })).status).toBe(204);
  const chat = async (title: string) => (await api.post('/api/experimental/chats', { token, body: { title } })).body.id as string;
  const runIn = async (chatId: string, steps: number) => {
    const run = await api.post(`/api/experimental/chats/${chatId}/debug/runs`, { token, body: { kind: 'chat_turn' } });
    expect(run.status, run.text).toBe(201);
    for (let i = 0; i < steps; i++) expect((await api.post(`/api/experimental/chats/${chatId}/debug/runs/${run.body.id}/steps`, { token, body: { operation: 'stream' } })).status).toBe(201);
    return run.body.id as string;
  };
  const active = await chat('active');
  const oldRun = await runIn(active, 2);
  const freshRun = await runIn(active, 1);
  const archived = await chat('archived long ago');
  const archivedRecently = await chat('archived recently');
  for (const id of [archived, archivedRecently]) expect((await api.patch(`/api/experimental/chats/${id}`, { token, body: { archived: true } })).status).toBe(200);
  return { active, oldRun, freshRun, archived, archivedRecently };
}

type Seeded = Awaited<ReturnType<typeof seedForPurge>>;

const AGE_SQL = [
  `UPDATE chat_debug_runs SET updated_at = now() - interval '31 days' WHERE id = $1::uuid`,
  `UPDATE chats SET updated_at = now() - interval '31 days' WHERE id = $1::uuid`,
];

async function remaining(query: (sql: string, params: unknown[]) => Promise<{ id: string }[]>, seeded: Seeded) {
  const chats = await query('SELECT id::text AS id FROM chats ORDER BY title', []);
  const runs = await query('SELECT id::text AS id FROM chat_debug_runs', []);
  const steps = await query('SELECT id::text AS id FROM chat_debug_steps WHERE run_id = $1::uuid', [seeded.oldRun]);
  return { chats: chats.map((r) => r.id).sort(), runs: runs.map((r) => r.id).sort(), oldRunSteps: steps.length };
}

function waitForServing(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /Experiments is serving (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('//localhost:', '//127.0.0.1:'));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
}

describe('purge command on a PGlite data directory', () => {
  let dataDir: string;
  let server: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'experiments-purge-'));
  });
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('PurgeCommand: deletes eligible debug runs and archived chats at once and prints the counts', async () => {
    server = spawn(process.execPath, ['--import', TSX, MAIN, '--port', '0', '--data-dir', dataDir], { cwd: ROOT, env: baseEnv() });
    const url = await waitForServing(server);
    const seeded = await seedForPurge(new Api(url));

    // While the server holds the data directory, the command refuses and changes nothing.
    const locked = await cli(['purge', '--data-dir', dataDir], ROOT);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('The data directory is in use by another server process');

    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);

    // Move the clocks back with SQL (the lock is free now).
    let db = await openDatabase({ dataDir });
    await db.prisma.$executeRawUnsafe(AGE_SQL[0], seeded.oldRun);
    await db.prisma.$executeRawUnsafe(AGE_SQL[1], seeded.archived);
    await db.prisma.$executeRawUnsafe(AGE_SQL[1], seeded.active); // active chats are never purged
    await db.close();

    const purged = await cli(['purge', '--data-dir', dataDir], ROOT);
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stdout.trim()).toBe(PURGE_OUTPUT(1, 1));
    const again = await cli(['purge', '--data-dir', dataDir], ROOT);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(PURGE_OUTPUT(0, 0));

    db = await openDatabase({ dataDir });
    try {
      const left = await remaining((sql, params) => db.prisma.$queryRawUnsafe(sql, ...params), seeded);
      expect(left).toEqual({ chats: [seeded.active, seeded.archivedRecently].sort(), runs: [seeded.freshRun], oldRunSteps: 0 });
    } finally {
      await db.close();
    }
  }, 240_000);
});

describe('purge command on PostgreSQL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgres');
  });
  afterAll(async () => server?.close());

  it('PurgeCommand: with DATABASE_URL it purges the shared database while a server runs', async () => {
    const seeded = await seedForPurge(server.api);
    await server.db.prisma.$executeRawUnsafe(AGE_SQL[0], seeded.oldRun);
    await server.db.prisma.$executeRawUnsafe(AGE_SQL[1], seeded.archived);
    await server.db.prisma.$executeRawUnsafe(AGE_SQL[1], seeded.active);
    const env = { DATABASE_URL: server.db.connectionString! };
    const purged = await cli(['purge'], ROOT, env);
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stdout.trim()).toBe(PURGE_OUTPUT(1, 1));
    expect((await cli(['purge'], ROOT, env)).stdout.trim()).toBe(PURGE_OUTPUT(0, 0));
    const left = await remaining((sql, params) => server.db.prisma.$queryRawUnsafe(sql, ...params), seeded);
    expect(left).toEqual({ chats: [seeded.active, seeded.archivedRecently].sort(), runs: [seeded.freshRun], oldRunSteps: 0 });
    // The running server sees the result at once.
    const token = (await server.api.post('/api/v2/users/login', { body: { email: 'admin@example.com', password: 'correct-horse-battery' } })).body.session_token;
    const list = await server.api.get(`/api/experimental/chats/${seeded.active}/debug/runs`, { token });
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([seeded.freshRun]);
    expect((await server.api.get(`/api/experimental/chats/${seeded.archived}`, { token })).status).toBe(404);
  }, 120_000);
});

describe('--help', () => {
  it('the server and purge print their usage and exit 0 without opening a database', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'help-'));
    try {
      const server = await cli(['--help', '--data-dir', path.join(cwd, 'data')], cwd);
      expect(server.code, server.stderr).toBe(0);
      expect(server.stdout).toContain('Usage: npm start -- [flags]');
      const purge = await cli(['purge', '--help', '--data-dir', path.join(cwd, 'data')], cwd);
      expect(purge.code, purge.stderr).toBe(0);
      expect(purge.stdout).toContain('Usage: npm run purge -- [flags]');
      expect(await readdir(cwd)).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
