import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BAD_JSON, expectGqlData, expectJson, expectNoContent } from '../support/assertions.ts';
import { BACKENDS } from '../support/database.ts';
import { NIL_UUID, createUsers, type Users } from '../support/fixtures.ts';
import { startTestServer, type ApiResponse, type TestServer } from '../support/server.ts';

/**
 * The same scenario through REST and through GraphQL gives the same outcome class, the same message
 * for validation errors, and leaves the same stored state (product.md 2: one service layer).
 */

const CHATS = '/api/experimental/chats';
const CONFIG = `${CHATS}/config`;

type Outcome = 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT' | 'INTERNAL_SERVER_ERROR';

const REST_OUTCOME: Record<number, Outcome> = {
  200: 'allowed',
  201: 'allowed',
  204: 'allowed',
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  500: 'INTERNAL_SERVER_ERROR',
};

interface Result {
  outcome: Outcome;
  message?: string;
  detail?: string;
}

function restResult(res: ApiResponse): Result {
  const outcome = REST_OUTCOME[res.status];
  if (!outcome) throw new Error(`unexpected REST status ${res.status}: ${res.text}`);
  if (outcome === 'allowed') return { outcome };
  return { outcome, message: res.body?.message, detail: res.body?.detail };
}

function gqlResult(res: ApiResponse): Result {
  expect(res.status, res.text).toBe(200);
  const errors = res.body?.errors;
  if (!errors) return { outcome: 'allowed' };
  expect(errors, res.text).toHaveLength(1);
  const [error] = errors;
  expect(error.extensions?.code, res.text).toBeDefined();
  const data = res.body.data;
  if (data) for (const value of Object.values(data)) expect(value).toBeNull();
  return { outcome: error.extensions.code, message: error.message, detail: error.extensions.detail };
}

// Fixed ids, so that stored state (which may name them) is identical across both runs.
const CONFIG_A = '0a0a0a0a-0000-4000-8000-00000000000a';
const CONFIG_B = '0b0b0b0b-0000-4000-8000-00000000000b';
const CONFIG_DISABLED = '0c0c0c0c-0000-4000-8000-00000000000c';
const CONFIG_DELETED = '0d0d0d0d-0000-4000-8000-00000000000d';
const RANDOM = '5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

const GQL = {
  setDesktopEnabled: 'mutation ($v: Boolean!) { setDesktopEnabled(enabled: $v) { enableDesktop computerUseProvider } }',
  setComputerUseProvider: 'mutation ($v: String!) { setComputerUseProvider(provider: $v) { enableDesktop computerUseProvider } }',
  updateAdvisorConfig:
    'mutation ($v: AdvisorConfigInput!) { updateAdvisorConfig(input: $v) { enabled maxUsesPerRun maxOutputTokens modelConfigId reasoningEffort } }',
  setDebugLoggingAllowUsers: 'mutation ($v: Boolean!) { setDebugLoggingAllowUsers(allowUsers: $v) { allowUsers forcedByDeployment } }',
  setMyDebugLogging: 'mutation ($v: Boolean!) { setMyDebugLogging(enabled: $v) { debugLoggingEnabled userToggleAllowed forcedByDeployment } }',
  setDebugRetentionDays: 'mutation ($v: Int!) { setDebugRetentionDays(days: $v) }',
  setRetentionDays: 'mutation ($v: Int!) { setRetentionDays(days: $v) }',
  createModelConfig: 'mutation ($v: NewModelConfigInput!) { createModelConfig(input: $v) { provider model displayName enabled isDefault contextLimit compressionThreshold } }',
  deleteModelConfig: 'mutation ($v: ID!) { deleteModelConfig(id: $v) }',
  desktopSettings: '{ desktopSettings { enableDesktop computerUseProvider } }',
  advisorConfig: '{ advisorConfig { enabled maxUsesPerRun maxOutputTokens modelConfigId reasoningEffort effectiveMaxOutputTokens } }',
  debugLoggingAdminSettings: '{ debugLoggingAdminSettings { allowUsers forcedByDeployment } }',
  myDebugLogging: '{ myDebugLogging { debugLoggingEnabled userToggleAllowed forcedByDeployment } }',
  debugRetentionDays: '{ debugRetentionDays }',
  retentionDays: '{ retentionDays }',
  modelConfigs: '{ modelConfigs { id provider model displayName enabled isDefault contextLimit compressionThreshold createdAt updatedAt } }',
  experiments: '{ experiments { id enabled available state reason } }',
} as const;

type Who = 'owner' | 'auditor' | 'member' | 'member2' | 'anonymous';

interface Scenario {
  name: string;
  who: Who;
  setup?: (s: TestServer) => Promise<void>;
  rest: [method: string, path: string, body?: unknown];
  gql: [query: keyof typeof GQL, variables?: unknown];
  outcome: Outcome;
  /** Validation errors: the message (and detail) both transports must give. `false`: transport-specific decoding, not compared. */
  message?: string | false;
  detail?: string;
}

async function modelConfigRow(s: TestServer, id: string, data: { provider?: string; model?: string; enabled?: boolean; isDefault?: boolean; deleted?: boolean }) {
  await s.db.prisma.modelConfig.create({
    data: {
      id,
      provider: data.provider ?? 'anthropic',
      model: data.model ?? `model-${id.slice(0, 2)}`,
      enabled: data.enabled ?? true,
      isDefault: data.isDefault ?? false,
      contextLimit: 100000n,
      deletedAt: data.deleted ? new Date('2026-01-01T00:00:00Z') : null,
    },
  });
}

