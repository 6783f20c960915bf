// Writers' bad input: every rejected write answers 400 with its message and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import { enableRecording, runPath, runsPath, snapshotDebug, stepPath, stepsPath } from '../support/debug.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NUL = { message: 'Request body must be valid JSON.', detail: 'unsupported Unicode escape sequence: \\u0000 (NUL) cannot be stored' };

describe.each(BACKENDS)('debug writers’ bad input on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let chatId: string;
  let runId: string;
  let stepId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    await enableRecording(server, users);
    chatId = await createChat(server.api, users.member.token);
    runId = (await server.api.post(runsPath(chatId), { token: users.member.token, body: { kind: 'chat_turn' } })).body.id;
    stepId = (await server.api.post(stepsPath(chatId, runId), { token: users.member.token, body: { operation: 'stream' } })).body.id;
  });
  afterAll(async () => server?.close());

  const cases: [string, () => [string, string, unknown], Record<string, string>][] = [
    ['a missing kind', () => ['POST', runsPath(chatId), {}], { message: 'Debug run kind is required.', detail: 'Expected one of: chat_turn, title_generation, quickgen, compaction.' }],
    ['an unknown kind', () => ['POST', runsPath(chatId), { kind: 'poetry' }], { message: 'Invalid debug run kind.', detail: 'Expected one of: chat_turn, title_generation, quickgen, compaction. Got "poetry".' }],
    ['an unknown operation', () => ['POST', stepsPath(chatId, runId), { operation: 'think' }], { message: 'Invalid debug step operation.', detail: 'Expected one of: stream, generate. Got "think".' }],
    ['a non-object request', () => ['POST', stepsPath(chatId, runId), { operation: 'stream', normalized_request: [1] }], { message: 'Invalid debug payload.', detail: 'normalized_request must be a JSON object.' }],
    ['an unknown step status', () => ['PATCH', stepPath(chatId, runId, stepId), { status: 'done' }], { message: 'Invalid debug status.', detail: 'Expected one of: in_progress, completed, error, interrupted. Got "done".' }],
    ['attempts that are not an array', () => ['PATCH', stepPath(chatId, runId, stepId), { attempts: { number: 1 } }], { message: 'Invalid debug payload.', detail: 'attempts must be a JSON array.' }],
    ['a non-object usage', () => ['PATCH', stepPath(chatId, runId, stepId), { usage: 'lots' }], { message: 'Invalid debug payload.', detail: 'usage must be a JSON object.' }],
    ['an unknown run status', () => ['PATCH', runPath(chatId, runId), { status: 'finished' }], { message: 'Invalid debug status.', detail: 'Expected one of: in_progress, completed, error, interrupted. Got "finished".' }],
    ['a non-object summary', () => ['PATCH', runPath(chatId, runId), { summary: 'x' }], { message: 'Invalid debug payload.', detail: 'summary must be a JSON object.' }],
    ['a NUL in a request string', () => ['POST', stepsPath(chatId, runId), { operation: 'stream', normalized_request: { messages: [{ text: 'a\u0000b' }] } }], NUL],
    ['a NUL in a response key', () => ['PATCH', stepPath(chatId, runId, stepId), { normalized_response: { 'k\u0000': 1 } }], NUL],
    ['a NUL in a run’s model', () => ['PATCH', runPath(chatId, runId), { model: 'm\u0000' }], NUL],
    ['a NUL in a first message', () => ['POST', runsPath(chatId), { kind: 'chat_turn', first_message: '\u0000' }], NUL],
  ];

  it.each(cases)('rejects %s with 400 and stores nothing', async (_name, request, expected) => {
    const before = await snapshotDebug(server);
    const [method, path, body] = request();
    const response = await server.api.request(method, path, { token: users.member.token, body });
    expect(response.status).toBe(400);
    expect(response.text).toBe(`${JSON.stringify(expected)}\n`);
    expect(await snapshotDebug(server)).toBe(before);
  });

  /** `{"a":{"a":…{}}}` nested `levels` deep, as text: JSON.stringify would overflow on the deepest. */
  const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
  const TOO_DEEP = { message: 'Request body must be valid JSON.', detail: 'JSON nested deeper than 1000 levels' };

  it('stores a payload nested 1000 levels deep and reads it back; deeper ones get 400 and store nothing', async () => {
    const token = users.member.token;
    const stored = await server.api.request('POST', stepsPath(chatId, runId), { token, body: `{"operation":"stream","normalized_request":${nested(1000)}}` });
    expect(stored.status).toBe(201);
    expect(JSON.stringify(stored.body.normalized_request)).toBe(nested(1000));
    const detail = await server.api.get(runPath(chatId, runId), { token });
    const step = detail.body.steps.find((s: { id: string }) => s.id === stored.body.id);
    expect(JSON.stringify(step.normalized_request)).toBe(nested(1000));

    const before = await snapshotDebug(server);
    for (const [method, path, body] of [
      ['POST', stepsPath(chatId, runId), `{"operation":"stream","normalized_request":${nested(1001)}}`],
      ['PATCH', stepPath(chatId, runId, stepId), `{"metadata":${nested(5000)}}`],
      // Deep enough to overflow any recursive walk: refused before one runs.
      ['PATCH', runPath(chatId, runId), `{"summary":${nested(200_000)}}`],
    ]) {
      const response = await server.api.request(method, path, { token, body });
      expect(response.status, path).toBe(400);
      expect(response.text).toBe(`${JSON.stringify(TOO_DEEP)}\n`);
    }
    expect(await snapshotDebug(server)).toBe(before);
  });

  it('ignores a NUL under a key the route does not know, with the key (rest-api.md 1.2), on writes and settings alike', async () => {
    const token = users.member.token;
    const step = await server.api.request('POST', stepsPath(chatId, runId), { token, body: '{"operation":"stream","note":"a\\u0000b","n\\u0000":1}' });
    expect(step.status, step.text).toBe(201);
    expect(step.body.normalized_request).toEqual({});
    const optIn = await server.api.request('PUT', '/api/experimental/chats/config/user-debug-logging', { token, body: '{"debug_logging_enabled":true,"x":"\\u0000"}' });
    expect(optIn.status, optIn.text).toBe(204);
    // In a key the route uses, it is refused as before.
    const title = await server.api.request('PATCH', `/api/experimental/chats/${chatId}`, { token, body: '{"title":"t\\u0000"}' });
    expect(title.status).toBe(400);
    expect(title.body).toEqual(NUL);
  });

  it('stores the six characters \\u0000 (an escaped backslash, not a NUL) as they are', async () => {
    const text = 'path C:\\u0000 and \\u0000';
    const response = await server.api.post(stepsPath(chatId, runId), { token: users.member.token, body: { operation: 'stream', normalized_request: { [text]: text } } });
    expect(response.status).toBe(201);
    expect(response.body.normalized_request).toEqual({ [text]: text });
  });
});
