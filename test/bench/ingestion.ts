import { Agent, request as httpRequest } from 'node:http';
import { payload, percentile } from './harness.ts';

export interface IngestionResult {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  appendP50Ms: number;
  appendP99Ms: number;
  concurrency: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** A lean keep-alive client, so the figure measures the server rather than the load generator. */
function send(url: string, method: string, body: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Coder-Session-Token': token } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
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
      const runs = `${base}/api/experimental/chats/${chatId}/debug/runs`;
      for (let r = 0; performance.now() < deadline; r++) {
        const run = await send(runs, 'POST', JSON.stringify({ kind: 'chat_turn', provider: 'anthropic', model: 'claude-sonnet-4', first_message: `bench ${writer}/${r}` }), token);
        if (run.status !== 201) throw new Error(`start run: ${run.status} ${run.text}`);
        const runId = (JSON.parse(run.text) as { id: string }).id;
        for (let s = 0; s < 20; s++) {
          const { size, body } = STEP_BODIES[(writer * 7 + r * 20 + s) % STEP_BODIES.length];
          const t0 = performance.now();
          const step = await send(`${runs}/${runId}/steps`, 'POST', body, token);
          appendTimes.push(performance.now() - t0);
          if (step.status !== 201) throw new Error(`append: ${step.status} ${step.text}`);
          const stepId = /"id":"([^"]+)"/.exec(step.text)![1];
          const done = await send(`${runs}/${runId}/steps/${stepId}`, 'PATCH', `{"status":"completed","usage":{"input_tokens":${size >> 2},"output_tokens":100}}`, token);
          if (done.status !== 200) throw new Error(`finish step: ${done.status} ${done.text}`);
          steps++;
        }
        const finished = await send(`${runs}/${runId}`, 'PATCH', '{"status":"completed"}', token);
        if (finished.status !== 200) throw new Error(`finish run: ${finished.status} ${finished.text}`);
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