const withConfigs = async (s: TestServer) => {
  await modelConfigRow(s, CONFIG_A, { provider: 'anthropic', model: 'a', isDefault: true });
  await modelConfigRow(s, CONFIG_B, { provider: 'openai', model: 'b' });
  await modelConfigRow(s, CONFIG_DISABLED, { provider: 'zeta', model: 'c', enabled: false });
  await modelConfigRow(s, CONFIG_DELETED, { provider: 'anthropic', model: 'd', deleted: true });
};
const gateOpen = async (s: TestServer) => {
  await s.db.prisma.siteSetting.create({ data: { key: 'debug_logging_allow_users', value: 'true' } });
};
const setting = (key: string, value: unknown) => async (s: TestServer) => {
  await s.db.prisma.siteSetting.create({ data: { key, value: JSON.stringify(value) } });
};

const invalidProvider = (v: string) => ({ message: 'Invalid computer use provider.', detail: `Expected one of: anthropic, openai. Got ${JSON.stringify(v)}.` });
const advisorBody = { enabled: true, max_uses_per_run: 5, max_output_tokens: 1024, reasoning_effort: 'high' };
const advisorInput = { enabled: true, maxUsesPerRun: 5, maxOutputTokens: 1024, reasoningEffort: 'high' };
const USER_TOGGLE = 'An administrator has not enabled user-controlled chat debug logging.';
const FORCED = 'Chat debug logging is already forced on by deployment configuration.';
const modelBody = { provider: 'anthropic', model: 'claude', display_name: ' Claude ', context_limit: 200000, compression_threshold: 60 };
const modelInput = { provider: 'anthropic', model: 'claude', displayName: ' Claude ', contextLimit: 200000, compressionThreshold: 60 };

