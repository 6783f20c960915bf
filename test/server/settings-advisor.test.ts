import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MALFORMED_BODIES,
  expectBadJson,
  expectForbidden,
  expectJson,
  expectNoContent,
  expectNoToken,
} from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { FORBIDDEN_BODY, NIL_UUID, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ADVISOR = '/api/experimental/chats/config/advisor';
const MODEL_CONFIGS = '/api/experimental/chats/model-configs';

interface AdvisorConfig {
  enabled: boolean;
  max_uses_per_run: number;
  max_output_tokens: number;
  model_config_id: string;
  reasoning_effort: string;
}

const DEFAULT: AdvisorConfig = { enabled: false, max_uses_per_run: 0, max_output_tokens: 0, model_config_id: NIL_UUID, reasoning_effort: '' };
/** Key order of the contract (7.1), whatever order the overrides come in. */
const config = (overrides: Partial<AdvisorConfig> = {}): AdvisorConfig => {
  const c = { ...DEFAULT, ...overrides };
  return { enabled: c.enabled, max_uses_per_run: c.max_uses_per_run, max_output_tokens: c.max_output_tokens, model_config_id: c.model_config_id, reasoning_effort: c.reasoning_effort };
};

const negative = (field: string, n: number) => ({ message: `${field} ${n} must be non-negative.` });
const badEffort = (value: string) => ({ message: `reasoning_effort ${JSON.stringify(value)} is not valid; must be one of "", "low", "medium", or "high".` });
const unknownModel = (id: string) => ({ message: `model_config_id "${id}" does not match any existing model config.` });

describe.each(BACKENDS)('advisor configuration on %s (rest-api.md 7, 15.3)', (backend) => {
  let server: TestServer;
  let users: Users;

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    await server.db.prisma.siteSetting.deleteMany({ where: { key: 'advisor' } });
  });

  const put = (body: unknown, token = users.owner.token) => server.api.put(ADVISOR, { token, body });
  const expectConfig = async (expected: AdvisorConfig, token = users.owner.token) => expectJson(await server.api.get(ADVISOR, { token }), 200, expected);
  const storedRaw = async () => (await server.db.prisma.siteSetting.findUnique({ where: { key: 'advisor' } }))?.value ?? null;
  const storeRaw = (value: string) =>
    server.db.prisma.siteSetting.upsert({ where: { key: 'advisor' }, create: { key: 'advisor', value }, update: { value } });
  const createModelConfig = async (body: Record<string, unknown> = {}): Promise<string> => {
    const res = await server.api.post(MODEL_CONFIGS, {
      token: users.owner.token,
      body: { provider: 'anthropic', model: `claude-${randomUUID().slice(0, 8)}`, context_limit: 200000, ...body },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  };
  /** A PUT that must be rejected with `status`/`body`; the stored config must stay `before`. */
  const expectRejected = async (body: unknown, status: number, answer: unknown, before: AdvisorConfig, token = users.owner.token) => {
    const raw = await storedRaw();
    expectJson(await put(body, token), status, answer);
    expect(await storedRaw()).toBe(raw);
    await expectConfig(before);
  };

  it('GetDefault: GET → the default of 7.1 for owner, auditor and member', async () => {
    for (const user of [users.owner, users.auditor, users.member]) {
      const res = await server.api.get(ADVISOR, { token: user.token });
      expect(res.text).toBe(
        '{"enabled":false,"max_uses_per_run":0,"max_output_tokens":0,"model_config_id":"00000000-0000-0000-0000-000000000000","reasoning_effort":""}\n',
      );
      expectJson(res, 200, DEFAULT);
    }
  });

  it('Update: PUT {enabled, 5, 1024, "high"} → 204; GET equals it with the nil UUID', async () => {
    expectNoContent(await put({ enabled: true, max_uses_per_run: 5, max_output_tokens: 1024, reasoning_effort: 'high' }));
    await expectConfig(config({ enabled: true, max_uses_per_run: 5, max_output_tokens: 1024, reasoning_effort: 'high' }));
  });

  it('MemberCannotWriteButCanRead: member PUT → 403; member GET → the owner\'s values', async () => {
    const owners = config({ enabled: true, max_uses_per_run: 3, max_output_tokens: 77, reasoning_effort: 'low' });
    expectNoContent(await put(owners));
    await expectRejected({ enabled: false }, 403, FORBIDDEN_BODY, owners, users.member.token);
    await expectConfig(owners, users.member.token);
    await expectConfig(owners, users.auditor.token);
  });

  it('Product/AuditorCannotWrite: auditor PUT → 403; stored config unchanged', async () => {
    const raw = await storedRaw();
    expectForbidden(await put({ enabled: true }, users.auditor.token));
    expect(await storedRaw()).toBe(raw);
    await expectConfig(DEFAULT);
  });

  it('NegativeMaxUsesPerRunRejected: max_uses_per_run -1 → 400', async () => {
    const before = config({ enabled: true, max_uses_per_run: 2 });
    expectNoContent(await put(before));
    await expectRejected({ enabled: true, max_uses_per_run: -1 }, 400, negative('max_uses_per_run', -1), before);
    await expectRejected({ max_uses_per_run: -9007199254740991 }, 400, negative('max_uses_per_run', -9007199254740991), before);
    await expectRejected('{"max_uses_per_run":-1e3}', 400, negative('max_uses_per_run', -1000), before);
  });

  it('NegativeMaxOutputTokensRejected: max_output_tokens -5 → 400', async () => {
    const before = config({ max_output_tokens: 10 });
    expectNoContent(await put(before));
    await expectRejected({ enabled: true, max_output_tokens: -5 }, 400, negative('max_output_tokens', -5), before);
    await expectRejected('{"max_output_tokens":-5.0}', 400, negative('max_output_tokens', -5), before);
  });

  it('RoundTripModelConfigID: an existing config id with reasoning_effort "medium" round-trips', async () => {
    const id = await createModelConfig();
    const value = config({ enabled: true, max_uses_per_run: 2, max_output_tokens: 4096, model_config_id: id, reasoning_effort: 'medium' });
    expectNoContent(await put(value));
    await expectConfig(value);
    await expectConfig(value, users.member.token);
  });

  it('Product/UUIDForms: braces, urn:uuid:, 32 hex digits and uppercase are accepted and read back canonical', async () => {
    const id = await createModelConfig();
    const hex = id.replaceAll('-', '');
    for (const form of [id.toUpperCase(), `{${id}}`, `{${id.toUpperCase()}}`, `urn:uuid:${id}`, `URN:UUID:${id.toUpperCase()}`, hex, hex.toUpperCase()]) {
      await storeRaw(JSON.stringify(DEFAULT));
      expectNoContent(await put({ enabled: true, model_config_id: form }));
      await expectConfig(config({ enabled: true, model_config_id: id }));
      expect(JSON.parse((await storedRaw())!).model_config_id).toBe(id);
    }
  });

  it('Product/UUIDForms: the nil UUID in every form means unset', async () => {
    const id = await createModelConfig();
    for (const form of [NIL_UUID, `{${NIL_UUID}}`, `urn:uuid:${NIL_UUID}`, '0'.repeat(32)]) {
      expectNoContent(await put({ model_config_id: id }));
      expectNoContent(await put({ enabled: true, model_config_id: form }));
      await expectConfig(config({ enabled: true }));
    }
  });

  it('Product/MalformedUUIDs: wrong lengths and formats → 400 bad JSON; config unchanged', async () => {
    const id = await createModelConfig();
    const before = config({ enabled: true, model_config_id: id });
    expectNoContent(await put(before));
    const bad = [
      '',
      'nope',
      id.slice(0, 35),
      `${id}0`,
      `${id.slice(0, 35)}g`,
      id.replaceAll('-', '_'),
      `(${id})`,
      `{${id}`,
      `urn:uuix:${id}`,
      `${id.replaceAll('-', '').slice(0, 31)}z`,
      id.replaceAll('-', '').slice(0, 31),
      ` ${id}`,
      `${id.slice(0, 8)}${id.slice(9, 13)}-${id.slice(8, 9)}${id.slice(14)}`,
    ];
    for (const form of bad) {
      const raw = await storedRaw();
      expectBadJson(await put({ enabled: false, model_config_id: form }));
      expect(await storedRaw()).toBe(raw);
    }
    for (const value of ['1', 'true', '[]', '{}']) expectBadJson(await put(`{"model_config_id":${value}}`));
    await expectConfig(before);
  });

  it('InvalidReasoningEffort: "ultra" → 400; "HIGH" too; config unchanged', async () => {
    const before = config({ reasoning_effort: 'low' });
    expectNoContent(await put(before));
    // A NUL gets the same answer as any other value outside the set.
    for (const value of ['ultra', 'HIGH', 'Low', ' medium', 'none', 'say "hi"', 'x\u0000']) {
      await expectRejected({ enabled: true, reasoning_effort: value }, 400, badEffort(value), before);
    }
  });

  it('Product/ReasoningEffortValues: "", low, medium and high are accepted', async () => {
    for (const value of ['low', 'medium', 'high', '']) {
      expectNoContent(await put({ reasoning_effort: value }));
      await expectConfig(config({ reasoning_effort: value }));
    }
  });

  it('InvalidModelConfigID: a random UUID → 400 naming its lowercase canonical form', async () => {
    const before = config({ enabled: true, max_uses_per_run: 1 });
    expectNoContent(await put(before));
    const random = randomUUID();
    await expectRejected({ enabled: true, model_config_id: random }, 400, unknownModel(random), before);
    await expectRejected({ enabled: true, model_config_id: `{${random.toUpperCase()}}` }, 400, unknownModel(random), before);
  });

  it('Product/DeletedModelConfigRejected: a soft-deleted id → 400; a disabled config is accepted', async () => {
    const deleted = await createModelConfig();
    expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${deleted}`, { token: users.owner.token }));
    await expectRejected({ enabled: true, model_config_id: deleted }, 400, unknownModel(deleted), DEFAULT);

    const disabled = await createModelConfig({ enabled: false, provider: 'some-unknown-provider' });
    expectNoContent(await put({ enabled: true, model_config_id: disabled }));
    await expectConfig(config({ enabled: true, model_config_id: disabled }));
  });

  it('Product/DeletedAfterStoring: a stored id is returned as stored after its config is deleted', async () => {
    const id = await createModelConfig();
    expectNoContent(await put({ enabled: true, model_config_id: id }));
    expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${id}`, { token: users.owner.token }));
    await expectConfig(config({ enabled: true, model_config_id: id }));
    await expectConfig(config({ enabled: true, model_config_id: id }), users.member.token);
  });

  it('RoundTripZeroValues: {enabled:true, 0, 0} round-trips', async () => {
    expectNoContent(await put({ enabled: true, max_uses_per_run: 7, max_output_tokens: 7 }));
    expectNoContent(await put({ enabled: true, max_uses_per_run: 0, max_output_tokens: 0 }));
    await expectConfig(config({ enabled: true }));
  });

  it('OverwriteClearsPreviousValues: a full PUT, then {enabled:true} → {true, 0, 0, nil, ""}', async () => {
    const id = await createModelConfig();
    expectNoContent(await put({ enabled: true, max_uses_per_run: 9, max_output_tokens: 2048, model_config_id: id, reasoning_effort: 'high' }));
    expectNoContent(await put({ enabled: true }));
    await expectConfig(config({ enabled: true }));
    expect(JSON.parse((await storedRaw())!)).toEqual(config({ enabled: true }));
  });

  it('CanBeDisabledAfterEnabled: true then false persists', async () => {
    expectNoContent(await put({ enabled: true }));
    await expectConfig(config({ enabled: true }));
    expectNoContent(await put({ enabled: false }));
    await expectConfig(DEFAULT);
  });

  it('ClampsNegativeStoredValues: stored negatives read as 0; the stored value is unchanged', async () => {
    const stored = '{"enabled":true,"max_uses_per_run":-3,"max_output_tokens":-99}';
    await storeRaw(stored);
    await expectConfig(config({ enabled: true }));
    await expectConfig(config({ enabled: true }), users.member.token);
    expect(await storedRaw()).toBe(stored);
  });

  it('Product/StoredUnknownEffort: a stored effort outside the set reads as ""; stored value unchanged', async () => {
    const id = randomUUID();
    const stored = JSON.stringify({ enabled: false, max_uses_per_run: 4, max_output_tokens: 8, model_config_id: id, reasoning_effort: 'ultra' });
    await storeRaw(stored);
    await expectConfig(config({ max_uses_per_run: 4, max_output_tokens: 8, model_config_id: id }));
    expect(await storedRaw()).toBe(stored);
  });

  it('CorruptStoredJSONReturnsError: a stored value that is not an object → 500', async () => {
    for (const stored of ['"a string"', '[1,2]', '42', 'true', 'null', '{not json', '']) {
      await storeRaw(stored);
      for (const user of [users.owner, users.member]) {
        const res = await server.api.get(ADVISOR, { token: user.token });
        expect(res.status, res.text).toBe(500);
        expect(Object.keys(res.body)).toEqual(['message', 'detail']);
        expect(typeof res.body.detail).toBe('string');
        expectJson(res, 500, { message: 'Stored advisor configuration is invalid.', detail: res.body.detail });
      }
      expect(await storedRaw()).toBe(stored);
    }
  });

  it('Product/CorruptStoredJSONCanBeReplaced: a valid PUT over a corrupt value → 204 and GET works', async () => {
    await storeRaw('[1,2]');
    expectNoContent(await put({ enabled: true, max_uses_per_run: 1 }));
    await expectConfig(config({ enabled: true, max_uses_per_run: 1 }));
  });

  it('UnauthenticatedFails: GET and PUT without a token → 401; stored config unchanged', async () => {
    expectNoToken(await server.api.get(ADVISOR));
    expectNoToken(await server.api.put(ADVISOR, { body: { enabled: true } }));
    expectNoToken(await server.api.put(ADVISOR, { body: '{not json' }));
    expect(await storedRaw()).toBeNull();
    await expectConfig(DEFAULT);
  });

  it('Product/MalformedInput: {not json, "model_config_id":"", "max_uses_per_run":1.5 → 400; GET still returns the last accepted config', async () => {
    const before = config({ enabled: true, max_uses_per_run: 3, max_output_tokens: 100, reasoning_effort: 'low' });
    expectNoContent(await put(before));
    const bodies = [
      ...MALFORMED_BODIES,
      '{"model_config_id":""}',
      '{"max_uses_per_run":1.5}',
      '{"enabled":"yes"}',
      '{"enabled":1}',
      '{"max_uses_per_run":"5"}',
      '{"max_output_tokens":true}',
      '{"max_output_tokens":0.1}',
      '{"reasoning_effort":1}',
      '{"reasoning_effort":null,"enabled":"true"}',
      '{"max_uses_per_run":9007199254740992}',
      '{"max_output_tokens":-9007199254740992}',
      '{"max_uses_per_run":1e400}',
    ];
    for (const body of bodies) {
      const raw = await storedRaw();
      expectBadJson(await put(body));
      expect(await storedRaw()).toBe(raw);
    }
    await expectConfig(before);
  });

  it('Product/IntegerForms: 5, 5.0 and 5e0 are 5; -0 is 0; 1e2 is 100; the int range ends at 2^53-1', async () => {
    for (const literal of ['5', '5.0', '5e0', '50e-1', '0.5e1']) {
      expectNoContent(await put(`{"max_uses_per_run":${literal},"max_output_tokens":${literal}}`));
      await expectConfig(config({ max_uses_per_run: 5, max_output_tokens: 5 }));
    }
    expectNoContent(await put('{"max_uses_per_run":-0,"max_output_tokens":1e2}'));
    await expectConfig(config({ max_output_tokens: 100 }));
    expectNoContent(await put({ max_uses_per_run: 9007199254740991, max_output_tokens: 2147483648 }));
    await expectConfig(config({ max_uses_per_run: 9007199254740991, max_output_tokens: 2147483648 }));
  });

  it('Product/UnknownFieldsAndNulls: unknown fields ignored; "model_config_id": null stores the nil UUID', async () => {
    const id = await createModelConfig();
    expectNoContent(await put({ enabled: true, model_config_id: id, unknown_field: 1 }));
    await expectConfig(config({ enabled: true, model_config_id: id }));
    expect(Object.keys(JSON.parse((await storedRaw())!))).toEqual(['enabled', 'max_uses_per_run', 'max_output_tokens', 'model_config_id', 'reasoning_effort']);
    expectNoContent(await put({ enabled: true, model_config_id: null }));
    await expectConfig(config({ enabled: true }));
    expectNoContent(await put('{"enabled":null,"max_uses_per_run":null,"max_output_tokens":null,"model_config_id":null,"reasoning_effort":null}'));
    await expectConfig(DEFAULT);
  });

  it('Product/NullBodyResets: the literal null and {} store the default', async () => {
    for (const body of ['null', '{}', ' null ']) {
      expectNoContent(await put({ enabled: true, max_uses_per_run: 1, reasoning_effort: 'high' }));
      expectNoContent(await put(body));
      await expectConfig(DEFAULT);
    }
  });

  it('Product/DuplicateKeys: the last one wins, including for validation', async () => {
    expectNoContent(await put('{"max_uses_per_run":-1,"max_uses_per_run":2,"reasoning_effort":"ultra","reasoning_effort":"low"}'));
    await expectConfig(config({ max_uses_per_run: 2, reasoning_effort: 'low' }));
    await expectRejected('{"max_uses_per_run":2,"max_uses_per_run":-4}', 400, negative('max_uses_per_run', -4), config({ max_uses_per_run: 2, reasoning_effort: 'low' }));
  });

  it('Product/ValidationOrder: the first failing check of 7.3 answers', async () => {
    const random = randomUUID();
    const all = { max_uses_per_run: -1, max_output_tokens: -1, reasoning_effort: 'ultra', model_config_id: random };
    await expectRejected(all, 400, negative('max_uses_per_run', -1), DEFAULT);
    await expectRejected({ ...all, max_uses_per_run: 0 }, 400, negative('max_output_tokens', -1), DEFAULT);
    await expectRejected({ ...all, max_uses_per_run: 0, max_output_tokens: 0 }, 400, badEffort('ultra'), DEFAULT);
    await expectRejected({ ...all, max_uses_per_run: 0, max_output_tokens: 0, reasoning_effort: '' }, 400, unknownModel(random), DEFAULT);
    // Authorization, then decoding, come first.
    for (const user of [users.member, users.auditor]) {
      expectForbidden(await put(all, user.token));
      expectForbidden(await put('{not json', user.token));
    }
    expectBadJson(await put('{"max_uses_per_run":-1,"enabled":"yes"}'));
    expect(await storedRaw()).toBeNull();
  });
});
