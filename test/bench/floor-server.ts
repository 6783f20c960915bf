// A store-and-echo floor for the ingestion bench, run in its own process: the ingestion API's paths
// and answers' ids, but none of the product's work (no sign-in, access rule, event, numbering,
// redaction, key order): JSON.parse, one INSERT or UPDATE through a pool of 8, and the step echoed.
// What the machine gives a server that does next to nothing, measured in the same minutes.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.argv[2], max: 8 });
await pool.query(`CREATE TABLE IF NOT EXISTS bench_floor_steps (id uuid PRIMARY KEY, run_id uuid NOT NULL, status text NOT NULL,
  normalized_request json NOT NULL, usage jsonb, updated_at timestamptz NOT NULL)`);
/** Requests echoed by the completion, as the product keeps them (RecentRequests). */
const requests = new Map<string, string>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const reply = (status: number, text: string) => res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
    const parts = (req.url ?? '').split('/'); // ['', 'api', 'experimental', 'chats', chat, 'debug', 'runs', run?, 'steps'?, step?]
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string; usage?: unknown; normalized_request?: unknown };
    const now = new Date().toISOString();
    const answer = async () => {
      if (req.method === 'POST' && parts.length === 7) return reply(201, JSON.stringify({ id: randomUUID(), status: 'in_progress', started_at: now }));
      if (req.method === 'PATCH' && parts.length === 8) return reply(200, JSON.stringify({ id: parts[7], status: body.status, finished_at: now }));
      if (req.method === 'POST') {
        const id = randomUUID();
        const request = JSON.stringify(body.normalized_request ?? {});
        await pool.query({
          name: 'insert',
          text: 'INSERT INTO bench_floor_steps (id, run_id, status, normalized_request, updated_at) VALUES ($1, $2, $3, $4::json, $5)',
          values: [id, parts[7], 'in_progress', request, now],
        });
        requests.set(id, request);
        return reply(201, `{"id":"${id}","run_id":"${parts[7]}","status":"in_progress","normalized_request":${request},"started_at":"${now}"}`);
      }
      const id = parts[9];
      await pool.query({ name: 'update', text: 'UPDATE bench_floor_steps SET status = $2, usage = $3::jsonb, updated_at = $4 WHERE id = $1', values: [id, body.status, JSON.stringify(body.usage), now] });
      const request = requests.get(id) ?? '{}';
      requests.delete(id);
      reply(200, `{"id":"${id}","run_id":"${parts[7]}","status":"${body.status}","normalized_request":${request},"usage":${JSON.stringify(body.usage)},"updated_at":"${now}"}`);
    };
    answer().catch((error: Error) => reply(500, JSON.stringify({ message: error.message })));
  });
});
server.listen(0, '127.0.0.1', () => console.log(`serving http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