const SCENARIOS: Scenario[] = [
  // Virtual desktop
  { name: 'owner enables the desktop', who: 'owner', rest: ['PUT', `${CONFIG}/desktop-enabled`, { enable_desktop: true }], gql: ['setDesktopEnabled', true], outcome: 'allowed' },
  { name: 'owner disables the desktop', who: 'owner', setup: setting('desktop_enabled', true), rest: ['PUT', `${CONFIG}/desktop-enabled`, { enable_desktop: false }], gql: ['setDesktopEnabled', false], outcome: 'allowed' },
  { name: 'member enables the desktop', who: 'member', rest: ['PUT', `${CONFIG}/desktop-enabled`, { enable_desktop: true }], gql: ['setDesktopEnabled', true], outcome: 'FORBIDDEN' },
  { name: 'auditor enables the desktop', who: 'auditor', rest: ['PUT', `${CONFIG}/desktop-enabled`, { enable_desktop: true }], gql: ['setDesktopEnabled', true], outcome: 'FORBIDDEN' },
  { name: 'anonymous enables the desktop', who: 'anonymous', rest: ['PUT', `${CONFIG}/desktop-enabled`, { enable_desktop: true }], gql: ['setDesktopEnabled', true], outcome: 'UNAUTHENTICATED' },
  { name: 'owner selects openai', who: 'owner', rest: ['PUT', `${CONFIG}/computer-use-provider`, { provider: 'openai' }], gql: ['setComputerUseProvider', 'openai'], outcome: 'allowed' },
  { name: 'owner selects anthropic after openai', who: 'owner', setup: setting('computer_use_provider', 'openai'), rest: ['PUT', `${CONFIG}/computer-use-provider`, { provider: 'anthropic' }], gql: ['setComputerUseProvider', 'anthropic'], outcome: 'allowed' },
  ...['Anthropic', '', 'invalid'].map(
    (v): Scenario => ({ name: `owner selects ${JSON.stringify(v)}`, who: 'owner', rest: ['PUT', `${CONFIG}/computer-use-provider`, { provider: v }], gql: ['setComputerUseProvider', v], outcome: 'BAD_USER_INPUT', ...invalidProvider(v) }),
  ),
  { name: 'member selects an invalid provider', who: 'member', rest: ['PUT', `${CONFIG}/computer-use-provider`, { provider: 'Anthropic' }], gql: ['setComputerUseProvider', 'Anthropic'], outcome: 'FORBIDDEN' },
  { name: 'anonymous selects a provider', who: 'anonymous', rest: ['PUT', `${CONFIG}/computer-use-provider`, { provider: 'openai' }], gql: ['setComputerUseProvider', 'openai'], outcome: 'UNAUTHENTICATED' },

  // Advisor
  { name: 'owner updates the advisor', who: 'owner', rest: ['PUT', `${CONFIG}/advisor`, advisorBody], gql: ['updateAdvisorConfig', advisorInput], outcome: 'allowed' },
  { name: 'owner sends only enabled (full replacement)', who: 'owner', setup: setting('advisor', { ...advisorBody, model_config_id: NIL_UUID }), rest: ['PUT', `${CONFIG}/advisor`, { enabled: true }], gql: ['updateAdvisorConfig', { enabled: true }], outcome: 'allowed' },
  { name: 'member updates the advisor', who: 'member', rest: ['PUT', `${CONFIG}/advisor`, advisorBody], gql: ['updateAdvisorConfig', advisorInput], outcome: 'FORBIDDEN' },
  { name: 'auditor updates the advisor', who: 'auditor', rest: ['PUT', `${CONFIG}/advisor`, advisorBody], gql: ['updateAdvisorConfig', advisorInput], outcome: 'FORBIDDEN' },
  { name: 'anonymous updates the advisor', who: 'anonymous', rest: ['PUT', `${CONFIG}/advisor`, advisorBody], gql: ['updateAdvisorConfig', advisorInput], outcome: 'UNAUTHENTICATED' },
  { name: 'negative max_uses_per_run', who: 'owner', rest: ['PUT', `${CONFIG}/advisor`, { max_uses_per_run: -1 }], gql: ['updateAdvisorConfig', { maxUsesPerRun: -1 }], outcome: 'BAD_USER_INPUT', message: 'max_uses_per_run -1 must be non-negative.' },
  { name: 'negative max_output_tokens', who: 'owner', rest: ['PUT', `${CONFIG}/advisor`, { max_output_tokens: -5 }], gql: ['updateAdvisorConfig', { maxOutputTokens: -5 }], outcome: 'BAD_USER_INPUT', message: 'max_output_tokens -5 must be non-negative.' },
  ...['ultra', 'HIGH'].map(
    (v): Scenario => ({
      name: `reasoning_effort ${v}`,
      who: 'owner',
      rest: ['PUT', `${CONFIG}/advisor`, { reasoning_effort: v }],
      gql: ['updateAdvisorConfig', { reasoningEffort: v }],
      outcome: 'BAD_USER_INPUT',
      message: `reasoning_effort "${v}" is not valid; must be one of "", "low", "medium", or "high".`,
    }),
  ),
  { name: 'unknown model config id', who: 'owner', setup: withConfigs, rest: ['PUT', `${CONFIG}/advisor`, { model_config_id: RANDOM }], gql: ['updateAdvisorConfig', { modelConfigId: RANDOM }], outcome: 'BAD_USER_INPUT', message: `model_config_id "${RANDOM}" does not match any existing model config.` },
  { name: 'unknown model config id in braces and uppercase', who: 'owner', rest: ['PUT', `${CONFIG}/advisor`, { model_config_id: `{${RANDOM.toUpperCase()}}` }], gql: ['updateAdvisorConfig', { modelConfigId: `{${RANDOM.toUpperCase()}}` }], outcome: 'BAD_USER_INPUT', message: `model_config_id "${RANDOM}" does not match any existing model config.` },
  { name: 'deleted model config id', who: 'owner', setup: withConfigs, rest: ['PUT', `${CONFIG}/advisor`, { model_config_id: CONFIG_DELETED }], gql: ['updateAdvisorConfig', { modelConfigId: CONFIG_DELETED }], outcome: 'BAD_USER_INPUT', message: `model_config_id "${CONFIG_DELETED}" does not match any existing model config.` },
  { name: 'disabled model config id', who: 'owner', setup: withConfigs, rest: ['PUT', `${CONFIG}/advisor`, { enabled: true, model_config_id: CONFIG_DISABLED, reasoning_effort: 'medium' }], gql: ['updateAdvisorConfig', { enabled: true, modelConfigId: CONFIG_DISABLED, reasoningEffort: 'medium' }], outcome: 'allowed' },
  { name: 'model config id as urn:uuid: in uppercase', who: 'owner', setup: withConfigs, rest: ['PUT', `${CONFIG}/advisor`, { model_config_id: `urn:uuid:${CONFIG_A.toUpperCase()}` }], gql: ['updateAdvisorConfig', { modelConfigId: `urn:uuid:${CONFIG_A.toUpperCase()}` }], outcome: 'allowed' },
  { name: 'nil model config id', who: 'owner', setup: setting('advisor', { enabled: true, model_config_id: CONFIG_A }), rest: ['PUT', `${CONFIG}/advisor`, { enabled: true, model_config_id: null }], gql: ['updateAdvisorConfig', { enabled: true, modelConfigId: null }], outcome: 'allowed' },
  { name: 'malformed model config id', who: 'owner', rest: ['PUT', `${CONFIG}/advisor`, { model_config_id: 'nope' }], gql: ['updateAdvisorConfig', { modelConfigId: 'nope' }], outcome: 'BAD_USER_INPUT', message: false },
  {
    name: 'validation order',
    who: 'owner',
    rest: ['PUT', `${CONFIG}/advisor`, { max_uses_per_run: -1, max_output_tokens: -1, reasoning_effort: 'ultra', model_config_id: RANDOM }],
    gql: ['updateAdvisorConfig', { maxUsesPerRun: -1, maxOutputTokens: -1, reasoningEffort: 'ultra', modelConfigId: RANDOM }],
    outcome: 'BAD_USER_INPUT',
    message: 'max_uses_per_run -1 must be non-negative.',
  },
  {
    name: 'validation order for a member',
    who: 'member',
    rest: ['PUT', `${CONFIG}/advisor`, { max_uses_per_run: -1, max_output_tokens: -1, reasoning_effort: 'ultra', model_config_id: RANDOM }],
    gql: ['updateAdvisorConfig', { maxUsesPerRun: -1, maxOutputTokens: -1, reasoningEffort: 'ultra', modelConfigId: RANDOM }],
    outcome: 'FORBIDDEN',
  },

  // Debug logging
  { name: 'owner allows users', who: 'owner', rest: ['PUT', `${CONFIG}/debug-logging`, { allow_users: true }], gql: ['setDebugLoggingAllowUsers', true], outcome: 'allowed' },
  { name: 'owner revokes', who: 'owner', setup: gateOpen, rest: ['PUT', `${CONFIG}/debug-logging`, { allow_users: false }], gql: ['setDebugLoggingAllowUsers', false], outcome: 'allowed' },
  { name: 'member allows users', who: 'member', rest: ['PUT', `${CONFIG}/debug-logging`, { allow_users: true }], gql: ['setDebugLoggingAllowUsers', true], outcome: 'FORBIDDEN' },
  { name: 'auditor allows users', who: 'auditor', rest: ['PUT', `${CONFIG}/debug-logging`, { allow_users: true }], gql: ['setDebugLoggingAllowUsers', true], outcome: 'FORBIDDEN' },
  { name: 'member opts in with the gate off', who: 'member', rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: true }], gql: ['setMyDebugLogging', true], outcome: 'FORBIDDEN', message: USER_TOGGLE },
  { name: 'owner opts in with the gate off', who: 'owner', setup: setting('debug_logging_allow_users', false), rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: true }], gql: ['setMyDebugLogging', true], outcome: 'FORBIDDEN', message: USER_TOGGLE },
  { name: 'member opts in with the gate on', who: 'member', setup: gateOpen, rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: true }], gql: ['setMyDebugLogging', true], outcome: 'allowed' },
  { name: 'auditor opts out with the gate on', who: 'auditor', setup: gateOpen, rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: false }], gql: ['setMyDebugLogging', false], outcome: 'allowed' },
  { name: 'anonymous opts in', who: 'anonymous', setup: gateOpen, rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: true }], gql: ['setMyDebugLogging', true], outcome: 'UNAUTHENTICATED' },
  { name: 'member reads the admin gate', who: 'member', rest: ['GET', `${CONFIG}/debug-logging`], gql: ['debugLoggingAdminSettings'], outcome: 'NOT_FOUND', message: 'Resource not found or you do not have access to this resource' },
  { name: 'auditor reads the admin gate', who: 'auditor', rest: ['GET', `${CONFIG}/debug-logging`], gql: ['debugLoggingAdminSettings'], outcome: 'allowed' },
  { name: 'anonymous reads the admin gate', who: 'anonymous', rest: ['GET', `${CONFIG}/debug-logging`], gql: ['debugLoggingAdminSettings'], outcome: 'UNAUTHENTICATED' },

  // Retention
  ...(
    [
      ['debug-retention-days', 'debug_retention_days', 'setDebugRetentionDays', 'Chat debug retention days must be between 0 and 3650.'],
      ['retention-days', 'retention_days', 'setRetentionDays', 'Retention days must be between 0 and 3650.'],
    ] as const
  ).flatMap(([path, field, mutation, range]): Scenario[] => [
    ...[14, 0, 3650].map((v): Scenario => ({ name: `owner sets ${field} ${v}`, who: 'owner', rest: ['PUT', `${CONFIG}/${path}`, { [field]: v }], gql: [mutation, v], outcome: 'allowed' })),
    ...[-1, 3651, -2147483648, 2147483647].map(
      (v): Scenario => ({ name: `owner sets ${field} ${v}`, who: 'owner', rest: ['PUT', `${CONFIG}/${path}`, { [field]: v }], gql: [mutation, v], outcome: 'BAD_USER_INPUT', message: range }),
    ),
    { name: `owner sets ${field} beyond int32`, who: 'owner', rest: ['PUT', `${CONFIG}/${path}`, { [field]: 2147483648 }], gql: [mutation, 2147483648], outcome: 'BAD_USER_INPUT', message: false },
    { name: `owner sets ${field} 1.5`, who: 'owner', rest: ['PUT', `${CONFIG}/${path}`, { [field]: 1.5 }], gql: [mutation, 1.5], outcome: 'BAD_USER_INPUT', message: false },
    { name: `member sets ${field}`, who: 'member', rest: ['PUT', `${CONFIG}/${path}`, { [field]: 14 }], gql: [mutation, 14], outcome: 'FORBIDDEN' },
    { name: `auditor sets ${field} out of range`, who: 'auditor', rest: ['PUT', `${CONFIG}/${path}`, { [field]: -1 }], gql: [mutation, -1], outcome: 'FORBIDDEN' },
    { name: `anonymous sets ${field}`, who: 'anonymous', rest: ['PUT', `${CONFIG}/${path}`, { [field]: 14 }], gql: [mutation, 14], outcome: 'UNAUTHENTICATED' },
  ]),

  // Model configs
  { name: 'owner creates the first model config', who: 'owner', rest: ['POST', `${CHATS}/model-configs`, modelBody], gql: ['createModelConfig', modelInput], outcome: 'allowed' },
  { name: 'owner creates a default model config', who: 'owner', setup: withConfigs, rest: ['POST', `${CHATS}/model-configs`, { ...modelBody, is_default: true, enabled: false }], gql: ['createModelConfig', { ...modelInput, isDefault: true, enabled: false }], outcome: 'allowed' },
  { name: 'owner creates with defaults', who: 'owner', setup: withConfigs, rest: ['POST', `${CHATS}/model-configs`, { provider: 'p', model: 'm', context_limit: 1 }], gql: ['createModelConfig', { provider: 'p', model: 'm', contextLimit: 1 }], outcome: 'allowed' },
  { name: 'member creates a model config', who: 'member', rest: ['POST', `${CHATS}/model-configs`, modelBody], gql: ['createModelConfig', modelInput], outcome: 'FORBIDDEN' },
  { name: 'auditor creates a model config', who: 'auditor', rest: ['POST', `${CHATS}/model-configs`, modelBody], gql: ['createModelConfig', modelInput], outcome: 'FORBIDDEN' },
  { name: 'blank provider', who: 'owner', rest: ['POST', `${CHATS}/model-configs`, { ...modelBody, provider: '  ' }], gql: ['createModelConfig', { ...modelInput, provider: '  ' }], outcome: 'BAD_USER_INPUT', message: 'Provider is required.' },
  { name: 'blank model', who: 'owner', rest: ['POST', `${CHATS}/model-configs`, { ...modelBody, model: '' }], gql: ['createModelConfig', { ...modelInput, model: '' }], outcome: 'BAD_USER_INPUT', message: 'Model is required.' },
  ...[0, -1].map(
    (v): Scenario => ({
      name: `context limit ${v}`,
      who: 'owner',
      rest: ['POST', `${CHATS}/model-configs`, { ...modelBody, context_limit: v }],
      gql: ['createModelConfig', { ...modelInput, contextLimit: v }],
      outcome: 'BAD_USER_INPUT',
      message: 'Context limit is required.',
      detail: 'context_limit must be greater than zero.',
    }),
  ),
  { name: 'context limit beyond 2^53', who: 'owner', rest: ['POST', `${CHATS}/model-configs`, `{"provider":"p","model":"m","context_limit":1e20}`], gql: ['createModelConfig', { provider: 'p', model: 'm', contextLimit: 1e20 }], outcome: 'BAD_USER_INPUT', message: false },
  ...[101, -1].map(
    (v): Scenario => ({
      name: `compression threshold ${v}`,
      who: 'owner',
      rest: ['POST', `${CHATS}/model-configs`, { ...modelBody, compression_threshold: v }],
      gql: ['createModelConfig', { ...modelInput, compressionThreshold: v }],
      outcome: 'BAD_USER_INPUT',
      message: 'Invalid compression threshold.',
      detail: 'context_compression_threshold must be between 0 and 100',
    }),
  ),
  { name: 'owner deletes the default model config', who: 'owner', setup: withConfigs, rest: ['DELETE', `${CHATS}/model-configs/${CONFIG_A}`], gql: ['deleteModelConfig', CONFIG_A], outcome: 'allowed' },
  { name: 'owner deletes by a braced uppercase id', who: 'owner', setup: withConfigs, rest: ['DELETE', `${CHATS}/model-configs/${encodeURIComponent(`{${CONFIG_B.toUpperCase()}}`)}`], gql: ['deleteModelConfig', `{${CONFIG_B.toUpperCase()}}`], outcome: 'allowed' },
  { name: 'owner deletes a deleted model config', who: 'owner', setup: withConfigs, rest: ['DELETE', `${CHATS}/model-configs/${CONFIG_DELETED}`], gql: ['deleteModelConfig', CONFIG_DELETED], outcome: 'NOT_FOUND', message: 'Resource not found or you do not have access to this resource' },
  { name: 'owner deletes an unknown model config', who: 'owner', setup: withConfigs, rest: ['DELETE', `${CHATS}/model-configs/${RANDOM}`], gql: ['deleteModelConfig', RANDOM], outcome: 'NOT_FOUND' },
  { name: 'owner deletes a malformed id', who: 'owner', rest: ['DELETE', `${CHATS}/model-configs/nope`], gql: ['deleteModelConfig', 'nope'], outcome: 'BAD_USER_INPUT', message: 'Invalid chat model config ID.', detail: 'invalid UUID length: 4' },
  { name: 'member deletes a model config', who: 'member', setup: withConfigs, rest: ['DELETE', `${CHATS}/model-configs/${CONFIG_A}`], gql: ['deleteModelConfig', CONFIG_A], outcome: 'FORBIDDEN' },
  { name: 'member deletes a malformed id', who: 'member', rest: ['DELETE', `${CHATS}/model-configs/nope`], gql: ['deleteModelConfig', 'nope'], outcome: 'FORBIDDEN' },

  // Reads
  ...(
    [
      [`${CONFIG}/desktop-enabled`, 'desktopSettings'],
      [`${CONFIG}/computer-use-provider`, 'desktopSettings'],
      [`${CONFIG}/advisor`, 'advisorConfig'],
      [`${CONFIG}/user-debug-logging`, 'myDebugLogging'],
      [`${CONFIG}/debug-retention-days`, 'debugRetentionDays'],
      [`${CONFIG}/retention-days`, 'retentionDays'],
      [`${CHATS}/model-configs`, 'modelConfigs'],
    ] as const
  ).flatMap(([path, query]): Scenario[] => [
    { name: `anonymous reads ${path}`, who: 'anonymous', rest: ['GET', path], gql: [query], outcome: 'UNAUTHENTICATED' },
    { name: `member reads ${path}`, who: 'member', rest: ['GET', path], gql: [query], outcome: 'allowed' },
  ]),
  { name: 'a corrupt stored advisor config', who: 'member', setup: async (s) => void (await s.db.prisma.siteSetting.create({ data: { key: 'advisor', value: '[1]' } })), rest: ['GET', `${CONFIG}/advisor`], gql: ['advisorConfig'], outcome: 'INTERNAL_SERVER_ERROR', message: false },
];

