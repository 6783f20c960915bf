import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../server/demo/fake-provider.ts';
import { DebugRecorder } from '../../server/recorder/index.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** A minimal LLM client that retries 5xx like the vendor SDKs do. */
async function callWithRetries(fetchFn: typeof fetch, url: string, body: unknown, apiKey: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    });
    if (response.status >= 500 && attempt < 3) {
      await response.text();
      continue;
    }
    const text = await response.text();
    return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  }
}

describe('recorder', () => {
  let provider: FakeProvider;
  let open: TestServer;
  let closed: TestServer;
  let users: Users;
  let closedUsers: Users;

  beforeAll(async () => {
    provider = await startFakeProvider();
    open = await startTestServer('pglite', { args: ['--chat-debug-logging-enabled'] });
    closed = await startTestServer('pglite');
    users = await createUsers(open.api);
    closedUsers = await createUsers(closed.api);
  });
  afterAll(async () => {
    await open?.close();
    await closed?.close();
    await provider?.close();
  });

  it('records retries, redacts credentials and normalises an Anthropic JSON call', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const errors: Error[] = [];
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId, onError: (e) => errors.push(e) });
    const request = { model: 'claude-sonnet-4', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'How do I fix a race?' }] };
    provider.failNextMessage();
    const answer = (await recorder.run({ kind: 'chat_turn', provider: 'anthropic', model: 'claude-sonnet-4', firstMessage: 'How do I fix a race?' }, (run) =>
      run.step({ operation: 'generate' }, () => callWithRetries(recorder.fetch, `${provider.url}/v1/messages?key=sk-secret-1`, request, 'sk-secret-1')),
    )) as { content: { text: string }[]; usage: { input_tokens: number; output_tokens: number } };
    const text = answer.content[0].text;
    const { input_tokens: input, output_tokens: output } = answer.usage;
    expect(errors).toEqual([]);

    const list = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: users.member.token });
    expect(list.body).toHaveLength(1);
    const detail = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs/${list.body[0].id}`, { token: users.member.token });
    expect(detail.text).not.toContain('sk-secret-1');
    const run = detail.body;
    expect(run).toMatchObject({
      kind: 'chat_turn',
      status: 'completed',
      provider: 'anthropic',
      summary: { first_message: 'How do I fix a race?', step_count: 1, total_input_tokens: input, total_output_tokens: output, endpoint_label: 'POST /v1/messages' },
    });
    const [step] = run.steps;
    expect(step).toMatchObject({
      step_number: 1,
      operation: 'generate',
      status: 'completed',
      normalized_request: {
        model: 'claude-sonnet-4',
        messages: [
          { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'user', parts: [{ type: 'text', text: 'How do I fix a race?' }] },
        ],
        options: { max_output_tokens: 256 },
      },
      normalized_response: { content: [{ type: 'text', text }], finish_reason: 'stop' },
      usage: { input_tokens: input, output_tokens: output, total_tokens: input + output, cache_read_tokens: 512 },
    });
    expect(step.attempts).toHaveLength(2);
    expect(step.attempts[0]).toMatchObject({
      number: 1,
      status: 'failed',
      method: 'POST',
      path: '/v1/messages',
      response_status: 529,
      retry_classification: 'server_error',
      retry_delay_ms: 0,
      request_headers: { 'x-api-key': '[REDACTED]', authorization: '[REDACTED]', 'content-type': 'application/json' },
    });
    expect(step.attempts[0].url).toBe(`${provider.url}/v1/messages?key=%5BREDACTED%5D`);
    expect(step.attempts[1]).toMatchObject({ number: 2, status: 'completed', response_status: 200 });
    expect(JSON.parse(Buffer.from(step.attempts[1].response_body, 'base64').toString())).toEqual(answer);
    expect(typeof step.attempts[1].duration_ms).toBe('number');
  });

  it('merges a streamed OpenAI response: text, tool call arguments, usage and a stream summary', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId });
    const streamed = await recorder.run({ kind: 'chat_turn', provider: 'openai', model: 'gpt-4o' }, (run) =>
      run.step({ operation: 'stream' }, () =>
        callWithRetries(recorder.fetch, `${provider.url}/v1/chat/completions`, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'sk-o'),
      ),
    );
    expect(String(streamed)).toContain('data: [DONE]');
    const list = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: users.member.token });
    const run = (await open.api.get(`/api/experimental/chats/${chatId}/debug/runs/${list.body[0].id}`, { token: users.member.token })).body;
    expect(run.steps[0]).toMatchObject({
      status: 'completed',
      normalized_response: {
        content: [
          { type: 'text', text: 'Let me run the failing test.' },
          { type: 'tool-call', tool_name: 'run_code', arguments: '{"command":"npm test -- build.test.ts"}' },
        ],
        finish_reason: 'tool-calls',
      },
      usage: { input_tokens: 1240, output_tokens: 42, total_tokens: 1282 },
      metadata: { stream_summary: { text_delta_count: 2, tool_call_count: 1, finish_reason: 'tool-calls', part_count: 5 } },
    });
    expect(run.summary).toMatchObject({ total_input_tokens: 1240, total_output_tokens: 42, endpoint_label: 'POST /v1/chat/completions' });
  });

  it('records an advisor call with its reserved use id: the run summary keeps its tokens apart (advisor_*)', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const advisorOn = await open.api.request('PUT', '/api/experimental/chats/config/advisor', { token: users.owner.token, body: { enabled: true, max_uses_per_run: 2 } });
    expect(advisorOn.status).toBe(204);
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId });
    let advice: { usage: { input_tokens: number; output_tokens: number } } | undefined;
    await recorder.run({ kind: 'chat_turn', provider: 'openai', model: 'gpt-4o' }, async (run) => {
      await run.step({ operation: 'stream' }, () =>
        callWithRetries(recorder.fetch, `${provider.url}/v1/chat/completions`, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'sk-o'),
      );
      // The runtime reserves a use, then records the advisor's own model call with it.
      const use = await open.api.post(`/api/experimental/chats/${chatId}/advisor/uses`, { token: users.member.token, body: { run_key: 'turn-1' } });
      expect(use.status).toBe(201);
      advice = (await run.step({ operation: 'generate', advisorUseId: use.body.use_id }, () =>
        callWithRetries(recorder.fetch, `${provider.url}/v1/messages`, { model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'advise' }] }, 'sk-a'),
      )) as typeof advice;
    });
    const list = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: users.member.token });
    const run = (await open.api.get(`/api/experimental/chats/${chatId}/debug/runs/${list.body[0].id}`, { token: users.member.token })).body;
    expect(run.steps[1].metadata).toEqual({ advisor_use_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(run.summary).toMatchObject({
      step_count: 2,
      total_input_tokens: 1240,
      total_output_tokens: 42,
      advisor_step_count: 1,
      advisor_input_tokens: advice!.usage.input_tokens,
      advisor_output_tokens: advice!.usage.output_tokens,
    });
    expect(advice!.usage.input_tokens).toBeGreaterThan(0);
  });

  it('records a NUL (which PostgreSQL cannot store) as U+FFFD in the request, the response and the attempts; the agent gets the answer unchanged', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const errors: Error[] = [];
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId, onError: (e) => errors.push(e) });
    const said = 'before\u0000after, and a backslash: \\u0000';
    const answer = (await recorder.run({ kind: 'chat_turn', provider: 'anthropic' }, (run) =>
      run.step({ operation: 'generate' }, () =>
        callWithRetries(recorder.fetch, `${provider.url}/v1/messages`, { model: 'claude-sonnet-4', max_tokens: 64, echo: said, messages: [{ role: 'user', content: said }] }, 'sk-n'),
      ),
    )) as { content: { text: string }[] };
    expect(answer.content[0].text).toBe(said);
    expect(errors).toEqual([]);

    const list = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: users.member.token });
    const run = (await open.api.get(`/api/experimental/chats/${chatId}/debug/runs/${list.body[0].id}`, { token: users.member.token })).body;
    const recorded = 'before\ufffdafter, and a backslash: \\u0000';
    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({
      status: 'completed',
      normalized_request: { messages: [{ role: 'user', parts: [{ type: 'text', text: recorded }] }] },
      normalized_response: { content: [{ type: 'text', text: recorded }] },
    });
    const attempt = run.steps[0].attempts[0];
    // Attempt bodies are the bytes as they crossed the wire (base64): the provider's JSON escapes stay.
    expect(Buffer.from(attempt.response_body, 'base64').toString()).toContain(JSON.stringify(said));
  });

  it('records a dropped connection as a failed attempt and an error step, and rethrows to the agent', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId });
    await expect(
      recorder.run({ kind: 'chat_turn' }, (run) => run.step({ operation: 'generate' }, () => recorder.fetch(`${provider.url}/drop`, { method: 'POST', body: '{}' }))),
    ).rejects.toThrow();
    const list = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: users.member.token });
    const run = (await open.api.get(`/api/experimental/chats/${chatId}/debug/runs/${list.body[0].id}`, { token: users.member.token })).body;
    expect(run.status).toBe('error');
    expect(run.summary.has_error).toBe(true);
    expect(run.steps[0]).toMatchObject({ status: 'error', error: { type: 'TypeError' } });
    expect(run.steps[0].attempts[0]).toMatchObject({ number: 1, status: 'failed' });
    expect(run.steps[0].attempts[0].error).toEqual(expect.any(String));
  });

  it('is a pass-through when the gate is closed, and stops asking for a while', async () => {
    const chatId = await createChat(closed.api, closedUsers.member.token);
    const ingestion: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input).includes('/debug/')) ingestion.push(String(input));
      return fetch(input, init);
    };
    const recorder = new DebugRecorder({ url: closed.url, token: closedUsers.member.token, chatId, fetch: countingFetch });
    const before = provider.hits();
    for (let i = 0; i < 3; i++) {
      const recorded = await recorder.run({ kind: 'chat_turn' }, async (run) => {
        expect(run.recording).toBe(false);
        await run.step({ operation: 'stream' }, () => callWithRetries(recorder.fetch, `${provider.url}/v1/chat/completions`, { messages: [] }, 'k'));
        return run.id;
      });
      expect(recorded).toBeUndefined();
    }
    expect(provider.hits() - before).toBe(3);
    expect(ingestion).toHaveLength(1); // one refused POST /runs, then the closed gate is remembered
    const list = await closed.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: closedUsers.member.token });
    expect(list.text).toBe('[]\n');
  });
});
