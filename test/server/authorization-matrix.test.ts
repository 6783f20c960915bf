// The authorization matrix (product.md 3, rest-api.md 4): every REST route, every GraphQL root
// field (Query, Mutation, Subscription) and the nested Chat fields, tried as every kind of caller.
// The expected answer of every cell is in the tables below, derived from the specs:
//
// - Deployment settings: any signed-in user reads; only the site owner (role owner) writes (others
//   403 / FORBIDDEN). The admin debug-logging gate is read by owner and auditor only (others 404 /
//   NOT_FOUND). One's own debug-logging opt-in: anyone, for themselves.
// - A chat and its debug data are read by the chat's (root's) owner and its `read` sharees, nobody
//   else: site owners and auditors included, the answer for no access is that of a chat that does
//   not exist (REST 404; GraphQL null or NOT_FOUND). Writes (rename, share, delete, record, advisor
//   uses) are the chat owner's: a reader, who can see the chat, gets 403 / FORBIDDEN; others 404.
// - Signed out: 401 / UNAUTHENTICATED everywhere but the public account routes; `me` is null.
//
// Callers: siteOwner (role owner, not the chat's owner), auditor, member (a member with no tie to
// the chat), chatOwner (a member who owns the chat), reader (a member the chat is shared with for
// read), stranger (a member the chat *was* shared with, share since removed), signedOut.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_FOUND_BODY, FORBIDDEN_BODY, NO_TOKEN, PASSWORD, SIGNED_OUT, createUsers, login, share, type TestUser } from '../support/fixtures.ts';
import { BACKENDS } from '../support/database.ts';
import { RawSocket } from '../support/raw-socket.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

const PERSONAS = ['siteOwner', 'auditor', 'member', 'chatOwner', 'reader', 'stranger', 'signedOut'] as const;
type Persona = (typeof PERSONAS)[number];
type SignedIn = Exclude<Persona, 'signedOut'>;
type Row<T> = Record<Persona, T>;

const CHATS = '/api/experimental/chats';
const CONFIG = `${CHATS}/config`;

/** What one cell needs beyond the shared fixture (fresh rows change or use up what they touch). */
type Fresh = 'chat' | 'use' | 'modelConfig' | 'token';

interface Fixture {
  chat: string;
  subchat: string;
  run: string;
  step: string;
  use: string;
  modelConfig: string;
}

interface Ids {
  siteOwnerId: string;
  chatOwnerId: string;
}

type Vars = Fixture & Ids & { n: number };

// ---------------------------------------------------------------------------------------------
// REST: status per caller. 401, 403 and 404 answers are checked byte for byte (rest-api.md 2, 3).

interface RestCase {
  route: string;
  body?: (v: Vars) => unknown;
  fresh?: Fresh;
  expect: Row<number>;
}

/** Expectation shorthands, in PERSONAS order. */
const row = (siteOwner: number, auditor: number, member: number, chatOwner: number, reader: number, stranger: number, signedOut: number): Row<number> => ({
  siteOwner,
  auditor,
  member,
  chatOwner,
  reader,
  stranger,
  signedOut,
});
const anyone = (status: number) => row(status, status, status, status, status, status, 401);
const everyone = (status: number) => row(status, status, status, status, status, status, status);
const ownerWrites = (status: number) => row(status, 403, 403, 403, 403, 403, 401);
const chatRead = (status: number) => row(404, 404, 404, status, status, 404, 401);
const chatWrite = (status: number) => row(404, 404, 404, status, 403, 404, 401);

