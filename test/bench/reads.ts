import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { SecretBox } from '../../server/providers/secret-box.ts';
import { ROOT, payload, request } from './harness.ts';
import type { LoadPlan, LoadTarget, Slice } from './loadgen.ts';

const run = promisify(execFile);

/** Runs the plan in the load generator's own process (it must not share the server's event loop). */
async function load(plan: LoadPlan): Promise<Record<string, Slice[]>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/bench/loadgen.ts', JSON.stringify(plan)], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, Slice[]>;
}

/**
 * The product's REST list and GraphQL `debugRuns` against a baseline handler in the same process
 * serving the same 100 rows with one raw SQL query and JSON.stringify. The three take turns in
 * short slices, `rounds` times, through every order of the three in turn; a ratio is the median of
 * the rounds' ratios (each against the baseline's slice of the same round), so a change in the
 * machine's speed, which here comes and goes within seconds, weighs on both sides alike.
 */
export async function benchReads(sliceMs = 300, rounds = 42) {
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
  const targets: LoadTarget[] = [
    { name: 'baseline', url: baselineUrl, method: 'GET', headers: {}, body: '' },
    { name: 'rest', url: `${url}/api/experimental/chats/${chatId}/debug/runs`, method: 'GET', headers: auth, body: '' },
    { name: 'graphql', url: `${url}/graphql`, method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: gqlBody },
  ];
  const windows = new Map(Object.entries(await load({ targets, rounds, sliceMs, concurrency: 8 })));
  const total = (name: string) => {
    const all = windows.get(name)!;
    const sum = (key: 'requests' | 'errors' | 'seconds') => all.reduce((n, w) => n + w[key], 0);
    return { errors: sum('errors'), rps: Math.round(sum('requests') / sum('seconds')) };
  };
  for (const [name, slices] of windows) {
    const failed = slices.find((slice) => slice.errors > 0 || slice.requests === 0);
    if (failed) throw new Error(`reads bench: ${name} answered ${failed.errors} errors and ${failed.requests} successes in a slice`);
  }
  const rate = (w: { requests: number; seconds: number }) => w.requests / w.seconds;
  const ratioTo = (name: string) => {
    const ratios = windows.get(name)!.map((w, round) => rate(w) / rate(windows.get('baseline')![round])).sort((a, b) => a - b);
    const middle = ratios.length >> 1;
    const median = ratios.length % 2 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
    return {
      median: Math.round(median * 100) / 100,
      range: [Math.round(ratios[0] * 100) / 100, Math.round(ratios[ratios.length - 1] * 100) / 100] as [number, number],
    };
  };
  const [baselineResult, rest, graphql] = targets.map(({ name }) => total(name));
  const [restRatio, graphqlRatio] = [ratioTo('rest'), ratioTo('graphql')];
  baseline.close();
  await app.stop();
  await database.close();
  return {
    baselineRps: baselineResult.rps,
    restRps: rest.rps,
    graphqlRps: graphql.rps,
    restRatio: restRatio.median,
    graphqlRatio: graphqlRatio.median,
    restRatioRange: restRatio.range,
    graphqlRatioRange: graphqlRatio.range,
    rounds,
    errors: baselineResult.errors + rest.errors + graphql.errors,
  };
}