/** Stored state without generated ids and timestamps. */
async function snapshot(s: TestServer) {
  const site = await s.db.prisma.siteSetting.findMany({ select: { key: true, value: true }, orderBy: { key: 'asc' } });
  const user = await s.db.prisma.userSetting.findMany({ select: { userId: true, key: true, value: true }, orderBy: [{ userId: 'asc' }, { key: 'asc' }] });
  const configs = await s.db.prisma.modelConfig.findMany({ orderBy: [{ provider: 'asc' }, { model: 'asc' }, { createdAt: 'asc' }] });
  return {
    site,
    user,
    configs: configs.map((c) => ({
      fixedId: [CONFIG_A, CONFIG_B, CONFIG_DISABLED, CONFIG_DELETED].includes(c.id) ? c.id : 'generated',
      provider: c.provider,
      model: c.model,
      displayName: c.displayName,
      enabled: c.enabled,
      isDefault: c.isDefault,
      contextLimit: c.contextLimit.toString(),
      compressionThreshold: c.compressionThreshold,
      deleted: c.deletedAt !== null,
    })),
  };
}

async function resetAll(s: TestServer) {
  await s.db.prisma.siteSetting.deleteMany();
  await s.db.prisma.userSetting.deleteMany();
  await s.db.prisma.modelConfig.deleteMany();
}

