import type { AdvisorConfig, DebugLoggingAdminSettings, DesktopSettings, ModelConfig, UserDebugLoggingSettings } from '../graphql/index.ts';
import type { MockHandler } from '../graphql/testing.ts';

export const NIL = '00000000-0000-0000-0000-000000000000';
export const MODEL_SONNET = 'aaaaaaaa-0000-4000-8000-000000000001';
export const MODEL_GPT = 'aaaaaaaa-0000-4000-8000-000000000002';
export const MODEL_DISABLED = 'aaaaaaaa-0000-4000-8000-000000000003';
export const MODEL_DELETED = 'aaaaaaaa-0000-4000-8000-0000000000ff';

export const MODEL_CONFIGS: ModelConfig[] = [
  { id: MODEL_SONNET, displayName: '  Claude Sonnet  ', model: 'claude-sonnet-4-5', provider: 'anthropic', enabled: true },
  { id: MODEL_GPT, displayName: '', model: 'gpt-5', provider: 'openai', enabled: true },
  { id: MODEL_DISABLED, displayName: 'Retired model', model: 'old-model', provider: 'openai', enabled: false },
];

/** Desktop settings as the server returns them; unavailable (no API key) unless `available`. */
export function desktop(enableDesktop: boolean, provider = 'anthropic', options: { available?: boolean; reason?: string } = {}): DesktopSettings {
  const model = provider === 'openai' ? 'gpt-5.5' : 'claude-opus-4-6';
  const available = enableDesktop && Boolean(options.available);
  const reason = enableDesktop
    ? (options.reason ?? `no API key is configured for the computer use provider "${provider}"`)
    : 'type "computer_use" is unavailable because desktop access is not enabled';
  return {
    enableDesktop,
    computerUseProvider: provider,
    availability: {
      available,
      code: available ? null : enableDesktop ? 'NO_API_KEY' : 'DESKTOP_DISABLED',
      reason: available ? null : reason,
      provider,
      model,
    },
  };
}

export function advisor(overrides: Partial<AdvisorConfig> = {}): AdvisorConfig {
  return { enabled: false, maxUsesPerRun: 0, maxOutputTokens: 0, modelConfigId: NIL, reasoningEffort: '', ...overrides };
}

export const adminDebug = (allowUsers: boolean, forcedByDeployment = false): DebugLoggingAdminSettings => ({ allowUsers, forcedByDeployment });

export const userDebug = (overrides: Partial<UserDebugLoggingSettings> = {}): UserDebugLoggingSettings => ({
  debugLoggingEnabled: false,
  userToggleAllowed: true,
  forcedByDeployment: false,
  ...overrides,
});

/** Handlers for every operation of the Experiments page, each overridable. */
export function experimentsHandlers(overrides: Record<string, MockHandler> = {}): Record<string, MockHandler> {
  return {
    DesktopSettings: { data: { desktopSettings: desktop(false) } },
    SetDesktopEnabled: (op) => ({ data: { setDesktopEnabled: desktop(Boolean(op.variables.enabled)) } }),
    SetComputerUseProvider: (op) => ({ data: { setComputerUseProvider: desktop(true, String(op.variables.provider)) } }),
    AdvisorConfig: { data: { advisorConfig: advisor() } },
    ModelConfigs: { data: { modelConfigs: MODEL_CONFIGS } },
    UpdateAdvisorConfig: (op) => ({ data: { updateAdvisorConfig: { ...(op.variables.input as AdvisorConfig) } } }),
    DebugLoggingAdminSettings: { data: { debugLoggingAdminSettings: adminDebug(false) } },
    SetDebugLoggingAllowUsers: (op) => ({ data: { setDebugLoggingAllowUsers: adminDebug(Boolean(op.variables.allowUsers)) } }),
    ExperimentsChanged: 'pending',
    ...overrides,
  };
}
