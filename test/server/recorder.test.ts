import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../server/demo/fake-provider.ts';
import { DebugRecorder } from '../../server/recorder/index.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { within } from '../support/server-process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * An OpenAI-style stream that sends its first event and holds the rest until `release()`; `closedEarly`
 * resolves true when the client went away before the stream ended.
 */
async function heldStream(): Promise<{ url: string; release(): void; closedEarly: Promise<boolean>; close(): Promise<void> }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let closedEarly!: (value: boolean) => void;
  const early = new Promise<boolean>((resolve) => (closedEarly = resolve));
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    let ended = false;
    res.on('close', () => closedEarly(!ended));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'Hel' } }] })}\n\n`);
    void released.then(() => {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n`);
      ended = true;
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`,
    release,
    closedEarly: early,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const STREAM_BODY = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });

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
    await recorder.flush();
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
    await recorder.flush();
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
    await recorder.flush();
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
    await recorder.flush();
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
    await recorder.flush();
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

  /** The stored detail of the chat's only run. */
  const onlyRun = async (chatId: string) => {
    const list = await open.api.get(`/api/experimental/chats/${chatId}/debug/runs`, { token: users.member.token });
    expect(list.body).toHaveLength(1);
    return (await open.api.get(`/api/experimental/chats/${chatId}/debug/runs/${list.body[0].id}`, { token: users.member.token })).body;
  };

  it('hands a streamed answer to the agent as it arrives, while the provider is still sending, and records all of it', async () => {
    const held = await heldStream();
    try {
      const chatId = await createChat(open.api, users.member.token);
      const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId });
      let text = '';
      await recorder.run({ kind: 'chat_turn', provider: 'openai' }, async (run) => {
        const response = await within(run.step({ operation: 'stream' }, () => recorder.fetch(held.url, { method: 'POST', body: STREAM_BODY })), 5000, 'the step to hand back the response before the stream ends');
        expect(response.headers.get('content-type')).toBe('text/event-stream');
        expect(response.url).toBe(held.url);
        const reader = response.body!.getReader();
        const first = await within(reader.read(), 5000, 'the first event before the provider sends the rest');
        text += new TextDecoder().decode(first.value);
        held.release();
        for (let next = await reader.read(); !next.done; next = await reader.read()) text += new TextDecoder().decode(next.value);
      });
      expect(text).toContain('"Hel"');
      expect(text).toContain('[DONE]');
      await recorder.flush();
      const run = await onlyRun(chatId);
      expect(run.status).toBe('completed');
      expect(run.steps[0]).toMatchObject({ status: 'completed', usage: { input_tokens: 3, output_tokens: 2 } });
      expect(Buffer.from(run.steps[0].attempts[0].response_body, 'base64').toString()).toBe(text);
    } finally {
      await held.close();
    }
  });

  it('cancels the provider\'s stream when the agent stops reading, and records the attempt as stopped', async () => {
    const held = await heldStream();
    try {
      const chatId = await createChat(open.api, users.member.token);
      const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId });
      await recorder.run({ kind: 'chat_turn', provider: 'openai' }, async (run) => {
        const response = await within(run.step({ operation: 'stream' }, () => recorder.fetch(held.url, { method: 'POST', body: STREAM_BODY })), 5000, 'the response');
        const reader = response.body!.getReader();
        await reader.read();
        await reader.cancel();
      });
      expect(await within(held.closedEarly, 5000, 'the provider to see the client go away')).toBe(true);
      await recorder.flush();
      const attempt = (await onlyRun(chatId)).steps[0].attempts[0];
      // The exchange itself went well; the record says where the agent stopped.
      expect(attempt).toMatchObject({ status: 'completed', error: 'The caller stopped reading the response.' });
      expect(Buffer.from(attempt.response_body, 'base64').toString()).toContain('"Hel"');
    } finally {
      held.release();
      await held.close();
    }
  });

  it('records bodies the agent never reads: a retried error answer in full, an unread answer as far as it went; the run still finishes', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId, abandonedBodyMs: 200 });
    const request = JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    provider.failNextMessage();
    const status = await recorder.run({ kind: 'chat_turn', provider: 'anthropic' }, (run) =>
      run.step({ operation: 'generate' }, async () => {
        const overloaded = await recorder.fetch(`${provider.url}/v1/messages`, { method: 'POST', body: request }); // not read: retried
        expect(overloaded.status).toBe(529);
        return (await recorder.fetch(`${provider.url}/v1/messages`, { method: 'POST', body: request })).status; // never read
      }),
    );
    expect(status).toBe(200);
    await within(recorder.flush(), 5000, 'the recording to finish');
    const run = await onlyRun(chatId);
    expect(run.status).toBe('completed');
    const [retried, unread] = run.steps[0].attempts;
    expect(retried).toMatchObject({ number: 1, status: 'failed', response_status: 529, retry_classification: 'server_error' });
    expect(Buffer.from(retried.response_body, 'base64').toString()).toContain('overloaded');
    expect(unread).toMatchObject({ number: 2, status: 'completed', response_status: 200, error: 'The caller did not read the rest of the response.' });
  });

  it('creates a run\'s steps in the order they began, however slowly the first creation goes', async () => {
    const chatId = await createChat(open.api, users.member.token);
    let creations = 0;
    const slowFirstCreation: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/steps') && ++creations === 1) await new Promise((resolve) => setTimeout(resolve, 300));
      return fetch(input, init);
    };
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId, fetch: slowFirstCreation });
    await recorder.run({ kind: 'chat_turn', provider: 'anthropic' }, async (run) => {
      for (const content of ['first', 'second']) {
        const body = JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 16, messages: [{ role: 'user', content }] });
        await run.step({ operation: 'generate' }, () => callWithRetries(recorder.fetch, `${provider.url}/v1/messages`, JSON.parse(body), 'k'));
      }
    });
    await recorder.flush();
    const steps = (await onlyRun(chatId)).steps as { step_number: number; normalized_request: { messages: { parts: { text: string }[] }[] } }[];
    expect(steps.map((s) => [s.step_number, s.normalized_request.messages[0].parts[0].text])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });

  it('never keeps the agent waiting on a server that does not answer: one bounded wait, then a pass-through for a while', async () => {
    const sockets: Socket[] = [];
    let requests = 0;
    const silent = createTcpServer((socket) => {
      sockets.push(socket);
      socket.on('data', (bytes) => (requests += (bytes.toString('latin1').match(/^POST \//gm) ?? []).length));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const errors: Error[] = [];
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const recorder = new DebugRecorder({ url, token: users.member.token, chatId: randomUUID(), timeoutMs: 300, onError: (e) => errors.push(e) });
      for (let i = 0; i < 3; i++) {
        const answer = await within(
          recorder.run({ kind: 'chat_turn' }, (run) => run.step({ operation: 'generate' }, () => callWithRetries(recorder.fetch, `${provider.url}/v1/messages`, { messages: [] }, 'k'))),
          5000,
          'the agent\'s answer',
        );
        expect(answer).toMatchObject({ type: 'message' });
      }
      expect(requests).toBe(1);
      expect(errors).toHaveLength(1);
      await within(recorder.flush(), 1000, 'flush with nothing recorded');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports writes the server refuses (a step of a run finished elsewhere: 409), and the agent still gets its answer', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const errors: Error[] = [];
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId, onError: (e) => errors.push(e) });
    const answer = await recorder.run({ kind: 'chat_turn' }, async (run) => {
      await open.api.patch(`/api/experimental/chats/${chatId}/debug/runs/${run.id}`, { token: users.member.token, body: { status: 'interrupted' } });
      return run.step({ operation: 'generate' }, () => callWithRetries(recorder.fetch, `${provider.url}/v1/messages`, { messages: [] }, 'k'));
    });
    expect(answer).toMatchObject({ type: 'message' });
    await recorder.flush();
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/^POST \/runs\/[0-9a-f-]+\/steps answered 409: /));
  });

  it('records a request body over 50,000 bytes as [TRUNCATED], caps message text, and keeps `key` out of error text', async () => {
    const chatId = await createChat(open.api, users.member.token);
    const big = { model: 'claude-sonnet-4', max_tokens: 16, messages: [{ role: 'user', content: 'x'.repeat(60_000) }] };
    const failing: typeof fetch = (input, init) =>
      String(input).includes('/fail-with-url') ? Promise.reject(new TypeError('request to https://gen.example/v1/models?alt=sse&key=AIzaSECRET failed')) : fetch(input, init);
    const recorder = new DebugRecorder({ url: open.url, token: users.member.token, chatId, fetch: failing });
    await recorder.run({ kind: 'chat_turn', provider: 'anthropic' }, async (run) => {
      await run.step({ operation: 'generate' }, () => callWithRetries(recorder.fetch, `${provider.url}/v1/messages`, big, 'k'));
      await run.step({ operation: 'generate' }, () => recorder.fetch(`${provider.url}/fail-with-url`, { method: 'POST', body: '{}' })).catch(() => undefined);
    });
    await recorder.flush();
    const run = await onlyRun(chatId);
    expect(Buffer.from(run.steps[0].attempts[0].request_body, 'base64').toString()).toBe('[TRUNCATED]');
    expect(run.steps[0].normalized_request.messages[0].parts[0]).toMatchObject({ text_length: 60_000 });
    expect(JSON.stringify(run)).not.toContain('AIzaSECRET');
    expect(run.steps[1].attempts[0].error).toContain('key=%5BREDACTED%5D');
  });
});
