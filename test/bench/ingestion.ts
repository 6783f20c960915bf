import { payload, percentile, request } from './harness.ts';

export interface IngestionResult {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  appendP50Ms: number;
  appendP99Ms: number;
  concurrency: number;
}

/**
 * Runs of 20 steps with 5–20 KB requests, written through the REST ingestion API by `concurrency`
 * writers (each its own chat, as agents are), for about `durationMs`.
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
        const run = await request(runs, 'POST', { kind: 'chat_turn', provider: 'anthropic', model: 'claude-sonnet-4', first_message: `bench ${writer}/${r}` }, token);
        if (run.status !== 201) throw new Error(`start run: ${run.status} ${JSON.stringify(run.json)}`);
        for (let s = 0; s < 20; s++) {
          const size = 5_000 + ((r * 20 + s) * 733) % 15_000;
          const t0 = performance.now();
          const step = await request(`${runs}/${run.json.id}/steps`, 'POST', { operation: 'stream', normalized_request: payload(size, s) }, token);
          appendTimes.push(performance.now() - t0);
          if (step.status !== 201) throw new Error(`append: ${step.status} ${JSON.stringify(step.json)}`);
          const done = await request(`${runs}/${run.json.id}/steps/${step.json.id}`, 'PATCH', {
            status: 'completed',
            usage: { input_tokens: size / 4, output_tokens: 100 },
          }, token);
          if (done.status !== 200) throw new Error(`finish step: ${done.status}`);
          steps++;
        }
        await request(`${runs}/${run.json.id}`, 'PATCH', { status: 'completed' }, token);
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
