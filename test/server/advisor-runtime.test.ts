// The advisor at run time (product.md 4a; rest-api.md 7.1): resolution per chat, atomic use
// reservations per run, refunds; REST and the GraphQL mirrors.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/database.ts';
import { FORBIDDEN_BODY, NIL_UUID, NOT_FOUND_BODY, NO_TOKEN, SIGNED_OUT, createChat, createUsers, share, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHATS = '/api/experimental/chats';
const LIMIT_BODY = { message: 'Advisor use limit reached for this run.' };
const RESOLVED_KEYS = ['available', 'reason', 'max_uses_per_run', 'remaining_uses', 'max_output_tokens', 'model_config_id', 'model', 'reasoning_effort'];

/** Where `field` starts in a one-line GraphQL document, as graphql-js reports it. */
const at = (query: string, field: string) => [{ line: 1, column: query.indexOf(field) + 1 }];

describe.each(BACKENDS)('advisor at run time on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  /** Owned by member, shared for read with member2. */
  let chatId: string;
  let subagentId: string;
  let defaultConfig: { id: string; model: string };
  let chatModel: { id: string; model: string };

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
    defaultConfig = await createModelConfig({ provider: 'anthropic', model: 'claude-sonnet-4-5' });
    chatModel = await createModelConfig({ provider: 'openai', model: 'gpt-5' });
    chatId = await createChat(server.api, users.member.token, { model_config_id: chatModel.id });
    subagentId = await createChat(server.api, users.member.token, { parent_chat_id: chatId, model_config_id: chatModel.id });
    await share(server.api, users.member.token, chatId, users.member2.id);
  });
  afterAll(async () => server?.close());

  const api = () => server.api;

  async function createModelConfig(body: Record<string, unknown>): Promise<{ id: string; model: string }> {
    const response = await server.api.post(`${CHATS}/model-configs`, { token: users.owner.token, body: { context_limit: 200000, ...body } });
    expect(response.status, response.text).toBe(201);
    return { id: response.body.id, model: response.body.model };
  }

  async function setAdvisor(config: Record<string, unknown>) {
    const response = await api().put(`${CHATS}/config/advisor`, { token: users.owner.token, body: config });
    expect(response.status, response.text).toBe(204);
  }

  const resolve = (id: string, query = '', token = users.member.token) => api().get(`${CHATS}/${id}/advisor${query}`, { token });
  const reserve = (id: string, body: unknown, token = users.member.token) => api().post(`${CHATS}/${id}/advisor/uses`, { token, body });
  const refund = (id: string, useId: string, token = users.member.token) => api().post(`${CHATS}/${id}/advisor/uses/${useId}/refund`, { token });

  describe('GET /chats/{chat}/advisor', () => {
    it('is unavailable while the advisor is disabled, with the resolved defaults', async () => {
      const response = await resolve(chatId, '?plan_mode=false');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual({
        available: false,
        reason: 'The advisor is disabled.',
        max_uses_per_run: 0,
        max_output_tokens: 16384,
        model_config_id: chatModel.id,
        model: 'gpt-5',
        reasoning_effort: '',
      });
      expect(Object.keys(response.body)).toEqual(RESOLVED_KEYS.filter((k) => k !== 'remaining_uses'));
      // Disabled wins over subagent and plan mode.
      const sub = await resolve(subagentId, '?plan_mode=true');
      expect(sub.status).toBe(200);
      expect(sub.body).toEqual(response.body);
    });

    it('reads like the chat: readers 200, strangers and the site owner 404, bad ids 400, no token 401', async () => {
      const asOwner = await resolve(chatId);
      const asReader = await resolve(chatId, '', users.member2.token);
      expect(asReader.status).toBe(200);
      expect(asReader.body).toEqual(asOwner.body);
      const subAsReader = await resolve(subagentId, '', users.member2.token);
      expect(subAsReader.status).toBe(200);
      for (const token of [users.auditor.token, users.owner.token]) {
        const denied = await resolve(chatId, '', token);
        expect(denied.status).toBe(404);
        expect(denied.body).toEqual(NOT_FOUND_BODY);
      }
      const missing = await resolve(randomUUID());
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(NOT_FOUND_BODY);
      const bad = await resolve('not-a-uuid');
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ message: 'Invalid UUID "not-a-uuid".', detail: 'invalid UUID length: 10' });
      const anonymous = await api().get(`${CHATS}/${chatId}/advisor`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });
    });

    it('is available for a root chat outside plan mode; subagent chats and plan mode are not', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 0, max_output_tokens: 0, reasoning_effort: 'high' });
      const base = { max_uses_per_run: 0, max_output_tokens: 16384, model_config_id: chatModel.id, model: 'gpt-5', reasoning_effort: 'high' };

      for (const query of ['', '?plan_mode=false', '?plan_mode=0', '?plan_mode=no']) {
        const response = await resolve(chatId, query);
        expect(response.status, query).toBe(200);
        expect(response.body).toEqual({ available: true, ...base });
      }
      for (const query of ['?plan_mode=true', '?plan_mode=1', '?plan_mode=TRUE']) {
        const response = await resolve(chatId, query);
        expect(response.status, query).toBe(200);
        expect(response.body).toEqual({ available: false, reason: 'The advisor is not available in plan mode.', ...base });
      }
      for (const query of ['', '?plan_mode=true']) {
        const response = await resolve(subagentId, query);
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ available: false, reason: 'The advisor is not available to subagent chats.', ...base });
      }
    });

    it('resolves max_output_tokens 0 to 16384 and keeps any other value', async () => {
      await setAdvisor({ enabled: true, max_output_tokens: 1000 });
      expect((await resolve(chatId)).body).toMatchObject({ available: true, max_output_tokens: 1000, reasoning_effort: '' });
      await setAdvisor({ enabled: true, max_output_tokens: 0 });
      expect((await resolve(chatId)).body).toMatchObject({ available: true, max_output_tokens: 16384 });
    });

    it('uses the configured model; an unset, deleted or disabled one falls back to the chat’s model config', async () => {
      const advisorModel = await createModelConfig({ provider: 'anthropic', model: 'claude-opus-4-6' });
      const disabled = await createModelConfig({ provider: 'anthropic', model: 'claude-haiku-4-5', enabled: false });
      const resolved = (id: string, model: string) => ({
        available: true,
        max_uses_per_run: 0,
        max_output_tokens: 16384,
        model_config_id: id,
        model,
        reasoning_effort: 'low',
      });

      await setAdvisor({ enabled: true, reasoning_effort: 'low', model_config_id: NIL_UUID });
      expect((await resolve(chatId)).body).toEqual(resolved(chatModel.id, 'gpt-5'));

      await setAdvisor({ enabled: true, reasoning_effort: 'low', model_config_id: advisorModel.id });
      expect((await resolve(chatId)).body).toEqual(resolved(advisorModel.id, 'claude-opus-4-6'));

      await setAdvisor({ enabled: true, reasoning_effort: 'low', model_config_id: disabled.id });
      expect((await resolve(chatId)).body).toEqual(resolved(chatModel.id, 'gpt-5'));

      await setAdvisor({ enabled: true, reasoning_effort: 'low', model_config_id: advisorModel.id });
      const deleted = await api().delete(`${CHATS}/model-configs/${advisorModel.id}`, { token: users.owner.token });
      expect(deleted.status).toBe(204);
      expect((await resolve(chatId)).body).toEqual(resolved(chatModel.id, 'gpt-5'));
      // The stored setting still names the deleted config (rest-api.md 7.2 rule 4).
      const stored = await api().get(`${CHATS}/config/advisor`, { token: users.member.token });
      expect(stored.body.model_config_id).toBe(advisorModel.id);

      // A chat without a model config falls back to the deployment default.
      const plain = await createChat(api(), users.member.token);
      expect((await resolve(plain)).body).toEqual(resolved(defaultConfig.id, 'claude-sonnet-4-5'));
      await setAdvisor({ enabled: true });
    });
  });

  describe('POST /chats/{chat}/advisor/uses', () => {
    it('reserves uses for a run (201) until the limit, then 409; remaining_uses reports the budget', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
      const before = await resolve(chatId, '?run_key=turn-a');
      expect(before.status).toBe(200);
      expect(before.body).toEqual({
        available: true,
        max_uses_per_run: 3,
        remaining_uses: 3,
        max_output_tokens: 16384,
        model_config_id: chatModel.id,
        model: 'gpt-5',
        reasoning_effort: '',
      });
      expect(Object.keys(before.body)).toEqual(RESOLVED_KEYS.filter((k) => k !== 'reason'));
      // Without a run key there is no remaining count.
      expect((await resolve(chatId)).body).not.toHaveProperty('remaining_uses');

      for (const remaining of [2, 1, 0]) {
        const response = await reserve(chatId, { run_key: 'turn-a' });
        expect(response.status).toBe(201);
        expect(response.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: remaining });
        expect(Object.keys(response.body)).toEqual(['use_id', 'remaining_uses']);
        expect((await resolve(chatId, '?run_key=turn-a')).body.remaining_uses).toBe(remaining);
      }
      const over = await reserve(chatId, { run_key: 'turn-a' });
      expect(over.status).toBe(409);
      expect(over.body).toEqual(LIMIT_BODY);
      expect(await server.db.prisma.advisorUse.count({ where: { chatId, runKey: 'turn-a' } })).toBe(3);

      // Another run has its own budget.
      const other = await reserve(chatId, { run_key: 'turn-b' });
      expect(other.status).toBe(201);
      expect(other.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: 2 });
      expect((await resolve(chatId, '?run_key=turn-a')).body.remaining_uses).toBe(0);
      expect((await resolve(chatId, '?run_key=turn-b')).body.remaining_uses).toBe(2);
    });

    it('grants exactly max_uses_per_run of 50 parallel reservations', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
      const runKey = `parallel-${randomUUID()}`;
      const responses = await Promise.all(Array.from({ length: 50 }, () => reserve(chatId, { run_key: runKey })));
      const granted = responses.filter((r) => r.status === 201);
      const refused = responses.filter((r) => r.status !== 201);
      expect(granted).toHaveLength(3);
      expect(granted.map((r) => r.body.remaining_uses).sort()).toEqual([0, 1, 2]);
      for (const r of granted) expect(r.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: expect.any(Number) });
      expect(new Set(granted.map((r) => r.body.use_id)).size).toBe(3);
      expect(refused).toHaveLength(47);
      for (const r of refused) {
        expect(r.status).toBe(409);
        expect(r.body).toEqual(LIMIT_BODY);
      }
      expect(await server.db.prisma.advisorUse.count({ where: { chatId, runKey } })).toBe(3);
      const budget = await server.db.prisma.advisorRunBudget.findUniqueOrThrow({ where: { chatId_runKey: { chatId, runKey } } });
      expect(budget.used).toBe(3);

      // A refund frees exactly one use, even under a second stampede.
      const freed = await refund(chatId, granted[0].body.use_id);
      expect(freed.status).toBe(204);
      const second = await Promise.all(Array.from({ length: 50 }, () => reserve(chatId, { run_key: runKey })));
      expect(second.filter((r) => r.status === 201).map((r) => r.body.remaining_uses)).toEqual([0]);
      expect(second.filter((r) => r.status === 409)).toHaveLength(49);
    });

    it('has no limit and no remaining_uses when max_uses_per_run is 0', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 0 });
      const runKey = `unlimited-${randomUUID()}`;
      const responses = await Promise.all(Array.from({ length: 10 }, () => reserve(chatId, { run_key: runKey })));
      for (const r of responses) {
        expect(r.status).toBe(201);
        expect(r.body).toEqual({ use_id: expect.stringMatching(UUID) });
      }
      const resolved = await resolve(chatId, `?run_key=${runKey}`);
      expect(resolved.body).not.toHaveProperty('remaining_uses');
    });

    it('takes limits beyond 32-bit integers (up to 2^53 - 1, like every integer setting)', async () => {
      for (const limit of [2 ** 31, 3_000_000_000, Number.MAX_SAFE_INTEGER]) {
        await setAdvisor({ enabled: true, max_uses_per_run: limit });
        const runKey = `large-${randomUUID()}`;
        const response = await reserve(chatId, { run_key: runKey });
        expect(response.status, String(limit)).toBe(201);
        expect(response.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: limit - 1 });
        expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(limit - 1);
      }
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
    });

    it('is for the chat owner: readers 403, strangers and the site owner 404, no token 401', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
      const runKey = `denied-${randomUUID()}`;
      const asReader = await reserve(chatId, { run_key: runKey }, users.member2.token);
      expect(asReader.status).toBe(403);
      expect(asReader.body).toEqual(FORBIDDEN_BODY);
      for (const token of [users.auditor.token, users.owner.token]) {
        const denied = await reserve(chatId, { run_key: runKey }, token);
        expect(denied.status).toBe(404);
        expect(denied.body).toEqual(NOT_FOUND_BODY);
      }
      const anonymous = await api().post(`${CHATS}/${chatId}/advisor/uses`, { body: { run_key: runKey } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ message: SIGNED_OUT, detail: NO_TOKEN });
      expect(await server.db.prisma.advisorRunBudget.count({ where: { chatId, runKey } })).toBe(0);
      const allowed = await reserve(chatId, { run_key: runKey });
      expect(allowed.status).toBe(201);
      expect(allowed.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: 2 });
    });

    it('refuses when the advisor is unavailable (409 with the reason) and validates the body (400)', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
      const runKey = `unavailable-${randomUUID()}`;
      const plan = await reserve(chatId, { run_key: runKey, plan_mode: true });
      expect(plan.status).toBe(409);
      expect(plan.body).toEqual({ message: 'The advisor is not available for this chat.', detail: 'The advisor is not available in plan mode.' });
      const sub = await reserve(subagentId, { run_key: runKey });
      expect(sub.status).toBe(409);
      expect(sub.body).toEqual({ message: 'The advisor is not available for this chat.', detail: 'The advisor is not available to subagent chats.' });
      for (const body of [{}, { run_key: '   ' }]) {
        const response = await reserve(chatId, body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ message: 'run_key is required.' });
      }
      for (const body of ['{', { run_key: 5 }, { run_key: runKey, plan_mode: 'yes' }]) {
        const response = await reserve(chatId, body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ message: 'Request body must be valid JSON.', detail: expect.any(String) });
      }
      await setAdvisor({ enabled: false, max_uses_per_run: 3 });
      const disabled = await reserve(chatId, { run_key: runKey });
      expect(disabled.status).toBe(409);
      expect(disabled.body).toEqual({ message: 'The advisor is not available for this chat.', detail: 'The advisor is disabled.' });
      expect(await server.db.prisma.advisorRunBudget.count({ where: { runKey } })).toBe(0);
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
    });
  });

  describe('POST /chats/{chat}/advisor/uses/{use}/refund', () => {
    it('gives the use back (204) once; a second refund is 409, an unknown use 404', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 1 });
      const runKey = `refund-${randomUUID()}`;
      const first = await reserve(chatId, { run_key: runKey });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: 0 });
      const spent = await reserve(chatId, { run_key: runKey });
      expect(spent.status).toBe(409);
      expect(spent.body).toEqual(LIMIT_BODY);

      const refunded = await refund(chatId, first.body.use_id);
      expect(refunded.status).toBe(204);
      expect(refunded.text).toBe('');
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(1);

      const twice = await refund(chatId, first.body.use_id);
      expect(twice.status).toBe(409);
      expect(twice.body).toEqual({ message: 'Advisor use was already refunded.' });
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(1);

      const again = await reserve(chatId, { run_key: runKey });
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ use_id: expect.stringMatching(UUID), remaining_uses: 0 });
      expect(again.body.use_id).not.toBe(first.body.use_id);

      const unknown = await refund(chatId, randomUUID());
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(NOT_FOUND_BODY);
      const badId = await refund(chatId, 'abc');
      expect(badId.status).toBe(400);
      expect(badId.body).toEqual({ message: 'Invalid advisor use ID.', detail: 'invalid UUID length: 3' });

      // A use of one chat cannot be refunded through another chat.
      const otherChat = await createChat(api(), users.member.token);
      const elsewhere = await refund(otherChat, again.body.use_id);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.body).toEqual(NOT_FOUND_BODY);
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(0);
    });

    it('is for the chat owner: readers 403, strangers 404', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 2 });
      const runKey = `refund-access-${randomUUID()}`;
      const use = await reserve(chatId, { run_key: runKey });
      expect(use.status).toBe(201);
      const asReader = await refund(chatId, use.body.use_id, users.member2.token);
      expect(asReader.status).toBe(403);
      expect(asReader.body).toEqual(FORBIDDEN_BODY);
      for (const token of [users.auditor.token, users.owner.token]) {
        const denied = await refund(chatId, use.body.use_id, token);
        expect(denied.status).toBe(404);
        expect(denied.body).toEqual(NOT_FOUND_BODY);
      }
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(1);
      const allowed = await refund(chatId, use.body.use_id);
      expect(allowed.status).toBe(204);
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(2);
    });
  });

  describe('GraphQL mirrors', () => {
    const RESERVE = 'mutation($chatId: ID!, $runKey: String!, $planMode: Boolean) { reserveAdvisorUse(chatId: $chatId, runKey: $runKey, planMode: $planMode) { useId remainingUses } }';
    const REFUND = 'mutation($chatId: ID!, $useId: ID!) { refundAdvisorUse(chatId: $chatId, useId: $useId) }';
    const CHAT = 'query($id: ID!, $planMode: Boolean, $runKey: String) { chat(id: $id) { advisor(planMode: $planMode, runKey: $runKey) { available reason maxUsesPerRun remainingUses maxOutputTokens modelConfigId model reasoningEffort } } }';

    const reserveError = (code: string, message: string, detail?: string) => ({
      data: { reserveAdvisorUse: null },
      errors: [{ message, locations: at(RESERVE, 'reserveAdvisorUse'), path: ['reserveAdvisorUse'], extensions: { code, ...(detail ? { detail } : {}) } }],
    });
    const refundError = (code: string, message: string, detail?: string) => ({
      data: { refundAdvisorUse: null },
      errors: [{ message, locations: at(REFUND, 'refundAdvisorUse'), path: ['refundAdvisorUse'], extensions: { code, ...(detail ? { detail } : {}) } }],
    });

    it('Chat.advisor resolves like REST', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 2, max_output_tokens: 0, reasoning_effort: 'medium' });
      const runKey = `gql-resolve-${randomUUID()}`;
      for (const [id, planMode] of [
        [chatId, false],
        [chatId, true],
        [subagentId, false],
      ] as const) {
        const rest = await resolve(id, `?plan_mode=${planMode}&run_key=${runKey}`);
        const gql = await api().graphql(CHAT, { id, planMode, runKey }, users.member.token);
        expect(gql.status).toBe(200);
        expect(gql.body).toEqual({
          data: {
            chat: {
              advisor: {
                available: rest.body.available,
                reason: rest.body.reason ?? null,
                maxUsesPerRun: rest.body.max_uses_per_run,
                remainingUses: rest.body.remaining_uses ?? null,
                maxOutputTokens: rest.body.max_output_tokens,
                modelConfigId: rest.body.model_config_id,
                model: rest.body.model,
                reasoningEffort: rest.body.reasoning_effort,
              },
            },
          },
        });
      }
      const asReader = await api().graphql(CHAT, { id: chatId, planMode: false }, users.member2.token);
      expect(asReader.body.data.chat.advisor).toMatchObject({ available: true, maxOutputTokens: 16384, reasoningEffort: 'medium' });
      const asStranger = await api().graphql(CHAT, { id: chatId }, users.auditor.token);
      expect(asStranger.body).toEqual({ data: { chat: null } });
    });

    it('reserveAdvisorUse and refundAdvisorUse follow the same rules', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 2 });
      const runKey = `gql-${randomUUID()}`;
      const vars = { chatId, runKey };
      const first = await api().graphql(RESERVE, vars, users.member.token);
      expect(first.body).toEqual({ data: { reserveAdvisorUse: { useId: expect.stringMatching(UUID), remainingUses: 1 } } });
      const second = await api().graphql(RESERVE, vars, users.member.token);
      expect(second.body).toEqual({ data: { reserveAdvisorUse: { useId: expect.stringMatching(UUID), remainingUses: 0 } } });
      const third = await api().graphql(RESERVE, vars, users.member.token);
      expect(third.status).toBe(200);
      expect(third.body).toEqual(reserveError('CONFLICT', LIMIT_BODY.message));

      const useId = first.body.data.reserveAdvisorUse.useId;
      const refunded = await api().graphql(REFUND, { chatId, useId }, users.member.token);
      expect(refunded.body).toEqual({ data: { refundAdvisorUse: true } });
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(1);
      const twice = await api().graphql(REFUND, { chatId, useId }, users.member.token);
      expect(twice.body).toEqual(refundError('CONFLICT', 'Advisor use was already refunded.'));
      const unknown = await api().graphql(REFUND, { chatId, useId: randomUUID() }, users.member.token);
      expect(unknown.body).toEqual(refundError('NOT_FOUND', NOT_FOUND_BODY.message));

      const plan = await api().graphql(RESERVE, { ...vars, planMode: true }, users.member.token);
      expect(plan.body).toEqual(reserveError('CONFLICT', 'The advisor is not available for this chat.', 'The advisor is not available in plan mode.'));

      const asReader = await api().graphql(RESERVE, vars, users.member2.token);
      expect(asReader.body).toEqual(reserveError('FORBIDDEN', 'Forbidden.', FORBIDDEN_BODY.detail));
      const asStranger = await api().graphql(RESERVE, vars, users.auditor.token);
      expect(asStranger.body).toEqual(reserveError('NOT_FOUND', NOT_FOUND_BODY.message));
      const refundAsReader = await api().graphql(REFUND, { chatId, useId }, users.member2.token);
      expect(refundAsReader.body).toEqual(refundError('FORBIDDEN', 'Forbidden.', FORBIDDEN_BODY.detail));
      const anonymous = await api().graphql(RESERVE, vars);
      expect(anonymous.body).toEqual(reserveError('UNAUTHENTICATED', SIGNED_OUT));
      expect((await resolve(chatId, `?run_key=${runKey}`)).body.remaining_uses).toBe(1);
    });

    it('grants exactly the limit to parallel GraphQL reservations', async () => {
      await setAdvisor({ enabled: true, max_uses_per_run: 3 });
      const runKey = `gql-parallel-${randomUUID()}`;
      const responses = await Promise.all(Array.from({ length: 20 }, () => api().graphql(RESERVE, { chatId, runKey }, users.member.token)));
      const granted = responses.filter((r) => r.body.data.reserveAdvisorUse !== null);
      expect(granted.map((r) => r.body.data.reserveAdvisorUse.remainingUses).sort()).toEqual([0, 1, 2]);
      const refused = responses.filter((r) => r.body.data.reserveAdvisorUse === null);
      expect(refused).toHaveLength(17);
      for (const r of refused) expect(r.body).toEqual(reserveError('CONFLICT', LIMIT_BODY.message));
    });
  });
});
