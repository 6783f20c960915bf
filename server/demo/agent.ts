import type { FakeProvider } from './fake-provider.ts';
import { DebugRecorder, type RecordedRun } from '../recorder/index.ts';

const PROMPTS = [
  'The build fails on CI but passes locally. Can you find out why?',
  'Make the flaky integration test deterministic.',
  'Why does the cache get corrupted when two builds run at once?',
  'Upgrade esbuild and make sure the native binary still installs.',
];

/** A minimal LLM client that retries overloaded answers, as vendor SDKs do. */
async function call(fetchFn: typeof fetch, url: string, body: unknown): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-demo-not-a-real-key', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if ((response.status === 529 || response.status >= 500) && attempt < 3) continue;
    if (!response.ok) throw new Error(`Provider request failed: ${response.status} ${text}`);
    return text;
  }
}

/**
 * Records one realistic agent turn every few seconds: a streamed step with a tool call, a
 * generate step that is retried once, now and then a failing call, a title generation or a compaction.
 */
export function startDemoAgent(options: { url: string; token: string; chatId: string; provider: FakeProvider; everyMs?: number }): () => void {
  const recorder = new DebugRecorder({
    url: options.url,
    token: options.token,
    chatId: options.chatId,
    gateCacheMs: 2000,
    onError: (error) => console.error('demo agent: recording failed:', error.message),
  });
  const { provider } = options;
  let turn = 0;
  let stopped = false;

  /** Reserves an advisor use for the turn and records the advisor's call with it; skipped when the advisor is off or spent. */
  const askAdvisor = async (run: RecordedRun, runKey: string, prompt: string) => {
    const reserved = await fetch(`${options.url}/api/experimental/chats/${options.chatId}/advisor/uses`, {
      method: 'POST',
      headers: { 'Coder-Session-Token': options.token, 'content-type': 'application/json' },
      body: JSON.stringify({ run_key: runKey }),
    });
    if (reserved.status !== 201) return;
    const { use_id: advisorUseId } = (await reserved.json()) as { use_id: string };
    await run.step({ operation: 'generate', advisorUseId }, () =>
      call(recorder.fetch, `${provider.url}/v1/messages`, { model: 'claude-opus-4', max_tokens: 16384, system: 'Advise the agent; no tools.', messages: [{ role: 'user', content: `The agent is stuck on: ${prompt}` }] }),
    );
  };

  const oneTurn = async () => {
    const prompt = PROMPTS[turn % PROMPTS.length];
    const kind = turn % 7 === 3 ? 'title_generation' : turn % 11 === 6 ? 'compaction' : 'chat_turn';
    const messages = [{ role: 'user', content: prompt }];
    turn++;
    await recorder
      .run({ kind, provider: 'anthropic', model: 'claude-sonnet-4', firstMessage: prompt }, async (run) => {
        if (kind === 'title_generation') {
          await run.step({ operation: 'generate' }, () =>
            call(recorder.fetch, `${provider.url}/v1/messages`, { model: 'claude-haiku-4', max_tokens: 64, messages: [{ role: 'user', content: `Title for: ${prompt}` }] }),
          );
          return;
        }
        await run.step({ operation: 'stream' }, () =>
          call(recorder.fetch, `${provider.url}/v1/chat/completions`, {
            model: 'gpt-4o',
            stream: true,
            stream_options: { include_usage: true },
            temperature: 0.2,
            tool_choice: 'auto',
            tools: [{ type: 'function', function: { name: 'run_code', description: 'Runs a shell command in the workspace.', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } } }],
            messages: [{ role: 'system', content: 'You are a careful coding agent.' }, ...messages],
          }),
        );
        await new Promise((r) => setTimeout(r, 600));
        if (turn % 4 === 2) await askAdvisor(run, `demo-turn-${turn}`, prompt);
        if (turn % 3 === 0) provider.failNextMessage();
        await run.step({ operation: 'generate' }, () =>
          call(recorder.fetch, `${provider.url}/v1/messages`, { model: 'claude-sonnet-4', max_tokens: 1024, system: 'Be concise.', messages: [...messages, { role: 'assistant', content: 'The test output shows a shared temp dir.' }, { role: 'user', content: 'What should we change?' }] }),
        );
        if (turn % 5 === 0) {
          await run.step({ operation: 'generate' }, () => call(recorder.fetch, `${provider.url}/v1/bad`, { model: 'claude-sonnet-4', max_tokens: 100000, messages }));
        }
      })
      .catch(() => {
        // The failing call is part of the demo: it is recorded as an error step.
      });
  };

  const loop = async () => {
    while (!stopped) {
      await oneTurn();
      await new Promise((r) => setTimeout(r, options.everyMs ?? 4000));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
