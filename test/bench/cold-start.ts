import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/database.ts';
import { setupOwnerAndChat, startServerProcess } from './harness.ts';

/** Process start to the first answered request, on the given data directory. */
async function timeToFirstAnswer(dataDir: string): Promise<number> {
  const started = performance.now();
  const server = await startServerProcess({ dataDir });
  const response = await fetch(`${server.url}/api/v2/users/first`);
  await response.text();
  const ms = performance.now() - started;
  await server.stop();
  return Math.round(ms);
}

/** Cold start on an empty embedded database and on one holding `steps` steps (runs of 20). */
export async function benchColdStart(steps = 100_000) {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'experiments-cold-'));
  const emptyMs = await timeToFirstAnswer(empty);

  const full = await mkdtemp(path.join(os.tmpdir(), 'experiments-cold-full-'));
  const seeded = await startServerProcess({ dataDir: full });
  const { chatId } = await setupOwnerAndChat(seeded.url);
  await seeded.stop();
  const database = await openDatabase({ dataDir: full });
  const runs = Math.ceil(steps / 20);
  await database.sql.query(
    `INSERT INTO chat_debug_runs (id, chat_id, kind, status, provider, model, summary, started_at, updated_at, finished_at)
     SELECT gen_random_uuid(), $1::uuid, 'chat_turn', 'completed', 'anthropic', 'claude-sonnet-4',
       jsonb_build_object('first_message', 'run ' || g, 'step_count', 20), now() - g * interval '1 second', now(), now()
     FROM generate_series(1, $2::int) g`,
    [chatId, runs],
  );
  await database.sql.query(
    `INSERT INTO chat_debug_steps (id, run_id, chat_id, step_number, operation, status, normalized_request, attempts, metadata, usage)
     SELECT gen_random_uuid(), r.id, r.chat_id, s, 'stream', 'completed',
       jsonb_build_object('messages', jsonb_build_array(jsonb_build_object('role', 'user', 'parts',
         jsonb_build_array(jsonb_build_object('type', 'text', 'text', repeat('lorem ipsum ', 80)))))),
       '[]'::jsonb, '{}'::jsonb, '{"input_tokens": 1000, "output_tokens": 100}'::jsonb
     FROM chat_debug_runs r CROSS JOIN generate_series(1, 20) s`,
  );
  const [{ count }] = await database.sql.query<{ count: string }>('SELECT count(*)::text AS count FROM chat_debug_steps');
  await database.close();
  const fullMs = await timeToFirstAnswer(full);
  return { emptyMs, fullMs, steps: Number(count) };
}