const REST: RestCase[] = [
  // Accounts (product.md 3)
  { route: 'GET /api/v2/users/first', expect: everyone(200) },
  { route: 'POST /api/v2/users/first', body: () => ({ email: 'late@example.com', username: 'late', password: PASSWORD }), expect: everyone(409) },
  { route: 'POST /api/v2/users/login', body: () => ({ email: 'member@example.com', password: PASSWORD }), expect: everyone(201) },
  { route: 'POST /api/v2/users/logout', fresh: 'token', expect: anyone(200) },
  { route: 'GET /api/v2/users/me', expect: anyone(200) },
  { route: 'GET /api/v2/users', expect: ownerWrites(200) },
  { route: 'POST /api/v2/users', body: (v) => ({ email: `made${v.n}@example.com`, username: `made${v.n}`, password: PASSWORD }), expect: ownerWrites(201) },
  { route: 'POST /api/v2/users/{chatOwnerId}/keys', expect: row(201, 404, 404, 201, 404, 404, 401) },
  { route: 'POST /api/v2/users/me/keys', expect: anyone(201) },

  // Chats (product.md 3)
  { route: `POST ${CHATS}`, body: () => ({ title: 'Mine' }), expect: anyone(201) },
  { route: `POST ${CHATS} (subagent of {chat})`, body: (v) => ({ title: 'Sub', parent_chat_id: v.chat }), expect: chatWrite(201) },
  { route: `GET ${CHATS}`, expect: anyone(200) },
  { route: `GET ${CHATS}/{chat}`, expect: chatRead(200) },
  { route: `PATCH ${CHATS}/{chat}`, body: () => ({ title: 'Matrix' }), expect: chatWrite(200) },
  { route: `DELETE ${CHATS}/{chat}`, fresh: 'chat', expect: chatWrite(204) },
  { route: `PATCH ${CHATS}/{chat}/acl`, body: (v) => ({ user_roles: { [v.siteOwnerId]: '' } }), expect: chatWrite(204) },
  { route: `GET ${CHATS}/{chat}/acl`, expect: chatWrite(200) },
  { route: `GET ${CHATS}/{chat}/desktop`, expect: chatRead(200) },

  // Advisor at run time (product.md 4a)
  { route: `GET ${CHATS}/{chat}/advisor`, expect: chatRead(200) },
  { route: `POST ${CHATS}/{chat}/advisor/uses`, body: () => ({ run_key: 'turn-1' }), expect: chatWrite(201) },
  { route: `POST ${CHATS}/{chat}/advisor/uses/{use}/refund`, fresh: 'use', expect: chatWrite(204) },

  // Model configs and providers (rest-api.md 8, product.md 1)
  { route: `GET ${CHATS}/model-configs`, expect: anyone(200) },
  { route: `POST ${CHATS}/model-configs`, body: () => ({ provider: 'openai', model: 'gpt-4o', context_limit: 128000 }), expect: ownerWrites(201) },
  { route: `DELETE ${CHATS}/model-configs/{modelConfig}`, fresh: 'modelConfig', expect: ownerWrites(204) },
  { route: `GET ${CHATS}/providers`, expect: anyone(200) },
  { route: `PUT ${CHATS}/providers/openai`, body: () => ({ api_key: '' }), expect: ownerWrites(204) },

  // Settings (rest-api.md 5–10); every PUT writes the value already stored.
  { route: `GET ${CONFIG}/desktop-enabled`, expect: anyone(200) },
  { route: `PUT ${CONFIG}/desktop-enabled`, body: () => ({ enable_desktop: false }), expect: ownerWrites(204) },
  { route: `GET ${CONFIG}/computer-use-provider`, expect: anyone(200) },
  { route: `PUT ${CONFIG}/computer-use-provider`, body: () => ({ provider: 'anthropic' }), expect: ownerWrites(204) },
  { route: `GET ${CONFIG}/advisor`, expect: anyone(200) },
  { route: `PUT ${CONFIG}/advisor`, body: () => ({ enabled: true }), expect: ownerWrites(204) },
  { route: `GET ${CONFIG}/debug-logging`, expect: row(200, 200, 404, 404, 404, 404, 401) },
  { route: `PUT ${CONFIG}/debug-logging`, body: () => ({ allow_users: true }), expect: ownerWrites(204) },
  { route: `GET ${CONFIG}/user-debug-logging`, expect: anyone(200) },
  { route: `PUT ${CONFIG}/user-debug-logging`, body: () => ({ debug_logging_enabled: true }), expect: anyone(204) },
  { route: `GET ${CONFIG}/debug-retention-days`, expect: anyone(200) },
  { route: `PUT ${CONFIG}/debug-retention-days`, body: () => ({ debug_retention_days: 30 }), expect: ownerWrites(204) },
  { route: `GET ${CONFIG}/retention-days`, expect: anyone(200) },
  { route: `PUT ${CONFIG}/retention-days`, body: () => ({ retention_days: 30 }), expect: ownerWrites(204) },

  // Debug reads (rest-api.md 11) and writes (product.md 4)
  { route: `GET ${CHATS}/{chat}/debug/runs`, expect: chatRead(200) },
  { route: `GET ${CHATS}/{chat}/debug/runs/{run}`, expect: chatRead(200) },
  { route: `GET ${CHATS}/{subchat}/debug/runs`, expect: chatRead(200) },
  { route: `POST ${CHATS}/{chat}/debug/runs`, body: () => ({ kind: 'chat_turn' }), expect: chatWrite(201) },
  { route: `POST ${CHATS}/{subchat}/debug/runs`, body: () => ({ kind: 'compaction' }), expect: chatWrite(201) },
  { route: `PATCH ${CHATS}/{chat}/debug/runs/{run}`, body: () => ({ model: 'gpt-4o-mini' }), expect: chatWrite(200) },
  { route: `POST ${CHATS}/{chat}/debug/runs/{run}/steps`, body: () => ({ operation: 'stream' }), expect: chatWrite(201) },
  { route: `PATCH ${CHATS}/{chat}/debug/runs/{run}/steps/{step}`, body: () => ({ usage: { input_tokens: 1, output_tokens: 1 } }), expect: chatWrite(200) },
];

