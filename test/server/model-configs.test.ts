import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MALFORMED_BODIES,
  expectBadJson,
  expectForbidden,
  expectJson,
  expectNoContent,
  expectNoToken,
  expectNotFound,
} from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

const MODEL_CONFIGS = '/api/experimental/chats/model-configs';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ModelConfig {
  id: string;
  provider: string;
  model: string;
  display_name: string;
  enabled: boolean;
  is_default: boolean;
  context_limit: number;
  compression_threshold: number;
  created_at: string;
  updated_at: string;
}

/** The contract's key order (section 8). */
const shape = (c: ModelConfig): ModelConfig => ({
  id: c.id,
  provider: c.provider,
  model: c.model,
  display_name: c.display_name,
  enabled: c.enabled,
  is_default: c.is_default,
  context_limit: c.context_limit,
  compression_threshold: c.compression_threshold,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

const CONTEXT_LIMIT_REQUIRED = { message: 'Context limit is required.', detail: 'context_limit must be greater than zero.' };
const BAD_THRESHOLD = { message: 'Invalid compression threshold.', detail: 'context_compression_threshold must be between 0 and 100' };

describe.each(BACKENDS)('model configs on %s (rest-api.md 8, 15.4)', (backend) => {
  let server: TestServer;
  let users: Users;

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    await server.db.prisma.modelConfig.deleteMany();
  });

  const post = (body: unknown, token = users.owner.token) => server.api.post(MODEL_CONFIGS, { token, body });
  const list = (token = users.owner.token) => server.api.get(MODEL_CONFIGS, { token });
  const count = () => server.db.prisma.modelConfig.count();

  /** 201 with exactly `expected` plus a fresh id and timestamps. */
  function expectCreated(res: ApiResponse, expected: Omit<ModelConfig, 'id' | 'created_at' | 'updated_at'>): ModelConfig {
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).toMatch(UUID);
    expect(res.body.created_at).toMatch(TIMESTAMP);
    expect(res.body.updated_at).toMatch(TIMESTAMP);
    const full = shape({ ...expected, id: res.body.id, created_at: res.body.created_at, updated_at: res.body.updated_at });
    expectJson(res, 201, full);
    return full;
  }

  const create = async (body: Record<string, unknown>): Promise<ModelConfig> => {
    const res = await post({ provider: 'anthropic', model: 'claude', context_limit: 1000, ...body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  it('Product/ListEmpty: every role lists [] when there is no config', async () => {
    for (const user of [users.owner, users.auditor, users.member]) expectJson(await list(user.token), 200, []);
  });

  it('Product/ListVisibility: owner and auditor list enabled and disabled; a member lists the enabled one; deleted is listed to nobody', async () => {
    const enabled = await create({ provider: 'anthropic', model: 'claude-a', enabled: true });
    const disabled = await create({ provider: 'anthropic', model: 'claude-b', enabled: false });
    const deleted = await create({ provider: 'anthropic', model: 'claude-c', enabled: true });
    expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${deleted.id}`, { token: users.owner.token }));
    expectJson(await list(users.owner.token), 200, [shape(enabled), shape(disabled)]);
    expectJson(await list(users.auditor.token), 200, [shape(enabled), shape(disabled)]);
    expectJson(await list(users.member.token), 200, [shape(enabled)]);
    expectJson(await list(users.member2.token), 200, [shape(enabled)]);
  });

  it('Product/ListOrder: provider asc, model asc, updated_at desc, id desc', async () => {
    const b = await create({ provider: 'openai', model: 'gpt-b' });
    const z = await create({ provider: 'anthropic', model: 'claude-z' });
    const a = await create({ provider: 'anthropic', model: 'claude-a' });
    const ga = await create({ provider: 'openai', model: 'gpt-a' });
    const older = await create({ provider: 'openai', model: 'gpt-a' });
    // Make `older` older than `ga`; give two configs the same updated_at to exercise the id tiebreak.
    const t0 = new Date('2026-01-01T00:00:00.000Z');
    await server.db.prisma.modelConfig.update({ where: { id: older.id }, data: { updatedAt: t0 } });
    const tie1 = await create({ provider: 'zeta', model: 'm' });
    const tie2 = await create({ provider: 'zeta', model: 'm' });
    const t1 = new Date('2026-02-01T00:00:00.000Z');
    await server.db.prisma.modelConfig.updateMany({ where: { id: { in: [tie1.id, tie2.id] } }, data: { updatedAt: t1 } });
    const [hi, lo] = tie1.id > tie2.id ? [tie1, tie2] : [tie2, tie1];
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.map((c: ModelConfig) => c.id)).toEqual([a.id, z.id, ga.id, older.id, b.id, hi.id, lo.id]);
    expect(res.body.find((c: ModelConfig) => c.id === older.id).updated_at).toBe(t0.toISOString());
  });

  it('Product/CreateAndDelete: member POST → 403; owner POST → 201; DELETE → 204; again → 404; /nope → 400', async () => {
    const body = { provider: 'anthropic', model: 'claude-sonnet-4', display_name: 'Sonnet', context_limit: 200000, compression_threshold: 80 };
    expectForbidden(await post(body, users.member.token));
    expectForbidden(await post(body, users.auditor.token));
    expect(await count()).toBe(0);

    const created = expectCreated(await post(body), { ...body, enabled: true, is_default: true });
    expectJson(await list(), 200, [created]);

    expectForbidden(await server.api.delete(`${MODEL_CONFIGS}/${created.id}`, { token: users.member.token }));
    expectForbidden(await server.api.delete(`${MODEL_CONFIGS}/${created.id}`, { token: users.auditor.token }));
    expectJson(await list(), 200, [created]);

    expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${created.id}`, { token: users.owner.token }));
    expectJson(await list(), 200, []);
    expectNotFound(await server.api.delete(`${MODEL_CONFIGS}/${created.id}`, { token: users.owner.token }));
    expectNotFound(await server.api.delete(`${MODEL_CONFIGS}/${randomUUID()}`, { token: users.owner.token }));
    expectJson(await server.api.delete(`${MODEL_CONFIGS}/nope`, { token: users.owner.token }), 400, {
      message: 'Invalid chat model config ID.',
      detail: 'invalid UUID length: 4',
    });
    // Soft delete: the row remains with deleted_at set.
    const row = await server.db.prisma.modelConfig.findUnique({ where: { id: created.id } });
    expect(row?.deletedAt).toBeInstanceOf(Date);
  });

  it('Product/DeleteChecksOrder: 401 → 403 → bad UUID → 404', async () => {
    expectNoToken(await server.api.delete(`${MODEL_CONFIGS}/nope`));
    expectForbidden(await server.api.delete(`${MODEL_CONFIGS}/nope`, { token: users.member.token }));
    const bad = `${randomUUID().slice(0, 35)}x`;
    expectJson(await server.api.delete(`${MODEL_CONFIGS}/${bad}`, { token: users.owner.token }), 400, {
      message: 'Invalid chat model config ID.',
      detail: 'invalid UUID format',
    });
    expectJson(await server.api.delete(`${MODEL_CONFIGS}/${'a'.repeat(37)}`, { token: users.owner.token }), 400, {
      message: 'Invalid chat model config ID.',
      detail: 'invalid UUID length: 37',
    });
  });

  it('Product/DeleteAcceptsUUIDForms: braces, urn:uuid:, 32 hex digits, uppercase', async () => {
    for (const form of [(id: string) => id.toUpperCase(), (id: string) => `{${id}}`, (id: string) => `urn:uuid:${id}`, (id: string) => id.replaceAll('-', '')]) {
      const created = await create({ model: `m-${randomUUID()}` });
      expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${encodeURIComponent(form(created.id))}`, { token: users.owner.token }));
      expectNotFound(await server.api.delete(`${MODEL_CONFIGS}/${created.id}`, { token: users.owner.token }));
    }
  });

  it('Product/CreateDefaults: display_name "" (trimmed), enabled true, is_default false, compression_threshold 70; first is default', async () => {
    const first = expectCreated(await post({ provider: ' anthropic ', model: ' claude ', display_name: '  Claude  ', context_limit: 1 }), {
      provider: 'anthropic',
      model: 'claude',
      display_name: 'Claude',
      enabled: true,
      is_default: true,
      context_limit: 1,
      compression_threshold: 70,
    });
    const second = expectCreated(await post({ provider: 'openai', model: 'gpt', context_limit: 128000 }), {
      provider: 'openai',
      model: 'gpt',
      display_name: '',
      enabled: true,
      is_default: false,
      context_limit: 128000,
      compression_threshold: 70,
    });
    const nulls = expectCreated(
      await post('{"provider":"openai","model":"gpt-n","display_name":null,"enabled":null,"is_default":null,"context_limit":5,"compression_threshold":null,"extra":1}'),
      { provider: 'openai', model: 'gpt-n', display_name: '', enabled: true, is_default: false, context_limit: 5, compression_threshold: 70 },
    );
    const zero = expectCreated(await post({ provider: 'openai', model: 'gpt-z', context_limit: 5, compression_threshold: 0, enabled: false, display_name: '   ' }), {
      provider: 'openai',
      model: 'gpt-z',
      display_name: '',
      enabled: false,
      is_default: false,
      context_limit: 5,
      compression_threshold: 0,
    });
    expectJson(await list(), 200, [first, second, nulls, zero]);
  });

  it('Product/MakingDefaultClearsOthers: is_default true moves the flag; deleting the default promotes the first in list order', async () => {
    const a = await create({ provider: 'anthropic', model: 'a' });
    expect(a.is_default).toBe(true);
    const b = await create({ provider: 'openai', model: 'b', is_default: true });
    expect(b.is_default).toBe(true);
    const c = await create({ provider: 'anthropic', model: 'c' });
    expect(c.is_default).toBe(false);
    const flags = async () => Object.fromEntries((await list()).body.map((x: ModelConfig) => [x.model, x.is_default]));
    expect(await flags()).toEqual({ a: false, b: true, c: false });
    expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${b.id}`, { token: users.owner.token }));
    expect(await flags()).toEqual({ a: true, c: false });
    expectNoContent(await server.api.delete(`${MODEL_CONFIGS}/${c.id}`, { token: users.owner.token }));
    expect(await flags()).toEqual({ a: true });
  });

  it('Product/CreateValidation: provider, model, context_limit, compression_threshold in that order; nothing stored', async () => {
    const cases: [Record<string, unknown>, unknown][] = [
      [{ model: 'm', context_limit: 1 }, { message: 'Provider is required.' }],
      [{ provider: '   ', model: 'm', context_limit: 1 }, { message: 'Provider is required.' }],
      [{ provider: '\t\n', model: '', context_limit: 0, compression_threshold: 101 }, { message: 'Provider is required.' }],
      [{ provider: 'p', context_limit: 1 }, { message: 'Model is required.' }],
      [{ provider: 'p', model: '  ', context_limit: 0, compression_threshold: -1 }, { message: 'Model is required.' }],
      [{ provider: 'p', model: 'm' }, CONTEXT_LIMIT_REQUIRED],
      [{ provider: 'p', model: 'm', context_limit: null }, CONTEXT_LIMIT_REQUIRED],
      [{ provider: 'p', model: 'm', context_limit: 0 }, CONTEXT_LIMIT_REQUIRED],
      [{ provider: 'p', model: 'm', context_limit: -5, compression_threshold: 500 }, CONTEXT_LIMIT_REQUIRED],
      [{ provider: 'p', model: 'm', context_limit: 1, compression_threshold: 101 }, BAD_THRESHOLD],
      [{ provider: 'p', model: 'm', context_limit: 1, compression_threshold: -1 }, BAD_THRESHOLD],
      [{ provider: 'p', model: 'm', context_limit: 1, compression_threshold: 2147483648 }, BAD_THRESHOLD],
    ];
    for (const [body, answer] of cases) {
      expectJson(await post(body), 400, answer);
      expect(await count()).toBe(0);
    }
    expectJson(await list(), 200, []);
    // Boundaries are accepted.
    await create({ model: 'lo', compression_threshold: 0 });
    await create({ model: 'hi', compression_threshold: 100, context_limit: 9007199254740991 });
    expect((await list()).body.map((c: ModelConfig) => [c.compression_threshold, c.context_limit])).toEqual([
      [100, 9007199254740991],
      [0, 1000],
    ]);
  });

  it('Product/CreateDecode: malformed JSON and wrong types → 400; nothing stored; authorization first', async () => {
    const bodies = [
      ...MALFORMED_BODIES,
      '{"provider":1,"model":"m","context_limit":1}',
      '{"provider":"p","model":["m"],"context_limit":1}',
      '{"provider":"p","model":"m","context_limit":1.5}',
      '{"provider":"p","model":"m","context_limit":"1000"}',
      '{"provider":"p","model":"m","context_limit":9007199254740992}',
      '{"provider":"p","model":"m","context_limit":1,"enabled":"yes"}',
      '{"provider":"p","model":"m","context_limit":1,"is_default":1}',
      '{"provider":"p","model":"m","context_limit":1,"compression_threshold":70.5}',
      '{"provider":"p","model":"m","context_limit":1,"display_name":false}',
    ];
    for (const body of bodies) {
      expectBadJson(await post(body));
      expectForbidden(await post(body, users.member.token));
      expectNoToken(await server.api.post(MODEL_CONFIGS, { body }));
    }
    expect(await count()).toBe(0);
  });

  it('Product/CreateIntegerForms: 5.0 and 5e0 are 5; the last duplicate key wins', async () => {
    const created = await create({});
    expect(created.context_limit).toBe(1000);
    const res = await post('{"provider":"p","model":"m","context_limit":5e0,"compression_threshold":5.0,"model":"m2"}');
    expectCreated(res, { provider: 'p', model: 'm2', display_name: '', enabled: true, is_default: false, context_limit: 5, compression_threshold: 5 });
  });

  it('Product/ListUnauthenticated: GET and POST without a token → 401', async () => {
    expectNoToken(await server.api.get(MODEL_CONFIGS));
    expectNoToken(await server.api.post(MODEL_CONFIGS, { body: { provider: 'p', model: 'm', context_limit: 1 } }));
    expect(await count()).toBe(0);
  });
});
