import { payload, percentile } from './harness.ts';
import { HttpConnection } from '../support/http-connection.ts';

export interface IngestionResult {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  appendP50Ms: number;
  appendP99Ms: number;
  concurrency: number;
}

/** Step bodies of 5–20 KB, serialised once: a writer's own JSON encoding is not the server's cost. */
const STEP_BODIES = Array.from({ length: 64 }, (_, i) => {
  const size = 5_000 + ((i * 733) % 15_000);
  return { size, body: JSON.stringify({ operation: 'stream', normalized_request: payload(size, i) }) };
});

/**
 * Runs of 20 steps with 5–20 KB requests, written through the REST ingestion API by `concurrency`
 * writers (each its own chat, as agents are), for about `durationMs`. A step is its append
 * (POST …/steps with the request) and its completion (PATCH with status and usage).
 */
export async function benchIngestion(base: string, token: string, chatIds: string[], durationMs: number): Promise<IngestionResult> {
  const appendTimes: number[] = [];
  let steps = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    chatIds.map(async (chatId, writer) => {
      const connection = new HttpConnection(new URL(base));
      const send = (path: string, method: string, body: string) =>
        connection.send(`${method} ${path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nCoder-Session-Token: ${token}`, body);
      const runs = `/api/experimental/chats/${chatId}/debug/runs`;
      try {
        for (let r = 0; performance.now() < deadline; r++) {
          const run = await send(runs, 'POST', JSON.stringify({ kind: 'chat_turn', provider: 'anthropic', model: 'claude-sonnet-4', first_message: `bench ${writer}/${r}` }));
          if (run.status !== 201) throw new Error(`start run: ${run.status} ${run.text}`);
          const runId = (JSON.parse(run.text) as { id: string }).id;
          for (let s = 0; s < 20; s++) {
            const { size, body } = STEP_BODIES[(writer * 7 + r * 20 + s) % STEP_BODIES.length];
            const t0 = performance.now();
            const step = await send(`${runs}/${runId}/steps`, 'POST', body);
            appendTimes.push(performance.now() - t0);
            if (step.status !== 201) throw new Error(`append: ${step.status} ${step.text}`);
            const stepId = /"id":"([^"]+)"/.exec(step.text)![1];
            const done = await send(`${runs}/${runId}/steps/${stepId}`, 'PATCH', `{"status":"completed","usage":{"input_tokens":${size >> 2},"output_tokens":100}}`);
            if (done.status !== 200) throw new Error(`finish step: ${done.status} ${done.text}`);
            steps++;
          }
          const finished = await send(`${runs}/${runId}`, 'PATCH', '{"status":"completed"}');
          if (finished.status !== 200) throw new Error(`finish run: ${finished.status} ${finished.text}`);
        }
      } finally {
        connection.close();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    steps,
    seconds: Math.round(seconds * 10) / 10,
    stepsPerSecond: Math.round(steps / seconds),
    appendP50Ms: Math.round(percentile(appendTimes, 50) * 10) / 10,
    appendP99Ms: Math.round(percentile(appendTimes, 99) * 10) / 10,
    concurrency: chatIds.length,
  };
}