// ---------------------------------------------------------------------------------------------
// GraphQL: 'ok' (a value), 'null' (no value, no error) or the one error's extensions.code.

type Gql = 'ok' | 'null' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED';

interface GqlCase {
  field: string;
  query: string;
  /** Where the answer is in `data`; walking stops at the first null. */
  path: string[];
  variables?: (v: Vars) => Record<string, unknown>;
  fresh?: Fresh;
  expect: Row<Gql>;
}

const g = (siteOwner: Gql, auditor: Gql, member: Gql, chatOwner: Gql, reader: Gql, stranger: Gql, signedOut: Gql): Row<Gql> => ({
  siteOwner,
  auditor,
  member,
  chatOwner,
  reader,
  stranger,
  signedOut,
});
const gAnyone = g('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'UNAUTHENTICATED');
const gOwnerWrites = g('ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'UNAUTHENTICATED');
const gChatRead = g('null', 'null', 'null', 'ok', 'ok', 'null', 'UNAUTHENTICATED');
const gChatWrite = g('NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'ok', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED');
const gChatOwnerOnly = g('null', 'null', 'null', 'ok', 'null', 'null', 'UNAUTHENTICATED');

const chatVar = (v: Vars) => ({ chat: v.chat });
const runVars = (v: Vars) => ({ chat: v.chat, run: v.run });

const GRAPHQL: GqlCase[] = [
  // Query
  { field: 'Query.advisorConfig', query: '{ advisorConfig { enabled } }', path: ['advisorConfig'], expect: gAnyone },
  { field: 'Query.chat', query: 'query ($chat: ID!) { chat(id: $chat) { id } }', path: ['chat'], variables: chatVar, expect: gChatRead },
  { field: 'Query.chats', query: '{ chats { id } }', path: ['chats'], expect: gAnyone },
  {
    field: 'Query.debugLoggingAdminSettings',
    query: '{ debugLoggingAdminSettings { allowUsers } }',
    path: ['debugLoggingAdminSettings'],
    expect: g('ok', 'ok', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  { field: 'Query.debugRetentionDays', query: '{ debugRetentionDays }', path: ['debugRetentionDays'], expect: gAnyone },
  { field: 'Query.desktopSettings', query: '{ desktopSettings { enableDesktop computerUseProvider } }', path: ['desktopSettings'], expect: gAnyone },
  { field: 'Query.experiments', query: '{ experiments { id state } }', path: ['experiments'], expect: gAnyone },
  { field: 'Query.me', query: '{ me { id email } }', path: ['me'], expect: g('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'null') },
  { field: 'Query.modelConfigs', query: '{ modelConfigs { id } }', path: ['modelConfigs'], expect: gAnyone },
  { field: 'Query.myDebugLogging', query: '{ myDebugLogging { debugLoggingEnabled } }', path: ['myDebugLogging'], expect: gAnyone },
  { field: 'Query.providers', query: '{ providers { provider hasApiKey } }', path: ['providers'], expect: gAnyone },
  { field: 'Query.retentionDays', query: '{ retentionDays }', path: ['retentionDays'], expect: gAnyone },
  { field: 'Query.users', query: '{ users { id } }', path: ['users'], expect: gOwnerWrites },

  // Nested Chat fields (reached through Query.chat; the chat of a caller without access is null)
  { field: 'Chat.debugRuns', query: 'query ($chat: ID!) { chat(id: $chat) { debugRuns { id } } }', path: ['chat', 'debugRuns'], variables: chatVar, expect: gChatRead },
  { field: 'Chat.debugRun', query: 'query ($chat: ID!, $run: ID!) { chat(id: $chat) { debugRun(id: $run) { id steps { id } } } }', path: ['chat', 'debugRun'], variables: runVars, expect: gChatRead },
  { field: 'Chat.debugLoggingActive', query: 'query ($chat: ID!) { chat(id: $chat) { debugLoggingActive } }', path: ['chat', 'debugLoggingActive'], variables: chatVar, expect: gChatRead },
  { field: 'Chat.hasDebugRuns', query: 'query ($chat: ID!) { chat(id: $chat) { hasDebugRuns } }', path: ['chat', 'hasDebugRuns'], variables: chatVar, expect: gChatRead },
  {
    field: 'Chat.debugRuns of a subagent chat',
    query: 'query ($chat: ID!) { chat(id: $chat) { debugRuns { id } } }',
    path: ['chat', 'debugRuns'],
    variables: (v) => ({ chat: v.subchat }),
    expect: gChatRead,
  },
  { field: 'Chat.desktopAvailability', query: 'query ($chat: ID!) { chat(id: $chat) { desktopAvailability { available } } }', path: ['chat', 'desktopAvailability'], variables: chatVar, expect: gChatRead },
  { field: 'Chat.advisor', query: 'query ($chat: ID!) { chat(id: $chat) { advisor { available } } }', path: ['chat', 'advisor'], variables: chatVar, expect: gChatRead },
  { field: 'Chat.sharedWith', query: 'query ($chat: ID!) { chat(id: $chat) { sharedWith { id } } }', path: ['chat', 'sharedWith'], variables: chatVar, expect: gChatOwnerOnly },
  { field: 'Chat.owner.email', query: 'query ($chat: ID!) { chat(id: $chat) { owner { email } } }', path: ['chat', 'owner', 'email'], variables: chatVar, expect: gChatOwnerOnly },

  // Mutation
  { field: 'Mutation.createChat', query: 'mutation { createChat(input: { title: "Mine" }) { id } }', path: ['createChat'], expect: gAnyone },
  {
    field: 'Mutation.createChat (subagent of the chat)',
    query: 'mutation ($chat: ID!) { createChat(input: { title: "Sub", parentChatId: $chat }) { id } }',
    path: ['createChat'],
    variables: chatVar,
    expect: gChatWrite,
  },
  { field: 'Mutation.updateChat', query: 'mutation ($chat: ID!) { updateChat(id: $chat, title: "Matrix") { id } }', path: ['updateChat'], variables: chatVar, expect: gChatWrite },
  { field: 'Mutation.deleteChat', query: 'mutation ($chat: ID!) { deleteChat(id: $chat) }', path: ['deleteChat'], variables: chatVar, fresh: 'chat', expect: gChatWrite },
  {
    field: 'Mutation.setChatShare',
    query: 'mutation ($chat: ID!, $user: ID!) { setChatShare(chatId: $chat, userId: $user, role: NONE) { id } }',
    path: ['setChatShare'],
    variables: (v) => ({ chat: v.chat, user: v.siteOwnerId }),
    expect: gChatWrite,
  },
  {
    field: 'Mutation.startDebugRun',
    query: 'mutation ($chat: ID!) { startDebugRun(chatId: $chat, input: { kind: "chat_turn" }) { id } }',
    path: ['startDebugRun'],
    variables: chatVar,
    expect: gChatWrite,
  },
  {
    field: 'Mutation.updateDebugRun',
    query: 'mutation ($chat: ID!, $run: ID!) { updateDebugRun(chatId: $chat, runId: $run, input: { model: "gpt-4o-mini" }) { id } }',
    path: ['updateDebugRun'],
    variables: runVars,
    expect: gChatWrite,
  },
  {
    field: 'Mutation.addDebugStep',
    query: 'mutation ($chat: ID!, $run: ID!) { addDebugStep(chatId: $chat, runId: $run, input: { operation: "stream" }) { id } }',
    path: ['addDebugStep'],
    variables: runVars,
    expect: gChatWrite,
  },
  {
    field: 'Mutation.updateDebugStep',
    query: 'mutation ($chat: ID!, $run: ID!, $step: ID!) { updateDebugStep(chatId: $chat, runId: $run, stepId: $step, input: { usage: { input_tokens: 2 } }) { id } }',
    path: ['updateDebugStep'],
    variables: (v) => ({ chat: v.chat, run: v.run, step: v.step }),
    expect: gChatWrite,
  },
  {
    field: 'Mutation.reserveAdvisorUse',
    query: 'mutation ($chat: ID!) { reserveAdvisorUse(chatId: $chat, runKey: "turn-1") { useId } }',
    path: ['reserveAdvisorUse'],
    variables: chatVar,
    expect: gChatWrite,
  },
  {
    field: 'Mutation.refundAdvisorUse',
    query: 'mutation ($chat: ID!, $use: ID!) { refundAdvisorUse(chatId: $chat, useId: $use) }',
    path: ['refundAdvisorUse'],
    variables: (v) => ({ chat: v.chat, use: v.use }),
    fresh: 'use',
    expect: gChatWrite,
  },
  { field: 'Mutation.setMyDebugLogging', query: 'mutation { setMyDebugLogging(enabled: true) { debugLoggingEnabled } }', path: ['setMyDebugLogging'], expect: gAnyone },
  {
    field: 'Mutation.createModelConfig',
    query: 'mutation { createModelConfig(input: { provider: "openai", model: "gpt-4o", contextLimit: 128000 }) { id } }',
    path: ['createModelConfig'],
    expect: gOwnerWrites,
  },
  {
    field: 'Mutation.deleteModelConfig',
    query: 'mutation ($id: ID!) { deleteModelConfig(id: $id) }',
    path: ['deleteModelConfig'],
    variables: (v) => ({ id: v.modelConfig }),
    fresh: 'modelConfig',
    expect: gOwnerWrites,
  },
  { field: 'Mutation.setProviderApiKey', query: 'mutation { setProviderApiKey(provider: "openai", apiKey: "") { provider } }', path: ['setProviderApiKey'], expect: gOwnerWrites },
  { field: 'Mutation.setDesktopEnabled', query: 'mutation { setDesktopEnabled(enabled: false) { enableDesktop } }', path: ['setDesktopEnabled'], expect: gOwnerWrites },
  { field: 'Mutation.setComputerUseProvider', query: 'mutation { setComputerUseProvider(provider: "anthropic") { enableDesktop } }', path: ['setComputerUseProvider'], expect: gOwnerWrites },
  { field: 'Mutation.updateAdvisorConfig', query: 'mutation { updateAdvisorConfig(input: { enabled: true }) { enabled } }', path: ['updateAdvisorConfig'], expect: gOwnerWrites },
  { field: 'Mutation.setDebugLoggingAllowUsers', query: 'mutation { setDebugLoggingAllowUsers(allowUsers: true) { allowUsers } }', path: ['setDebugLoggingAllowUsers'], expect: gOwnerWrites },
  { field: 'Mutation.setDebugRetentionDays', query: 'mutation { setDebugRetentionDays(days: 30) }', path: ['setDebugRetentionDays'], expect: gOwnerWrites },
  { field: 'Mutation.setRetentionDays', query: 'mutation { setRetentionDays(days: 30) }', path: ['setRetentionDays'], expect: gOwnerWrites },
];

/** Subscriptions, over the WebSocket. Signed out, the socket itself is refused (4403): UNAUTHENTICATED. */
const SUBSCRIPTIONS: GqlCase[] = [
  {
    field: 'Subscription.chatDebugEvents',
    // Replays from the start: a caller with access gets the chat's first event at once.
    query: 'subscription ($chat: ID!) { chatDebugEvents(chatId: $chat, after: "0") { cursor kind } }',
    path: ['chatDebugEvents'],
    variables: chatVar,
    expect: g('NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'ok', 'ok', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    field: 'Subscription.chatDebugEvents of a subagent chat',
    query: 'subscription ($chat: ID!) { chatDebugEvents(chatId: $chat, after: "0") { cursor kind } }',
    path: ['chatDebugEvents'],
    variables: (v) => ({ chat: v.subchat }),
    expect: g('NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'ok', 'ok', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  { field: 'Subscription.experimentsChanged', query: 'subscription { experimentsChanged { id } }', path: ['experimentsChanged'], expect: gAnyone },
];

const ERROR_MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: SIGNED_OUT,
  FORBIDDEN: 'Forbidden.',
  NOT_FOUND: 'Resource not found or you do not have access to this resource',
};

// ---------------------------------------------------------------------------------------------

describe.each(BACKENDS)('authorization matrix on %s', (backend) => {
  let server: TestServer;
  const people = {} as Record<SignedIn, TestUser>;
  let shared: Fixture;
  let counter = 0;

  const api = () => server.api;
  const ok = (res: ApiResponse, status: number) => {
    expect(res.status, res.text).toBe(status);
    return res.body;
  };

  async function newMember(username: string): Promise<TestUser> {
    const email = `${username}@example.com`;
    const created = await api().post('/api/v2/users', { token: people.siteOwner.token, body: { email, username, password: PASSWORD } });
    return { id: ok(created, 201).id, email, username, token: await login(api(), email) };
  }

  /** A chat of chatOwner with a subagent chat, a run with a step in each, shared with reader; stranger's share removed. */
  async function makeChat(): Promise<Pick<Fixture, 'chat' | 'subchat' | 'run' | 'step'>> {
    const owner = people.chatOwner.token;
    const chat = ok(await api().post(CHATS, { token: owner, body: { title: 'Matrix' } }), 201).id;
    const subchat = ok(await api().post(CHATS, { token: owner, body: { title: 'Sub', parent_chat_id: chat } }), 201).id;
    await share(api(), owner, chat, people.reader.id);
    await share(api(), owner, chat, people.stranger.id);
    await share(api(), owner, chat, people.stranger.id, '');
    const run = ok(await api().post(`${CHATS}/${chat}/debug/runs`, { token: owner, body: { kind: 'chat_turn', first_message: 'hi' } }), 201).id;
    const step = ok(await api().post(`${CHATS}/${chat}/debug/runs/${run}/steps`, { token: owner, body: { operation: 'stream' } }), 201).id;
    ok(await api().post(`${CHATS}/${subchat}/debug/runs`, { token: owner, body: { kind: 'compaction' } }), 201);
    return { chat, subchat, run, step };
  }

  const makeUse = async (chat: string) =>
    ok(await api().post(`${CHATS}/${chat}/advisor/uses`, { token: people.chatOwner.token, body: { run_key: `turn-${++counter}` } }), 201).use_id;
  const makeModelConfig = async () =>
    ok(await api().post(`${CHATS}/model-configs`, { token: people.siteOwner.token, body: { provider: 'anthropic', model: `m-${++counter}`, context_limit: 1000 } }), 201).id;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const users = await createUsers(api());
    Object.assign(people, { siteOwner: users.owner, auditor: users.auditor, chatOwner: users.member, reader: users.member2 });
    people.member = await newMember('plain');
    people.stranger = await newMember('former');
    // Recording on for the chat owner; the advisor on (reserving a use needs it).
    expect((await api().put(`${CONFIG}/debug-logging`, { token: people.siteOwner.token, body: { allow_users: true } })).status).toBe(204);
    expect((await api().put(`${CONFIG}/user-debug-logging`, { token: people.chatOwner.token, body: { debug_logging_enabled: true } })).status).toBe(204);
    expect((await api().put(`${CONFIG}/advisor`, { token: people.siteOwner.token, body: { enabled: true } })).status).toBe(204);
    const base = await makeChat();
    shared = { ...base, use: await makeUse(base.chat), modelConfig: await makeModelConfig() };
  });
  afterAll(async () => server?.close());

  /** The variables of one cell: the shared fixture, or fresh things where the case uses them up. */
  async function varsFor(fresh: Fresh | undefined): Promise<Vars> {
    const vars: Vars = { ...shared, siteOwnerId: people.siteOwner.id, chatOwnerId: people.chatOwner.id, n: ++counter };
    if (fresh === 'chat') Object.assign(vars, await makeChat());
    if (fresh === 'use') vars.use = await makeUse(vars.chat);
    if (fresh === 'modelConfig') vars.modelConfig = await makeModelConfig();
    return vars;
  }

  async function tokenFor(persona: Persona, fresh: Fresh | undefined): Promise<string | undefined> {
    if (persona === 'signedOut') return undefined;
    return fresh === 'token' ? login(api(), people[persona].email) : people[persona].token;
  }

  const fill = (template: string, vars: Vars) => template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name as keyof Vars]));

  /** The status, or a description when a denial's body is not the contract's. */
  function restOutcome(res: ApiResponse): number | string {
    const bodies: Record<number, unknown> = { 401: { message: SIGNED_OUT, detail: NO_TOKEN }, 403: FORBIDDEN_BODY, 404: NOT_FOUND_BODY };
    const expected = bodies[res.status];
    if (expected !== undefined && res.text !== `${JSON.stringify(expected)}\n`) return `${res.status} ${res.text.trim()}`;
    return res.status;
  }

  describe('REST', () => {
    it.each(REST.map((c) => [c.route, c] as const))('%s', async (_route, c) => {
      const actual = {} as Row<number | string>;
      for (const persona of PERSONAS) {
        const vars = await varsFor(c.fresh);
        const [method, pathTemplate] = c.route.split(' ');
        const res = await api().request(method, fill(pathTemplate, vars), { token: await tokenFor(persona, c.fresh), body: c.body?.(vars) });
        actual[persona] = restOutcome(res);
      }
      expect(actual).toEqual(c.expect);
    });
  });

  /** 'ok', 'null', or the code of the one error (whose message must be the contract's). */
  function gqlOutcome(body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }, path: string[]): string {
    if (body.errors?.length) {
      if (body.errors.length !== 1) return `errors: ${JSON.stringify(body.errors)}`;
      const [error] = body.errors;
      const code = error.extensions?.code ?? 'no code';
      return ERROR_MESSAGES[code] === error.message ? code : `${code}: ${error.message}`;
    }
    let value: unknown = body.data;
    for (const key of path) {
      if (value === null || value === undefined) break;
      value = (value as Record<string, unknown>)[key];
    }
    return value === null || value === undefined ? 'null' : 'ok';
  }

  describe('GraphQL', () => {
    it.each(GRAPHQL.map((c) => [c.field, c] as const))('%s', async (_field, c) => {
      const actual = {} as Row<string>;
      for (const persona of PERSONAS) {
        const vars = await varsFor(c.fresh);
        const res = await api().graphql(c.query, c.variables?.(vars) ?? {}, await tokenFor(persona, c.fresh));
        expect(res.status, res.text).toBe(200);
        actual[persona] = gqlOutcome(res.body, c.path);
      }
      expect(actual).toEqual(c.expect);
    });

    it.each(SUBSCRIPTIONS.map((c) => [c.field, c] as const))('%s (WebSocket)', async (_field, c) => {
      const actual = {} as Row<string>;
      for (const persona of PERSONAS) {
        const vars = await varsFor(c.fresh);
        const socket = await new RawSocket(server.url).ready();
        try {
          const token = await tokenFor(persona, c.fresh);
          socket.send({ type: 'connection_init', payload: token ? { sessionToken: token } : {} });
          await socket.waitFor((m) => m.type === 'connection_ack', 'connection_ack').catch(() => undefined);
          if (socket.closed) {
            actual[persona] = socket.closed.code === 4403 ? 'UNAUTHENTICATED' : `closed ${socket.closed.code}`;
            continue;
          }
          socket.send({ id: 's', type: 'subscribe', payload: { query: c.query, variables: c.variables?.(vars) ?? {} } });
          const first = await socket.waitFor((m) => m.id === 's', 'the first answer');
          actual[persona] =
            first.type === 'error'
              ? gqlOutcome({ errors: first.payload as never }, c.path)
              : gqlOutcome(first.payload as never, c.path);
        } finally {
          socket.close();
        }
      }
      expect(actual).toEqual(c.expect);
    });
  });
});