describe.each(BACKENDS)('REST and GraphQL parity on %s', (backend) => {
  let server: TestServer;
  let users: Users;
  const token = (who: Who) => (who === 'anonymous' ? undefined : users[who].token);

  beforeAll(async () => {
    server = await startTestServer(backend);
    users = await createUsers(server.api);
  });
  afterAll(async () => server?.close());
  beforeEach(async () => resetAll(server));

  async function runBoth(scenario: Scenario) {
    await resetAll(server);
    await scenario.setup?.(server);
    const [method, path, body] = scenario.rest;
    const restRes = await server.api.request(method, path, { token: token(scenario.who), body });
    const rest = restResult(restRes);
    const restState = await snapshot(server);

    await resetAll(server);
    await scenario.setup?.(server);
    const [query, variables] = scenario.gql;
    const gqlRes = await server.api.graphql(GQL[query], variables === undefined ? {} : { v: variables }, token(scenario.who));
    const gql = gqlResult(gqlRes);
    const gqlState = await snapshot(server);
    return { rest, gql, restRes, gqlRes, restState, gqlState };
  }

  describe.each(SCENARIOS)('$name ($who) → $outcome', (scenario) => {
    it('gives the same outcome, message and stored state over REST and GraphQL', async () => {
      const { rest, gql, restRes, gqlRes, restState, gqlState } = await runBoth(scenario);
      expect(rest.outcome, restRes.text).toBe(scenario.outcome);
      expect(gql.outcome, gqlRes.text).toBe(scenario.outcome);
      if (scenario.outcome === 'UNAUTHENTICATED') {
        expect(gql.message).toBe(rest.message);
      }
      if (typeof scenario.message === 'string') {
        expect(rest.message).toBe(scenario.message);
        expect(gql.message).toBe(scenario.message);
      }
      if (scenario.message === false && scenario.outcome === 'BAD_USER_INPUT') {
        // Transport-level decoding: REST answers with its decode error; GraphQL with its own message.
        expect(typeof gql.message).toBe('string');
        if (restRes.status === 400 && restRes.body.message === BAD_JSON) expect(restRes.body.detail).toBeTruthy();
      }
      if (scenario.detail !== undefined) {
        expect(rest.detail).toBe(scenario.detail);
        expect(gql.detail).toBe(scenario.detail);
      }
      if (scenario.outcome === 'FORBIDDEN' && scenario.message === undefined) expect(gql.message).toBe('Forbidden.');
      expect(gqlState).toEqual(restState);
    });
  });

  describe('reads agree after writes through the other transport', () => {
    const restReads = async (who: Who) => {
      const t = token(who);
      const get = async (path: string) => {
        const res = await server.api.get(path, { token: t });
        expect(res.status, res.text).toBe(200);
        return res.body;
      };
      return {
        desktop: await get(`${CONFIG}/desktop-enabled`),
        provider: await get(`${CONFIG}/computer-use-provider`),
        advisor: await get(`${CONFIG}/advisor`),
        mine: await get(`${CONFIG}/user-debug-logging`),
        debugRetention: await get(`${CONFIG}/debug-retention-days`),
        retention: await get(`${CONFIG}/retention-days`),
        modelConfigs: await get(`${CHATS}/model-configs`),
      };
    };
    const gqlReads = async (who: Who) => {
      const res = await server.api.graphql(
        `{ ${GQL.desktopSettings.slice(1, -1)} ${GQL.advisorConfig.slice(1, -1)} ${GQL.myDebugLogging.slice(1, -1)} debugRetentionDays retentionDays ${GQL.modelConfigs.slice(1, -1)} }`,
        {},
        token(who),
      );
      expect(res.body.errors, res.text).toBeUndefined();
      return res.body.data;
    };
    /** Maps the GraphQL answer onto the REST shapes. */
    const asRest = (d: any) => ({
      desktop: { enable_desktop: d.desktopSettings.enableDesktop },
      provider: { provider: d.desktopSettings.computerUseProvider },
      advisor: {
        enabled: d.advisorConfig.enabled,
        max_uses_per_run: d.advisorConfig.maxUsesPerRun,
        max_output_tokens: d.advisorConfig.maxOutputTokens,
        model_config_id: d.advisorConfig.modelConfigId,
        reasoning_effort: d.advisorConfig.reasoningEffort,
      },
      mine: { debug_logging_enabled: d.myDebugLogging.debugLoggingEnabled, user_toggle_allowed: d.myDebugLogging.userToggleAllowed, forced_by_deployment: d.myDebugLogging.forcedByDeployment },
      debugRetention: { debug_retention_days: d.debugRetentionDays },
      retention: { retention_days: d.retentionDays },
      modelConfigs: d.modelConfigs.map((c: any) => ({
        id: c.id,
        provider: c.provider,
        model: c.model,
        display_name: c.displayName,
        enabled: c.enabled,
        is_default: c.isDefault,
        context_limit: c.contextLimit,
        compression_threshold: c.compressionThreshold,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      })),
    });

    const expectSameReads = async () => {
      for (const who of ['owner', 'auditor', 'member'] as const) {
        expect(asRest(await gqlReads(who)), who).toEqual(await restReads(who));
      }
    };

    it('defaults read the same', async () => {
      await expectSameReads();
      const admin = await server.api.graphql(GQL.debugLoggingAdminSettings, {}, users.auditor.token);
      expectGqlData(admin, { debugLoggingAdminSettings: { allowUsers: false, forcedByDeployment: false } });
    });

    it('REST writes are read by GraphQL', async () => {
      const owner = users.owner.token;
      expectNoContent(await server.api.put(`${CONFIG}/desktop-enabled`, { token: owner, body: { enable_desktop: true } }));
      expectNoContent(await server.api.put(`${CONFIG}/computer-use-provider`, { token: owner, body: { provider: 'openai' } }));
      const created = await server.api.post(`${CHATS}/model-configs`, { token: owner, body: { provider: 'openai', model: 'gpt', context_limit: 128000 } });
      expect(created.status).toBe(201);
      await server.api.post(`${CHATS}/model-configs`, { token: owner, body: { provider: 'anthropic', model: 'off', context_limit: 1, enabled: false } });
      expectNoContent(
        await server.api.put(`${CONFIG}/advisor`, {
          token: owner,
          body: { enabled: true, max_uses_per_run: 4, max_output_tokens: 3000000000, model_config_id: created.body.id.toUpperCase(), reasoning_effort: 'low' },
        }),
      );
      expectNoContent(await server.api.put(`${CONFIG}/debug-logging`, { token: owner, body: { allow_users: true } }));
      expectNoContent(await server.api.put(`${CONFIG}/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: true } }));
      expectNoContent(await server.api.put(`${CONFIG}/debug-retention-days`, { token: owner, body: { debug_retention_days: 14 } }));
      expectNoContent(await server.api.put(`${CONFIG}/retention-days`, { token: owner, body: { retention_days: 90 } }));
      await expectSameReads();
      const advisor = await server.api.graphql(GQL.advisorConfig, {}, users.member.token);
      expectGqlData(advisor, {
        advisorConfig: { enabled: true, maxUsesPerRun: 4, maxOutputTokens: 3000000000, modelConfigId: created.body.id, reasoningEffort: 'low', effectiveMaxOutputTokens: 3000000000 },
      });
      expectGqlData(await server.api.graphql(GQL.debugLoggingAdminSettings, {}, users.owner.token), {
        debugLoggingAdminSettings: { allowUsers: true, forcedByDeployment: false },
      });
    });

    it('GraphQL writes are read by REST, and mutation results equal the REST reads', async () => {
      const owner = users.owner.token;
      expectGqlData(await server.api.graphql(GQL.setDesktopEnabled, { v: true }, owner), { setDesktopEnabled: { enableDesktop: true, computerUseProvider: 'anthropic' } });
      expectGqlData(await server.api.graphql(GQL.setComputerUseProvider, { v: 'openai' }, owner), { setComputerUseProvider: { enableDesktop: true, computerUseProvider: 'openai' } });
      const created = await server.api.graphql('mutation ($v: NewModelConfigInput!) { createModelConfig(input: $v) { id isDefault } }', { v: { provider: 'openai', model: 'gpt', contextLimit: 128000 } }, owner);
      expect(created.body.errors, created.text).toBeUndefined();
      expect(created.body.data.createModelConfig.isDefault).toBe(true);
      const id: string = created.body.data.createModelConfig.id;
      expectGqlData(await server.api.graphql(GQL.updateAdvisorConfig, { v: { enabled: true, maxUsesPerRun: 2, modelConfigId: `{${id}}`, reasoningEffort: 'medium' } }, owner), {
        updateAdvisorConfig: { enabled: true, maxUsesPerRun: 2, maxOutputTokens: 0, modelConfigId: id, reasoningEffort: 'medium' },
      });
      expectGqlData(await server.api.graphql(GQL.setDebugLoggingAllowUsers, { v: true }, owner), { setDebugLoggingAllowUsers: { allowUsers: true, forcedByDeployment: false } });
      expectGqlData(await server.api.graphql(GQL.setMyDebugLogging, { v: true }, users.member.token), {
        setMyDebugLogging: { debugLoggingEnabled: true, userToggleAllowed: true, forcedByDeployment: false },
      });
      expectGqlData(await server.api.graphql(GQL.setDebugRetentionDays, { v: 0 }, owner), { setDebugRetentionDays: 0 });
      expectGqlData(await server.api.graphql(GQL.setRetentionDays, { v: 3650 }, owner), { setRetentionDays: 3650 });

      expectJson(await server.api.get(`${CONFIG}/desktop-enabled`, { token: users.member.token }), 200, { enable_desktop: true });
      expectJson(await server.api.get(`${CONFIG}/computer-use-provider`, { token: users.member.token }), 200, { provider: 'openai' });
      expectJson(await server.api.get(`${CONFIG}/advisor`, { token: users.member.token }), 200, {
        enabled: true,
        max_uses_per_run: 2,
        max_output_tokens: 0,
        model_config_id: id,
        reasoning_effort: 'medium',
      });
      expectJson(await server.api.get(`${CONFIG}/debug-logging`, { token: users.auditor.token }), 200, { allow_users: true, forced_by_deployment: false });
      expectJson(await server.api.get(`${CONFIG}/user-debug-logging`, { token: users.member.token }), 200, {
        debug_logging_enabled: true,
        user_toggle_allowed: true,
        forced_by_deployment: false,
      });
      expectJson(await server.api.get(`${CONFIG}/user-debug-logging`, { token: users.member2.token }), 200, {
        debug_logging_enabled: false,
        user_toggle_allowed: true,
        forced_by_deployment: false,
      });
      expectJson(await server.api.get(`${CONFIG}/debug-retention-days`, { token: users.member.token }), 200, { debug_retention_days: 0 });
      expectJson(await server.api.get(`${CONFIG}/retention-days`, { token: users.member.token }), 200, { retention_days: 3650 });
      await expectSameReads();

      expectGqlData(await server.api.graphql(GQL.deleteModelConfig, { v: id }, owner), { deleteModelConfig: true });
      expectJson(await server.api.get(`${CHATS}/model-configs`, { token: owner }), 200, []);
      // The advisor keeps the deleted id, on both transports.
      expectJson(await server.api.get(`${CONFIG}/advisor`, { token: owner }), 200, { enabled: true, max_uses_per_run: 2, max_output_tokens: 0, model_config_id: id, reasoning_effort: 'medium' });
      await expectSameReads();
    });

    it('Query.experiments follows the settings written over REST', async () => {
      const states = async (who: Who) => {
        const res = await server.api.graphql(GQL.experiments, {}, token(who));
        expect(res.body.errors, res.text).toBeUndefined();
        return Object.fromEntries(res.body.data.experiments.map((e: { id: string; state: string; enabled: boolean }) => [e.id, [e.state, e.enabled]]));
      };
      const owner = users.owner.token;
      expect(await states('member')).toEqual({ VIRTUAL_DESKTOP: ['OFF', false], ADVISOR: ['OFF', false], DEBUG_LOGGING: ['NOT_ALLOWED', false] });

      expectNoContent(await server.api.put(`${CONFIG}/desktop-enabled`, { token: owner, body: { enable_desktop: true } }));
      expect((await states('member')).VIRTUAL_DESKTOP).toEqual(['UNAVAILABLE', true]);
      expect((await server.api.put(`${CHATS}/providers/anthropic`, { token: owner, body: { api_key: 'sk-test-1234' } })).status).toBe(204);
      expect((await states('member')).VIRTUAL_DESKTOP).toEqual(['ON', true]);
      expectNoContent(await server.api.put(`${CONFIG}/computer-use-provider`, { token: owner, body: { provider: 'openai' } }));
      expect((await states('member')).VIRTUAL_DESKTOP).toEqual(['UNAVAILABLE', true]);
      expect((await server.api.put(`${CHATS}/providers/anthropic`, { token: owner, body: { api_key: '' } })).status).toBe(204);

      expectNoContent(await server.api.put(`${CONFIG}/advisor`, { token: owner, body: { enabled: true } }));
      expect((await states('member')).ADVISOR).toEqual(['ON', true]);

      expectNoContent(await server.api.put(`${CONFIG}/debug-logging`, { token: owner, body: { allow_users: true } }));
      expect((await states('member')).DEBUG_LOGGING).toEqual(['OFF', false]);
      expectNoContent(await server.api.put(`${CONFIG}/user-debug-logging`, { token: users.member.token, body: { debug_logging_enabled: true } }));
      expect((await states('member')).DEBUG_LOGGING).toEqual(['ON', true]);
      expect((await states('member2')).DEBUG_LOGGING).toEqual(['OFF', false]);
      expectNoContent(await server.api.put(`${CONFIG}/debug-logging`, { token: owner, body: { allow_users: false } }));
      expect((await states('member')).DEBUG_LOGGING).toEqual(['NOT_ALLOWED', false]);

      const anonymous = await server.api.graphql(GQL.experiments);
      expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('with the deployment override', () => {
    let forced: TestServer;
    let forcedUsers: Users;

    beforeAll(async () => {
      forced = await startTestServer(backend, { env: { CODER_CHAT_DEBUG_LOGGING_ENABLED: 'true' } });
      forcedUsers = await createUsers(forced.api);
    });
    afterAll(async () => forced?.close());

    const cases: { name: string; who: Exclude<Who, 'anonymous'>; rest: [string, string, unknown]; gql: [keyof typeof GQL, unknown]; outcome: Outcome; message?: string }[] = [
      { name: 'owner sets the admin gate', who: 'owner', rest: ['PUT', `${CONFIG}/debug-logging`, { allow_users: true }], gql: ['setDebugLoggingAllowUsers', true], outcome: 'CONFLICT', message: FORCED },
      { name: 'member sets the admin gate', who: 'member', rest: ['PUT', `${CONFIG}/debug-logging`, { allow_users: true }], gql: ['setDebugLoggingAllowUsers', true], outcome: 'FORBIDDEN' },
      { name: 'member opts in', who: 'member', rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: true }], gql: ['setMyDebugLogging', true], outcome: 'CONFLICT', message: FORCED },
      { name: 'owner opts out', who: 'owner', rest: ['PUT', `${CONFIG}/user-debug-logging`, { debug_logging_enabled: false }], gql: ['setMyDebugLogging', false], outcome: 'CONFLICT', message: FORCED },
      { name: 'member reads the admin gate', who: 'member', rest: ['GET', `${CONFIG}/debug-logging`, undefined], gql: ['debugLoggingAdminSettings', undefined], outcome: 'NOT_FOUND' },
    ];

    it.each(cases)('$name → $outcome on both transports; nothing stored', async ({ who, rest, gql, outcome, message }) => {
      await resetAll(forced);
      await forced.db.prisma.siteSetting.create({ data: { key: 'debug_logging_allow_users', value: 'false' } });
      const before = await snapshot(forced);
      const restRes = await forced.api.request(rest[0], rest[1], { token: forcedUsers[who].token, body: rest[2] });
      const gqlRes = await forced.api.graphql(GQL[gql[0]], gql[1] === undefined ? {} : { v: gql[1] }, forcedUsers[who].token);
      const r = restResult(restRes);
      const g = gqlResult(gqlRes);
      expect(r.outcome, restRes.text).toBe(outcome);
      expect(g.outcome, gqlRes.text).toBe(outcome);
      if (message) {
        expect(r.message).toBe(message);
        expect(g.message).toBe(message);
      }
      expect(await snapshot(forced)).toEqual(before);
    });

    it('reads report the override on both transports', async () => {
      await resetAll(forced);
      await forced.db.prisma.siteSetting.create({ data: { key: 'debug_logging_allow_users', value: 'true' } });
      expectJson(await forced.api.get(`${CONFIG}/debug-logging`, { token: forcedUsers.owner.token }), 200, { allow_users: true, forced_by_deployment: true });
      expectGqlData(await forced.api.graphql(GQL.debugLoggingAdminSettings, {}, forcedUsers.auditor.token), {
        debugLoggingAdminSettings: { allowUsers: true, forcedByDeployment: true },
      });
      for (const who of ['owner', 'member'] as const) {
        expectJson(await forced.api.get(`${CONFIG}/user-debug-logging`, { token: forcedUsers[who].token }), 200, {
          debug_logging_enabled: true,
          user_toggle_allowed: false,
          forced_by_deployment: true,
        });
        expectGqlData(await forced.api.graphql(GQL.myDebugLogging, {}, forcedUsers[who].token), {
          myDebugLogging: { debugLoggingEnabled: true, userToggleAllowed: false, forcedByDeployment: true },
        });
      }
      const experiments = await forced.api.graphql(GQL.experiments, {}, forcedUsers.member.token);
      const debug = experiments.body.data.experiments.find((e: { id: string }) => e.id === 'DEBUG_LOGGING');
      expect(debug).toEqual({ id: 'DEBUG_LOGGING', enabled: true, available: true, state: 'FORCED_ON', reason: null });
    });
  });
});
