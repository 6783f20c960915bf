import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { ROOT, payload, request } from './harness.ts';

const run = promisify(execFile);

async function load(url: string, method: string, headers: Record<string, string>, body: string, seconds: number) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/bench/loadgen.ts', url, method, JSON.stringify(headers), body, String(seconds), '8'], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { requests: number; errors: number; seconds: number; rps: number };
}

/**
 * The product's REST list and GraphQL `debugRuns` against a baseline handler in the same process
 * serving the same 100 rows with one raw SQL query and JSON.stringify. The three take turns in
 * `rounds` short windows, so a change in the machine's speed affects each of them alike.
 */
export async function benchReads(seconds = 9, rounds = 3) {
  const database = await openDatabase({ dataDir: 'memory://' });
  const config = loadConfig(['--chat-debug-logging-enabled', '--no-background-jobs', '--data-dir', '/tmp/experiments-bench-reads', '--host', '127.0.0.1']);
  const app = await buildApp({ config, database, secrets: SecretBox.fromPassphrase('bench') });
  const url = await app.start(0, '127.0.0.1');
  const baseline = createServer(async (_req, res) => {
    const rows = await database.sql.query(
      `SELECT id, chat_id, kind, status, provider, model, summary, started_at, updated_at, finished_at
       FROM chat_debug_runs WHERE chat_id = $1::uuid ORDER BY started_at DESC, id DESC LIMIT 100`,
      [chatId],
    );
    const text = JSON.stringify(rows);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(text);
  });
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', () => r()));
  const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/`;

  await request(`${url}/api/v2/users/first`, 'POST', { email: 'r@example.com', username: 'reader', password: 'bench-password-1' });
  const token = (await request(`${url}/api/v2/users/login`, 'POST', { email: 'r@example.com', password: 'bench-password-1' })).json.session_token as string;
  const chatId = (await request(`${url}/api/experimental/chats`, 'POST', { title: 'reads' }, token)).json.id as string;
  for (let i = 0; i < 100; i++) {
    const runs = `${url}/api/experimental/chats/${chatId}/debug/runs`;
    const r = await request(runs, 'POST', { kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini', first_message: `run ${i}` }, token);
    const s = await request(`${runs}/${r.json.id}/steps`, 'POST', { operation: 'stream', normalized_request: payload(2000, i) }, token);
    await request(`${runs}/${r.json.id}/steps/${s.json.id}`, 'PATCH', { status: 'completed', usage: { input_tokens: 500, output_tokens: 50 } }, token);
    await request(`${runs}/${r.json.id}`, 'PATCH', { status: 'completed' }, token);
  }
  const auth = { 'Coder-Session-Token': token };
  const gqlBody = JSON.stringify({
    query: 'query($id: ID!) { chat(id: $id) { debugRuns(first: 100) { id chatId kind status provider model summary startedAt updatedAt finishedAt } } }',
    variables: { id: chatId },
  });
  const targets: [name: string, url: string, method: string, headers: Record<string, string>, body: string][] = [
    ['baseline', baselineUrl, 'GET', {}, ''],
    ['rest', `${url}/api/experimental/chats/${chatId}/debug/runs`, 'GET', auth, ''],
    ['graphql', `${url}/graphql`, 'POST', { ...auth, 'Content-Type': 'application/json' }, gqlBody],
  ];
  const totals = new Map(targets.map(([name]) => [name, { requests: 0, errors: 0, seconds: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, target, method, headers, body] of targets) {
      const window = await load(target, method, headers, body, seconds / rounds);
      const total = totals.get(name)!;
      total.requests += window.requests;
      total.errors += window.errors;
      total.seconds += window.seconds;
    }
  }
  const result = (name: string) => {
    const total = totals.get(name)!;
    return { errors: total.errors, rps: Math.round(total.requests / total.seconds) };
  };
  const [baselineResult, rest, graphql] = targets.map(([name]) => result(name));
  baseline.close();
  await app.stop();
  await database.close();
  return {
    baselineRps: baselineResult.rps,
    restRps: rest.rps,
    graphqlRps: graphql.rps,
    restRatio: Math.round((rest.rps / baselineResult.rps) * 100) / 100,
    graphqlRatio: Math.round((graphql.rps / baselineResult.rps) * 100) / 100,
    errors: baselineResult.errors + rest.errors + graphql.errors,
  };
}
