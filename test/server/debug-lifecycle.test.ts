// Ingestion lifecycle (rest-api.md 13.1–13.5, 13.7; product.md 4; cases 69–77).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBadJson, expectJson, expectNotFound } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import {
  MINUTE,
  RUN_FINISHED,
  RUN_SUMMARY_KEYS,
  STEP_KEYS,
  TIMESTAMP,
  UUID,
  ageRow,
  countDebugRows,
  enableRecording,
  expectKeys,
  ingest,
  runPath,
  snapshotDebug,
  stepPath,
  stepsPath,
} from '../support/debug.ts';
import { DebugMaintenance } from '../../server/debug/maintenance.ts';
import { createChat, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const completedAttempt = (path: string, method = 'POST') => ({ number: 1, status: 'completed', method, path, response_status: 200, duration_ms: 3 });

describe.each(BACKENDS)('debug ingestion lifecycle on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  let w: ReturnType<typeof ingest>;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    await enableRecording(server, users);
    w = ingest(server);
    token = users.member.token;
  });
  afterAll(async () => server?.close());

  const newChat = () => createChat(server.api, token);
  const stepRow = (id: string) => server.db.prisma.debugStep.findUniqueOrThrow({ where: { id } });
  const runRow = (id: string) => server.db.prisma.debugRun.findUniqueOrThrow({ where: { id } });

  it('POST /runs → 201 run detail: in_progress, summary seeded with first_message, steps []', async () => {
    const chatId = await newChat();
    const res = await server.api.post(`/api/experimental/chats/${chatId}/debug/runs`, {
      token,
      body: {
        kind: 'chat_turn',
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        model_config_id: '{6F2A9C1E-3B4D-4E5F-8A9B-0C1D2E3F4A5B}',
        root_chat_id: chatId,
        parent_chat_id: randomUUID(),
        trigger_message_id: 12,
        history_tip_message_id: 11,
        first_message: 'Fix the build',
        unknown_key: 'ignored',
      },
    });
    expect(res.status, res.text).toBe(201);
    const row = await runRow(res.body.id);
    expectJson(res, 201, {
      id: row.id,
      chat_id: chatId,
      root_chat_id: chatId,
      parent_chat_id: row.parentChatId,
      model_config_id: '6f2a9c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
      trigger_message_id: 12,
      history_tip_message_id: 11,
      kind: 'chat_turn',
      status: 'in_progress',
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      summary: { first_message: 'Fix the build' },
      started_at: row.startedAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
      steps: [],
    });
    expect(res.body.id).toMatch(UUID);
    expect(res.body.started_at).toMatch(TIMESTAMP);
  });

  it('model_config_id, root_chat_id and parent_chat_id are snapshots: not checked, not changed when those rows go', async () => {
    const root = await newChat();
    const sub = await createChat(server.api, token, { parent_chat_id: root });
    const other = await newChat();
    const config = await server.api.post('/api/experimental/chats/model-configs', {
      token: users.owner.token,
      body: { provider: 'openai', model: 'gpt-4o-mini', context_limit: 128000 },
    });
    expect(config.status, config.text).toBe(201);
    const missing = randomUUID();
    const run = await w.startRun(token, sub, { kind: 'chat_turn', model_config_id: config.body.id, root_chat_id: other, parent_chat_id: missing });
    expect(run).toMatchObject({ model_config_id: config.body.id, root_chat_id: other, parent_chat_id: missing });
    expect((await server.api.delete(`/api/experimental/chats/model-configs/${config.body.id}`, { token: users.owner.token })).status).toBe(204);
    expect((await server.api.delete(`/api/experimental/chats/${other}`, { token })).status).toBe(204);
    const detail = await w.detail(token, sub, run.id);
    expect(detail).toMatchObject({ model_config_id: config.body.id, root_chat_id: other, parent_chat_id: missing });
  });

  it('a known debug path with a method it does not serve → 405 with Allow and an empty body', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const runs = await server.api.delete(`/api/experimental/chats/${chatId}/debug/runs`, { token });
    expect(runs.status).toBe(405);
    expect(runs.text).toBe('');
    expect((runs.headers.get('allow') ?? '').split(',').map((m) => m.trim()).sort()).toEqual(['GET', 'HEAD', 'POST']);
    const one = await server.api.put(runPath(chatId, run.id), { token, body: {} });
    expect(one.status).toBe(405);
    expect((one.headers.get('allow') ?? '').split(',').map((m) => m.trim()).sort()).toEqual(['GET', 'HEAD', 'PATCH']);
    const unknown = await server.api.get(`/api/experimental/chats/${chatId}/debug/nothing`, { token });
    expectJson(unknown, 404, { message: 'Route not found.' });
  });

  it('POST /runs/{run}/steps → 201 step with defaults; PATCH step and run answer 200 with the wire shapes', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const res = await server.api.post(stepsPath(chatId, run.id), { token, body: { operation: 'generate', history_tip_message_id: 5 } });
    const row = await stepRow(res.body.id);
    expectJson(res, 201, {
      id: row.id,
      run_id: run.id,
      chat_id: chatId,
      step_number: 1,
      operation: 'generate',
      status: 'in_progress',
      history_tip_message_id: 5,
      normalized_request: {},
      attempts: [],
      metadata: {},
      started_at: row.startedAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    });
    const patched = await server.api.patch(stepPath(chatId, run.id, row.id), { token, body: { status: 'completed', assistant_message_id: 6 } });
    expect(patched.status, patched.text).toBe(200);
    expectKeys(patched.body, STEP_KEYS, ['id', 'run_id', 'chat_id', 'step_number', 'operation', 'status', 'history_tip_message_id', 'assistant_message_id', 'normalized_request', 'attempts', 'metadata', 'started_at', 'updated_at', 'finished_at']);
    const done = await server.api.patch(runPath(chatId, run.id), { token, body: { status: 'completed' } });
    const runAfter = await runRow(run.id);
    expectJson(done, 200, {
      id: run.id,
      chat_id: chatId,
      kind: 'chat_turn',
      status: 'completed',
      summary: { step_count: 1, total_input_tokens: 0, total_output_tokens: 0 },
      started_at: run.started_at,
      updated_at: runAfter.updatedAt.toISOString(),
      finished_at: runAfter.finishedAt!.toISOString(),
    });
    expectKeys(done.body, RUN_SUMMARY_KEYS, Object.keys(done.body));
  });

  it('rejects malformed ingestion bodies with 400 and stores nothing', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id);
    const before = await snapshotDebug(server);
    expectBadJson(await server.api.post(`/api/experimental/chats/${chatId}/debug/runs`, { token, body: '{not json' }));
    expectBadJson(await server.api.post(`/api/experimental/chats/${chatId}/debug/runs`, { token, body: { kind: 5 } }));
    expectBadJson(await server.api.post(`/api/experimental/chats/${chatId}/debug/runs`, { token, body: { kind: 'chat_turn', trigger_message_id: 1.5 } }));
    expectBadJson(await server.api.post(stepsPath(chatId, run.id), { token, body: '[]' }));
    expectBadJson(await server.api.patch(stepPath(chatId, run.id, step.id), { token, body: { status: true } }));
    expectBadJson(await server.api.patch(runPath(chatId, run.id), { token, body: 'true' }));
    const kindMissing = await server.api.post(`/api/experimental/chats/${chatId}/debug/runs`, { token, body: {} });
    expect(kindMissing.status, kindMissing.text).toBe(400);
    const badOperation = await server.api.post(stepsPath(chatId, run.id), { token, body: { operation: 'chat' } });
    expect(badOperation.status, badOperation.text).toBe(400);
    const badRequest = await server.api.post(stepsPath(chatId, run.id), { token, body: { operation: 'stream', normalized_request: [1] } });
    expect(badRequest.status, badRequest.text).toBe(400);
    const badStatus = await server.api.patch(stepPath(chatId, run.id, step.id), { token, body: { status: 'done' } });
    expect(badStatus.status, badStatus.text).toBe(400);
    const badAttempts = await server.api.patch(stepPath(chatId, run.id, step.id), { token, body: { attempts: { number: 1 } } });
    expect(badAttempts.status, badAttempts.text).toBe(400);
    const badUsage = await server.api.patch(stepPath(chatId, run.id, step.id), { token, body: { usage: 'lots' } });
    expect(badUsage.status, badUsage.text).toBe(400);
    const badRunStatus = await server.api.patch(runPath(chatId, run.id), { token, body: { status: 'finished' } });
    expect(badRunStatus.status, badRunStatus.text).toBe(400);
    expectJson(await server.api.patch(stepPath(chatId, run.id, 'nope'), { token, body: {} }), 400, {
      message: 'Invalid debug step ID.',
      detail: 'invalid UUID length: 4',
    });
    expectJson(await server.api.post(stepsPath(chatId, 'nope'), { token, body: { operation: 'stream' } }), 400, {
      message: 'Invalid debug run ID.',
      detail: 'invalid UUID length: 4',
    });
    expect(await snapshotDebug(server)).toBe(before);
  });

  it('TestChatDebugSQLGuards: a step or run of another chat through the wrong URL → 404 and nothing changes', async () => {
    const chatA = await newChat();
    const chatB = await newChat();
    const runA = await w.startRun(token, chatA);
    const runA2 = await w.startRun(token, chatA);
    const stepA = await w.addStep(token, chatA, runA.id);
    const runB = await w.startRun(token, chatB);
    const before = await snapshotDebug(server);
    const attempts: [string, () => ReturnType<typeof server.api.post>][] = [
      ['insert a step into run A through chat B', () => server.api.post(stepsPath(chatB, runA.id), { token, body: { operation: 'stream' } })],
      ['update run A through chat B', () => server.api.patch(runPath(chatB, runA.id), { token, body: { status: 'completed', model: 'x' } })],
      ['update step A through chat B', () => server.api.patch(stepPath(chatB, runA.id, stepA.id), { token, body: { status: 'completed' } })],
      ['update step A through chat B’s run', () => server.api.patch(stepPath(chatB, runB.id, stepA.id), { token, body: { status: 'completed' } })],
      ['update step A through another run of chat A', () => server.api.patch(stepPath(chatA, runA2.id, stepA.id), { token, body: { status: 'error' } })],
      ['update an unknown step', () => server.api.patch(stepPath(chatA, runA.id, randomUUID()), { token, body: { status: 'completed' } })],
      ['update an unknown run', () => server.api.patch(runPath(chatA, randomUUID()), { token, body: { status: 'completed' } })],
      ['insert into an unknown run', () => server.api.post(stepsPath(chatA, randomUUID()), { token, body: { operation: 'stream' } })],
      ['write into an unknown chat', () => server.api.post(`/api/experimental/chats/${randomUUID()}/debug/runs`, { token, body: { kind: 'chat_turn' } })],
    ];
    for (const [name, call] of attempts) {
      const res = await call();
      expectNotFound(res);
      expect(await snapshotDebug(server), name).toBe(before);
    }
    // Every stored step's chat_id is its run's chat_id.
    const mismatched = await server.db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      'SELECT count(*) AS n FROM chat_debug_steps s JOIN chat_debug_runs r ON r.id = s.run_id WHERE s.chat_id <> r.chat_id',
    );
    expect(Number(mismatched[0].n)).toBe(0);
  });

  it('NoStepIntoFinishedRun: after a run finishes (any terminal status), adding a step → 409 and nothing is inserted', async () => {
    const chatId = await newChat();
    for (const status of ['completed', 'error', 'interrupted']) {
      const run = await w.startRun(token, chatId);
      await w.addStep(token, chatId, run.id);
      await w.patchRun(token, chatId, run.id, { status });
      const before = await snapshotDebug(server);
      expectJson(await server.api.post(stepsPath(chatId, run.id), { token, body: { operation: 'stream' } }), 409, RUN_FINISHED);
      expect(await snapshotDebug(server)).toBe(before);
      expect(await countDebugRows(server, chatId)).toMatchObject({ steps: ['completed', 'error', 'interrupted'].indexOf(status) + 1 });
    }
  });

  it('StepNumbering: three steps get step_number 1, 2, 3; concurrent adds stay unique and dense', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) numbers.push((await w.addStep(token, chatId, run.id)).step_number);
    expect(numbers).toEqual([1, 2, 3]);
    // Numbering is per run.
    const other = await w.startRun(token, chatId);
    expect((await w.addStep(token, chatId, other.id)).step_number).toBe(1);
    // Concurrent writers never share a number.
    const parallel = await Promise.all(Array.from({ length: 12 }, () => w.addStep(token, chatId, run.id)));
    const expected = Array.from({ length: 15 }, (_, i) => i + 1);
    expect(parallel.map((s) => s.step_number).sort((a, b) => a - b)).toEqual(expected.slice(3));
    const detail = await w.detail(token, chatId, run.id);
    expect(detail.steps.map((s: { step_number: number }) => s.step_number)).toEqual(expected);
  });

  it('NoStepIntoFinishedRun under concurrency: appends racing the finish either land before it (201) or get 409', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const appends = Array.from({ length: 10 }, () => server.api.post(stepsPath(chatId, run.id), { token, body: { operation: 'stream' } }));
    const finish = server.api.patch(runPath(chatId, run.id), { token, body: { status: 'completed' } });
    const [answers, finished] = await Promise.all([Promise.all(appends), finish]);
    expect(finished.status).toBe(200);
    for (const res of answers) expect([201, 409]).toContain(res.status);
    const accepted = answers.filter((res) => res.status === 201).length;
    const detail = await w.detail(token, chatId, run.id);
    expect(detail.steps).toHaveLength(accepted);
    // The summary was aggregated when the run finished: every stored step had joined by then.
    expect(detail.summary.step_count).toBe(accepted);
    for (const step of detail.steps) expect(Date.parse(step.started_at)).toBeLessThanOrEqual(Date.parse(detail.finished_at));
  });

  it('parallel updates of one step keep the highest-priority status and every field written', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id);
    const updates = [
      { status: 'completed', usage: { input_tokens: 1 } },
      { status: 'in_progress', metadata: { a: 1 } },
      { status: 'interrupted' },
      { status: 'error', error: { message: 'boom' } },
      { assistant_message_id: 7 },
    ];
    await Promise.all(updates.map((body) => server.api.patch(stepPath(chatId, run.id, step.id), { token, body })));
    const [stored] = (await w.detail(token, chatId, run.id)).steps;
    expect(stored.status).toBe('completed');
    expect(stored.finished_at).toMatch(TIMESTAMP);
    expect(stored.usage).toEqual({ input_tokens: 1 });
    expect(stored.assistant_message_id).toBe(7);
  });

  it('TestChatDebugRunCOALESCEPreservation: an update without a field keeps it; a second terminal update leaves finished_at unchanged', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId, { kind: 'chat_turn', provider: 'openai', model: 'gpt-4o-mini', first_message: 'hello' });
    let res = await w.patchRun(token, chatId, run.id, { provider: 'anthropic' });
    expect(res).toMatchObject({ status: 'in_progress', provider: 'anthropic', model: 'gpt-4o-mini', summary: { first_message: 'hello' } });
    res = await w.patchRun(token, chatId, run.id, { model: 'claude', provider: null, summary: null });
    expect(res).toMatchObject({ provider: 'anthropic', model: 'claude', summary: { first_message: 'hello' } });
    res = await w.patchRun(token, chatId, run.id, { summary: { writer_key: 1 } });
    expect(res.summary).toEqual({ first_message: 'hello', writer_key: 1 });
    res = await w.patchRun(token, chatId, run.id, {});
    expect(res).toMatchObject({ status: 'in_progress', provider: 'anthropic', model: 'claude' });
    expect(res).not.toHaveProperty('finished_at');

    const finished = await w.patchRun(token, chatId, run.id, { status: 'interrupted' });
    expect(finished.finished_at).toMatch(TIMESTAMP);
    await new Promise((r) => setTimeout(r, 5));
    const again = await w.patchRun(token, chatId, run.id, { status: 'completed' });
    expect(again.status).toBe('completed');
    expect(again.finished_at).toBe(finished.finished_at);
    const third = await w.patchRun(token, chatId, run.id, { status: 'completed', model: 'm2' });
    expect(third).toMatchObject({ status: 'completed', model: 'm2', finished_at: finished.finished_at });
    expect((await runRow(run.id)).finishedAt!.toISOString()).toBe(finished.finished_at);
  });

  it('the request of a finished step leaves memory; later updates still answer with it, read back', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const request = { messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], provider_option_count: 0 };
    const step = await w.addStep(token, chatId, run.id, { operation: 'stream', normalized_request: request });
    const held = server.app.services.debug.heldStepRequests;
    const running = await w.patchStep(token, chatId, run.id, step.id, { usage: { input_tokens: 1 } });
    expect(running.normalized_request).toEqual(request);
    expect(server.app.services.debug.heldStepRequests).toBe(held);
    const done = await w.patchStep(token, chatId, run.id, step.id, { status: 'completed' });
    expect(done.normalized_request).toEqual(request);
    expect(server.app.services.debug.heldStepRequests).toBe(held - 1);
    const later = await w.patchStep(token, chatId, run.id, step.id, { assistant_message_id: 7 });
    expect(later).toMatchObject({ normalized_request: request, assistant_message_id: 7, status: 'completed' });

    // A step left unfinished leaves memory with its run.
    const open = await w.addStep(token, chatId, run.id, { operation: 'stream', normalized_request: request });
    expect(server.app.services.debug.heldStepRequests).toBe(held);
    await w.patchRun(token, chatId, run.id, { status: 'interrupted' });
    expect(server.app.services.debug.heldStepRequests).toBe(held - 1);
    const afterRun = await w.patchStep(token, chatId, run.id, open.id, { status: 'interrupted' });
    expect(afterRun.normalized_request).toEqual(request);
  });

  it('TestChatDebugStepCOALESCEPreservation: a status-only update keeps the payloads; error: null clears the error', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id, { operation: 'stream', normalized_request: { messages: [], provider_option_count: 0 } });
    const payloads = {
      normalized_response: { content: [{ type: 'text', text: 'hi' }], finish_reason: 'stop' },
      usage: { input_tokens: 4, output_tokens: 2 },
      attempts: [completedAttempt('/v1/messages')],
      metadata: { stream_summary: { part_count: 2 } },
      error: { message: 'retrying', type: 'overloaded' },
      assistant_message_id: 99,
    };
    const full = await w.patchStep(token, chatId, run.id, step.id, payloads);
    const kept = await w.patchStep(token, chatId, run.id, step.id, { status: 'error' });
    expect(kept).toEqual({ ...full, status: 'error', updated_at: kept.updated_at, finished_at: kept.finished_at });
    expect(kept.normalized_response).toEqual({ content: [{ text: 'hi', type: 'text' }], finish_reason: 'stop' });
    expect(kept.usage).toEqual(payloads.usage);
    expect(kept.attempts).toEqual(payloads.attempts);
    expect(kept.metadata).toEqual(payloads.metadata);
    expect(kept.assistant_message_id).toBe(99);

    // Fields that cannot be cleared ignore null; normalized_response, usage, error are cleared by null.
    const stillKept = await w.patchStep(token, chatId, run.id, step.id, { attempts: null, metadata: null, assistant_message_id: null });
    expect(stillKept).toMatchObject({ attempts: payloads.attempts, metadata: payloads.metadata, assistant_message_id: 99 });
    const cleared = await w.patchStep(token, chatId, run.id, step.id, { error: null });
    expect(cleared).not.toHaveProperty('error');
    expect(cleared).toMatchObject({ usage: payloads.usage, normalized_response: kept.normalized_response, status: 'error' });
    const allCleared = await w.patchStep(token, chatId, run.id, step.id, { usage: null, normalized_response: null });
    expect(allCleared).not.toHaveProperty('usage');
    expect(allCleared).not.toHaveProperty('normalized_response');
    const row = await stepRow(step.id);
    expect([row.error, row.usage, row.normalizedResponse]).toEqual([null, null, null]);
    expect(row.normalizedRequest).toEqual({ messages: [], provider_option_count: 0 });
    const detail = await w.detail(token, chatId, run.id);
    expect(detail.steps[0]).toEqual(allCleared);
  });

  it('StatusNeverRegresses: a completed step updated with in_progress or interrupted stays completed with all its fields; error → completed applies', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, run.id);
    const completed = await w.patchStep(token, chatId, run.id, step.id, {
      status: 'completed',
      usage: { input_tokens: 1, output_tokens: 1 },
      attempts: [completedAttempt('/v1/messages')],
    });
    const before = await snapshotDebug(server);
    for (const status of ['in_progress', 'interrupted', 'error']) {
      const res = await w.patchStep(token, chatId, run.id, step.id, { status, usage: { input_tokens: 999 }, error: { message: 'late' }, attempts: [] });
      expect(res, status).toEqual(completed);
      expect(await snapshotDebug(server)).toBe(before);
    }

    // error → completed (a successful retry) applies; finished_at stays the first one.
    const retried = await w.addStep(token, chatId, run.id);
    const failed = await w.patchStep(token, chatId, run.id, retried.id, { status: 'error', error: { message: 'overloaded' } });
    await new Promise((r) => setTimeout(r, 5));
    const again = await w.patchStep(token, chatId, run.id, retried.id, { status: 'error', attempts: [completedAttempt('/v1/x'), { number: 2, duration_ms: 1 }] });
    expect(again.attempts).toHaveLength(2);
    expect(again.finished_at).toBe(failed.finished_at);
    const ok = await w.patchStep(token, chatId, run.id, retried.id, { status: 'completed', error: null });
    expect(ok).toMatchObject({ status: 'completed', finished_at: failed.finished_at });
    expect(ok).not.toHaveProperty('error');
    // interrupted → error applies; error → interrupted is ignored.
    const third = await w.addStep(token, chatId, run.id);
    await w.patchStep(token, chatId, run.id, third.id, { status: 'interrupted' });
    expect((await w.patchStep(token, chatId, run.id, third.id, { status: 'error' })).status).toBe('error');
    expect((await w.patchStep(token, chatId, run.id, third.id, { status: 'interrupted' })).status).toBe('error');

    // Runs follow the same priority.
    const done = await w.patchRun(token, chatId, run.id, { status: 'completed' });
    const runBefore = await snapshotDebug(server);
    for (const status of ['in_progress', 'interrupted', 'error']) {
      expect(await w.patchRun(token, chatId, run.id, { status, model: 'changed', summary: { x: 1 } })).toEqual({ ...done });
    }
    expect(await snapshotDebug(server)).toBe(runBefore);
  });

  it('SummaryAggregation: the example of 13.5; first_message survives; endpoint_label from the first completed attempt', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId, { kind: 'chat_turn', first_message: 'Fix the build' });
    const usages = [
      { input_tokens: 10, output_tokens: 1 },
      { input_tokens: 20, output_tokens: 2 },
      { input_tokens: 30, output_tokens: 3 },
    ];
    const attempts = [
      [{ number: 1, status: 'failed', method: 'POST', path: '/v1/retry-me', duration_ms: 1 }, { number: 2, status: 'completed', method: 'POST', path: '', duration_ms: 1 }],
      [{ number: 1, status: 'completed', method: 'POST', path: '/v1/messages', duration_ms: 1 }],
      [{ number: 1, status: 'completed', method: 'GET', path: '/v1/other', duration_ms: 1 }],
    ];
    for (const [i, usage] of usages.entries()) {
      const step = await w.addStep(token, chatId, run.id);
      await w.patchStep(token, chatId, run.id, step.id, { status: 'completed', usage, attempts: attempts[i] });
    }
    // A writer's derived keys are recomputed; its other keys are kept.
    const done = await w.patchRun(token, chatId, run.id, { status: 'completed', summary: { step_count: 99, has_error: true, writer_key: 'kept' } });
    expect(JSON.stringify(done.summary)).toBe(
      '{"endpoint_label":"POST /v1/messages","first_message":"Fix the build","step_count":3,"total_input_tokens":60,"total_output_tokens":6,"writer_key":"kept"}',
    );
    const list = await w.list(token, chatId);
    expect(list[0].summary).toEqual(done.summary);
  });

  it('SummaryAggregation: has_error from an error step, not from an interrupted step with an error payload; optional totals only when > 0', async () => {
    const chatId = await newChat();
    const finish = async (steps: Record<string, unknown>[]) => {
      const run = await w.startRun(token, chatId);
      for (const patch of steps) {
        const step = await w.addStep(token, chatId, run.id);
        await w.patchStep(token, chatId, run.id, step.id, patch);
      }
      return (await w.patchRun(token, chatId, run.id, { status: 'completed' })).summary;
    };
    expect(await finish([{ status: 'interrupted', error: { message: 'cancelled' } }])).toEqual({ step_count: 1, total_input_tokens: 0, total_output_tokens: 0 });
    expect(await finish([{ status: 'completed' }, { status: 'error' }])).toEqual({ step_count: 2, total_input_tokens: 0, total_output_tokens: 0, has_error: true });
    // A completed step still carrying an error payload counts.
    expect(await finish([{ status: 'completed', error: { message: 'partial' } }])).toMatchObject({ has_error: true });
    expect(
      await finish([
        { status: 'completed', usage: { input_tokens: 5, output_tokens: 1, reasoning_tokens: 7, cache_creation_tokens: 0, cache_read_tokens: 3, total_tokens: 6 } },
        { status: 'completed', usage: { input_tokens: 1, output_tokens: 1, reasoning_tokens: 1 } },
        // Malformed usage (not an object of integers) is skipped.
        { status: 'completed', usage: { input_tokens: '100', output_tokens: 100 } },
        { status: 'completed', usage: { input_tokens: 1.5 } },
      ]),
    ).toEqual({ step_count: 4, total_input_tokens: 6, total_output_tokens: 2, total_reasoning_tokens: 8, total_cache_read_tokens: 3 });
    // endpoint_label: the path alone when the method is empty; absent when no attempt qualifies.
    expect(await finish([{ status: 'completed', attempts: [{ number: 1, status: 'completed', path: '/v1/chat/completions', duration_ms: 1 }] }])).toEqual({
      endpoint_label: '/v1/chat/completions',
      step_count: 1,
      total_input_tokens: 0,
      total_output_tokens: 0,
    });
    expect(await finish([{ status: 'error', attempts: [{ number: 1, status: 'failed', method: 'POST', path: '/v1/messages', duration_ms: 1 }] }])).toEqual({
      has_error: true,
      step_count: 1,
      total_input_tokens: 0,
      total_output_tokens: 0,
    });
    expect(await finish([])).toEqual({ step_count: 0, total_input_tokens: 0, total_output_tokens: 0 });
  });

  it('AdvisorUsageApart (product.md 4a): steps marked with an advisor use id are summed as advisor_*, not in the chat totals; also when finalised as stale', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId, { kind: 'chat_turn' });
    const patches = [
      { status: 'completed', usage: { input_tokens: 100, output_tokens: 10 } },
      { status: 'completed', usage: { input_tokens: 40, output_tokens: 4, reasoning_tokens: 2 }, metadata: { advisor_use_id: 'use-1' } },
      { status: 'error', usage: { input_tokens: 5, output_tokens: 0 }, metadata: { advisor_use_id: 'use-2' } },
      // Not a marker: an empty id.
      { status: 'completed', usage: { input_tokens: 1, output_tokens: 1 }, metadata: { advisor_use_id: '' } },
    ];
    for (const patch of patches) {
      const step = await w.addStep(token, chatId, run.id);
      await w.patchStep(token, chatId, run.id, step.id, patch);
    }
    // A writer's advisor_* keys are derived keys too: recomputed.
    const done = await w.patchRun(token, chatId, run.id, { status: 'completed', summary: { advisor_input_tokens: 999 } });
    expect(done.summary).toEqual({
      step_count: 4,
      total_input_tokens: 101,
      total_output_tokens: 11,
      advisor_step_count: 2,
      advisor_input_tokens: 45,
      advisor_output_tokens: 4,
      advisor_reasoning_tokens: 2,
      has_error: true,
    });

    // The same when stale finalisation aggregates the run.
    const idle = await w.startRun(token, chatId);
    const step = await w.addStep(token, chatId, idle.id);
    await w.patchStep(token, chatId, idle.id, step.id, { status: 'completed', usage: { input_tokens: 7, output_tokens: 3 }, metadata: { advisor_use_id: 'use-3' } });
    await ageRow(server, 'chat_debug_runs', idle.id, 11 * MINUTE);
    // A maintenance of its own: the server's first pass (a full scan) belongs to the test below.
    await new DebugMaintenance(server.app.services.deps, server.app.services.settings).finalizeStale();
    expect((await runRow(idle.id)).summary).toEqual({ step_count: 1, total_input_tokens: 0, total_output_tokens: 0, advisor_step_count: 1, advisor_input_tokens: 7, advisor_output_tokens: 3 });
  });

  it('TestFinalizeStaleChatDebugRows: idle runs and steps become interrupted; steps of a finalised run go with it; terminal and recent rows are untouched', async () => {
    const chatId = await newChat();
    // R1: stale run with a stale step, a recent step and an old completed step.
    const r1 = await w.startRun(token, chatId, { kind: 'chat_turn', first_message: 'stale' });
    const s1 = await w.addStep(token, chatId, r1.id);
    const s2 = await w.addStep(token, chatId, r1.id);
    const s3 = await w.addStep(token, chatId, r1.id);
    await w.patchStep(token, chatId, r1.id, s1.id, { usage: { input_tokens: 2, output_tokens: 1 } });
    await w.patchStep(token, chatId, r1.id, s3.id, { status: 'completed', usage: { input_tokens: 5, output_tokens: 5 } });
    // R2: recent run with a stale step and a recent step. R3: old completed run. R4: idle for 9 minutes only.
    const r2 = await w.startRun(token, chatId);
    const s4 = await w.addStep(token, chatId, r2.id);
    const s5 = await w.addStep(token, chatId, r2.id);
    const r3 = await w.startRun(token, chatId);
    const s6 = await w.addStep(token, chatId, r3.id);
    await w.patchStep(token, chatId, r3.id, s6.id, { status: 'completed' });
    // An in_progress step left behind in a finished run is finalised on its own.
    const s8 = await w.addStep(token, chatId, r3.id);
    await w.patchRun(token, chatId, r3.id, { status: 'completed' });
    const r4 = await w.startRun(token, chatId);
    const s7 = await w.addStep(token, chatId, r4.id);

    await ageRow(server, 'chat_debug_steps', s1.id, 11 * MINUTE);
    await ageRow(server, 'chat_debug_steps', s3.id, 11 * MINUTE);
    await ageRow(server, 'chat_debug_runs', r1.id, 11 * MINUTE);
    await ageRow(server, 'chat_debug_steps', s4.id, 11 * MINUTE);
    await ageRow(server, 'chat_debug_runs', r3.id, 60 * MINUTE);
    await ageRow(server, 'chat_debug_steps', s6.id, 60 * MINUTE);
    await ageRow(server, 'chat_debug_steps', s8.id, 60 * MINUTE);
    await ageRow(server, 'chat_debug_runs', r4.id, 9 * MINUTE);
    await ageRow(server, 'chat_debug_steps', s7.id, 9 * MINUTE);

    const untouched = [r2.id, r3.id, r4.id];
    const untouchedSteps = [s3.id, s5.id, s6.id, s7.id];
    const beforeRuns = await server.db.prisma.debugRun.findMany({ where: { id: { in: untouched } }, orderBy: { id: 'asc' } });
    const beforeSteps = await server.db.prisma.debugStep.findMany({ where: { id: { in: untouchedSteps } }, orderBy: { id: 'asc' } });

    const started = Date.now();
    const result = await server.app.services.maintenance.finalizeStale();
    expect(result).toEqual({ runs: 1, steps: 4 });

    const run1 = await runRow(r1.id);
    expect(run1.status).toBe('interrupted');
    expect(run1.finishedAt!.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(run1.updatedAt.getTime()).toBe(run1.finishedAt!.getTime());
    expect(run1.summary).toEqual({ first_message: 'stale', step_count: 3, total_input_tokens: 7, total_output_tokens: 6 });
    for (const id of [s1.id, s2.id, s4.id, s8.id]) {
      const step = await stepRow(id);
      expect(step.status, id).toBe('interrupted');
      expect(step.finishedAt!.getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(step.updatedAt.getTime()).toBe(step.finishedAt!.getTime());
    }
    expect(await server.db.prisma.debugRun.findMany({ where: { id: { in: untouched } }, orderBy: { id: 'asc' } })).toEqual(beforeRuns);
    expect(await server.db.prisma.debugStep.findMany({ where: { id: { in: untouchedSteps } }, orderBy: { id: 'asc' } })).toEqual(beforeSteps);

    // A second pass finds nothing; the finalised run takes no more steps; a writer may still complete it.
    expect(await server.app.services.maintenance.finalizeStale()).toEqual({ runs: 0, steps: 0 });
    expectJson(await server.api.post(stepsPath(chatId, r1.id), { token, body: { operation: 'stream' } }), 409, RUN_FINISHED);
    const completed = await w.patchRun(token, chatId, r1.id, { status: 'completed' });
    expect(completed.status).toBe('completed');
    expect(completed.finished_at).toBe(run1.finishedAt!.toISOString());
    // The wire shows the finalised rows.
    const detail = await w.detail(token, chatId, r1.id);
    expect(detail.steps.map((s: { status: string }) => s.status)).toEqual(['interrupted', 'interrupted', 'completed']);
  });

  it('stale finalisation between full scans: open steps of runs a writer finished are found through the window, which holds at the oldest such run', async () => {
    // A pass of its own, on its own clock: the first is a full scan, the next ones use the window.
    let clock = Date.now();
    const maintenance = new DebugMaintenance({ ...server.app.services.deps, now: () => new Date(clock) }, server.app.services.settings);
    const chatId = await newChat();
    // A: finished by its writer half an hour ago; its step is still written to, so it stays open.
    const a = await w.startRun(token, chatId);
    const a1 = await w.addStep(token, chatId, a.id);
    await w.patchRun(token, chatId, a.id, { status: 'completed' });
    await ageRow(server, 'chat_debug_runs', a.id, 30 * MINUTE);
    // Other tests' rows share the database, so this test looks at its own rows, not at the counts.
    await maintenance.finalizeStale();
    expect((await stepRow(a1.id)).status).toBe('in_progress');

    // B: finished by its writer now, with its step idle for 11 minutes; C: unfinished, step idle.
    const b = await w.startRun(token, chatId);
    const b1 = await w.addStep(token, chatId, b.id);
    await w.patchRun(token, chatId, b.id, { status: 'error' });
    await ageRow(server, 'chat_debug_steps', b1.id, 11 * MINUTE);
    const c = await w.startRun(token, chatId);
    const c1 = await w.addStep(token, chatId, c.id);
    const c2 = await w.addStep(token, chatId, c.id);
    await ageRow(server, 'chat_debug_steps', c1.id, 11 * MINUTE);
    // A's step goes idle too. The window still reaches back to A (finished 30 minutes ago), not
    // only to 10 minutes before the last pass.
    await ageRow(server, 'chat_debug_steps', a1.id, 11 * MINUTE);
    clock += 2 * MINUTE;
    await maintenance.finalizeStale();
    for (const id of [a1.id, b1.id, c1.id]) expect((await stepRow(id)).status, id).toBe('interrupted');
    expect((await stepRow(c2.id)).status).toBe('in_progress');
    expect((await runRow(a.id)).status).toBe('completed');
    expect((await runRow(b.id)).status).toBe('error');
    expect((await runRow(c.id)).status).toBe('in_progress');

    // A row moved back in time from outside (a restore, a clock change) past the window is found by
    // the next full scan, which comes within an hour of passes.
    const d = await w.startRun(token, chatId);
    const d1 = await w.addStep(token, chatId, d.id);
    await w.patchRun(token, chatId, d.id, { status: 'completed' });
    await ageRow(server, 'chat_debug_runs', d.id, 3 * 60 * MINUTE);
    await ageRow(server, 'chat_debug_steps', d1.id, 3 * 60 * MINUTE);
    let passes = 0;
    while ((await stepRow(d1.id)).status === 'in_progress' && passes < 61) {
      clock += MINUTE;
      await maintenance.finalizeStale();
      passes++;
    }
    expect(passes).toBeGreaterThan(1);
    expect(passes).toBeLessThanOrEqual(60);
    expect((await stepRow(d1.id)).status).toBe('interrupted');
  });

  it('StepWriteTouchesRun: adding or updating a step moves its run’s updated_at', async () => {
    const chatId = await newChat();
    const run = await w.startRun(token, chatId);
    await ageRow(server, 'chat_debug_runs', run.id, 5 * MINUTE);
    const aged = (await runRow(run.id)).updatedAt;
    const step = await w.addStep(token, chatId, run.id);
    let row = await runRow(run.id);
    expect(row.updatedAt.getTime()).toBeGreaterThan(aged.getTime());
    expect(row.updatedAt.toISOString()).toBe(step.updated_at);

    await ageRow(server, 'chat_debug_runs', run.id, 5 * MINUTE);
    const patched = await w.patchStep(token, chatId, run.id, step.id, { metadata: { stream_summary: { part_count: 1 } } });
    row = await runRow(run.id);
    expect(row.updatedAt.toISOString()).toBe(patched.updated_at);
    const detail = await w.detail(token, chatId, run.id);
    expect(detail.updated_at).toBe(patched.updated_at);
    // So a run with recent step activity is not stale.
    await ageRow(server, 'chat_debug_runs', run.id, 11 * MINUTE);
    await w.patchStep(token, chatId, run.id, step.id, { status: 'completed' });
    await server.app.services.maintenance.finalizeStale();
    expect((await runRow(run.id)).status).toBe('in_progress');
  });
});
